package httpapi_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
)

// Media types are case-insensitive and may carry parameters.
func TestContentTypeIsParsed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	body := `{"login": "` + rootLogin + `", "password": "` + rootPassword + `"}`
	for _, ct := range []string{"Application/JSON", "application/json; charset=utf-8"} {
		r := e.doRaw(t, "POST", "/api/v1/auth/login", "", ct, strings.NewReader(body))
		want(t, r, http.StatusOK)
	}
	r := e.doRaw(t, "POST", "/api/v1/auth/login", "", "application/jsonx", strings.NewReader(body))
	wantError(t, r, http.StatusBadRequest, "unsupported_media_type", "")
}

// A 401 tells the client how to authenticate (RFC 9110).
func TestUnauthorizedNamesTheScheme(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do(t, "GET", "/api/v1/users", "", nil)
	wantError(t, r, http.StatusUnauthorized, "unauthorized", "")
	if got := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
		t.Errorf("WWW-Authenticate = %q, want the Bearer scheme", got)
	}
}

// Many sign-ins at once, known and unknown logins mixed, all get their
// right answer: the password hashing is queued, not refused or mixed up.
func TestConcurrentSignIns(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			login, status := rootLogin, http.StatusOK
			if i%2 == 1 {
				login, status = "nobody", http.StatusUnauthorized
			}
			r := e.do(t, "POST", "/api/v1/auth/login", "", map[string]string{"login": login, "password": rootPassword})
			if r.Status != status {
				t.Errorf("login %s: %s, want %d", login, r, status)
			}
		})
	}
	wg.Wait()
}

// A wrong method is a JSON 405 that names the allowed ones.
func TestMethodNotAllowedIsJSON(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do(t, "DELETE", "/api/v1/users", "", nil)
	wantError(t, r, http.StatusMethodNotAllowed, "method_not_allowed", "")
	if got := r.Header.Get("Allow"); got != "POST, GET" {
		t.Errorf("Allow = %q, want %q", got, "POST, GET")
	}
}
