package web

import (
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
)

// formFields are the names the pages' forms use.
var formFields = []string{"login", "password", "next", "old_password", "new_password", "first_name", "last_name", "email",
	"phone", "locale", "user_id", "all_matching", "f_q", "f_login", "f_name", "f_email", "f_phone", "f_status", "f_sort",
	"expected_selected", "back", "verification_method", "status", "q", "sort", "after", "before", "lang"}

var oddValues = []string{"", "\x00", "a\x00", "\xff", "\xd0", strings.Repeat("ж", 400), "-1", "0", "99999999999999999999",
	"1.5", "<b>x</b>", "javascript:alert(1)", "//evil.example", "/users?x=1", "email_only", "phone_only", "1", "on",
	"' OR 1=1", "🙂", "%00", "\r\n", "+79051111111", "a@b.c"}

// Random and malformed values in every form and address of the pages, with
// a valid form token so that the handlers run, never get a 5xx.
func TestFuzzPagesNo5xx(t *testing.T) {
	e := newEnv(t)
	r := rand.New(rand.NewPCG(9, 1))
	value := func() string {
		if r.IntN(3) == 0 {
			b := make([]byte, r.IntN(30))
			for i := range b {
				b[i] = byte(r.IntN(256))
			}
			return string(b)
		}
		return oddValues[r.IntN(len(oddValues))]
	}
	form := func() url.Values {
		v := url.Values{}
		for range r.IntN(8) {
			name := formFields[r.IntN(len(formFields))]
			if r.IntN(8) == 0 {
				name = value()
			}
			v.Add(name, value())
		}
		return v
	}
	ids := []string{"1", "0", "-1", "x", "99999999999999999999", "%00", "%ff"}
	gets := []string{"/login", "/password", "/account", "/users", "/users/{id}", "/users/batches/{id}", "/settings", "/", "/nowhere"}
	posts := []string{"/login", "/users", "/users/invite", "/users/invite/send", "/settings", "/password", "/logout"}
	root := e.as(t, e.rootID)
	for i := range 400 {
		c := root
		if i%10 == 9 {
			c = e.client(t) // signed out
		}
		id := ids[r.IntN(len(ids))]
		if i%2 == 0 {
			path := strings.ReplaceAll(gets[r.IntN(len(gets))], "{id}", id) + "?" + form().Encode()
			if res := c.get(path); res.status >= 500 {
				t.Errorf("GET %s: %d\n%s", path, res.status, res.body)
			}
			continue
		}
		path := posts[r.IntN(len(posts))]
		f := form()
		if path == "/logout" {
			c = e.as(t, e.rootID) // keep root signed in for the next ones
		}
		if res := c.submit(path, f); res.status >= 500 {
			t.Errorf("POST %s %q: %d\n%s", path, f.Encode(), res.status, res.body)
		}
	}
}
