package web

import (
	"bytes"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// dashboardCSP lets the queue dashboard (asynqmon, a prebuilt React app
// with inline bootstrap scripts and injected styles) run, and load nothing
// from anywhere but this server: an offline network must not wait on
// Google Fonts, and no page may frame it.
const dashboardCSP = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
	"frame-ancestors 'none'; form-action 'self'"

// externalLink matches the <link> tags of the dashboard's page that point
// off-site (its Google Fonts stylesheets); they are removed, and the
// dashboard falls back to the system's fonts.
var externalLink = regexp.MustCompile(`<link[^>]+href="https?://[^"]*"[^>]*>`)

// serveDashboard serves the dashboard with the pages' security headers
// (frame denial, nosniff, no-store) and its HTML page without off-site
// links.
func serveDashboard(h http.Handler, w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Security-Policy", dashboardCSP)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("X-Frame-Options", "DENY")
	hdr.Set("Referrer-Policy", "same-origin")
	hdr.Set("Cache-Control", "no-store")
	if strings.Contains(r.URL.Path, "/api/") {
		h.ServeHTTP(w, r) // JSON: nothing to rewrite
		return
	}
	// Anything else may be the page: asynqmon answers a missing file with
	// it too. Its assets are a few hundred KB, for admins only.
	bw := &bufferedWriter{header: http.Header{}, status: http.StatusOK}
	h.ServeHTTP(bw, r)
	body := bw.body.Bytes()
	ct := bw.header.Get("Content-Type")
	if ct == "" {
		ct = http.DetectContentType(body)
		bw.header.Set("Content-Type", ct)
	}
	if strings.HasPrefix(ct, "text/html") {
		body = externalLink.ReplaceAll(body, nil)
		bw.header.Del("Content-Length")
		bw.header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	for k, v := range bw.header {
		if hdr.Get(k) == "" || k == "Content-Type" || k == "Content-Length" {
			hdr[k] = v
		}
	}
	// The dashboard's own caching headers give way to no-store.
	hdr.Set("Cache-Control", "no-store")
	w.WriteHeader(bw.status)
	w.Write(body) //nolint:errcheck // the client went away
}

// bufferedWriter holds a response so that it can be rewritten.
type bufferedWriter struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(code int) {
	if !b.wrote {
		b.status, b.wrote = code, true
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	b.wrote = true
	return b.body.Write(p)
}
