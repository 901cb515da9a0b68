package invite

import (
	"strings"
	"unicode/utf8"
)

// ErrInvalidText is the kind of error for text PostgreSQL cannot store or
// compare: a NUL character, bytes that are not UTF-8, a value too large to
// index. Callers add the field with WithField.
var ErrInvalidText = &Error{Kind: KindInvalid, Code: "invalid_text",
	Message: "contains characters that cannot be stored (a NUL character or bytes that are not UTF-8)"}

// CheckText is the one check every piece of text input passes before it
// reaches the database: PostgreSQL refuses NUL in text and bytes that are
// not valid UTF-8 (SQLSTATE 22021), and either would otherwise surface as a
// server error. field names the input in the error.
func CheckText(field, value string) error {
	if strings.IndexByte(value, 0) >= 0 || !utf8.ValidString(value) {
		e := ErrInvalidText.WithField(field)
		if field != "" {
			e.Message = field + " " + e.Message
		}
		return e
	}
	return nil
}

// checkText runs CheckText over every text field of a new user.
func (n NewUser) checkText() error {
	for _, f := range []struct{ name, value string }{
		{"login", n.Login}, {"first_name", n.FirstName}, {"last_name", n.LastName},
		{"email", n.Email}, {"phone", n.Phone}, {"locale", n.Locale},
	} {
		if err := CheckText(f.name, f.value); err != nil {
			return err
		}
	}
	return nil
}

// CheckText runs CheckText over the filter's searches and cursors.
func (f UserFilter) CheckText(prefix string) error {
	for _, c := range []struct{ name, value string }{
		{"q", f.Query}, {"login", f.Login}, {"name", f.Name}, {"email", f.Email}, {"phone", f.Phone},
		{"cursor", f.After}, {"before", f.Before},
	} {
		if err := CheckText(prefix+c.name, c.value); err != nil {
			return err
		}
	}
	return nil
}
