package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/inviter/inviter/pkg/invite"
)

// TestPasswordLeadsToThePlatform: with PLATFORM_URL, a user who chose a
// password goes there (and the form's policy lets the redirect leave);
// admins still go to their table; the account page links to it.
func TestPasswordLeadsToThePlatform(t *testing.T) {
	t.Parallel()
	const platform = "https://learn.example.com/start"
	e := newEnvWith(t, func(d *Deps) { d.PlatformURL, d.ProductName = platform, "Learn Hub" })
	u := e.createUser(t, invite.NewUser{Login: "ivan", Email: "ivan@example.com"})
	temp := e.deliver(t, u.ID)
	c := e.client(t)
	wantRedirect(t, c.signIn("ivan", temp, ""), "/password")
	form := c.get("/password")
	if csp := form.header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' https://learn.example.com") {
		t.Errorf("the password form's policy does not let it leave for the platform: %s", csp)
	}
	wantContains(t, form.body, "<title>Choose a new password · Learn Hub</title>")
	wantRedirect(t, c.submit("/password", url.Values{"new_password": {"my-own-Password-42"}, "confirm_password": {"my-own-Password-42"}}), platform)
	a := c.get("/account")
	want(t, a, http.StatusOK)
	wantContains(t, a.body, `href="https://learn.example.com/start"`, "Go to Learn Hub")

	admin := e.createAccount(t, "adam", "adam-Password-1234", invite.RoleAdmin)
	ac := e.as(t, admin)
	wantRedirect(t, ac.submit("/password", url.Values{"old_password": {"adam-Password-1234"}, "new_password": {"adam-Password-5678"},
		"confirm_password": {"adam-Password-5678"}}), "/users")
}
