package web

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/inviter/inviter/pkg/invite"
)

func TestFormsNeedTheSessionsToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.as(t, e.rootID)
	other := e.as(t, e.rootID) // the same admin in another browser
	otherToken := other.token()
	rootToken := root.token()
	if otherToken == rootToken {
		t.Fatal("two sessions share a form token")
	}

	settings := url.Values{"verification_method": {"phone_only"}}
	newUser := url.Values{"login": {"mallory"}, "first_name": {"Mal"}, "last_name": {"Lory"}, "email": {"m@example.com"}}
	for name, token := range map[string]string{"no token": "", "wrong token": "not-the-token", "another session's token": otherToken,
		"token of a pre-session": e.client(t).token()} {
		t.Run(name, func(t *testing.T) {
			with := func(v url.Values) url.Values {
				f := url.Values{}
				for k, x := range v {
					f[k] = x
				}
				if token != "" {
					f.Set(csrfField, token)
				}
				return f
			}
			for path, form := range map[string]url.Values{"/settings": settings, "/users": newUser,
				"/users/invite/send": {"user_id": {"1"}}, "/password": {"old_password": {rootPassword}, "new_password": {"x-New-Password-1"}}} {
				r := root.post(path, with(form))
				want(t, r, http.StatusForbidden)
				wantContains(t, r.body, "The form has expired or did not come from this site.")
			}
			// The sign-out form too: the session lives on.
			want(t, root.post("/logout", with(nil)), http.StatusForbidden)
		})
	}
	if m := e.method(t); m != invite.MethodEmailOrPhone {
		t.Errorf("verification method %q", m)
	}
	if n := e.userCount(t); n != 1 {
		t.Errorf("%d users, want 1", n)
	}
	if b, err := e.store.BatchProgress(t.Context(), 1); invite.KindOf(err) != invite.KindNotFound {
		t.Errorf("a batch was sent: %+v %v", b, err)
	}
	want(t, root.get("/users"), http.StatusOK)

	// With its own token the same form goes through.
	wantRedirect(t, root.post("/settings", url.Values{"verification_method": {"phone_only"}, csrfField: {rootToken}}), "/settings?saved=1")
	if m := e.method(t); m != invite.MethodPhoneOnly {
		t.Errorf("verification method %q", m)
	}
}

func TestCrossSiteRequestsAreRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.as(t, e.rootID)
	for name, h := range map[string]http.Header{
		"Sec-Fetch-Site cross-site": {"Sec-Fetch-Site": {"cross-site"}},
		"Sec-Fetch-Site same-site":  {"Sec-Fetch-Site": {"same-site"}},
		"foreign Origin":            {"Origin": {"https://evil.example"}},
	} {
		// A valid token does not help a request from another site.
		r := root.do("POST", "/settings", url.Values{"verification_method": {"phone_only"}, csrfField: {root.token()}}, h)
		want(t, r, http.StatusForbidden)
		if r.header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: the refusal has no CSP", name)
		}
	}
	if m := e.method(t); m != invite.MethodEmailOrPhone {
		t.Errorf("verification method %q", m)
	}
	// Reading a page across sites is allowed (links from e-mail).
	want(t, root.do("GET", "/users", nil, http.Header{"Sec-Fetch-Site": {"cross-site"}}), http.StatusOK)
	// A same-origin request with the token goes through.
	r := root.do("POST", "/settings", url.Values{"verification_method": {"phone_only"}, csrfField: {root.token()}},
		http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {e.srv.URL}})
	wantRedirect(t, r, "/settings?saved=1")
}

func TestSignInForgeryIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds := url.Values{"login": {rootLogin}, "password": {rootPassword}}
	with := func(token string) url.Values {
		f := url.Values{"login": creds["login"], "password": creds["password"], csrfField: {token}}
		return f
	}

	// A page elsewhere posts the sign-in form of its own account: the
	// browser has no pre-session cookie, or another one.
	fresh := e.client(t)
	r := fresh.post("/login", creds)
	want(t, r, http.StatusForbidden)
	if r.setCookie(sessionCookie) != nil {
		t.Error("a forged sign-in set a session cookie")
	}
	attacker := e.client(t).token()
	r = e.client(t).post("/login", with(attacker))
	want(t, r, http.StatusForbidden)
	victim := e.client(t)
	victim.token()
	want(t, victim.post("/login", with(attacker)), http.StatusForbidden)
	want(t, victim.post("/login", with("")), http.StatusForbidden)
	if victim.cookie(sessionCookie) != "" {
		t.Error("the victim's browser got a session")
	}
	var n int
	if err := e.db.GetContext(t.Context(), &n, `SELECT count(*) FROM sessions`); err != nil || n != 0 {
		t.Errorf("%d sessions (%v), want 0", n, err)
	}
	// With the pair its own form set, the sign-in goes through.
	pre := e.client(t)
	wantRedirect(t, pre.submit("/login", creds), "/users")
}
