package config

import (
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// Users holds the settings of user editing and of the user table's alerts.
type Users struct {
	// DefaultRegion (DEFAULT_REGION, ISO 3166 such as RU) is where a phone
	// number typed without its country code is read for the suggested fix;
	// "" (the default unless DEFAULT_LOCALE is ru, which means RU) offers
	// none.
	DefaultRegion string
	// WaitingAlertAfter (WAITING_ALERT_AFTER) is how long invitations may
	// wait before the users page says so in a banner.
	WaitingAlertAfter time.Duration
}

// DefaultWaitingAlertAfter is a few times a normal delivery's worst case.
const DefaultWaitingAlertAfter = 5 * time.Minute

func (l *loader) users(defaultLocale string) Users {
	def := ""
	if defaultLocale == "ru" {
		def = "RU"
	}
	u := Users{DefaultRegion: strings.ToUpper(strings.TrimSpace(l.str("DEFAULT_REGION", def))),
		WaitingAlertAfter: l.duration("WAITING_ALERT_AFTER", DefaultWaitingAlertAfter)}
	if u.DefaultRegion != "" && phonenumbers.GetCountryCodeForRegion(u.DefaultRegion) == 0 {
		l.fail("DEFAULT_REGION", "must be a two-letter country code such as RU, got %q", u.DefaultRegion)
		u.DefaultRegion = def
	}
	return u
}
