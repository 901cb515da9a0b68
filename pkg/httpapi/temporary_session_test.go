package httpapi_test

import (
	"net/http"
	"testing"
	"time"
)

// A session opened with a temporary password ends when that password stops
// working: a newer invitation delivered, or INVITE_TTL passed. A session
// opened with a chosen password is not concerned.
func TestTemporarySessionEndsWithItsPassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	password := func(tok string) reply {
		return e.do(t, "POST", "/api/v1/auth/password", tok, map[string]string{"old_password": "x", "new_password": "Another-Password-91"})
	}

	u, temp := e.invitedUser(t, "ivan", time.Hour)
	s := e.login(t, "ivan", temp)
	wantError(t, password(s.Token), http.StatusBadRequest, "wrong_password", "old_password") // alive
	if res := e.inviteIDs(t, u.ID); res.Queued != 1 {
		t.Fatalf("send again: %+v", res)
	}
	// Queued but not delivered: the password still works, so does the session.
	wantError(t, password(s.Token), http.StatusBadRequest, "wrong_password", "old_password")
	e.deliver(t, e.currentInvitation(t, u.ID), time.Hour)
	wantError(t, password(s.Token), http.StatusUnauthorized, "unauthorized", "")

	_, short := e.invitedUser(t, "olga", 8*time.Second)
	s = e.login(t, "olga", short)
	wantError(t, password(s.Token), http.StatusBadRequest, "wrong_password", "old_password")
	deadline := time.Now().Add(40 * time.Second)
	for {
		r := password(s.Token)
		if r.Status == http.StatusUnauthorized {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the session outlived its temporary password: %s", r)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Admins' sessions (chosen passwords) are untouched by invitations.
	admin := e.login(t, adminLogin, adminPassword)
	want(t, e.do(t, "GET", "/api/v1/users", admin.Token, nil), http.StatusOK)
}
