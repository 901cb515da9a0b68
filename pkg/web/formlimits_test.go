package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/inviter/inviter/pkg/invite"
)

// An anonymous POST is sent to the sign-in page before the server reads its
// body, so nobody can make it parse forms (or uploads) without a session.
func TestAnonymousPostIsNotRead(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	before := e.userCount(t)
	for _, path := range []string{"/users", "/users/invite", "/users/invite/send", "/settings", "/password", "/logout"} {
		r := c.post(path, url.Values{"login": {"mallory"}, "first_name": {"M"}, "last_name": {"M"}, "user_id": {"1"}})
		wantRedirect(t, r, "/login")
	}
	if got := e.userCount(t); got != before {
		t.Fatalf("an anonymous form added users: %d -> %d", before, got)
	}
}

// A form bigger than any page makes is refused, token or not.
func TestOversizedFormIsRefused(t *testing.T) {
	e := newEnv(t)
	c := e.as(t, e.rootID)
	form := url.Values{csrfField: {c.token()}, "login": {"big"}, "first_name": {strings.Repeat("x", maxFormBytes)}, "last_name": {"B"}}
	r := c.post("/users", form)
	want(t, r, http.StatusForbidden)
	page, err := e.store.ListUsers(t.Context(), invite.UserFilter{Login: "big", Limit: 1})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("an oversized form created a user: %+v (%v)", page.Items, err)
	}
}

// "Send to all matching" sends what the admin confirmed: when the users
// matching the filter changed in between, the confirmation comes back
// with the new numbers and nothing is sent.
func TestAllMatchingIsConfirmedAgainWhenItChanged(t *testing.T) {
	e := newEnv(t)
	c := e.as(t, e.rootID)
	e.createUser(t, invite.NewUser{Login: "ann", Email: "ann@example.com"})
	e.createUser(t, invite.NewUser{Login: "ben", Email: "ben@example.com"})
	sel := url.Values{"all_matching": {"1"}, "f_q": {"example.com"}}
	confirm := c.submit("/users/invite", sel)
	want(t, confirm, http.StatusOK)
	if !strings.Contains(confirm.body, `name="expected_selected" value="2"`) {
		t.Fatalf("the confirmation does not carry the confirmed count:\n%s", confirm.body)
	}
	e.createUser(t, invite.NewUser{Login: "cid", Email: "cid@example.com"})

	stale := url.Values{"all_matching": {"1"}, "f_q": {"example.com"}, "expected_selected": {"2"}}
	r := c.submit("/users/invite/send", stale)
	want(t, r, http.StatusConflict)
	if !strings.Contains(r.body, "3 invitations will be sent") || !strings.Contains(r.body, "changed since you confirmed") {
		t.Fatalf("the new confirmation:\n%s", r.body)
	}
	page, err := e.store.ListUsers(t.Context(), invite.UserFilter{Status: invite.StatusWaiting, Limit: 10})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("a stale confirmation sent invitations: %d waiting (%v)", len(page.Items), err)
	}

	fresh := url.Values{"all_matching": {"1"}, "f_q": {"example.com"}, "expected_selected": {"3"}}
	wantRedirectPrefix(t, c.submit("/users/invite/send", fresh), "/users?")
	page, err = e.store.ListUsers(t.Context(), invite.UserFilter{Status: invite.StatusWaiting, Limit: 10})
	if err != nil || len(page.Items) != 3 {
		t.Fatalf("after confirming 3: %d waiting (%v)", len(page.Items), err)
	}
}

func wantRedirectPrefix(t *testing.T, r response, prefix string) {
	t.Helper()
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), prefix) {
		t.Fatalf("got %d to %q, want 303 to %s...:\n%s", r.status, r.location(), prefix, r.body)
	}
}
