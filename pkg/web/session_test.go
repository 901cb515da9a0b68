package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/inviter/inviter/pkg/account"
	"github.com/inviter/inviter/pkg/auth"
	"github.com/inviter/inviter/pkg/invite"
)

func TestAnonymousIsSentToSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client(t)
	for _, path := range []string{"/users", "/users?status=error&q=a%26b", "/users/1", "/users/batches/1",
		"/account", "/password", "/settings", "/monitoring/", "/monitoring/api/queues"} {
		r := c.get(path)
		next := path
		if strings.HasPrefix(path, "/monitoring/") {
			next = "/monitoring/" // the dashboard starts over at its home
		}
		wantSignIn(t, r, next)

		// The sign-in form carries the address on.
		login := c.get(r.location())
		want(t, login, http.StatusOK)
		if got := nextIn(t, login.body); got != next {
			t.Errorf("%s: the sign-in form's next is %q, want %q", path, got, next)
		}
	}
	// The start page leads to the table, and so to the sign-in.
	wantRedirect(t, c.get("/"), "/users")
	// A form posted without a session is not carried out.
	r := c.submit("/users", url.Values{"login": {"x"}, "first_name": {"X"}, "last_name": {"Y"}})
	wantRedirect(t, r, "/login")
	if n := e.userCount(t); n != 1 {
		t.Errorf("%d users after an anonymous POST, want 1", n)
	}
}

// wantSignIn requires a 303 to the sign-in form with next.
func wantSignIn(t *testing.T, r response, next string) {
	t.Helper()
	u, err := url.Parse(r.location())
	if r.status != http.StatusSeeOther || err != nil || u.Path != "/login" || u.Query().Get("next") != next {
		t.Fatalf("got %d to %q, want 303 to /login?next=%s", r.status, r.location(), next)
	}
}

var nextRE = regexp.MustCompile(`name="next" value="([^"]*)"`)

func nextIn(t *testing.T, body string) string {
	t.Helper()
	m := nextRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no next field in the page:\n%s", body)
	}
	// html/template writes & as &amp; in an attribute.
	return strings.ReplaceAll(m[1], "&amp;", "&")
}

func TestSignInFormDropsForeignNext(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client(t)
	for _, next := range []string{"//evil.com", "https://evil.com", `/\evil.com`, "/login?next=//evil.com", "javascript:alert(1)"} {
		r := c.get("/login?next=" + url.QueryEscape(next))
		want(t, r, http.StatusOK)
		if got := nextIn(t, r.body); got != "" {
			t.Errorf("next %q kept as %q", next, got)
		}
	}
}

func TestSafeNext(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"/", "/"},
		{"/users", "/users"},
		{"/users/7?added=1", "/users/7?added=1"},
		{"/users?q=a%26b&status=error", "/users?q=a%26b&status=error"},
		{"/monitoring/", "/monitoring/"},
		{"users", ""},
		{"//evil.com", ""},
		{"//evil.com/users", ""},
		{"///evil.com", ""},
		{`/\evil.com`, ""},
		{`/\/evil.com`, ""},
		{"https://evil.com", ""},
		{"https://evil.com/users", ""},
		{"http:/evil.com", ""},
		{"javascript:alert(1)", ""},
		{"/login", ""},
		{"/login?next=/users", ""},
		{"/users\t/evil", ""},
		{"/users\n", ""},
		// Encoded slashes and backslashes stay encoded: a path on this site.
		{"/%2F%2Fevil.com", "/%2F%2Fevil.com"},
		{`/a/../\evil.com`, "/a/../%5Cevil.com"},
	} {
		if got := safeNext(c.in); got != c.want {
			t.Errorf("safeNext(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestSafeNextRedirectsStayHome sends what safeNext keeps through
// http.Redirect, which cleans the path: the Location a browser gets must
// still be a path on this site.
func TestSafeNextRedirectsStayHome(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"/./evil.com", "/.//evil.com", "/..//evil.com", `/a/../\evil.com`, "/%2e%2e//evil.com",
		"/a/..//evil.com", "/%5C%5Cevil.com", "/users/../../evil.com"} {
		next := safeNext(in)
		if next == "" {
			continue
		}
		w := httptest.NewRecorder()
		http.Redirect(w, httptest.NewRequest("POST", "/login", nil), next, http.StatusSeeOther)
		loc := w.Header().Get("Location")
		u, err := url.Parse(loc)
		if err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(loc, "/") ||
			strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, `/\`) {
			t.Errorf("safeNext(%q) = %q redirects to %q", in, next, loc)
		}
	}
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	t.Run("wrong password", func(t *testing.T) {
		c := e.client(t)
		r := c.signIn(rootLogin, "not-the-password", "/settings")
		want(t, r, http.StatusUnauthorized)
		wantContains(t, r.body, "Wrong login or password.", `value="root"`, `name="next" value="/settings"`)
		if strings.Contains(r.body, "not-the-password") {
			t.Error("the page shows the password typed")
		}
		if k := r.setCookie(sessionCookie); k != nil {
			t.Errorf("a refused sign-in set the session cookie %v", k)
		}
		if c.cookie(sessionCookie) != "" {
			t.Error("the browser holds a session cookie")
		}
	})

	t.Run("empty password", func(t *testing.T) {
		c := e.client(t)
		c.header.Set("Accept-Language", "ru")
		r := c.signIn(rootLogin, "", "")
		want(t, r, http.StatusBadRequest)
		wantContains(t, r.body, "Введите пароль.")
	})

	t.Run("right password", func(t *testing.T) {
		c := e.client(t)
		r := c.signIn(rootLogin, rootPassword, "")
		wantRedirect(t, r, "/users")
		k := r.setCookie(sessionCookie)
		if k == nil || k.Value == "" {
			t.Fatalf("no session cookie: %v", r.cookies)
		}
		if !k.HttpOnly || k.SameSite != http.SameSiteLaxMode || k.Path != "/" || k.Secure || k.MaxAge <= 0 {
			t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax, Path=/, not Secure over plain HTTP, a MaxAge", k)
		}
		if pre := r.setCookie(preCookie); pre == nil || pre.MaxAge >= 0 {
			t.Errorf("the pre-session cookie is not cleared: %v", pre)
		}
		want(t, c.get("/users"), http.StatusOK)
	})

	t.Run("next", func(t *testing.T) {
		for next, to := range map[string]string{
			"/users/1?added=1": "/users/1?added=1",
			"//evil.com":       "/users",
			"https://evil.com": "/users",
			`/\evil.com`:       "/users",
		} {
			wantRedirect(t, e.client(t).signIn(rootLogin, rootPassword, next), to)
		}
	})

	t.Run("behind a TLS proxy", func(t *testing.T) {
		// The jar does not send Secure cookies over plain HTTP: carry
		// them by hand.
		c := e.client(t)
		tls := http.Header{"X-Forwarded-Proto": {"https"}}
		form := c.do("GET", "/login", nil, tls)
		pre := form.setCookie(preCookie)
		if pre == nil || !pre.Secure || !pre.HttpOnly {
			t.Fatalf("pre-session cookie %+v: want Secure and HttpOnly", pre)
		}
		tls.Set("Cookie", pre.Name+"="+pre.Value)
		r := c.do("POST", "/login", url.Values{"login": {rootLogin}, "password": {rootPassword}, csrfField: {csrfIn(t, form.body)}}, tls)
		wantRedirect(t, r, "/users")
		if k := r.setCookie(sessionCookie); k == nil || !k.Secure || !k.HttpOnly || k.SameSite != http.SameSiteLaxMode {
			t.Errorf("session cookie %+v: want Secure, HttpOnly, SameSite=Lax", k)
		}
	})

	t.Run("a fresh token over an old session", func(t *testing.T) {
		// A token planted in the browser does not become the session.
		planted := e.session(t, e.rootID, false)
		c := e.client(t).withSession(planted)
		r := c.submit("/login", url.Values{"login": {rootLogin}, "password": {rootPassword}})
		wantRedirect(t, r, "/users")
		if k := r.setCookie(sessionCookie); k == nil || k.Value == planted || k.Value == "" {
			t.Errorf("session cookie %v after signing in over %q", k, planted)
		}
	})
}

func TestSignOutEndsTheSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	token := e.session(t, e.rootID, false)
	c := e.client(t).withSession(token)
	want(t, c.get("/users"), http.StatusOK)

	// Not without the form's token.
	want(t, c.post("/logout", url.Values{}), http.StatusForbidden)
	want(t, c.get("/users"), http.StatusOK)

	r := c.submit("/logout", url.Values{})
	wantRedirect(t, r, "/login")
	if k := r.setCookie(sessionCookie); k == nil || k.MaxAge >= 0 {
		t.Errorf("the session cookie is not cleared: %v", k)
	}
	if _, err := e.store.SessionByToken(t.Context(), auth.HashToken(token)); invite.KindOf(err) != invite.KindNotFound {
		t.Errorf("the session outlives sign-out: %v", err)
	}
	// The old cookie, replayed, opens nothing.
	again := e.client(t).withSession(token)
	wantSignIn(t, again.get("/users"), "/users")
	wantSignIn(t, again.get("/monitoring/"), "/monitoring/")
}

func TestTemporaryPasswordLeadsToPasswordForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.createUser(t, invite.NewUser{Login: "ivan", Email: "ivan@example.com"})
	temp := e.deliver(t, u.ID)

	c := e.client(t)
	wantRedirect(t, c.signIn("ivan", temp, "/account"), "/password")
	for _, path := range []string{"/account", "/users", "/users/1", "/settings", "/monitoring/", "/login"} {
		wantRedirect(t, c.get(path), "/password")
	}
	// Forms other than the password's are refused the same way.
	wantRedirect(t, c.submit("/settings", url.Values{"verification_method": {"phone_only"}}), "/password")
	p := c.get("/password")
	want(t, p, http.StatusOK)
	wantContains(t, p.body, "You signed in with a temporary password.", `name="confirm_password"`, "At least 10 characters")
	// The session was opened with the temporary password: it is not asked
	// for again.
	if strings.Contains(p.body, `name="old_password"`) {
		t.Error("the password form asks again for the temporary password")
	}
	if strings.Contains(p.body, `href="/users"`) {
		t.Error("the password form shows the admin menu")
	}

	// A missing, weak or mistyped password is refused, with the reason,
	// and what was typed stays in the form.
	r := c.do("POST", "/password", url.Values{"new_password": {""}, csrfField: {c.token()}},
		http.Header{"Accept-Language": {"ru"}})
	want(t, r, http.StatusBadRequest)
	wantContains(t, r.body, "Введите новый пароль.")
	r = c.submit("/password", url.Values{"new_password": {"short"}, "confirm_password": {"short"}})
	want(t, r, http.StatusBadRequest)
	wantContains(t, r.body, "The new password is too weak", `aria-invalid="true"`, `value="short"`)
	r = c.submit("/password", url.Values{"new_password": {"my-own-Password-42"}, "confirm_password": {"my-own-Password-43"}})
	want(t, r, http.StatusBadRequest)
	wantContains(t, r.body, "The two new passwords differ", `value="my-own-Password-42"`, `value="my-own-Password-43"`)
	// The temporary password does not become the chosen one.
	r = c.submit("/password", url.Values{"new_password": {temp}, "confirm_password": {temp}})
	want(t, r, http.StatusBadRequest)
	wantContains(t, r.body, "The new password must differ from the old one.")
	wantRedirect(t, c.get("/account"), "/password")

	wantRedirect(t, c.submit("/password", url.Values{"new_password": {"my-own-Password-42"}, "confirm_password": {"my-own-Password-42"}}), "/account")
	a := c.get("/account")
	want(t, a, http.StatusOK)
	wantContains(t, a.body, "<strong>ivan</strong>")
	// Still a plain user.
	want(t, c.get("/users"), http.StatusForbidden)
	// The temporary password is spent.
	want(t, e.client(t).signIn("ivan", temp, ""), http.StatusUnauthorized)
}

func TestPlainUserIsNotAdmin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.createAccount(t, "pat", "pat-Password-1234", invite.RoleUser)
	c := e.as(t, id)
	wantRedirect(t, c.get("/login"), "/account")
	want(t, c.get("/account"), http.StatusOK)
	for _, path := range []string{"/users", "/users/1", "/users/batches/1", "/settings", "/monitoring/"} {
		r := c.get(path)
		want(t, r, http.StatusForbidden)
	}
	want(t, c.submit("/users", url.Values{"login": {"x"}, "first_name": {"X"}, "last_name": {"Y"}}), http.StatusForbidden)
	want(t, c.submit("/settings", url.Values{"verification_method": {"phone_only"}}), http.StatusForbidden)
	if n := e.userCount(t); n != 2 {
		t.Errorf("%d users, want 2", n)
	}
	if m := e.method(t); m != invite.MethodEmailOrPhone {
		t.Errorf("verification method %q", m)
	}
	if got := append(e.full.served(), e.readOnly.served()...); len(got) != 0 {
		t.Errorf("a plain user reached a dashboard: %v", got)
	}
}

func TestAdminAndSuperAdmin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.as(t, e.createAccount(t, "adam", "adam-Password-1234", invite.RoleAdmin))
	root := e.as(t, e.rootID)

	users := admin.get("/users")
	want(t, users, http.StatusOK)
	if strings.Contains(users.body, `href="/settings"`) {
		t.Error("an admin sees the Settings link")
	}
	// The queue dashboard is not in a plain admin's menu (item 13), though
	// the address still answers read-only below.
	wantContains(t, users.body, `href="/users"`)
	if strings.Contains(users.body, `href="/monitoring/"`) || strings.Contains(users.body, `id="system-menu"`) {
		t.Error("a plain admin's menu offers the queue dashboard or the System menu")
	}
	want(t, admin.get("/settings"), http.StatusForbidden)
	r := admin.submit("/settings", url.Values{"verification_method": {"email_only"}})
	want(t, r, http.StatusForbidden)
	wantContains(t, r.body, "Only a super administrator may change settings.")
	if m := e.method(t); m != invite.MethodEmailOrPhone {
		t.Fatalf("an admin changed the verification method to %q", m)
	}

	if r := admin.get("/monitoring/"); r.status != http.StatusOK || r.body != "dashboard:read-only" {
		t.Errorf("admin's dashboard: %d %q", r.status, r.body)
	}
	if r := root.get("/monitoring/api/queues"); r.status != http.StatusOK || r.body != "dashboard:full" {
		t.Errorf("super admin's dashboard: %d %q", r.status, r.body)
	}
	if r := root.get("/monitoring"); r.status != http.StatusMovedPermanently || r.location() != "/monitoring/" {
		t.Errorf("/monitoring: %d to %q", r.status, r.location())
	}
	// The dashboard's own calls carry no form token; a cross-site one is
	// refused before it reaches the dashboard.
	cross := root.do("POST", "/monitoring/api/queues/default:pause", url.Values{}, http.Header{"Sec-Fetch-Site": {"cross-site"}})
	want(t, cross, http.StatusForbidden)
	if got, want := e.full.served(), []string{"GET /monitoring/api/queues"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("full dashboard served %v, want %v", got, want)
	}
	if got := e.readOnly.served(); len(got) != 1 || got[0] != "GET /monitoring/" {
		t.Errorf("read-only dashboard served %v", got)
	}
	// Without a session the dashboard's API answers 401, not a page.
	if r := e.client(t).post("/monitoring/api/queues/default:pause", url.Values{}); r.status != http.StatusUnauthorized {
		t.Errorf("anonymous dashboard POST: %d", r.status)
	}

	s := root.get("/settings")
	want(t, s, http.StatusOK)
	wantContains(t, s.body, `href="/settings" aria-current="page"`, `value="email_or_phone" checked`)
	wantRedirect(t, root.submit("/settings", url.Values{"verification_method": {"email_only"}}), "/settings?saved=1")
	if m := e.method(t); m != invite.MethodEmailOnly {
		t.Fatalf("verification method %q after saving email_only", m)
	}
	s = root.get("/settings?saved=1")
	wantContains(t, s.body, "Settings saved.", `value="email_only" checked`)
	r = root.submit("/settings", url.Values{"verification_method": {"pigeon"}})
	want(t, r, http.StatusBadRequest)
	if m := e.method(t); m != invite.MethodEmailOnly {
		t.Fatalf("verification method %q after a bad value", m)
	}
}

// TestExpiredSessionSignsOut treats an expired session as none, and clears
// its cookie.
func TestExpiredSessionSignsOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	token := e.session(t, e.rootID, false)
	if _, err := e.db.ExecContext(t.Context(), `UPDATE sessions SET expires_at = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	c := e.client(t).withSession(token)
	r := c.get("/users")
	wantSignIn(t, r, "/users")
	if k := r.setCookie(sessionCookie); k == nil || k.MaxAge >= 0 {
		t.Errorf("the dead session's cookie is not cleared: %v", k)
	}
	if _, _, err := account.New(e.store, e.hasher, 0).Session(t.Context(), token); err == nil {
		t.Error("the expired session is still valid")
	}
}
