package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
)

// invitedUser creates a user with an e-mail address, invites them and
// simulates the delivery of the invitation; it returns the user's login and
// temporary password.
func (e *env) invitedUser(t *testing.T, login string, ttl time.Duration) (userBody, string) {
	t.Helper()
	u := e.createUser(t, map[string]any{"login": login, "first_name": "Ivan", "last_name": "Petrov",
		"email": login + "@example.com"})
	res := e.inviteIDs(t, u.ID)
	if res.Queued != 1 {
		t.Fatalf("invite %s: %+v, want 1 queued", login, res)
	}
	return u, e.deliver(t, e.currentInvitation(t, u.ID), ttl)
}

func TestTemporaryPasswordFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u, temp := e.invitedUser(t, "ivan", 24*time.Hour)
	if got := e.getUser(t, u.ID); got.InviteStatus != "invited" || !got.UserInvited || got.InvitedAt == nil {
		t.Errorf("after delivery the user is %+v; want invited, user_invited, invited_at set", got)
	}

	first := e.login(t, "ivan", temp)
	if !first.MustChangePassword || first.Role != "user" {
		t.Fatalf("temporary login = %+v; want must_change_password true, role user", first)
	}
	second := e.login(t, "IVAN", temp) // logins are case-insensitive
	if !second.MustChangePassword {
		t.Fatalf("second temporary login = %+v; want must_change_password true", second)
	}
	for _, ep := range adminEndpoints {
		r := e.do(t, ep.method, ep.path, first.Token, nil)
		wantError(t, r, http.StatusForbidden, "password_change_required", "")
	}

	const chosen = "my-Own-Password-42"
	e.addSecret(chosen)
	change := func(old, new string) reply {
		t.Helper()
		return e.do(t, "POST", "/api/v1/auth/password", first.Token,
			map[string]string{"old_password": old, "new_password": new})
	}
	wantError(t, change(temp, "short"), http.StatusBadRequest, "weak_password", "new_password")
	wantError(t, change(temp, "aaaaaaaaaaaaaa"), http.StatusBadRequest, "weak_password", "new_password")
	wantError(t, change(temp, ""), http.StatusBadRequest, "weak_password", "new_password")
	wantError(t, change(temp, temp), http.StatusBadRequest, "same_password", "new_password")
	wantError(t, change("", chosen), http.StatusBadRequest, "required", "old_password")
	wantError(t, change("Wrong-old-password-1", chosen), http.StatusBadRequest, "wrong_password", "old_password")
	wantError(t, e.do(t, "POST", "/api/v1/auth/password", first.Token, `{"old_password": 1}`),
		http.StatusBadRequest, "invalid_type", "old_password")
	wantError(t, e.do(t, "POST", "/api/v1/auth/password", "", map[string]string{"old_password": temp, "new_password": chosen}),
		http.StatusUnauthorized, "unauthorized", "")
	// The refusals left the temporary password working.
	if b := e.login(t, "ivan", temp); !b.MustChangePassword {
		t.Fatalf("temporary login after refused changes = %+v", b)
	}

	r := change(temp, chosen)
	want(t, r, http.StatusNoContent)
	if len(r.Body) != 0 {
		t.Errorf("%v: want an empty body", r)
	}

	// The temporary password is used up; the chosen one works.
	r = e.do(t, "POST", "/api/v1/auth/login", "", map[string]string{"login": "ivan", "password": temp})
	wantError(t, r, http.StatusUnauthorized, "invalid_credentials", "")
	if b := e.login(t, "ivan", chosen); b.MustChangePassword || b.Role != "user" {
		t.Errorf("login with the chosen password = %+v; want must_change_password false, role user", b)
	}
	// The session that changed the password lives on, no longer bound to
	// change it: a plain user now meets "forbidden"; the other session ended.
	wantError(t, e.do(t, "GET", "/api/v1/users", first.Token, nil), http.StatusForbidden, "forbidden", "")
	wantError(t, e.do(t, "GET", "/api/v1/users", second.Token, nil), http.StatusUnauthorized, "unauthorized", "")
	// The old password is the chosen one now.
	wantError(t, change(temp, "another-Password-77"), http.StatusBadRequest, "wrong_password", "old_password")
}

// An admin account is never invited: its temporary password would let
// another admin (one who reads the dev outbox, or the user's mail) take the
// account over. It is left as it is, listed with the reason, and nothing is
// queued.
func TestAdminAccountsAreNotInvited(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	n, _, err := invite.NewUser{Login: "olga", FirstName: "Olga", LastName: "S", Email: "olga@example.com",
		Role: invite.RoleAdmin}.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	u, err := e.store.CreateUser(t.Context(), n)
	if err != nil {
		t.Fatal(err)
	}
	res := e.inviteIDs(t, u.ID)
	got := res.byUser(t)[u.ID]
	if got.InviteStatus == nil || *got.InviteStatus != "not_invited" || !got.Skipped || got.Error == nil ||
		got.Error.Code != invite.ReasonAdminAccount || res.Admins != 1 || res.Rejected != 0 {
		t.Fatalf("inviting an admin: %+v (%+v), want skipped, not invited, admin_account", got, res)
	}
	if n := len(e.pendingTasks(t)); n != 0 {
		t.Errorf("%d tasks queued for an admin account", n)
	}
}

func TestExpiredTemporaryPasswordIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, temp := e.invitedUser(t, "ivan", -time.Minute)
	r := e.do(t, "POST", "/api/v1/auth/login", "", map[string]string{"login": "ivan", "password": temp})
	wantError(t, r, http.StatusUnauthorized, "invalid_credentials", "")
}

func TestOnlyTheNewestDeliveredTemporaryPasswordWorks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u, older := e.invitedUser(t, "ivan", time.Hour)
	// "Send again": a new attempt, delivered with a new password.
	if res := e.inviteIDs(t, u.ID); res.Queued != 1 {
		t.Fatalf("send again: %+v, want 1 queued", res)
	}
	newer := e.deliver(t, e.currentInvitation(t, u.ID), time.Hour)

	r := e.do(t, "POST", "/api/v1/auth/login", "", map[string]string{"login": "ivan", "password": older})
	wantError(t, r, http.StatusUnauthorized, "invalid_credentials", "")
	if b := e.login(t, "ivan", newer); !b.MustChangePassword {
		t.Errorf("login with the newest temporary password = %+v; want must_change_password true", b)
	}
}
