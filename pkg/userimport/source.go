package userimport

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"mime"
	"sync"

	"github.com/inviter/inviter/pkg/invite"
)

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
