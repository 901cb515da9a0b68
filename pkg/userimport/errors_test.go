package userimport_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/userimport"
)

// wantRefused checks that a whole file is refused with kind and code, and
// that nothing was written.
func wantRefused(t *testing.T, f *fixture, file []byte, contentType string, kind invite.Kind, code string) {
	t.Helper()
	before := f.count(t, "users")
	_, err := f.im.Import(t.Context(), bytes.NewReader(file), contentType, userimport.Options{RequestedBy: f.admin}, nil)
	var e *invite.Error
	if !errors.As(err, &e) || e.Kind != kind || e.Code != code || e.Message == "" || e.Field != "file" {
		t.Errorf("got %v; want %s %s on the field file", err, kind, code)
	}
	if n := f.count(t, "users"); n != before {
		t.Errorf("%d users after a refused file, want %d", n, before)
	}
}

func TestMalformedFiles(t *testing.T) {
	t.Parallel()
	f := newFixture(t, userimport.Limits{}, false)
	valid := "login,first_name,last_name\r\nivan,Ivan,Ivanov\r\npetr,Petr,Petrov\r\n"
	for _, c := range []struct {
		name, file, contentType, code string
	}{
		// A quoted field must end at a delimiter: where it goes on, no
		// reader can tell where its cells are (a quote inside an unquoted
		// field is read as a character, see TestQuotesInsideUnquotedFields).
		{"a stray quote after a quoted field", valid + "bad,\"Iv\"an,X\r\n", "text/csv", "malformed_file"},
		{"an unterminated quote in the middle", valid + "bad,\"Ivan,X\r\npetr2,Petr,Petrov\r\n", "text/csv", "malformed_file"},
		// The valid rows above it were already copied: they are rolled back.
		{"an unterminated quote at the end", valid + "bad,\"Ivan,X\r\n", "text/csv", "malformed_file"},
		{"an empty file", "", "text/csv", "empty_file"},
		{"blank lines only", "\r\n;;\r\n", "text/csv", "empty_file"},
		{"no first_name column", "login;фамилия\r\nivan;Ivanov\r\n", "text/csv", "missing_column"},
		{"nothing to sign in with", "имя;фамилия\r\nIvan;Ivanov\r\n", "text/csv", "missing_column"},
		{"a field twice", "login,email,first_name,last_name,E-mail\r\n", "text/csv", "duplicate_column"},
		{"a broken zip", "PK\x03\x04 this is no workbook", "", "malformed_file"},
		{"an old .xls", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 ole", "application/vnd.ms-excel", "unsupported_format"},
		{"declared XLSX, is text", valid, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "malformed_file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantRefused(t, f, []byte(c.file), c.contentType, invite.KindInvalid, c.code)
		})
	}
	t.Run("an unknown charset", func(t *testing.T) {
		_, err := f.im.Import(t.Context(), strings.NewReader(valid), "text/csv; charset=koi8-r", userimport.Options{}, nil)
		if e := (*invite.Error)(nil); !errors.As(err, &e) || e.Code != "invalid_charset" || e.Field != "charset" {
			t.Errorf("got %v; want invalid_charset", err)
		}
	})
}

func TestLimits(t *testing.T) {
	t.Parallel()
	f := newFixture(t, userimport.Limits{MaxBytes: 2000, MaxRows: 10}, false)
	rows := func(n int) []byte {
		var b strings.Builder
		b.WriteString("login,first_name,last_name\r\n")
		for i := range n {
			fmt.Fprintf(&b, "user%d,First,Last\r\n", i)
		}
		return []byte(b.String())
	}
	// Ten rows fit; eleven do not, and the ten before the eleventh are not
	// written either.
	if rep := f.run(t, rows(10), userimport.Options{}); rep.Created != 10 {
		t.Fatalf("created %d of 10 rows", rep.Created)
	}
	wantRefused(t, f, rows(11), "text/csv", invite.KindTooLarge, "too_many_rows")
	big := rows(200) // about 3,700 bytes
	wantRefused(t, f, big, "text/csv", invite.KindTooLarge, "file_too_large")
	wantRefused(t, f, xlsxFile(t, []any{"login", "first_name", "last_name", strings.Repeat("x", 3000)}), "", invite.KindTooLarge, "file_too_large")

	// A declared size over the limit is refused before a byte is read.
	_, err := f.im.Import(t.Context(), failingReader{}, "text/csv", userimport.Options{Size: 2001}, nil)
	if invite.KindOf(err) != invite.KindTooLarge {
		t.Errorf("declared size over the limit: %v", err)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) {
	return 0, errors.New("read a file declared too large")
}
