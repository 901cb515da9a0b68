package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/userimport"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages holds every page's template set, parsed once per language so that
// {{t "key"}} needs no language argument.
type pages struct {
	sets map[string]map[string]*template.Template // lang -> page -> set
}

// pageNames are the page templates; each defines "content" for the layout.
var pageNames = []string{"login", "password", "account", "error", "users", "user", "confirm", "settings", "import", "importjob",
	"refused"}

func mustParsePages() *pages {
	p, err := parsePages()
	if err != nil {
		panic(err)
	}
	return p
}

func parsePages() (*pages, error) {
	p := &pages{sets: map[string]map[string]*template.Template{}}
	for _, lang := range languages {
		p.sets[lang] = map[string]*template.Template{}
		for _, name := range pageNames {
			t, err := template.New(name).Funcs(funcs(lang)).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
			if err != nil {
				return nil, fmt.Errorf("web: parse %s: %w", name, err)
			}
			p.sets[lang][name] = t
		}
	}
	return p, nil
}

// base is what every page's layout shows.
type base struct {
	Lang              string
	Title             string
	Nav               string
	Viewer            *invite.Session
	CSRF              string
	Flash             *flash
	IsAdmin, IsSuper  bool
	MonitoringEnabled bool
	ImportEnabled     bool
	Product           string // the product's name (PRODUCT_NAME)
	url               *url.URL
}

type flash struct {
	Kind string // "ok" or "warn"
	Text string
}

// SwitchLang is the address of this page in another language.
func (b base) SwitchLang(lang string) string {
	u := *b.url
	q := u.Query()
	q.Set("lang", lang)
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

// base fills the layout's part of a page.
func (ui *UI) base(r *http.Request, titleKey, nav string) base {
	v := viewerFrom(r.Context())
	b := base{Lang: v.lang, Title: translate(v.lang, titleKey), Nav: nav, Viewer: v.session, CSRF: v.csrf, url: r.URL,
		Product: ui.productName(v.lang)}
	if v.session != nil && !v.session.MustChangePassword {
		b.IsAdmin = v.session.Role.IsAdmin()
		b.IsSuper = v.session.Role == invite.RoleSuperAdmin
		b.MonitoringEnabled = b.IsAdmin && ui.Monitoring != nil
		b.ImportEnabled = b.IsAdmin && ui.importEnabled()
	}
	return b
}

// render writes a page; the template runs into a buffer first so that a
// template error becomes a clean 500, not half a page.
func (ui *UI) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	lang := viewerFrom(r.Context()).lang
	var buf bytes.Buffer
	// Dates depend on the viewer (zone, now): a copy of the parsed page
	// gets them; the parsed originals are never executed, so they clone.
	t, err := ui.pages.sets[lang][name].Clone()
	if err == nil {
		d := dateFormatter{lang: lang, loc: viewerZone(r, ui.TimeZone), now: ui.now()}
		t.Funcs(template.FuncMap{"date": d.html})
		err = t.ExecuteTemplate(&buf, "layout", data)
	}
	if err != nil {
		ui.Log.ErrorContext(r.Context(), "render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes()) //nolint:errcheck // the client went away
}

type errorPage struct {
	base
	Heading, Message string
}

// renderError shows an error page; key names its message in the catalog.
func (ui *UI) renderError(w http.ResponseWriter, r *http.Request, status int, key string) {
	lang := viewerFrom(r.Context()).lang
	ui.render(w, r, status, "error", errorPage{
		base:    ui.base(r, "error.title", ""),
		Heading: translate(lang, fmt.Sprintf("error.%d", status)),
		Message: translate(lang, key),
	})
}

// fail shows an unexpected error: 5xx are logged, the visitor sees a
// message in their language and never the internals.
func (ui *UI) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch invite.KindOf(err) {
	case invite.KindNotFound:
		ui.renderError(w, r, http.StatusNotFound, "error.not_found")
	case invite.KindUnavailable:
		ui.Log.WarnContext(r.Context(), "page unavailable", "path", r.URL.Path, "err", err)
		ui.renderError(w, r, http.StatusServiceUnavailable, "error.unavailable")
	default:
		ui.Log.ErrorContext(r.Context(), "page failed", "path", r.URL.Path, "err", err)
		ui.renderError(w, r, http.StatusInternalServerError, "error.internal")
	}
}

// errorText is the message of a user-facing error (validation, conflict)
// in the viewer's language: the catalog's text for its code and field when
// there is one, the error's own message otherwise.
func errorText(lang string, err error) string {
	var e *invite.Error
	if !errors.As(err, &e) {
		return translate(lang, "error.internal")
	}
	for _, key := range []string{"code." + e.Code + "." + e.Field, "code." + e.Code} {
		if msg, ok := lookup(lang, key); ok {
			return msg
		}
	}
	if lang != "en" {
		// The error's own message is English: a reader of another
		// language gets a sentence of theirs rather than a foreign one.
		return translate(lang, "code.unknown")
	}
	return e.Message
}

func funcs(lang string) template.FuncMap {
	return template.FuncMap{
		"t": func(key string, args ...any) string { return translate(lang, key, args...) },
		// th is t for a text that takes markup, such as a date's <time>
		// element: the text and every plain argument are escaped, markup
		// arguments are kept.
		"th": func(key string, args ...any) template.HTML { return translateHTML(lang, key, args...) },
		"plural": func(n int, key string) string {
			return translate(lang, key+"."+pluralForm(lang, n), formatNum(lang, n))
		},
		"num":        func(n int) string { return formatNum(lang, n) },
		"status":     func(s invite.Status) string { return translate(lang, "status."+string(s)) },
		"attempt":    func(s invite.AttemptStatus) string { return translate(lang, "attempt."+string(s)) },
		"channel":    func(c invite.Channel) string { return translate(lang, "channel."+string(c)) },
		"reason":     func(r *invite.Reason) string { return reasonText(lang, r) },
		"userReason": func(u invite.User) string { return userReasonText(lang, u) },
		"label":      func(r *invite.Reason) string { return reasonLabel(lang, r) },
		"cause":      func(msg string) string { return causeText(lang, msg) },
		"userLabel":  func(u invite.User) string { return userLabelText(lang, u) },
		"dict":       dict,
		"warning": func(w invite.Warning) string {
			if msg, ok := lookup(lang, "reason."+w.Code); ok {
				return msg
			}
			return w.Message
		},
		// Replaced per page by the viewer's dateFormatter (render).
		"date":   dateFormatter{lang: lang, loc: time.UTC, now: time.Now()}.html,
		"bytes":  formatBytes,
		"issue":  func(is userimport.Issue) string { return issueText(lang, is) },
		"column": func(field string) string { return columnName(lang, field) },
		// language names a user's locale ("ru") as the reader says it.
		"language": func(locale string) string {
			if name, ok := lookup(lang, "lang."+locale); ok {
				return name
			}
			return locale
		},
	}
}

// reasonText is an error reason in the viewer's language, with the detail
// (a provider's answer) as it came.
func reasonText(lang string, r *invite.Reason) string {
	if r == nil {
		return ""
	}
	msg, ok := lookup(lang, "reason."+r.Code)
	if !ok {
		return r.Message
	}
	if d := r.Detail(); d != "" {
		msg += " (" + causeText(lang, d) + ")"
	}
	return msg
}

func formatNum(lang string, n int) string {
	s := fmt.Sprint(n)
	sep := ","
	if lang == "ru" {
		sep = "\u00a0"
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	files := http.FileServerFS(sub)
	return http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	}))
}
