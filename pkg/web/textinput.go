package web

import (
	"net/http"
	"sort"

	"github.com/inviter/inviter/pkg/invite"
)

// badTextField returns the first form field or query parameter (in name
// order, so the answer is stable) whose name or value PostgreSQL could not
// take as text, or "" when all are fine. The page middleware calls it for
// every request, so no form or search reaches the database with a NUL.
func badTextField(r *http.Request) (string, bool) {
	values := r.Form
	if values == nil {
		values = r.URL.Query()
	}
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if invite.CheckText(name, name) != nil {
			return "?", true
		}
		for _, v := range values[name] {
			if invite.CheckText(name, v) != nil {
				return name, true
			}
		}
	}
	return "", false
}

// refuseBadText answers 400 naming the field when the request carries text
// that cannot be stored, and reports whether it did.
func (ui *UI) refuseBadText(w http.ResponseWriter, r *http.Request) bool {
	field, bad := badTextField(r)
	if !bad {
		return false
	}
	lang := viewerFrom(r.Context()).lang
	ui.render(w, r, http.StatusBadRequest, "error", errorPage{
		base:    ui.base(r, "error.title", ""),
		Heading: translate(lang, "error.400"),
		Message: translate(lang, "error.invalid_text", field),
	})
	return true
}
