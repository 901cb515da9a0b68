package userimport

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"os"
	"time"

	"github.com/inviter/inviter/pkg/invite"
)

// Importer imports users from files.
type Importer struct {
	store   Store
	jobs    JobStore
	inviter Inviter
	limits  Limits
	log     *slog.Logger
	rows    RowCounter
	bg      background
}

// Config holds an Importer's dependencies.
type Config struct {
	Store   Store
	Jobs    JobStore // where background imports keep their progress
	Inviter Inviter
	Limits  Limits // zero fields take the defaults
	Log     *slog.Logger
	// TempDir is where background imports keep the uploaded file until they
	// have read it ("" for the system's).
	TempDir string
	// Concurrency bounds the background imports that run at once on this
	// replica (default 2); the others wait, queued.
	Concurrency int
	// Rows counts the rows of finished imports (the metrics); may be nil.
	Rows RowCounter
}

// New returns an Importer. Call Shutdown when done, to let background
// imports finish.
func New(c Config) *Importer {
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	im := &Importer{store: c.Store, jobs: c.Jobs, inviter: c.Inviter, limits: c.Limits.withDefaults(), log: c.Log,
		rows: c.Rows}
	im.bg.init(c.TempDir, c.Concurrency)
	return im
}

// Limits returns the limits in force.
func (im *Importer) Limits() Limits { return im.limits }

// progressEvery is how many rows pass between two progress reports.
const progressEvery = 1000

// Import reads a file (CSV or XLSX, told apart by their first bytes) and
// imports its valid rows in one transaction, then, when asked, invites the
// imported users. contentType may carry the CSV charset
// ("text/csv; charset=windows-1251"); opts.Charset wins over it. progress,
// when not nil, is called as the import goes on.
//
// A file that cannot be read as a whole (not CSV or XLSX, no usable header,
// over a limit) is an error of kind invalid or too_large and nothing is
// written; so is a failure of the database, which rolls everything back.
// Problems of single rows are in the report.
func (im *Importer) Import(ctx context.Context, src io.Reader, contentType string, opts Options,
	progress func(Progress)) (Report, error) {
	if progress == nil {
		progress = func(Progress) {}
	}
	rep := Report{DryRun: opts.DryRun}
	started := time.Now()
	if opts.Size > im.limits.MaxBytes {
		return rep, im.tooLarge()
	}
	charset, err := ParseCharset(opts.Charset)
	if err != nil {
		return rep, err
	}
	if charset == "" {
		if _, params, err := mime.ParseMediaType(contentType); err == nil && params["charset"] != "" {
			if charset, err = ParseCharset(params["charset"]); err != nil {
				return rep, err
			}
		}
	}
	if _, onDisk := src.(fileSource); !onDisk {
		// The upload is read to a file before the transaction opens, so
		// that a slow client holds no connection or transaction.
		f, n, err := im.spool(src)
		if err != nil {
			return rep, err
		}
		defer func() { f.Close(); os.Remove(f.Name()) }()
		src, opts.Size = f, n
	}
	counted := &counter{r: src, max: im.limits.MaxBytes, tooLarge: im.tooLarge()}
	recs, closeRecs, err := im.open(counted, contentType, charset, &rep)
	if err != nil {
		return rep, err
	}
	defer closeRecs()

	r := &run{im: im, opts: opts, rep: &rep, recs: recs, counted: counted, progress: progress,
		warned: map[int]bool{}, failed: map[int]bool{}}
	r.report(PhaseReading)
	if err := r.readHeader(); err != nil {
		return rep, err
	}
	err = im.store.ImportUsers(ctx, !opts.DryRun, func(tx Tx) error {
		if err := tx.Stage(ctx, r.rows()); err != nil {
			return err
		}
		r.report(PhaseSaving)
		return r.save(ctx, tx)
	})
	if err != nil {
		return rep, fmt.Errorf("userimport: %w", err)
	}
	if opts.SendInvitation && !opts.DryRun && len(r.invite) > 0 {
		r.report(PhaseInviting)
		res, err := im.inviter.Invite(ctx, opts.RequestedBy, invite.Selection{UserIDs: r.invite})
		if err != nil {
			im.log.ErrorContext(ctx, "import: users imported but not invited", "users", len(r.invite), "err", err)
			rep.InvitationError = &invite.Reason{Code: "invitation_failed",
				Message: "The users were imported, but inviting them failed; invite them from the user table."}
		} else {
			rep.Invitations = &res
		}
	}
	r.finish()
	im.done(ctx, &rep, opts, started)
	r.report(PhaseDone)
	return rep, nil
}

func (im *Importer) tooLarge() error {
	return invite.Errorf(invite.KindTooLarge, "file_too_large",
		"the file is larger than %d bytes (IMPORT_MAX_BYTES)", im.limits.MaxBytes).WithField("file")
}
