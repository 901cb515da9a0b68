package userimport

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"mime"
	"sync"

	"github.com/inviter/inviter/pkg/invite"
)

// Importer imports users from files.
type Importer struct {
	store   Store
	jobs    JobStore
	inviter Inviter
	limits  Limits
	log     *slog.Logger
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
}

// New returns an Importer. Call Shutdown when done, to let background
// imports finish.
func New(c Config) *Importer {
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	im := &Importer{store: c.Store, jobs: c.Jobs, inviter: c.Inviter, limits: c.Limits.withDefaults(), log: c.Log}
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
	r.report(PhaseDone)
	return rep, nil
}

func (im *Importer) tooLarge() error {
	return invite.Errorf(invite.KindTooLarge, "file_too_large",
		"the file is larger than %d bytes (IMPORT_MAX_BYTES)", im.limits.MaxBytes).WithField("file")
}

// The first bytes of the formats told apart.
var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") // .xls and other pre-2007 Office files
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// open tells the format from the first bytes (the content type is often
// wrong: browsers send CSV as application/vnd.ms-excel) and returns its
// records.
func (im *Importer) open(src io.Reader, contentType, charset string, rep *Report) (records, func(), error) {
	br := bufio.NewReaderSize(src, 64<<10)
	head, err := br.Peek(len(oleMagic))
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, nil, err
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case bytes.HasPrefix(head, zipMagic):
		x, sheet, err := openXLSX(readerOf(br, src), im.limits.MaxBytes)
		if err != nil {
			return nil, nil, err
		}
		rep.Format, rep.Sheet = "xlsx", sheet
		return x, func() { x.Close() }, nil
	case bytes.HasPrefix(head, oleMagic):
		return nil, nil, invite.Errorf(invite.KindInvalid, "unsupported_format",
			"this is an old Excel (.xls) file; save it as .xlsx or CSV").WithField("file")
	case mt == xlsxType:
		return nil, nil, invite.Errorf(invite.KindInvalid, "malformed_file",
			"the file is declared as XLSX but is not one").WithField("file")
	case len(head) == 0:
		return nil, nil, invite.Errorf(invite.KindInvalid, "empty_file", "the file is empty").WithField("file")
	}
	text, detected := decodeText(br, charset)
	c, delim := newCSV(text)
	rep.Format, rep.Delimiter = "csv", string(delim)
	return &charsetRecords{records: c, detected: detected, rep: rep}, func() {}, nil
}

// readerOf returns what is left of src after br's peek: br itself, unless
// src is a file that excelize can open in place (br has only peeked).
func readerOf(br *bufio.Reader, src io.Reader) io.Reader {
	if c, ok := src.(*counter); ok {
		if f, ok := c.file(); ok {
			return f
		}
	}
	return br
}

// charsetRecords notes in the report the charset the text was read in,
// which a CSV file may tell only at its first non-ASCII byte.
type charsetRecords struct {
	records
	detected func() string
	rep      *Report
}

func (c *charsetRecords) Next() ([]string, int, error) {
	cells, line, err := c.records.Next()
	c.rep.Charset = c.detected()
	return cells, line, err
}

// counter counts the bytes of the file as uploaded and refuses those past
// the limit.
type counter struct {
	r        io.Reader
	n        int64
	max      int64
	tooLarge error
	mu       sync.Mutex // n is read by progress reports
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.mu.Lock()
	c.n += int64(n)
	over := c.n > c.max
	c.mu.Unlock()
	if over { // refuse the whole read: what is past the limit is never looked at
		return 0, c.tooLarge
	}
	return n, err
}

func (c *counter) count() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// file returns the source when it is a whole file on disk, not yet read.
func (c *counter) file() (fileSource, bool) {
	f, ok := c.r.(fileSource)
	return f, ok
}

// fileSource is an uploaded file spooled to disk (see Start).
type fileSource interface {
	io.Reader
	Name() string
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
