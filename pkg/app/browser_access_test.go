package app_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/inviter/inviter/pkg/auth"
	"github.com/inviter/inviter/pkg/testenv"
)

// TestBrowserSettingsAndRoles: the super admin changes the verification
// method; an admin neither sees nor reaches the settings and has the queue
// dashboard read-only.
func TestBrowserSettingsAndRoles(t *testing.T) {
	t.Parallel()
	s := startService(t, options{})
	logsOnFailure(t, s)
	tok := adminToken(t, s)
	var moderator user
	call(t, "POST", s.API+"/api/v1/users", tok, map[string]string{"login": "moderator", "first_name": "Mo", "last_name": "Derator", "email": "mo@example.com"}, &moderator, http.StatusCreated)
	hash, err := auth.HashPassword("moderator-password")
	if err != nil {
		t.Fatal(err)
	}
	// No page makes admins: the platform does. The test does it in SQL.
	if _, err := s.DB.DB.Exec(`UPDATE users SET role = 'admin', password_hash = $1 WHERE id = $2`, hash, moderator.ID); err != nil {
		t.Fatal(err)
	}

	super := newBrowser(t, s.API, 1280, 900)
	super.signIn("admin", adminPassword, "/users")
	super.do("open settings", chromedp.Click(chromedp.CSS(`#system-menu summary`)), chromedp.Click(chromedp.CSS(`nav a[href="/settings"]`)))
	super.waitPage("/settings")
	super.screenshot("11-settings")
	if got := eval[string](super, `document.querySelector('input[name=verification_method]:checked').value`); got != "email_or_phone" {
		t.Fatalf("default method shows as %q", got)
	}
	super.do("choose e-mail only",
		chromedp.Click(chromedp.CSS(`input[value=email_only]`)),
		chromedp.Click(chromedp.CSS(`form[action="/settings"] button[type=submit]`)))
	super.waitPage("/settings?saved=1")
	if got := super.text(".flash"); got != "Settings saved." {
		t.Fatalf("flash %q", got)
	}
	var settings struct {
		VerificationMethod string `json:"verification_method"`
	}
	call(t, "GET", s.API+"/api/v1/settings/auth", tok, nil, &settings, http.StatusOK)
	if settings.VerificationMethod != "email_only" {
		t.Fatalf("stored method %q", settings.VerificationMethod)
	}

	admin := newBrowser(t, s.API, 1280, 900)
	admin.signIn("moderator", "moderator-password", "/users")
	if n := eval[int](admin, `document.querySelectorAll('a[href="/settings"]').length`); n != 0 {
		t.Fatal("an admin who is not a super admin sees the Settings link")
	}
	admin.open("/settings")
	if got := admin.text("h1"); got != "Not allowed" {
		t.Fatalf("admin on /settings sees %q", got)
	}
	admin.screenshot("12-settings-refused")
	// The dashboard is there, but refuses to change anything.
	admin.open("/monitoring/")
	admin.waitFor("asynqmon's page", `document.body.innerText.includes('Queues')`, 30*time.Second)
	status := admin.fetchStatus("POST", "/monitoring/api/queues/invitations:pause")
	if status != http.StatusMethodNotAllowed {
		t.Fatalf("read-only dashboard answered %d to a pause", status)
	}
	status = super.fetchStatus("POST", "/monitoring/api/queues/invitations:pause")
	if status != http.StatusNoContent && status != http.StatusOK {
		t.Fatalf("the super admin's pause got %d", status)
	}
}

// TestBrowserInvitedUserSignsIn: an invited user signs in with the login
// and temporary password from the e-mail, must choose a password first,
// and is not let into the admin pages.
func TestBrowserInvitedUserSignsIn(t *testing.T) {
	t.Parallel()
	s := startService(t, options{})
	logsOnFailure(t, s)
	tok := adminToken(t, s)
	var anna user
	call(t, "POST", s.API+"/api/v1/users", tok, map[string]string{"login": "anna", "first_name": "Anna", "last_name": "Ivanova", "email": "anna@example.com", "locale": "ru"}, &anna, http.StatusCreated)
	call(t, "POST", s.API+"/api/v1/invitations", tok, map[string]any{"user_ids": []int64{anna.ID}}, nil, http.StatusAccepted)
	mail := s.SMTP.WaitMessages(t, 1, 30*time.Second)[0]
	login, password := testenv.Credentials(t, testenv.MailText(t, mail.Data))

	b := newBrowser(t, s.API, 1280, 900)
	b.signIn(login, password, "/password")
	b.screenshot("13-choose-password")
	// Every page leads back to the password form until one is chosen.
	b.open("/users")
	b.waitPage("/password")
	// The session was opened with the temporary password: not asked again.
	if eval[bool](b, `document.getElementById('old_password') !== null`) {
		t.Fatal("the password form asks again for the temporary password")
	}
	b.do("too short a password",
		chromedp.SetValue(chromedp.ID("new_password"), "short"),
		chromedp.SetValue(chromedp.ID("confirm_password"), "short"),
		chromedp.Click(chromedp.CSS(`form[action="/password"] button[type=submit]`)))
	b.waitFor("the refusal", `document.querySelector('.form-error') !== null`, 10*time.Second)
	if got := b.text(".form-error"); !strings.Contains(got, "10 characters") {
		t.Fatalf("refusal %q", got)
	}
	b.do("a good password",
		chromedp.SetValue(chromedp.ID("new_password"), "my own good password"),
		chromedp.SetValue(chromedp.ID("confirm_password"), "my own good password"),
		chromedp.Click(chromedp.CSS(`form[action="/password"] button[type=submit]`)))
	b.waitPage("/account")
	b.screenshot("14-account")
	b.open("/users")
	if got := b.text("h1"); got != "Not allowed" {
		t.Fatalf("an invited user on /users sees %q", got)
	}
	// Signing out ends the session; the temporary password is spent.
	b.open("/account")
	b.do("sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)))
	b.waitPage("/login")
	b.open("/account")
	b.waitPage("/login")
	b.do("the temporary password again",
		chromedp.SetValue(chromedp.ID("login"), login),
		chromedp.SetValue(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)))
	b.waitFor("the refusal", `document.querySelector('.form-error') !== null`, 10*time.Second)
	b.signIn(login, "my own good password", "/account")
}
