package delivery

import (
	"fmt"
	"strings"
	"time"
)

// TemplateOptions are the deployment's particulars an invitation carries:
// the product's name (PRODUCT_NAME) and the time zone in which it tells
// when the password stops working, for recipients whose zone is unknown
// (DEFAULT_TIMEZONE).
type TemplateOptions struct {
	ProductName string
	TimeZone    *time.Location
}

const defaultProductName = "Inviter"

func (o TemplateOptions) withDefaults() TemplateOptions {
	if strings.TrimSpace(o.ProductName) == "" {
		o.ProductName = defaultProductName
	}
	if o.TimeZone == nil {
		o.TimeZone = time.UTC
	}
	return o
}

// The month names as a date in running text needs them: Russian writes
// "3 декабря", in the genitive.
var monthNames = map[string][12]string{
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	"ru": {"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"},
}

// expiryText is when a password stops working, in the locale's words and
// the zone: "December 3, 2026, 14:21 (MSK)" or "3 декабря 2026, 14:21 (MSK)".
// A zero time is "".
func expiryText(locale string, t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(loc)
	zone := t.Format("MST")
	if zone != "" && (zone[0] == '+' || zone[0] == '-') {
		zone = "UTC" + t.Format("-07:00")
	}
	names, ok := monthNames[locale]
	if !ok {
		names = monthNames["en"]
	}
	month := names[t.Month()-1]
	if locale == "ru" {
		return fmt.Sprintf("%d %s %d, %s (%s)", t.Day(), month, t.Year(), t.Format("15:04"), zone)
	}
	return fmt.Sprintf("%s %d, %d, %s (%s)", month, t.Day(), t.Year(), t.Format("15:04"), zone)
}
