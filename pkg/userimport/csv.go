package userimport

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"

	"github.com/inviter/inviter/pkg/invite"
)

// records yields a file's rows one by one, each with its line number as a
// spreadsheet or a text editor shows it; io.EOF ends them.
type records interface {
	Next() (cells []string, line int, err error)
}

// csvRecords reads CSV text.
type csvRecords struct{ r *csv.Reader }

// newCSV reads CSV text (UTF-8) separated by the delimiter its header line
// uses most.
func newCSV(text io.Reader) (*csvRecords, rune) {
	br := bufio.NewReaderSize(text, 64<<10)
	delim := detectDelimiter(br)
	r := csv.NewReader(newQuoteChecker(br, delim))
	r.Comma = delim
	r.LazyQuotes = true    // a quote inside an unquoted field is a character; see quoteChecker
	r.FieldsPerRecord = -1 // spreadsheets drop trailing empty cells
	r.ReuseRecord = true
	return &csvRecords{r: r}, delim
}

func (c *csvRecords) Next() ([]string, int, error) {
	rec, err := c.r.Read()
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return nil, 0, invite.Errorf(invite.KindInvalid, "malformed_file",
			"the file is not valid CSV: line %d, column %d: %v", pe.Line, pe.Column, pe.Err).WithField("file")
	}
	if err != nil {
		return nil, 0, err
	}
	line, _ := c.r.FieldPos(0)
	return rec, line, nil
}

// delimiters a CSV file may use: Excel writes a comma or, where the comma is
// the decimal separator (Russia), a semicolon; "Unicode text" uses tabs.
var delimiters = []rune{',', ';', '\t'}

// detectDelimiter counts the delimiters outside quotes on the first line
// (the header) and picks the most frequent; a comma when there is none.
func detectDelimiter(br *bufio.Reader) rune {
	head, _ := br.Peek(br.Size()) // as much as is there: a short file is all of it
	counts := map[rune]int{}
	quoted := false
	for _, r := range string(head) {
		if r == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if r == '\n' || r == '\r' {
			if len(counts) > 0 {
				break
			}
			continue // leading blank lines
		}
		counts[r]++
	}
	best := ','
	for _, d := range delimiters {
		if counts[d] > counts[best] {
			best = d
		}
	}
	return best
}
