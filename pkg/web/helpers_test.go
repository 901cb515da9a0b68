package web

import (
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/inviter/inviter/pkg/account"
	"github.com/inviter/inviter/pkg/auth"
	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/tasks"
	"github.com/inviter/inviter/pkg/testenv"
)

// The super admin every env starts with.
const (
	rootLogin    = "root"
	rootPassword = "root-Password-1234"
)

func passwordHash(t testing.TB, pw string) string { return testenv.PasswordHash(t, pw) }

// dashboard stands in for asynqmon: it records the paths it served, so a
// test sees which of the two dashboards a visitor reached.
type dashboard struct {
	name  string
	mu    sync.Mutex
	paths []string
}

func (d *dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	d.paths = append(d.paths, r.Method+" "+r.URL.Path)
	d.mu.Unlock()
	io.WriteString(w, "dashboard:"+d.name) //nolint:errcheck // test double
}

func (d *dashboard) served() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.paths...)
}

// env is the admin UI over its own PostgreSQL database and Redis DB, wired
// as pkg/app wires it, with a super admin (root).
type env struct {
	srv            *httptest.Server
	db             *sqlx.DB
	store          *postgres.Store
	hasher         *auth.TemporaryHasher
	inviter        *invite.Inviter
	full, readOnly *dashboard
	rootID         int64
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, nil)
}

// newEnvWith is newEnv with the UI's dependencies adjusted by configure
// (nil: as newEnv).
func newEnvWith(t *testing.T, configure func(*Deps)) *env {
	t.Helper()
	db := testenv.NewDatabase(t)
	store := postgres.NewStore(db.DB)
	rc := testenv.NewRedis(t).Client
	log := slog.New(slog.DiscardHandler)
	key := make([]byte, auth.MinSecretKeyBytes)
	rand.Read(key) //nolint:errcheck // crypto/rand.Read never fails
	hasher, err := auth.NewTemporaryHasher(key)
	if err != nil {
		t.Fatal(err)
	}
	enq := tasks.NewEnqueuer(rc, tasks.Options{MaxRetry: 3, Timeout: time.Minute}, 4)
	e := &env{db: db.DB, store: store, hasher: hasher,
		inviter: invite.NewInviter(store, enq, log),
		full:    &dashboard{name: "full"}, readOnly: &dashboard{name: "read-only"}}
	d := Deps{Store: store, Inviter: e.inviter, Accounts: account.New(store, hasher, 0),
		Monitoring: e.full, MonitoringReadOnly: e.readOnly, Log: log,
		// Phone numbers without a country code are read as Russian ones for
		// the suggested fix (DEFAULT_REGION=RU).
		Editor: invite.NewEditor(store, enq, "RU", log), DefaultRegion: "RU", WaitingAlertAfter: 5 * time.Minute}
	if configure != nil {
		configure(&d)
	}
	e.srv = httptest.NewServer(New(d))
	t.Cleanup(e.srv.Close)

	if _, err := store.EnsureSuperAdmin(t.Context(), rootLogin, func() (string, error) { return passwordHash(t, rootPassword), nil }); err != nil {
		t.Fatal(err)
	}
	root, err := store.LoginCandidate(t.Context(), rootLogin)
	if err != nil {
		t.Fatal(err)
	}
	e.rootID = root.UserID
	return e
}

// createUser adds a user with role user and no password.
func (e *env) createUser(t *testing.T, n invite.NewUser) invite.User {
	t.Helper()
	if n.FirstName == "" {
		n.FirstName = "First"
	}
	if n.LastName == "" {
		n.LastName = "Last"
	}
	if n.Role == "" {
		n.Role = invite.RoleUser
	}
	u, err := e.store.CreateUser(t.Context(), n)
	if err != nil {
		t.Fatalf("create user %q: %v", n.Login, err)
	}
	return u
}

// createAccount adds a user with role and a chosen password, set in SQL as
// an operator would.
func (e *env) createAccount(t *testing.T, login, password string, role invite.Role) int64 {
	t.Helper()
	u := e.createUser(t, invite.NewUser{Login: login})
	if _, err := e.db.ExecContext(t.Context(), `UPDATE users SET role = $2, password_hash = $3 WHERE id = $1`,
		u.ID, role, passwordHash(t, password)); err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// session opens a session the way a sign-in does, without the argon2id
// verification a real sign-in costs; the sign-in tests go through the form.
func (e *env) session(t *testing.T, userID int64, mustChange bool) string {
	t.Helper()
	token, hash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateSession(t.Context(), hash, userID, mustChange, time.Hour); err != nil {
		t.Fatal(err)
	}
	return token
}

// deliver invites a user and does what a worker does when the provider
// accepts the message; it returns the temporary password.
func (e *env) deliver(t *testing.T, userID int64) string {
	t.Helper()
	if _, err := e.inviter.Invite(t.Context(), e.rootID, invite.Selection{UserIDs: []int64{userID}}); err != nil {
		t.Fatal(err)
	}
	id := e.currentInvitation(t, userID)
	pw, err := auth.NewTemporaryPassword()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.ClaimAttempt(t.Context(), id, e.hasher.Hash(id, pw)); err != nil {
		t.Fatal(err)
	}
	if err := e.store.MarkDelivered(t.Context(), id, time.Hour); err != nil {
		t.Fatal(err)
	}
	return pw
}

func (e *env) currentInvitation(t *testing.T, userID int64) int64 {
	t.Helper()
	h, err := e.store.Invitations(t.Context(), userID)
	if err != nil || len(h) == 0 {
		t.Fatalf("invitations of user %d: %v (%d)", userID, err, len(h))
	}
	return h[0].ID
}

func (e *env) method(t *testing.T) invite.VerificationMethod {
	t.Helper()
	m, err := e.store.VerificationMethod(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (e *env) userCount(t *testing.T) int {
	t.Helper()
	var n int
	if err := e.db.GetContext(t.Context(), &n, `SELECT count(*) FROM users`); err != nil {
		t.Fatal(err)
	}
	return n
}

// client is a browser: it keeps cookies and does not follow redirects.
type client struct {
	t    *testing.T
	e    *env
	hc   *http.Client
	base *url.URL
	// header is sent with every request (Accept-Language, say).
	header http.Header
}

func (e *env) client(t *testing.T) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(e.srv.URL)
	return &client{t: t, e: e, base: u, header: http.Header{},
		hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// as is a client signed in as userID.
func (e *env) as(t *testing.T, userID int64) *client {
	t.Helper()
	return e.client(t).withSession(e.session(t, userID, false))
}

func (c *client) withSession(token string) *client {
	c.hc.Jar.SetCookies(c.base, []*http.Cookie{{Name: sessionCookie, Value: token, Path: "/"}})
	return c
}

// cookie is the value of a cookie the client holds, "" when none.
func (c *client) cookie(name string) string {
	for _, k := range c.hc.Jar.Cookies(c.base) {
		if k.Name == name {
			return k.Value
		}
	}
	return ""
}

// response is an answer read in full.
type response struct {
	status int
	header http.Header
	// cookies are those the answer set.
	cookies []*http.Cookie
	body    string
}

func (r response) location() string { return r.header.Get("Location") }

func (r response) setCookie(name string) *http.Cookie {
	for _, k := range r.cookies {
		if k.Name == name {
			return k
		}
	}
	return nil
}

func (c *client) do(method, path string, form url.Values, header http.Header) response {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(c.t.Context(), method, c.e.srv.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read: %v", method, path, err)
	}
	return response{status: res.StatusCode, header: res.Header, cookies: res.Cookies(), body: string(b)}
}

func (c *client) get(path string) response {
	c.t.Helper()
	return c.do(http.MethodGet, path, nil, nil)
}

// post sends a form as it is.
func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	return c.do(http.MethodPost, path, form, nil)
}

// submit sends a form with the client's CSRF token, as a page's form does.
func (c *client) submit(path string, form url.Values) response {
	c.t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set(csrfField, c.token())
	return c.post(path, f)
}

// token reads the form token from a page: the password form for a
// signed-in client (every session may see it), the sign-in form otherwise.
func (c *client) token() string {
	c.t.Helper()
	path := "/login"
	if c.cookie(sessionCookie) != "" {
		path = "/password"
	}
	r := c.get(path)
	want(c.t, r, http.StatusOK)
	return csrfIn(c.t, r.body)
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func csrfIn(t *testing.T, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf_token in the page:\n%s", body)
	}
	return m[1]
}

// signIn signs in through the form and returns the answer to the POST.
func (c *client) signIn(login, password, next string) response {
	c.t.Helper()
	return c.submit("/login", url.Values{"login": {login}, "password": {password}, "next": {next}})
}

func want(t *testing.T, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body:\n%s", r.status, status, r.body)
	}
}

// wantRedirect requires a 303 to location.
func wantRedirect(t *testing.T, r response, location string) {
	t.Helper()
	if r.status != http.StatusSeeOther || r.location() != location {
		t.Fatalf("got %d to %q, want 303 to %q; body:\n%s", r.status, r.location(), location, r.body)
	}
}

func wantContains(t *testing.T, body string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(body, p) {
			t.Errorf("the page lacks %q:\n%s", p, body)
		}
	}
}

func userPath(id int64) string { return "/users/" + strconv.FormatInt(id, 10) }
