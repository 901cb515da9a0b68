package app_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// The queue dashboard answers with the pages' security headers and its
// page loads nothing from outside this server (it linked Google Fonts).
func TestDashboardHeadersAndNoExternalLoads(t *testing.T) {
	t.Parallel()
	s := startService(t, options{})
	tok := adminToken(t, s)
	get := func(path string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest("GET", s.API+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.AddCookie(&http.Cookie{Name: "inviter_session", Value: tok})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, string(b)
	}
	external := regexp.MustCompile(`(?:src|href)="https?://`)
	for _, path := range []string{"/monitoring/", "/monitoring/queues", "/monitoring/api/queues", "/monitoring/static/js/no-such.js"} {
		resp, body := get(path)
		if resp.StatusCode >= 500 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		h := resp.Header
		if h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "no-store" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("%s: headers %v", path, h)
		}
		if external.MatchString(body) || strings.Contains(body, "fonts.googleapis.com") {
			t.Errorf("%s loads from outside:\n%s", path, body[:min(len(body), 2000)])
		}
		if path == "/monitoring/" && (!strings.Contains(body, `<div id="root">`) || !strings.HasPrefix(h.Get("Content-Type"), "text/html")) {
			t.Errorf("the dashboard page is broken (%s):\n%s", h.Get("Content-Type"), body[:min(len(body), 2000)])
		}
	}
}
