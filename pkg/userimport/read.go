package userimport

import (
	"errors"
	"io"
	"iter"

	"github.com/inviter/inviter/pkg/invite"
)

// readHeader takes the first non-blank row as the header.
func (r *run) readHeader() error {
	for {
		cells, line, err := r.recs.Next()
		if errors.Is(err, io.EOF) {
			return invite.Errorf(invite.KindInvalid, "empty_file", "the file has no header row").WithField("file")
		}
		if err != nil {
			return err
		}
		if blank(cells) {
			continue
		}
		h, err := parseHeader(cells, line)
		if err != nil {
			return err
		}
		r.hdr, r.dedup = h, newDedup()
		r.rep.Columns = h.columns
		r.rep.Issues = append(r.rep.Issues, h.issues...)
		return nil
	}
}

// rows yields the valid rows of the file, recording the problems of the
// others in the report.
func (r *run) rows() iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		for {
			cells, line, err := r.recs.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				yield(Row{}, err)
				return
			}
			if blank(cells) {
				continue
			}
			r.rep.Rows++
			if r.rep.Rows > r.im.limits.MaxRows {
				yield(Row{}, invite.Errorf(invite.KindTooLarge, "too_many_rows",
					"the file has more than %d rows (IMPORT_MAX_ROWS); split it", r.im.limits.MaxRows).WithField("file"))
				return
			}
			if r.rep.Rows%progressEvery == 0 {
				r.report(PhaseReading)
			}
			row, warns, bad := parseRow(r.hdr, cells, line)
			if bad == nil {
				bad = r.dedup.claim(row, r.hdr)
			}
			if bad != nil {
				r.rep.Failed++
				r.rep.Issues = append(r.rep.Issues, *bad)
				continue
			}
			if len(warns) > 0 {
				r.warned[line] = true
				r.rep.Issues = append(r.rep.Issues, warns...)
			}
			r.staged++
			if !yield(row, nil) {
				return
			}
		}
	}
}
