package web

import (
	"net/http"
	"net/url"
)

// usersBack is where the card's "← Users" leads: the table as the admin
// left it (?back=, set by the table's links), when that is an address of
// the table on this site, the plain table otherwise.
func usersBack(r *http.Request) string {
	back := r.URL.Query().Get("back")
	u, err := url.Parse(back)
	if back == "" || err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Path != "/users" {
		return "/users"
	}
	return u.RequestURI()
}
