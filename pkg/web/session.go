package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/inviter/inviter/pkg/account"
	"github.com/inviter/inviter/pkg/httplog"
	"github.com/inviter/inviter/pkg/invite"
)

// The cookies. The session cookie holds the bearer token of an
// account.Service session; the pre-session cookie only pairs the sign-in
// form with its CSRF token.
const (
	sessionCookie = "inviter_session"
	preCookie     = "inviter_presession"
	langCookie    = "inviter_lang"
	csrfField     = "csrf_token"
)

// Bounds on what a form makes the server read: a form of fields (a page
// of ticked ids is a few KiB), and the part of an upload kept in memory.
const (
	maxFormBytes    = 256 << 10
	multipartMemory = 1 << 20
)

func isMultipart(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
}

// viewer is who is looking at a page, and in which language.
type viewer struct {
	lang      string
	session   *invite.Session // nil for an anonymous visitor
	tokenHash []byte
	csrf      string
}

type viewerKey struct{}

func withViewer(ctx context.Context, v *viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

func viewerFrom(ctx context.Context) *viewer {
	v, _ := ctx.Value(viewerKey{}).(*viewer)
	if v == nil {
		return &viewer{lang: "en"}
	}
	return v
}

// viewer reads who is asking: their language and, when the session cookie
// holds a live session, the session and its form token. A dead session's
// cookie is cleared; an error is the store's.
func (ui *UI) viewer(w http.ResponseWriter, r *http.Request) (*viewer, error) {
	v := &viewer{lang: chooseLang(r)}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return v, nil
	}
	ss, hash, err := ui.Accounts.Session(r.Context(), c.Value)
	switch {
	case err == nil:
		v.session, v.tokenHash, v.csrf = &ss, hash, sessionCSRF(hash)
		httplog.SetUser(r.Context(), ss.UserID)
	case errors.Is(err, account.ErrNoSession):
		clearCookie(w, r, sessionCookie)
	default:
		return v, err
	}
	return v, nil
}

// page wraps every handler: security headers, language, the session when
// there is one, and the CSRF check of unsafe methods.
func (ui *UI) page(next http.HandlerFunc) http.Handler {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w.Header())
		v, err := ui.viewer(w, r)
		if err != nil {
			ui.fail(w, r.WithContext(withViewer(r.Context(), v)), err)
			return
		}
		if v.session == nil {
			v.csrf = preSessionCSRF(w, r)
		}
		r = r.WithContext(withViewer(r.Context(), v))
		if l := r.URL.Query().Get("lang"); knownLang(l) {
			setCookie(w, r, langCookie, l, 365*24*3600)
		}
		if !safeMethod(r.Method) {
			// Nobody but a visitor signing in may make the server read a
			// form without a session: not even the form token is read.
			if v.session == nil && r.URL.Path != "/login" {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			if r.URL.Path != "/import" { // the upload has its own limit
				r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			}
			if isMultipart(r) {
				// Files beyond the first MiB go to temporary files, not RAM.
				r.ParseMultipartForm(multipartMemory) //nolint:errcheck // a broken form fails the token check below
			}
			if !validCSRF(r, v) {
				ui.renderError(w, r, http.StatusForbidden, "error.csrf")
				return
			}
		}
		if ui.refuseBadText(w, r) {
			return
		}
		next(w, r)
	})
	// Browsers say where a request comes from (Sec-Fetch-Site, Origin); a
	// cross-site POST is refused before any token is even looked at.
	return ui.csrf.Handler(h)
}

// signedIn lets through visitors with a session. Until a user who signed in
// with a temporary password has chosen a new one, every page but the
// password form and sign-out leads to the password form.
func (ui *UI) signedIn(next http.HandlerFunc) http.Handler {
	return ui.page(func(w http.ResponseWriter, r *http.Request) {
		v := viewerFrom(r.Context())
		if v.session == nil {
			target := "/login"
			if r.Method == http.MethodGet {
				target += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
		if v.session.MustChangePassword && r.URL.Path != "/password" && r.URL.Path != "/logout" {
			http.Redirect(w, r, "/password", http.StatusSeeOther)
			return
		}
		next(w, r)
	})
}

// admin lets through admins; other signed-in users get 403.
func (ui *UI) admin(next http.HandlerFunc) http.Handler {
	return ui.signedIn(func(w http.ResponseWriter, r *http.Request) {
		if !viewerFrom(r.Context()).session.Role.IsAdmin() {
			ui.renderError(w, r, http.StatusForbidden, "error.not_admin")
			return
		}
		next(w, r)
	})
}

// superAdmin lets through super admins; other signed-in users get 403.
func (ui *UI) superAdmin(next http.HandlerFunc) http.Handler {
	return ui.signedIn(func(w http.ResponseWriter, r *http.Request) {
		if viewerFrom(r.Context()).session.Role != invite.RoleSuperAdmin {
			ui.renderError(w, r, http.StatusForbidden, "error.not_super")
			return
		}
		next(w, r)
	})
}

// validCSRF checks a form's token: the session's, or on the sign-in form
// the pre-session cookie's (a visitor may sign in again over a session).
func validCSRF(r *http.Request, v *viewer) bool {
	got := []byte(r.PostFormValue(csrfField))
	if hmac.Equal(got, []byte(v.csrf)) {
		return true
	}
	c, err := r.Cookie(preCookie)
	return r.URL.Path == "/login" && err == nil && len(c.Value) >= 32 && hmac.Equal(got, []byte(c.Value))
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// sessionCSRF derives the session's form token from the session token's
// hash: only the session's own browser can know it, and nothing more has to
// be stored.
func sessionCSRF(tokenHash []byte) string {
	m := hmac.New(sha256.New, tokenHash)
	m.Write([]byte("inviter csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// preSessionCSRF pairs the sign-in form with a random cookie (double
// submit), so that a sign-in cannot be forced on a visitor (login CSRF).
func preSessionCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(preCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	b := make([]byte, 32)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read never fails
	v := base64.RawURLEncoding.EncodeToString(b)
	setCookie(w, r, preCookie, v, 0)
	return v
}

func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: overTLS(r),
	})
}

func clearCookie(w http.ResponseWriter, r *http.Request, name string) { setCookie(w, r, name, "", -1) }

// overTLS reports whether the browser reached us over TLS, directly or
// through a proxy that terminates it; the cookies are then Secure.
func overTLS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
}
