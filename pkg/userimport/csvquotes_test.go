package userimport_test

import (
	"testing"

	"github.com/inviter/inviter/pkg/userimport"
)

// A quote inside an unquoted field (1C's and hand-edited exports) is read
// as a character, as Excel and LibreOffice read it; quoted fields keep their
// rules (doubled quotes, delimiters and line breaks inside).
func TestQuotesInsideUnquotedFields(t *testing.T) {
	t.Parallel()
	f := newFixture(t, userimport.Limits{}, false)
	file := "login;first_name;last_name\r\n" +
		"romashka;ООО \"Ромашка\";Иванов\r\n" +
		"oak;5\" board;O'Brien \"Jr\"\r\n" +
		"quoted;\"Say \"\"hi\"\"; then\";\"two\r\nlines\"\r\n"
	rep := f.run(t, []byte(file), userimport.Options{})
	wantCounts(t, rep, 3, 0, 0, 0)
	users := f.users(t)
	for login, want := range map[string][2]string{
		"romashka": {`ООО "Ромашка"`, "Иванов"},
		"oak":      {`5" board`, `O'Brien "Jr"`},
		"quoted":   {`Say "hi"; then`, "two\nlines"},
	} {
		u := users[login]
		if u.FirstName != want[0] || u.LastName != want[1] {
			t.Errorf("%s: %q %q, want %q %q", login, u.FirstName, u.LastName, want[0], want[1])
		}
	}
}
