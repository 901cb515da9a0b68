package web

import (
	"net/http"
	"net/url"
	"testing"
)

// Forms and searches of the pages with text PostgreSQL refuses are a 400
// page naming the field, never a 500.
func TestPagesRefuseTextPostgresCannotStore(t *testing.T) {
	e := newEnv(t)
	c := e.as(t, e.rootID)
	r := c.submit("/users", url.Values{"login": {"nul\x00"}, "first_name": {"A"}, "last_name": {"B"}})
	want(t, r, http.StatusBadRequest)
	wantContains(t, r.body, "login")
	for _, param := range []string{"q", "login", "name", "email", "phone", "after"} {
		r := c.get("/users?" + param + "=" + url.QueryEscape("a\x00\xff"))
		want(t, r, http.StatusBadRequest)
		wantContains(t, r.body, "“"+param+"”")
	}
	r = c.submit("/users/invite", url.Values{"all_matching": {"1"}, "f_q": {"\x00"}})
	want(t, r, http.StatusBadRequest)
	wantContains(t, r.body, "f_q")
	anon := e.client(t)
	r = anon.submit("/login", url.Values{"login": {"root\x00"}, "password": {"x"}})
	want(t, r, http.StatusBadRequest)
}
