package web

import (
	"fmt"
	"html/template"
	"net/http"
	"time"
)

// tzCookie holds the viewer's time zone as the browser reports it
// (Intl.DateTimeFormat().resolvedOptions().timeZone); the page script sets
// it. Without it dates show in the configured default zone.
const tzCookie = "inviter_tz"

// viewerZone is the time zone the viewer reads dates in: the browser's,
// when the cookie names a zone we know, the default otherwise.
func viewerZone(r *http.Request, def *time.Location) *time.Location {
	if def == nil {
		def = time.UTC
	}
	c, err := r.Cookie(tzCookie)
	if err != nil || c.Value == "" || len(c.Value) > 64 || c.Value == "Local" {
		return def
	}
	loc, err := time.LoadLocation(c.Value)
	if err != nil {
		return def
	}
	return loc
}

// dateFormatter writes dates for one viewer: their language's format in
// their zone, and how long ago when that helps (within a day). The
// server keeps UTC; only the page shows local time.
type dateFormatter struct {
	lang string
	loc  *time.Location
	now  time.Time
}

// text is t as the viewer's language writes a date and time:
// "Nov 30, 2026, 14:21" or "30 нояб. 2026, 14:21".
func (d dateFormatter) text(t time.Time) string {
	t = t.In(d.loc)
	month := translate(d.lang, fmt.Sprintf("month.%d", int(t.Month())))
	if d.lang == "ru" {
		return fmt.Sprintf("%d %s %d, %s", t.Day(), month, t.Year(), t.Format("15:04"))
	}
	return fmt.Sprintf("%s %d, %d, %s", month, t.Day(), t.Year(), t.Format("15:04"))
}

// ago is how long before now t was, in words, or "" when it is more than a
// day ago (or in the future), where the date itself reads better.
func (d dateFormatter) ago(t time.Time) string {
	age := d.now.Sub(t)
	switch {
	case age < -time.Minute || age >= 24*time.Hour:
		return ""
	case age < time.Minute:
		return translate(d.lang, "time.just_now")
	case age < time.Hour:
		n := int(age / time.Minute)
		return translate(d.lang, "time.minutes_ago."+pluralForm(d.lang, n), n)
	default:
		n := int(age / time.Hour)
		return translate(d.lang, "time.hours_ago."+pluralForm(d.lang, n), n)
	}
}

// html is a <time> element: the machine-readable UTC instant, the date in
// the viewer's zone with the zone's name on hover, and how long ago.
func (d dateFormatter) html(t time.Time) template.HTML {
	abs := d.text(t)
	title := abs + " " + zoneName(t.In(d.loc))
	out := `<time datetime="` + template.HTMLEscapeString(t.UTC().Format(time.RFC3339)) + `" title="` +
		template.HTMLEscapeString(title) + `">` + template.HTMLEscapeString(abs)
	if a := d.ago(t); a != "" {
		out += ` <span class="ago">· ` + template.HTMLEscapeString(a) + `</span>`
	}
	return template.HTML(out + `</time>`) //nolint:gosec // every part is escaped above
}

// zoneName is the zone's abbreviation (MSK, UTC) or, when the zone has
// none and Go invents "+03", the offset as UTC+03:00.
func zoneName(t time.Time) string {
	name := t.Format("MST")
	if name != "" && (name[0] == '+' || name[0] == '-') {
		return "UTC" + t.Format("-07:00")
	}
	return name
}
