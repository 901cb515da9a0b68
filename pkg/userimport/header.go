package userimport

import (
	"strings"
	"unicode"

	"github.com/inviter/inviter/pkg/invite"
)

// The fields a file can fill, named as the API names them.
const (
	FieldLogin     = "login"
	FieldFirstName = "first_name"
	FieldLastName  = "last_name"
	FieldEmail     = "email"
	FieldPhone     = "phone"
	FieldLocale    = "locale"
)

// aliases maps a header, folded by headerKey, to its field. English and
// Russian, as HR departments write them.
var aliases = map[string]string{
	"login": FieldLogin, "логин": FieldLogin, "username": FieldLogin, "имяпользователя": FieldLogin,
	"firstname": FieldFirstName, "имя": FieldFirstName, "givenname": FieldFirstName,
	"lastname": FieldLastName, "фамилия": FieldLastName, "surname": FieldLastName, "familyname": FieldLastName,
	"email": FieldEmail, "mail": FieldEmail, "emailaddress": FieldEmail, "почта": FieldEmail,
	"электроннаяпочта": FieldEmail, "адресэлектроннойпочты": FieldEmail, "епочта": FieldEmail,
	"phone": FieldPhone, "phonenumber": FieldPhone, "mobile": FieldPhone, "mobilephone": FieldPhone,
	"телефон": FieldPhone, "мобильныйтелефон": FieldPhone, "номертелефона": FieldPhone, "мобильный": FieldPhone,
	"locale": FieldLocale, "language": FieldLocale, "lang": FieldLocale, "язык": FieldLocale,
}

// exported are the columns of GET /api/v1/users/export that an import does
// not write: a file exported and imported again is quietly understood.
var exported = map[string]bool{
	"id": true, "role": true, "invitestatus": true, "userinvited": true, "inviteerrorcode": true,
	"inviteerrormessage": true, "invitedat": true, "createdat": true,
}

// headerKey folds a header for lookup: case, spaces, underscores, dashes and
// dots do not matter ("E-mail", "e_mail" and "Email" are one), nor ё.
func headerKey(h string) string {
	h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
	return strings.Map(func(r rune) rune {
		switch {
		case r == 'ё':
			return 'е'
		case unicode.IsSpace(r), r == '_', r == '-', r == '.':
			return -1
		}
		return r
	}, h)
}

// header is the file's first non-blank row, understood.
type header struct {
	field   []string // field of each cell index; "" when ignored
	names   []string // the header as written, per cell index
	columns []Column
	issues  []Issue // unknown columns
}

// parseHeader maps the cells of the header row to fields. It refuses a
// header that repeats a field or lacks one every row needs (the names, and
// something to log in with), since every row would fail the same way.
func parseHeader(cells []string, line int) (header, error) {
	h := header{field: make([]string, len(cells)), names: make([]string, len(cells))}
	seen := map[string]string{}
	for i, c := range cells {
		name := strings.TrimSpace(strings.TrimPrefix(c, "\uFEFF"))
		h.names[i] = name
		key := headerKey(name)
		f, ok := aliases[key]
		switch {
		case key == "":
		case ok:
			if prev, dup := seen[f]; dup {
				return h, invite.Errorf(invite.KindInvalid, "duplicate_column",
					"the columns %q and %q both hold %s; keep one", prev, name, f).WithField("file")
			}
			seen[f] = name
			h.field[i] = f
			h.columns = append(h.columns, Column{Header: name, Field: f})
		case exported[key]:
		default:
			h.issues = append(h.issues, Issue{Line: line, Header: name, Severity: SeverityWarning, Code: "unknown_column",
				Message: "The column \"" + name + "\" is not one the import knows; it is ignored."})
		}
	}
	var missing []string
	for _, f := range []string{FieldFirstName, FieldLastName} {
		if _, ok := seen[f]; !ok {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return h, invite.Errorf(invite.KindInvalid, "missing_column",
			"the header (line %d) has no %s column; known columns: login/логин, first_name/имя, last_name/фамилия, email/почта, phone/телефон, locale",
			line, strings.Join(missing, " or ")).WithField("file")
	}
	if seen[FieldLogin] == "" && seen[FieldEmail] == "" && seen[FieldPhone] == "" {
		return h, invite.Errorf(invite.KindInvalid, "missing_column",
			"the header (line %d) has none of login, email and phone: a user needs one of them to sign in", line).WithField("file")
	}
	return h, nil
}

// headerOf returns the header text of the column that holds field f.
func (h header) headerOf(f string) string {
	for _, c := range h.columns {
		if c.Field == f {
			return c.Header
		}
	}
	return ""
}
