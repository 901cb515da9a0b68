package userimport

import (
	"errors"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/inviter/inviter/pkg/invite"
)

// xlsxRecords reads the first sheet of a workbook.
type xlsxRecords struct {
	f    *excelize.File
	rows *excelize.Rows
	line int
}

// unzipFactor bounds how much an XLSX file may unpack to, as a multiple of
// the size limit: real sheets unpack to about ten times their size, a zip
// bomb to thousands.
const unzipFactor = 40

// maxUnzipped caps that bound in absolute terms: excelize holds every part
// but the sheets in memory, so a large IMPORT_MAX_BYTES must not let a
// workbook with a huge junk part take gigabytes. 200,000 real rows unpack to
// well under a quarter of it.
const maxUnzipped = 256 << 20

// openXLSX opens a workbook. A file on disk (a background import's spooled
// upload) is read in place; any other reader is read into memory once, as
// a zip archive cannot be read front to back.
func openXLSX(src io.Reader, maxBytes int64) (*xlsxRecords, string, error) {
	unzipped := min(maxBytes*unzipFactor, maxUnzipped)
	opts := excelize.Options{RawCellValue: true, UnzipSizeLimit: unzipped,
		UnzipXMLSizeLimit: min(unzipped, excelize.StreamChunkSize)} // larger sheets stream from a temporary file
	var (
		f   *excelize.File
		err error
	)
	if file, ok := src.(fileSource); ok {
		f, err = excelize.OpenFile(file.Name(), opts)
	} else {
		f, err = excelize.OpenReader(src, opts)
	}
	if err != nil {
		var ie *invite.Error
		switch {
		case errors.As(err, &ie): // over the size limit while reading
			return nil, "", err
		case errors.Is(err, excelize.ErrWorkbookPassword):
			return nil, "", invite.Errorf(invite.KindInvalid, "malformed_file", "the workbook is protected by a password; save it without one").WithField("file")
		case strings.HasPrefix(err.Error(), "unzip size exceeds"): // excelize has no sentinel for it
			return nil, "", invite.Errorf(invite.KindTooLarge, "file_too_large", "the workbook unpacks to more than %d bytes", opts.UnzipSizeLimit).WithField("file")
		}
		return nil, "", invite.Errorf(invite.KindInvalid, "malformed_file", "the file is not a valid XLSX workbook: %v", err).WithField("file")
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, "", invite.Errorf(invite.KindInvalid, "malformed_file", "the workbook has no sheet").WithField("file")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, "", invite.Errorf(invite.KindInvalid, "malformed_file", "cannot read sheet %q: %v", sheets[0], err).WithField("file")
	}
	return &xlsxRecords{f: f, rows: rows}, sheets[0], nil
}

func (x *xlsxRecords) Next() ([]string, int, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return nil, 0, invite.Errorf(invite.KindInvalid, "malformed_file", "cannot read the sheet after row %d: %v", x.line, err).WithField("file")
		}
		return nil, 0, io.EOF
	}
	x.line++ // Next steps over rows missing from the sheet as empty ones
	cells, err := x.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, 0, invite.Errorf(invite.KindInvalid, "malformed_file", "cannot read row %d: %v", x.line, err).WithField("file")
	}
	return cells, x.line, nil
}

func (x *xlsxRecords) Close() error {
	x.rows.Close()
	return x.f.Close()
}
