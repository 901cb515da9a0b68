package userimport

import (
	"context"
	"time"
)

// RowCounter counts imported rows by result (the metrics).
type RowCounter interface {
	AddImportRows(result string, n int)
}

// done logs one line per finished import and counts its rows; a dry run
// changes nothing and is only logged.
func (im *Importer) done(ctx context.Context, rep *Report, opts Options, started time.Time) {
	im.log.InfoContext(ctx, "import finished", "requested_by", opts.RequestedBy, "dry_run", rep.DryRun,
		"format", rep.Format, "rows", rep.Rows, "created", rep.Created, "updated", rep.Updated,
		"unchanged", rep.Unchanged, "failed", rep.Failed, "warned", rep.Warned,
		"invited", rep.Invitations != nil, "duration", time.Since(started))
	if im.rows == nil || rep.DryRun {
		return
	}
	for _, c := range []struct {
		result string
		n      int
	}{{"created", rep.Created}, {"updated", rep.Updated}, {"unchanged", rep.Unchanged}, {"failed", rep.Failed}} {
		im.rows.AddImportRows(c.result, c.n)
	}
}
