package userimport_test

import (
	"bytes"
	"testing"

	"golang.org/x/text/encoding/unicode"

	"github.com/inviter/inviter/pkg/userimport"
)

// The content every format below carries: Cyrillic names, a field holding
// both delimiters and quotes, a note across two lines, and a phone number
// without its country code on the row after the note.
var (
	enHeader = []string{"login", "first_name", "last_name", "email", "phone", "note"}
	// Russian headers in another order and case, "E-mail" for the e-mail.
	ruHeader   = []string{"ЛОГИН", "фамилия", "Имя", "E-mail", "Телефон", "Примечание"}
	peopleRows = [][]string{
		{"ivanov", "Иван", "Иванов", "ivan@example.com", "+7 905 111-11-11", ""},
		{"obrien", "Шон", `О'Брайен, "Ли"; мл.`, "sean@example.com", "", "переведён\nиз филиала"},
		{"petrova", "Анна", "Петрова", "anna@example.com", "9052222222", ""},
	}
)

// people lays the rows out under the Russian or the English header.
func people(russian bool) [][]string {
	out := [][]string{enHeader}
	if russian {
		out[0] = ruHeader
	}
	for _, r := range peopleRows {
		if russian { // columns in the order of the Russian header
			r = []string{r[0], r[2], r[1], r[3], r[4], r[5]}
		}
		out = append(out, r)
	}
	return out
}

func utf16LE(t *testing.T, b []byte) []byte {
	t.Helper()
	out, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFormatsAndEncodings(t *testing.T) {
	t.Parallel()
	xlsxRows := func(rows [][]string) [][]any {
		out := make([][]any, len(rows))
		for i, r := range rows {
			for _, c := range r {
				out[i] = append(out[i], c)
			}
		}
		out[1][4] = 79051111111 // a phone typed into Excel is a number
		return out
	}
	cases := []struct {
		name                     string
		file                     func(t *testing.T) []byte
		opts                     userimport.Options
		format, charset, delim   string
		noteHeaderLine, lastLine int
	}{
		{"utf-8 comma english", func(t *testing.T) []byte { return csvFile(t, ',', people(false)...) },
			userimport.Options{}, "csv", "utf-8", ",", 1, 5},
		{"utf-8 with BOM semicolon russian", func(t *testing.T) []byte { return withBOM(csvFile(t, ';', people(true)...)) },
			userimport.Options{}, "csv", "utf-8", ";", 1, 5},
		{"windows-1251 semicolon russian, detected", func(t *testing.T) []byte { return cp1251(t, csvFile(t, ';', people(true)...)) },
			userimport.Options{}, "csv", "windows-1251", ";", 1, 5},
		{"windows-1251 comma english, charset given", func(t *testing.T) []byte { return cp1251(t, csvFile(t, ',', people(false)...)) },
			userimport.Options{Charset: "cp1251"}, "csv", "windows-1251", ",", 1, 5},
		{"utf-16 tab (Excel's unicode text)", func(t *testing.T) []byte { return utf16LE(t, csvFile(t, '\t', people(true)...)) },
			userimport.Options{}, "csv", "utf-16", "\t", 1, 5},
		{"xlsx russian", func(t *testing.T) []byte { return xlsxFile(t, xlsxRows(people(true))...) },
			userimport.Options{}, "xlsx", "", "", 1, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, userimport.Limits{}, false)
			rep := f.run(t, c.file(t), c.opts)
			wantCounts(t, rep, 3, 0, 0, 0)
			if rep.Format != c.format || rep.Charset != c.charset || rep.Delimiter != c.delim || rep.Rows != 3 || rep.Warned != 1 {
				t.Errorf("format %q charset %q delimiter %q rows %d warned %d; want %q %q %q 3 1",
					rep.Format, rep.Charset, rep.Delimiter, rep.Rows, rep.Warned, c.format, c.charset, c.delim)
			}
			if is, ok := issue(rep, c.noteHeaderLine, "unknown_column"); !ok || is.Severity != userimport.SeverityWarning {
				t.Errorf("no unknown_column warning on line %d for the note column: %s", c.noteHeaderLine, issues(rep))
			}
			if is, ok := issue(rep, c.lastLine, "phone_without_country_code"); !ok || is.Column != "phone" || is.Header == "" {
				t.Errorf("no phone warning on line %d (after the two-line note): %s", c.lastLine, issues(rep))
			}
			users := f.users(t)
			want := map[string][4]string{
				"ivanov":  {"Иван", "Иванов", "ivan@example.com", "+79051111111"},
				"obrien":  {"Шон", `О'Брайен, "Ли"; мл.`, "sean@example.com", ""},
				"petrova": {"Анна", "Петрова", "anna@example.com", "9052222222"},
			}
			for login, w := range want {
				u, ok := users[login]
				if got := [4]string{u.FirstName, u.LastName, u.Email, u.Phone}; !ok || got != w {
					t.Errorf("user %s: %q, want %q", login, got, w)
				}
			}
		})
	}
}

func TestDelimiterInsideQuotesDoesNotDecide(t *testing.T) {
	t.Parallel()
	f := newFixture(t, userimport.Limits{}, false)
	// The header has one quoted comma-holding header and two semicolons.
	file := []byte("\"first_name, given\";last_name;email\r\nИван;Иванов;ivan@example.com\r\n")
	_, err := f.im.Import(t.Context(), bytes.NewReader(file), "text/csv", userimport.Options{}, nil)
	// "first_name, given" is not a known header: the file lacks first_name.
	if err == nil {
		t.Fatal("want missing_column: the quoted header is not first_name")
	}
	file = []byte("first_name;\"last_name\";email\r\nИван;\"Иванов, мл.\";ivan@example.com\r\n")
	rep := f.run(t, file, userimport.Options{})
	if rep.Delimiter != ";" || rep.Created != 1 {
		t.Errorf("delimiter %q created %d: %s", rep.Delimiter, rep.Created, issues(rep))
	}
}
