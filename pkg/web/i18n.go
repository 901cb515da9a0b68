package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// languages are the UI's languages; the first is the default.
var languages = []string{"en", "ru"}

// chooseLang picks the page language: ?lang= (remembered in a cookie by
// the page middleware), then the cookie, then the browser's preference.
func chooseLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); knownLang(l) {
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && knownLang(c.Value) {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if knownLang(base) {
			return base
		}
	}
	return languages[0]
}

func knownLang(l string) bool {
	for _, k := range languages {
		if l == k {
			return true
		}
	}
	return false
}

// translate returns the catalog's text for key, formatted with args; a
// missing key shows as itself (the package's tests keep the catalogs
// complete).
func translate(lang, key string, args ...any) string {
	msg, ok := lookup(lang, key)
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// translateHTML is translate for a text some of whose arguments are markup
// (template.HTML): the catalog's text and the other arguments are escaped.
func translateHTML(lang, key string, args ...any) template.HTML {
	msg, ok := lookup(lang, key)
	if !ok {
		msg = key
	}
	safe := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case template.HTML:
			safe[i] = string(v)
		case string:
			safe[i] = template.HTMLEscapeString(v)
		default:
			safe[i] = v
		}
	}
	return template.HTML(fmt.Sprintf(template.HTMLEscapeString(msg), safe...)) //nolint:gosec // escaped above
}

func lookup(lang, key string) (string, bool) {
	msg, ok := catalog[lang][key]
	return msg, ok
}

// pluralForm is the CLDR plural category of n in lang ("one", "few",
// "many", "other", ...), as golang.org/x/text's plural rules give it.
func pluralForm(lang string, n int) string {
	if n < 0 {
		n = -n
	}
	tag := language.English
	if lang == "ru" {
		tag = language.Russian
	}
	switch plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0) {
	case plural.Zero:
		return "zero"
	case plural.One:
		return "one"
	case plural.Two:
		return "two"
	case plural.Few:
		return "few"
	case plural.Many:
		return "many"
	default:
		return "other"
	}
}
