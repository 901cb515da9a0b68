package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Rate is a provider's sending limit, such as 14 per second; the zero Rate
// means no limit.
type Rate struct {
	N   int
	Per time.Duration
}

// Unlimited reports whether r sets no limit.
func (r Rate) Unlimited() bool { return r.N <= 0 }

// String prints r as it is written in the environment (14/s).
func (r Rate) String() string {
	if r.Unlimited() {
		return "unlimited"
	}
	unit := map[time.Duration]string{time.Second: "s", time.Minute: "m", time.Hour: "h"}[r.Per]
	return fmt.Sprintf("%d/%s", r.N, unit)
}

// Operations are the settings of the people who run the service: the
// metrics endpoint and the providers' rate limits.
type Operations struct {
	MetricsToken string // METRICS_TOKEN: when set, /metrics needs it as a bearer token
	SMTPRate     Rate   // SMTP_RATE, for all workers together
	SMSRate      Rate   // SMS_RATE, for all workers together
}

func (l *loader) operations() Operations {
	return Operations{
		MetricsToken: l.secret("METRICS_TOKEN"),
		SMTPRate:     l.rate("SMTP_RATE"),
		SMSRate:      l.rate("SMS_RATE"),
	}
}

// rate reads N/s, N/m or N/h (unset: unlimited).
func (l *loader) rate(name string) Rate {
	s := l.str(name, "")
	if s == "" {
		return Rate{}
	}
	num, unit, ok := strings.Cut(strings.ReplaceAll(s, " ", ""), "/")
	n, err := strconv.Atoi(num)
	per := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour}[strings.ToLower(unit)]
	if !ok || err != nil || n < 1 || n > 1_000_000 || per == 0 {
		l.fail(name, "must be a rate such as 14/s, 600/m or 50000/h (1 to 1000000 per unit), got %q", s)
		return Rate{}
	}
	return Rate{N: n, Per: per}
}
