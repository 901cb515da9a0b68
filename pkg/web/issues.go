package web

import (
	"strings"

	"github.com/inviter/inviter/pkg/userimport"
)

// issueText words an import issue in the viewer's language: the catalog's
// text for its code (and column), its particulars ({login}, {line}, ...)
// filled in; the importer's own message only for a code the catalog does
// not know.
func issueText(lang string, is userimport.Issue) string {
	var msg string
	found := false
	for _, key := range []string{"issue." + is.Code + "." + is.Args["what"], "issue." + is.Code + "." + is.Column, "issue." + is.Code,
		"reason." + is.Code, "code." + is.Code + "." + is.Column, "code." + is.Code} {
		if m, ok := lookup(lang, key); ok {
			msg, found = m, true
			break
		}
	}
	if !found {
		return is.Message
	}
	for k, v := range is.Args {
		if k == "fields" || k == "by" {
			v = fieldList(lang, v)
		}
		msg = strings.ReplaceAll(msg, "{"+k+"}", v)
	}
	return msg
}

// fieldList names comma-separated fields as the pages' columns do.
func fieldList(lang, fields string) string {
	var words []string
	for _, f := range strings.Split(fields, ",") {
		if f != "" {
			words = append(words, columnName(lang, f))
		}
	}
	return strings.Join(words, ", ")
}

// columnName is a field (login, first_name, ...) as the table's column
// header names it.
func columnName(lang, field string) string {
	if m, ok := lookup(lang, "col."+field); ok {
		return m
	}
	return field
}
