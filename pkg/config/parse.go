package config

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// loader reads variables and collects problems instead of stopping at the
// first one. Every method returns a usable value (the default) on error.
type loader struct {
	getenv   func(string) string
	problems []Problem
}

func (l *loader) fail(name, format string, args ...any) {
	l.problems = append(l.problems, Problem{Name: name, Message: fmt.Sprintf(format, args...)})
}

// str returns the trimmed value, or def when it is empty.
func (l *loader) str(name, def string) string {
	if v := strings.TrimSpace(l.getenv(name)); v != "" {
		return v
	}
	return def
}

// secret returns the value as it is: spaces may be part of a password.
func (l *loader) secret(name string) string { return l.getenv(name) }

func (l *loader) int(name string, def, lo, hi int) int {
	s := l.str(name, "")
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	switch {
	case err != nil && lo == 0:
		l.fail(name, "must be a non-negative integer, got %q", s)
	case err != nil && lo == 1:
		l.fail(name, "must be a positive integer, got %q", s)
	case err != nil:
		l.fail(name, "must be an integer, got %q", s)
	case n < lo || n > hi:
		l.fail(name, "must be between %d and %d, got %d", lo, hi, n)
	default:
		return n
	}
	return def
}

// duration reads a positive Go duration such as 10s or 1h30m.
func (l *loader) duration(name string, def time.Duration) time.Duration {
	s := l.str(name, "")
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		l.fail(name, "must be a duration such as 10s, 5m or 72h, got %q", s)
	case d <= 0:
		l.fail(name, "must be positive, got %q", s)
	default:
		return d
	}
	return def
}

func (l *loader) bool(name string) bool {
	s := l.str(name, "false")
	b, err := strconv.ParseBool(s)
	if err != nil {
		l.fail(name, "must be true or false, got %q", s)
	}
	return b
}

// oneOf reads a value from a fixed set, ignoring case.
func (l *loader) oneOf(name, def string, allowed ...string) string {
	s := strings.ToLower(l.str(name, def))
	if !slices.Contains(allowed, s) {
		l.fail(name, "must be one of %s, got %q", strings.Join(allowed, ", "), s)
		return def
	}
	return s
}

// url reads an absolute URL with one of the schemes. The message never
// quotes the value, which may hold a password.
func (l *loader) url(name, def string, schemes ...string) string {
	s := l.str(name, def)
	u, err := url.Parse(s)
	switch {
	case err != nil:
		l.fail(name, "is not a valid URL")
	case !slices.Contains(schemes, u.Scheme):
		l.fail(name, "must be a URL with scheme %s, got scheme %q", strings.Join(schemes, " or "), u.Scheme)
	case u.Host == "" && u.Scheme != "unix" && u.Scheme != "postgres" && u.Scheme != "postgresql":
		l.fail(name, "must be an absolute URL with a host")
	default:
		return s
	}
	return def
}

// addr reads a listen address host:port, the host optional.
func (l *loader) addr(name, def string) string {
	s := l.str(name, def)
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		l.fail(name, "must be host:port or :port, got %q", s)
		return def
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		l.fail(name, "must have a port from 0 to 65535, got %q", s)
		return def
	}
	return s
}
