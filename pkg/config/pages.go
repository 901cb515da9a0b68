package config

import (
	"strings"
	"time"
	// The zone database inside the binary: a slim container image often
	// has no /usr/share/zoneinfo, and DEFAULT_TIMEZONE and the zones that
	// browsers report must resolve everywhere.
	_ "time/tzdata"
)

// Pages are the settings of what people read: the product's name in the
// invitation, where a new user goes after choosing a password, the time
// zone of dates when the reader's is unknown, and how long a checked
// import file is kept for "Import this file".
type Pages struct {
	ProductName     string         // PRODUCT_NAME
	PlatformURL     string         // PLATFORM_URL; "" means the account page
	DefaultTimeZone *time.Location // DEFAULT_TIMEZONE
	ImportKeepTTL   time.Duration  // IMPORT_KEEP_TTL
	ImportKeepMax   int            // IMPORT_KEEP_MAX
}

// Defaults of the page settings.
const (
	DefaultProductName   = "Inviter"
	DefaultTimeZone      = "UTC"
	DefaultImportKeepTTL = 30 * time.Minute
	DefaultImportKeepMax = 20
)

func (l *loader) pages() Pages {
	p := Pages{
		ProductName:   strings.TrimSpace(l.str("PRODUCT_NAME", DefaultProductName)),
		ImportKeepTTL: l.duration("IMPORT_KEEP_TTL", DefaultImportKeepTTL),
		ImportKeepMax: l.int("IMPORT_KEEP_MAX", DefaultImportKeepMax, 1, 1000),
	}
	if p.ProductName == "" || len(p.ProductName) > 100 || strings.ContainsAny(p.ProductName, "\r\n") {
		l.fail("PRODUCT_NAME", "must be one line of 1 to 100 characters, got %q", p.ProductName)
	}
	if l.str("PLATFORM_URL", "") != "" {
		p.PlatformURL = l.url("PLATFORM_URL", "", "http", "https")
	}
	zone := l.str("DEFAULT_TIMEZONE", DefaultTimeZone)
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "Local" {
		l.fail("DEFAULT_TIMEZONE", "must be an IANA time zone such as Europe/Moscow or UTC, got %q", zone)
		loc = time.UTC
	}
	p.DefaultTimeZone = loc
	return p
}
