package httpapi_test

import (
	"encoding/json"
	"testing"
	"time"
)

type reasonBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type warningBody struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

type invitationBody struct {
	ID               int64       `json:"id"`
	Status           string      `json:"status"`
	Channel          *string     `json:"channel"`
	Destination      *string     `json:"destination"`
	RequestedBy      *int64      `json:"requested_by"`
	RequestedByLogin *string     `json:"requested_by_login"`
	Error            *reasonBody `json:"error"`
	Attempts         int         `json:"attempts"`
	DeliveredAt      *time.Time  `json:"delivered_at"`
	ExpiresAt        *time.Time  `json:"expires_at"`
}

type userBody struct {
	ID           int64            `json:"id"`
	Login        string           `json:"login"`
	FirstName    string           `json:"first_name"`
	LastName     string           `json:"last_name"`
	Email        *string          `json:"email"`
	Phone        *string          `json:"phone"`
	Locale       string           `json:"locale"`
	Role         string           `json:"role"`
	InviteStatus string           `json:"invite_status"`
	UserInvited  bool             `json:"user_invited"`
	InviteError  *reasonBody      `json:"invite_error"`
	InvitedAt    *time.Time       `json:"invited_at"`
	CreatedAt    time.Time        `json:"created_at"`
	Warnings     []warningBody    `json:"warnings"`
	Invitations  []invitationBody `json:"invitations"`
}

type userListBody struct {
	Items      []userBody `json:"items"`
	Total      int        `json:"total"`
	NextCursor *string    `json:"next_cursor"`
}

type inviteResultBody struct {
	UserID       int64       `json:"user_id"`
	InviteStatus *string     `json:"invite_status"`
	Channel      *string     `json:"channel"`
	Error        *reasonBody `json:"error"`
	Skipped      bool        `json:"skipped"`
}

type inviteBody struct {
	Queued   int                `json:"queued"`
	Rejected int                `json:"rejected"`
	Skipped  int                `json:"skipped"`
	Admins   int                `json:"admins"`
	Results  []inviteResultBody `json:"results"`
}

// byUser indexes the results by user id, failing on a repeated user.
func (b inviteBody) byUser(t *testing.T) map[int64]inviteResultBody {
	t.Helper()
	m := make(map[int64]inviteResultBody, len(b.Results))
	for _, r := range b.Results {
		if _, dup := m[r.UserID]; dup {
			t.Errorf("user %d appears twice in the results %+v", r.UserID, b.Results)
		}
		m[r.UserID] = r
	}
	return m
}

// userKeys are the fields of the user JSON in the contract.
var userKeys = []string{"id", "login", "first_name", "last_name", "email", "phone", "locale",
	"invite_status", "user_invited", "invite_error", "invited_at", "created_at"}

// wantUserKeys checks that a user object carries every field of the contract.
func wantUserKeys(t *testing.T, raw json.RawMessage) {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("user %s: %v", raw, err)
	}
	for _, k := range userKeys {
		if _, ok := m[k]; !ok {
			t.Errorf("user %s: no %q field", raw, k)
		}
	}
}
