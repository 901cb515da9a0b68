package httpapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Text PostgreSQL refuses (a NUL, bytes that are not UTF-8) is a 400 that
// names the field, in every body and query of the API, never a 500.
func TestTextPostgresRefusesIsA400(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, field := range []string{"login", "first_name", "last_name", "email", "phone", "locale"} {
		body := map[string]any{"first_name": "A", "last_name": "B", "email": "a@example.com"}
		body[field] = "x\x00y"
		r := e.do(t, "POST", "/api/v1/users", e.rootToken, body)
		wantError(t, r, http.StatusBadRequest, "invalid_text", field)
	}
	for _, param := range []string{"q", "login", "name", "email", "phone", "cursor", "before"} {
		for _, bad := range []string{"a\x00b", "a\xffb"} {
			r := e.do(t, "GET", "/api/v1/users?"+param+"="+url.QueryEscape(bad), e.rootToken, nil)
			wantError(t, r, http.StatusBadRequest, "invalid_text", param)
		}
		r := e.do(t, "GET", "/api/v1/users/export?"+param+"="+url.QueryEscape("\x00"), e.rootToken, nil)
		wantError(t, r, http.StatusBadRequest, "invalid_text", param)
	}
	for _, field := range []string{"q", "login", "name", "email", "phone", "invite_status"} {
		for _, path := range []string{"/api/v1/invitations", "/api/v1/invitations/preview"} {
			r := e.do(t, "POST", path, e.rootToken, map[string]any{"filter": map[string]string{field: "\x00"}})
			wantError(t, r, http.StatusBadRequest, "invalid_text", "filter."+field)
		}
	}
	r := e.do(t, "POST", "/api/v1/auth/login", "", map[string]string{"login": "root\x00", "password": "x"})
	wantError(t, r, http.StatusBadRequest, "invalid_text", "login")
	// Raw bytes that are not UTF-8 inside a JSON string.
	r = e.doRaw(t, "POST", "/api/v1/users", e.rootToken, "application/json",
		strings.NewReader("{\"first_name\":\"A\",\"last_name\":\"B\",\"login\":\"\xff\xfe\"}"))
	if r.Status >= 500 {
		t.Fatalf("raw bad UTF-8: %s", r)
	}
}
