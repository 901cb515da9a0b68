package userimport

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/inviter/inviter/pkg/invite"
)

// Row is a valid row of a file, normalised as creating a user by hand
// would normalise it, ready to be written.
type Row struct {
	Line int
	User invite.NewUser
	// LoginGiven is false when the file gave no login and the e-mail address
	// (or the phone number) serves as one.
	LoginGiven bool
}

// blank reports whether a record holds nothing but empty cells (spreadsheets
// export such rows below the data).
func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// formulaStarts are the first characters that make a spreadsheet read a
// cell as a formula (OWASP's list: tab and carriage return too).
const formulaStarts = "=+-@\t\r"

// Neutralise makes a cell that a spreadsheet would take for a formula read
// as text, by putting an apostrophe in front ("=HYPERLINK(...)" becomes
// "'=HYPERLINK(...)"); a phone number "+7..." gets one too. Exports use it
// on every cell; imports take the apostrophe off again.
func Neutralise(s string) string {
	if s != "" && strings.IndexByte(formulaStarts, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// unneutralise undoes Neutralise, so that an exported file imports as it
// was.
func unneutralise(s string) string {
	if len(s) >= 2 && s[0] == '\'' && strings.IndexByte(formulaStarts, s[1]) >= 0 {
		return s[1:]
	}
	return s
}

// parseRow turns a record into a row, or into the issue that fails it.
// Malformed contact data is no failure: the row comes back with warnings
// and the invitation refuses the data later, as with a user made by hand.
func parseRow(h header, cells []string, line int) (Row, []Issue, *Issue) {
	var n invite.NewUser
	for i, c := range cells {
		if i >= len(h.field) || h.field[i] == "" {
			continue
		}
		f := h.field[i]
		if !utf8.ValidString(c) {
			return Row{}, nil, &Issue{Line: line, Column: f, Header: h.names[i], Severity: SeverityError, Code: "invalid_encoding",
				Message: "The cell is not valid UTF-8; if the file was saved by Excel as plain CSV, import it with charset windows-1251."}
		}
		if strings.ContainsRune(c, 0) {
			return Row{}, nil, &Issue{Line: line, Column: f, Header: h.names[i], Severity: SeverityError, Code: "invalid_character",
				Message: "The cell holds a NUL character."}
		}
		c = unneutralise(strings.TrimSpace(c))
		switch f {
		case FieldLogin:
			n.Login = c
		case FieldFirstName:
			n.FirstName = c
		case FieldLastName:
			n.LastName = c
		case FieldEmail:
			n.Email = c
		case FieldPhone:
			n.Phone = c
		case FieldLocale:
			n.Locale = c
		}
	}
	given := n.Login != ""
	norm, warns, err := n.Normalize()
	if err != nil {
		is := Issue{Line: line, Severity: SeverityError, Code: "invalid", Message: err.Error()}
		var e *invite.Error
		if errors.As(err, &e) {
			is.Column, is.Code, is.Message = e.Field, e.Code, rowMessage(e)
			is.Header = h.headerOf(e.Field)
		}
		return Row{}, nil, &is
	}
	var issues []Issue
	for _, w := range warns {
		issues = append(issues, Issue{Line: line, Column: w.Field, Header: h.headerOf(w.Field),
			Severity: SeverityWarning, Code: w.Code, Message: w.Message})
	}
	return Row{Line: line, User: norm, LoginGiven: given}, issues, nil
}

// rowMessage words a validation error for a row of a file: a login is
// required only when there is nothing to stand in for it.
func rowMessage(e *invite.Error) string {
	if e.Code == "required" && e.Field == FieldLogin {
		return "The row has neither a login nor a valid e-mail address or phone number to serve as one."
	}
	return e.Message + "."
}

// dedup finds rows that use a login or an e-mail address an earlier valid
// row of the same file already uses. Only valid rows claim them, so a
// valid row never fails because of an invalid one.
type dedup struct {
	logins map[string]int // folded login -> line
	emails map[string]int
}

func newDedup() *dedup { return &dedup{logins: map[string]int{}, emails: map[string]int{}} }

// claim records the row's login and e-mail, or returns the issue that fails
// it because an earlier row has one of them.
func (d *dedup) claim(r Row, h header) *Issue {
	login := strings.ToLower(r.User.Login)
	email := strings.ToLower(r.User.Email)
	if prev, ok := d.logins[login]; ok {
		col := FieldLogin
		if !r.LoginGiven {
			col = loginSource(r)
		}
		return &Issue{Line: r.Line, Column: col, Header: h.headerOf(col), Severity: SeverityError, Code: "duplicate_in_file",
			Message: "The login " + strconv.Quote(r.User.Login) + " is already used on line " + strconv.Itoa(prev) + " of the file.",
			Args:    map[string]string{"value": r.User.Login, "line": strconv.Itoa(prev), "what": FieldLogin}}
	}
	if prev, ok := d.emails[email]; ok && email != "" {
		return &Issue{Line: r.Line, Column: FieldEmail, Header: h.headerOf(FieldEmail), Severity: SeverityError, Code: "duplicate_in_file",
			Message: "The e-mail address " + strconv.Quote(r.User.Email) + " is already used on line " + strconv.Itoa(prev) + " of the file.",
			Args:    map[string]string{"value": r.User.Email, "line": strconv.Itoa(prev), "what": FieldEmail}}
	}
	d.logins[login] = r.Line
	if email != "" {
		d.emails[email] = r.Line
	}
	return nil
}

// loginSource names the field a derived login came from.
func loginSource(r Row) string {
	if r.User.Login == r.User.Email {
		return FieldEmail
	}
	return FieldPhone
}
