package httpapi

import (
	"encoding/csv"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// csvWriter writes UTF-8 CSV with a byte order mark, which Excel needs to
// read the text as UTF-8 (without it, Cyrillic names come out garbled).
type csvWriter struct{ w *csv.Writer }

func newCSVWriter(w io.Writer, delim rune) (*csvWriter, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	cw.Comma, cw.UseCRLF = delim, true
	return &csvWriter{w: cw}, nil
}

func (c *csvWriter) Write(cells []string) error { return c.w.Write(cells) }

func (c *csvWriter) Close() error {
	c.w.Flush()
	return c.w.Error()
}

func (c *csvWriter) Discard() {}

const xlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// maxSheetRows is how many rows a sheet holds, the header included.
const maxSheetRows = excelize.TotalRows - 1

// xlsxWriter streams rows into a one-sheet workbook; excelize keeps the
// sheet in memory up to 16 MB and in a temporary file beyond, and the
// workbook (a zip archive) is written out at Close. Every cell is text,
// never a formula.
type xlsxWriter struct {
	out io.Writer
	f   *excelize.File
	sw  *excelize.StreamWriter
	row int
}

func newXLSXWriter(out io.Writer) (*xlsxWriter, error) {
	f := excelize.NewFile()
	const sheet = "Users"
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		f.Close()
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	return &xlsxWriter{out: out, f: f, sw: sw}, nil
}

func (x *xlsxWriter) Write(cells []string) error {
	x.row++
	vals := make([]any, len(cells))
	for i, c := range cells {
		vals[i] = c
	}
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err == nil {
		err = x.sw.SetRow(cell, vals)
	}
	if err != nil {
		return fmt.Errorf("xlsx: row %d: %w", x.row, err)
	}
	return nil
}

// Discard removes the temporary files of a workbook that was not closed.
func (x *xlsxWriter) Discard() { x.f.Close() }

func (x *xlsxWriter) Close() error {
	if err := x.sw.Flush(); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := x.f.Write(x.out); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}
