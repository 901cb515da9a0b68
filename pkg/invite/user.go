package invite

import (
	"strings"
	"time"
	"unicode/utf8"
)

// User is a platform user as the admin sees them.
type User struct {
	ID           int64
	Login        string
	FirstName    string
	LastName     string
	Email        string
	Phone        string
	Locale       string
	Role         Role
	InviteStatus Status
	InviteError  *Reason
	InvitedAt    *time.Time
	CreatedAt    time.Time
	// WaitingSince is when the user started waiting, while they are.
	WaitingSince *time.Time
}

// UserInvited is the "User invited" mark of the user card.
func (u User) UserInvited() bool { return u.InviteStatus == StatusInvited }

// NewUser is the input for creating a user.
type NewUser struct {
	Login     string
	FirstName string
	LastName  string
	Email     string
	Phone     string
	Locale    string
	Role      Role
}

// Warning is a problem in accepted input: the data is stored, but an
// invitation will refuse it until it is fixed.
type Warning struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
	// Suggestion is the obvious fix, when there is one (see SuggestPhone):
	// offered to the admin, never applied without them.
	Suggestion *Suggestion `json:"suggestion,omitempty"`
}

// Field limits; longer values are refused rather than truncated.
const (
	maxLoginLen = 128
	maxNameLen  = 200
	maxEmailLen = 254
	maxPhoneLen = 32
)

// Normalize trims and checks a new user. Missing required fields are errors;
// malformed contact data is kept as typed and reported as warnings, because
// HR lists are messy and the user should exist before the data is fixed.
// Valid contact data is stored normalized (phone numbers in E.164). Without
// a login, the e-mail address (or else the phone number) serves as one.
func (n NewUser) Normalize() (NewUser, []Warning, error) {
	if err := n.checkText(); err != nil {
		return n, nil, err
	}
	n.Login = strings.TrimSpace(n.Login)
	n.FirstName = strings.TrimSpace(n.FirstName)
	n.LastName = strings.TrimSpace(n.LastName)
	n.Locale = strings.ToLower(strings.TrimSpace(n.Locale))
	if n.Role == "" {
		n.Role = RoleUser
	}
	var warnings []Warning
	email, emailBad := NormalizeEmail(n.Email)
	n.Email = email
	if emailBad != nil {
		warnings = append(warnings, Warning{Field: "email", Code: emailBad.Code, Message: emailBad.Message})
	}
	phone, phoneBad := NormalizePhone(n.Phone)
	n.Phone = phone
	if phoneBad != nil {
		warnings = append(warnings, Warning{Field: "phone", Code: phoneBad.Code, Message: phoneBad.Message})
	}
	if n.Email == "" && n.Phone == "" {
		warnings = append(warnings, Warning{Field: "email", Code: ReasonNoContact,
			Message: "The user has neither an e-mail address nor a phone number and cannot be invited."})
	}
	if n.Login == "" {
		switch {
		case n.Email != "" && emailBad == nil:
			n.Login = n.Email
		case n.Phone != "" && phoneBad == nil:
			n.Login = n.Phone
		default:
			return n, nil, Errorf(KindInvalid, "required", "login is required when there is no valid e-mail or phone to use as one").WithField("login")
		}
	}
	for _, c := range []struct {
		field, value string
		max          int
	}{
		{"login", n.Login, maxLoginLen}, {"first_name", n.FirstName, maxNameLen}, {"last_name", n.LastName, maxNameLen},
		{"email", n.Email, maxEmailLen}, {"phone", n.Phone, maxPhoneLen}, {"locale", n.Locale, 16},
	} {
		if utf8.RuneCountInString(c.value) > c.max {
			return n, nil, Errorf(KindInvalid, "too_long", "%s is longer than %d characters", c.field, c.max).WithField(c.field)
		}
	}
	if strings.ContainsAny(n.Login, " \t\r\n") {
		return n, nil, Errorf(KindInvalid, "invalid_login", "login must not contain spaces").WithField("login")
	}
	if n.FirstName == "" {
		return n, nil, Errorf(KindInvalid, "required", "first_name is required").WithField("first_name")
	}
	if n.LastName == "" {
		return n, nil, Errorf(KindInvalid, "required", "last_name is required").WithField("last_name")
	}
	return n, warnings, nil
}

// Invitation is one attempt to invite a user: a row of the user's history.
type Invitation struct {
	ID               int64
	UserID           int64
	Status           AttemptStatus
	Channel          Channel
	Destination      string
	RequestedBy      *int64
	RequestedByLogin string
	Error            *Reason
	ProviderMessage  string
	Attempts         int
	CreatedAt        time.Time
	UpdatedAt        time.Time
	DeliveredAt      *time.Time
	ExpiresAt        *time.Time
	// Reports are what came back after delivery (bounces, receipts), oldest
	// first; Receipt() sums them up.
	Reports []Receipt
}

// Receipt is the latest thing known of the attempt's message after the
// provider accepted it (nil if it never was).
func (i Invitation) Receipt() *Receipt { return LatestReceipt(i.DeliveredAt, i.Reports) }

// UserFilter selects users in the table, and one page of them.
//
// Status, Query and the column searches say which users match; they are
// also what "select all matching" invites. Sort, Limit, After and Before
// pick a page, and invitations ignore them.
type UserFilter struct {
	Status Status
	Query  string // contained in any of login, names, e-mail and phone
	// Column searches, each contained in its column whatever the case.
	Login string
	Name  string // in the first name, the last name or "first last"
	Email string
	// Phone matches by digits: "+7 905 111" finds +79051111111 and a
	// number typed as "7 (905) 111-11-11". Without a digit it matches the
	// text as stored.
	Phone string
	// Batch, when set, keeps the users of one batch (see BatchFilter).
	Batch *BatchFilter
	// ErrorCode keeps users in error for this reason only (a ReasonCodes
	// value; "" for any): delivery_rejected lists the bounced ones.
	ErrorCode string
	Sort      Sort
	Limit     int
	// After (a NextCursor) asks for the page that follows it, Before (a
	// PrevCursor) for the page that precedes it; neither, the first page.
	// A cursor belongs to its sort key: it is refused under another one.
	After  string
	Before string
	// CountByStatus asks for UserPage.Counts too (the filter panel's
	// numbers), at no extra cost: they replace the count of the total.
	CountByStatus bool
	// SkipTotal leaves UserPage.Total at 0 (when CountByStatus is not set):
	// a reader walking every page, such as an export, needs the count once,
	// not once a page.
	SkipTotal bool
}

// Searches reports whether f narrows the users by more than their status:
// by text, or to a batch's.
func (f UserFilter) Searches() bool {
	return strings.TrimSpace(f.Query+f.Login+f.Name+f.Email+f.Phone) != "" || f.Batch != nil
}

// UserPage is one page of the user table.
type UserPage struct {
	Items      []User
	Total      int    // users matching the filter, whatever the page
	NextCursor string // "" on the last page
	PrevCursor string // "" on the first page
	// Counts holds, when the filter asked for them, the users matching
	// its searches in each status, whatever its Status (all four keys).
	Counts map[Status]int
}

// HasNext reports whether a page follows this one.
func (p UserPage) HasNext() bool { return p.NextCursor != "" }

// HasPrev reports whether a page precedes this one.
func (p UserPage) HasPrev() bool { return p.PrevCursor != "" }
