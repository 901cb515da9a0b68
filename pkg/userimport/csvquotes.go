package userimport

import (
	"encoding/csv"
	"io"
)

// quoteChecker sits before encoding/csv, which reads with LazyQuotes so that
// a quote inside an unquoted field is kept as a character, the way Excel and
// LibreOffice read 1C's and hand-edited exports (ООО "Ромашка"). LazyQuotes
// would also let a quoted field run past a stray quote or to the end of the
// file, silently shifting cells; the checker refuses those the way the
// strict reader did: a quoted field must end at a delimiter or a line end,
// and must end.
type quoteChecker struct {
	r     io.Reader
	delim byte
	state quoteState
	line  int // the line being read, from 1
	col   int // bytes read on it
	start int // the line where the open quoted field began
	err   error
}

type quoteState uint8

const (
	fieldStart quoteState = iota
	unquoted
	quoted
	quoteInQuoted // a quote inside a quoted field: its end or the first of ""
)

func newQuoteChecker(r io.Reader, delim rune) *quoteChecker {
	return &quoteChecker{r: r, delim: byte(delim), line: 1}
}

func (q *quoteChecker) Read(p []byte) (int, error) {
	if q.err != nil {
		return 0, q.err
	}
	n, err := q.r.Read(p)
	for i := range n {
		if bad := q.step(p[i]); bad {
			q.err = &csv.ParseError{StartLine: q.start, Line: q.line, Column: q.col, Err: csv.ErrQuote}
			return i, q.err
		}
	}
	if err == io.EOF && q.state == quoted {
		q.err = &csv.ParseError{StartLine: q.start, Line: q.start, Column: 1, Err: csv.ErrQuote}
		return n, q.err
	}
	return n, err
}

// step moves the state over one byte (the delimiter and quote are ASCII, so
// bytes of UTF-8 sequences never match them) and reports a stray quote.
func (q *quoteChecker) step(c byte) (bad bool) {
	q.col++
	if c == '\n' {
		defer func() { q.line++; q.col = 0 }()
	}
	switch q.state {
	case fieldStart:
		switch c {
		case '"':
			q.state, q.start = quoted, q.line
		case q.delim, '\n', '\r':
		default:
			q.state = unquoted
		}
	case unquoted:
		if c == q.delim || c == '\n' {
			q.state = fieldStart
		}
	case quoted:
		if c == '"' {
			q.state = quoteInQuoted
		}
	case quoteInQuoted:
		switch c {
		case '"':
			q.state = quoted
		case q.delim, '\n', '\r':
			q.state = fieldStart
		default:
			return true
		}
	}
	return false
}
