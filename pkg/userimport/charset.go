package userimport

import (
	"bufio"
	"bytes"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// decodeText returns the text of a CSV file as UTF-8, without its byte
// order mark, and a function that tells the charset it was read in.
//
// A byte order mark decides (Excel's "CSV UTF-8" writes one, its "Unicode
// text" is UTF-16 with one). Otherwise a charset the admin named decides,
// and failing that the first bytes that are not ASCII: Russian Excel's
// plain "CSV" is Windows-1251, whose Cyrillic letters are bytes 0xC0-0xFF
// that almost never form valid UTF-8, so a run of them that is not UTF-8
// means Windows-1251. A file that is ASCII throughout reads the same
// either way and is reported as UTF-8.
func decodeText(br *bufio.Reader, charset string) (io.Reader, func() string) {
	if b, _ := br.Peek(3); bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		br.Discard(3) //nolint:errcheck // peeked
		return br, fixed(CharsetUTF8)
	}
	if b, _ := br.Peek(2); bytes.Equal(b, []byte{0xFF, 0xFE}) || bytes.Equal(b, []byte{0xFE, 0xFF}) {
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		return transform.NewReader(br, dec), fixed(CharsetUTF16)
	}
	switch charset {
	case CharsetUTF8:
		return br, fixed(CharsetUTF8)
	case CharsetWindows1251:
		return transform.NewReader(br, charmap.Windows1251.NewDecoder()), fixed(CharsetWindows1251)
	}
	s := &sniffer{br: br}
	return s, func() string {
		if s.charset == "" {
			return CharsetUTF8
		}
		return s.charset
	}
}

func fixed(s string) func() string { return func() string { return s } }

// sniffWindow is how much text after the first non-ASCII byte decides the
// charset: a few lines of names.
const sniffWindow = 4096

// sniffer passes ASCII through until the first non-ASCII byte, then decides
// the charset from the bytes that follow and reads the rest accordingly.
// ASCII reads the same in both charsets, so nothing is read twice.
type sniffer struct {
	br      *bufio.Reader
	r       io.Reader // set once decided
	charset string
}

func (s *sniffer) Read(p []byte) (int, error) {
	if s.r != nil {
		return s.r.Read(p)
	}
	if s.br.Buffered() == 0 {
		if _, err := s.br.Peek(1); err != nil {
			return 0, err
		}
	}
	buf, _ := s.br.Peek(s.br.Buffered())
	ascii := bytes.IndexFunc(buf, func(r rune) bool { return r >= utf8.RuneSelf })
	if ascii != 0 {
		if ascii > 0 {
			buf = buf[:ascii]
		}
		return s.br.Read(p[:min(len(p), len(buf))])
	}
	window, err := s.br.Peek(sniffWindow)
	atEOF := err != nil // the window holds the rest of the file
	if validUTF8Prefix(window, atEOF) {
		s.r, s.charset = s.br, CharsetUTF8
	} else {
		s.r, s.charset = transform.NewReader(s.br, charmap.Windows1251.NewDecoder()), CharsetWindows1251
	}
	return s.r.Read(p)
}

// validUTF8Prefix reports whether b is valid UTF-8, forgiving a sequence
// that the end of the window cut short unless the file ends there.
func validUTF8Prefix(b []byte, atEOF bool) bool {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			return !atEOF && !utf8.FullRune(b)
		}
		b = b[size:]
	}
	return true
}
