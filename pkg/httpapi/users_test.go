package httpapi_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestCreateUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	t.Run("full", func(t *testing.T) {
		r := e.do(t, "POST", "/api/v1/users", e.adminToken, map[string]any{"login": "ivan", "first_name": " Ivan ",
			"last_name": "Petrov", "email": "ivan@example.com", "phone": "+7 905 111-11-11", "locale": "RU"})
		want(t, r, http.StatusCreated)
		u := decode[userBody](t, r)
		wantUserKeys(t, r.Body)
		if loc := r.Header.Get("Location"); loc != "/api/v1/users/"+strconv.FormatInt(u.ID, 10) {
			t.Errorf("Location %q for user %d", loc, u.ID)
		}
		if u.ID <= 0 || u.Login != "ivan" || u.FirstName != "Ivan" || u.LastName != "Petrov" ||
			str(u.Email) != "ivan@example.com" || str(u.Phone) != "+79051111111" || u.Locale != "ru" ||
			u.InviteStatus != "not_invited" || u.UserInvited || u.InviteError != nil || u.InvitedAt != nil ||
			time.Since(u.CreatedAt) > time.Hour {
			t.Errorf("created %s", r.Body)
		}
		if u.Warnings == nil || len(u.Warnings) != 0 {
			t.Errorf("warnings %s; want []", r.Body)
		}
		// The Location leads to the same user.
		got := e.getUser(t, u.ID)
		if got.Login != "ivan" || str(got.Phone) != "+79051111111" || len(got.Invitations) != 0 {
			t.Errorf("GET %s = %+v", r.Header.Get("Location"), got)
		}
	})

	tests := []struct {
		name         string
		fields       map[string]any
		login        string
		email, phone *string
		warnings     []string // field:code
	}{
		{"phone with country code, digits only", map[string]any{"login": "p1", "phone": "79051111112"},
			"p1", nil, ptr("+79051111112"), nil},
		{"phone with +, spaces and dashes", map[string]any{"login": "p2", "phone": "+7 905 111-11-13"},
			"p2", nil, ptr("+79051111113"), nil},
		{"phone without country code", map[string]any{"login": "p3", "phone": "9051111111"},
			"p3", nil, ptr("9051111111"), []string{"phone:phone_without_country_code"}},
		{"invalid phone", map[string]any{"login": "p4", "phone": "12345"},
			"p4", nil, ptr("12345"), []string{"phone:invalid_phone"}},
		{"invalid e-mail", map[string]any{"login": "e1", "email": "ivan@"},
			"e1", ptr("ivan@"), nil, []string{"email:invalid_email"}},
		{"no contact", map[string]any{"login": "n1"},
			"n1", nil, nil, []string{"email:no_contact"}},
		{"login defaults to the e-mail", map[string]any{"email": " Anna.K@Example.COM "},
			"Anna.K@example.com", ptr("Anna.K@example.com"), nil, nil},
		{"login defaults to the phone", map[string]any{"phone": "+44 20 7946 0958"},
			"+442079460958", nil, ptr("+442079460958"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := map[string]any{"first_name": "F", "last_name": "L"}
			for k, v := range tt.fields {
				fields[k] = v
			}
			r := e.do(t, "POST", "/api/v1/users", e.adminToken, fields)
			want(t, r, http.StatusCreated)
			u := decode[userBody](t, r)
			if u.Login != tt.login || str(u.Email) != str(tt.email) || str(u.Phone) != str(tt.phone) {
				t.Errorf("created login %q email %s phone %s; want %q %s %s", u.Login, str(u.Email), str(u.Phone),
					tt.login, str(tt.email), str(tt.phone))
			}
			var got []string
			for _, w := range u.Warnings {
				got = append(got, w.Field+":"+w.Code)
				if w.Message == "" {
					t.Errorf("warning %+v has no message", w)
				}
			}
			if !slices.Equal(got, tt.warnings) {
				t.Errorf("warnings %v, want %v", got, tt.warnings)
			}
			// Accepted data is stored as the response shows it.
			if s := e.getUser(t, u.ID); str(s.Email) != str(tt.email) || str(s.Phone) != str(tt.phone) || s.Login != tt.login {
				t.Errorf("stored %+v", s)
			}
		})
	}
}

func TestCreateUserRefusesBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// Its login is its e-mail address.
	e.createUser(t, map[string]any{"first_name": "Ivan", "last_name": "Petrov", "email": "ivan@example.com"})

	tests := []struct {
		name        string
		contentType string
		body        string
		status      int
		code, field string
	}{
		{"duplicate login", "application/json", `{"login": "ivan@example.com", "first_name": "I", "last_name": "P"}`, 409, "conflict", "login"},
		{"duplicate login in another case", "application/json", `{"login": "IVAN@Example.com", "first_name": "I", "last_name": "P"}`, 409, "conflict", "login"},
		{"duplicate default login", "application/json", `{"first_name": "I", "last_name": "P", "email": "ivan@EXAMPLE.com"}`, 409, "conflict", "login"},
		{"no first_name", "application/json", `{"login": "a1", "last_name": "P", "email": "a1@example.com"}`, 400, "required", "first_name"},
		{"blank first_name", "application/json", `{"login": "a1", "first_name": "  ", "last_name": "P"}`, 400, "required", "first_name"},
		{"no last_name", "application/json", `{"login": "a1", "first_name": "A"}`, 400, "required", "last_name"},
		{"no login and no usable contact", "application/json", `{"first_name": "A", "last_name": "B", "phone": "9051111111"}`, 400, "required", "login"},
		{"login with a space", "application/json", `{"login": "a b", "first_name": "A", "last_name": "B"}`, 400, "invalid_login", "login"},
		{"first_name too long", "application/json", `{"login": "a1", "first_name": "` + strings.Repeat("x", 201) + `", "last_name": "B"}`, 400, "too_long", "first_name"},
		{"first_name is a number", "application/json", `{"login": "a1", "first_name": 5, "last_name": "B"}`, 400, "invalid_type", "first_name"},
		{"email is an object", "application/json", `{"login": "a1", "first_name": "A", "last_name": "B", "email": {}}`, 400, "invalid_type", "email"},
		{"bad JSON", "application/json", `{"login": "a1", "first_name": `, 400, "invalid_json", ""},
		{"not JSON at all", "application/json", `login=a1`, 400, "invalid_json", ""},
		{"two objects", "application/json", `{"login": "a1", "first_name": "A", "last_name": "B"} {}`, 400, "invalid_json", ""},
		{"empty body", "application/json", ``, 400, "invalid_json", ""},
		{"text content type", "text/plain", `{"login": "a1", "first_name": "A", "last_name": "B"}`, 400, "unsupported_media_type", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.doRaw(t, "POST", "/api/v1/users", e.adminToken, tt.contentType, strings.NewReader(tt.body))
			wantError(t, r, tt.status, tt.code, tt.field)
		})
	}
	list := decode[userListBody](t, e.do(t, "GET", "/api/v1/users", e.rootToken, nil))
	if list.Total != 3 { // root, admin, ivan
		t.Errorf("refused requests created users: %+v", list)
	}
}

func TestGetUserWithHistory(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.createUser(t, map[string]any{"login": "ivan", "first_name": "Ivan", "last_name": "Petrov",
		"email": "ivan@example.com", "phone": "79051111111"})

	got := e.getUser(t, u.ID)
	if got.Invitations == nil || len(got.Invitations) != 0 {
		t.Errorf("before any invitation: invitations %v; want []", got.Invitations)
	}

	e.inviteIDs(t, u.ID) // as the plain admin
	r := e.do(t, "GET", "/api/v1/users/"+strconv.FormatInt(u.ID, 10), e.rootToken, nil)
	want(t, r, http.StatusOK)
	wantUserKeys(t, r.Body)
	got = decode[userBody](t, r)
	if got.InviteStatus != "waiting" || got.UserInvited || len(got.Invitations) != 1 {
		t.Fatalf("after the invitation: %s", r.Body)
	}
	inv := got.Invitations[0]
	if inv.ID <= 0 || inv.Status != "waiting" || str(inv.Channel) != "email" || str(inv.Destination) != "ivan@example.com" ||
		inv.RequestedBy == nil || *inv.RequestedBy != e.adminID || str(inv.RequestedByLogin) != adminLogin ||
		inv.Error != nil || inv.DeliveredAt != nil {
		t.Errorf("history entry %+v; want waiting, email to ivan@example.com, requested by admin %d", inv, e.adminID)
	}

	// Sending again by another route supersedes the waiting attempt; the
	// history lists both, newest first.
	r = e.do(t, "PUT", "/api/v1/settings/auth", e.rootToken, map[string]string{"verification_method": "phone_only"})
	want(t, r, http.StatusOK)
	res := e.invite(t, e.rootToken, map[string]any{"user_ids": []int64{u.ID}})
	if res.Queued != 1 {
		t.Fatalf("re-invite by phone: %+v", res)
	}
	got = e.getUser(t, u.ID)
	if len(got.Invitations) != 2 {
		t.Fatalf("history %+v; want 2 entries", got.Invitations)
	}
	newest, oldest := got.Invitations[0], got.Invitations[1]
	if newest.Status != "waiting" || str(newest.Channel) != "sms" || str(newest.Destination) != "+79051111111" ||
		newest.RequestedBy == nil || *newest.RequestedBy != e.rootID {
		t.Errorf("newest entry %+v; want waiting, sms to +79051111111, requested by root %d", newest, e.rootID)
	}
	if oldest.ID != inv.ID || oldest.Status != "superseded" {
		t.Errorf("oldest entry %+v; want attempt %d superseded", oldest, inv.ID)
	}

	// A refused attempt is history too.
	olga := e.createUser(t, map[string]any{"login": "olga", "first_name": "Olga", "last_name": "S", "phone": "9051111111"})
	e.inviteIDs(t, olga.ID)
	got = e.getUser(t, olga.ID)
	if len(got.Invitations) != 1 {
		t.Fatalf("olga's history %+v; want 1 entry", got.Invitations)
	}
	if h := got.Invitations[0]; h.Status != "rejected" || h.Channel != nil || h.Error == nil ||
		h.Error.Code != "phone_without_country_code" || h.Error.Message == "" {
		t.Errorf("refused entry %+v; want rejected, no channel, error phone_without_country_code", h)
	}

	wantError(t, e.do(t, "GET", "/api/v1/users/999999", e.adminToken, nil), http.StatusNotFound, "not_found", "")
	for _, id := range []string{"abc", "0", "-1", "1.5", "99999999999999999999"} {
		wantError(t, e.do(t, "GET", "/api/v1/users/"+id, e.adminToken, nil), http.StatusBadRequest, "invalid_id", "id")
	}
}
