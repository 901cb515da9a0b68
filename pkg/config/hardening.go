package config

import (
	"log/slog"
	"net/netip"
	"strings"
	"time"
)

// The variables of this file (an empty value counts as unset):
//
//	DEV_OUTBOX            false; true (1) sends a channel without a provider to the dev outbox
//	OUTBOX_TTL            24h, how long a dev outbox message (it holds a password) is kept
//	SIGNIN_ACCOUNT_LIMIT  10, sign-in attempts per account per SIGNIN_WINDOW (0 turns it off)
//	SIGNIN_ADDRESS_LIMIT  100, sign-in attempts per client address per SIGNIN_WINDOW (0 turns it off)
//	SIGNIN_WINDOW         15m
//	SIGNIN_MAX_WAITING    32, password checks that may wait for CPU before sign-ins get a 503
//	TRUSTED_PROXIES       comma-separated CIDRs whose X-Forwarded-For is believed (none by default)
//	DB_MAX_CONNS          32 (1..1000), open PostgreSQL connections per process
//	DB_STATEMENT_TIMEOUT  60s, longest SQL statement (0s: none)
//	DB_START_TIMEOUT      60s, how long a start waits for PostgreSQL, with bounded backoff
//	IMPORT_TMP_DIR        the system's (TMPDIR, else /tmp), where uploads are spooled

// DevOutbox is the development outbox: an explicit choice, never the
// consequence of a missing provider.
type DevOutbox struct {
	Enabled bool          // DEV_OUTBOX
	TTL     time.Duration // OUTBOX_TTL
}

// SignIn guards sign-in: attempts per account and per client address
// across replicas, and how many password checks may queue for CPU.
type SignIn struct {
	AccountLimit   int
	AddressLimit   int
	Window         time.Duration
	MaxWaiting     int
	TrustedProxies []netip.Prefix
}

// Database sizes and bounds the PostgreSQL pool.
type Database struct {
	MaxConns         int
	StatementTimeout time.Duration // 0: none
	StartTimeout     time.Duration
}

func (l *loader) hardening(c *Config) {
	c.DevOutbox = DevOutbox{Enabled: l.bool("DEV_OUTBOX"), TTL: l.duration("OUTBOX_TTL", 24*time.Hour)}
	c.SignIn = SignIn{
		AccountLimit:   l.int("SIGNIN_ACCOUNT_LIMIT", 10, 0, 1_000_000),
		AddressLimit:   l.int("SIGNIN_ADDRESS_LIMIT", 100, 0, 1_000_000),
		Window:         l.duration("SIGNIN_WINDOW", 15*time.Minute),
		MaxWaiting:     l.int("SIGNIN_MAX_WAITING", 32, 1, 100_000),
		TrustedProxies: l.prefixes("TRUSTED_PROXIES"),
	}
	c.Database = Database{
		MaxConns:         l.int("DB_MAX_CONNS", 32, 1, 1000),
		StatementTimeout: l.optionalDuration("DB_STATEMENT_TIMEOUT", time.Minute),
		StartTimeout:     l.duration("DB_START_TIMEOUT", time.Minute),
	}
	c.Import.TempDir = l.str("IMPORT_TMP_DIR", "")
}

// prefixes reads comma-separated CIDRs; a bare address is a one-address
// prefix.
func (l *loader) prefixes(name string) []netip.Prefix {
	var out []netip.Prefix
	for _, part := range strings.Split(l.str(name, ""), ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if a, err := netip.ParseAddr(part); err == nil {
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			l.fail(name, "must be comma-separated CIDRs such as 10.0.0.0/8, got %q", part)
			continue
		}
		out = append(out, p.Masked())
	}
	return out
}

// optionalDuration is a duration where 0 (or 0s) means none.
func (l *loader) optionalDuration(name string, def time.Duration) time.Duration {
	if s := l.str(name, ""); s == "0" || s == "0s" {
		return 0
	}
	return l.duration(name, def)
}

// EmailUnavailable reports whether e-mail cannot be sent at all: no SMTP
// server and no dev outbox.
func (c Config) EmailUnavailable() bool { return c.SMTP.Host == "" && !c.DevOutbox.Enabled }

// SMSUnavailable reports whether SMS cannot be sent at all: no Vonage
// account and no dev outbox.
func (c Config) SMSUnavailable() bool { return c.Vonage.APIKey == "" && !c.DevOutbox.Enabled }

// hardeningAttrs are this file's settings as the configuration log prints
// them.
func (c Config) hardeningAttrs() []slog.Attr {
	proxies := make([]string, len(c.SignIn.TrustedProxies))
	for i, p := range c.SignIn.TrustedProxies {
		proxies[i] = p.String()
	}
	return []slog.Attr{
		slog.Bool("dev_outbox", c.DevOutbox.Enabled),
		slog.String("outbox_ttl", c.DevOutbox.TTL.String()),
		slog.Int("signin_account_limit", c.SignIn.AccountLimit),
		slog.Int("signin_address_limit", c.SignIn.AddressLimit),
		slog.String("signin_window", c.SignIn.Window.String()),
		slog.Int("signin_max_waiting", c.SignIn.MaxWaiting),
		slog.String("trusted_proxies", strings.Join(proxies, ",")),
		slog.Int("db_max_conns", c.Database.MaxConns),
		slog.String("db_statement_timeout", c.Database.StatementTimeout.String()),
		slog.String("db_start_timeout", c.Database.StartTimeout.String()),
		slog.String("import_tmp_dir", c.Import.TempDir),
	}
}
