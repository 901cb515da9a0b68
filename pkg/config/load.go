package config

import (
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"github.com/inviter/inviter/pkg/auth"
)

// Defaults of the variables that have one.
const (
	DefaultDatabaseURL    = "postgres://postgres@127.0.0.1:5432/inviter?sslmode=disable"
	DefaultRedisURL       = "redis://127.0.0.1:6379/0"
	DefaultHTTPAddr       = ":8080"
	DefaultWorkerHTTPAddr = ":8081"
	DefaultAppURL         = "http://localhost:8080"
	DefaultSMTPFrom       = "Inviter <no-reply@localhost>"
	DefaultVonageBaseURL  = "https://rest.nexmo.com/sms"
)

// Load reads the configuration through getenv (os.Getenv in main, a map in
// tests). It returns every problem in one *Error, in the order of the
// variables in the package comment, so an operator fixes them in one go.
func Load(getenv func(string) string) (Config, error) {
	l := &loader{getenv: getenv}
	var c Config
	c.DatabaseURL = l.url("DATABASE_URL", DefaultDatabaseURL, "postgres", "postgresql")
	c.RedisURL = l.redisURL("REDIS_URL", DefaultRedisURL)
	c.HTTPAddr = l.addr("HTTP_ADDR", DefaultHTTPAddr)
	c.WorkerHTTPAddr = l.addr("WORKER_HTTP_ADDR", DefaultWorkerHTTPAddr)
	c.AppURL = strings.TrimRight(l.url("APP_URL", DefaultAppURL, "http", "https"), "/")
	c.AdminLogin = l.login("ADMIN_LOGIN", "admin")
	c.AdminPassword = l.password("ADMIN_PASSWORD")

	c.SMTP.Host = l.str("SMTP_HOST", "")
	c.SMTP.Port = l.int("SMTP_PORT", 587, 1, 65535)
	c.SMTP.Username = l.str("SMTP_USERNAME", "")
	if c.SMTP.Password = l.secret("SMTP_PASSWORD"); c.SMTP.Password != "" && c.SMTP.Username == "" {
		l.fail("SMTP_PASSWORD", "is set but SMTP_USERNAME is not")
	}
	c.SMTP.From = l.str("SMTP_FROM", DefaultSMTPFrom)
	if _, err := mail.ParseAddress(c.SMTP.From); err != nil && c.SMTP.Host != "" {
		l.fail("SMTP_FROM", "must be an e-mail address such as %q, got %q", DefaultSMTPFrom, c.SMTP.From)
	}

	c.Vonage.APIKey = l.str("VONAGE_API_KEY", "")
	if c.Vonage.APISecret = l.secret("VONAGE_API_SECRET"); c.Vonage.APISecret == "" && c.Vonage.APIKey != "" {
		l.fail("VONAGE_API_SECRET", "is required when VONAGE_API_KEY is set")
	}
	if c.Vonage.From = l.str("VONAGE_FROM", "Inviter"); !validSenderID(c.Vonage.From) {
		l.fail("VONAGE_FROM", "must be up to 11 letters, digits and spaces, or a phone number of up to 15 digits, got %q", c.Vonage.From)
	}
	c.Vonage.BaseURL = strings.TrimRight(l.url("VONAGE_BASE_URL", DefaultVonageBaseURL, "http", "https"), "/")

	c.RetryBaseDelay = l.duration("RETRY_BASE_DELAY", 10*time.Second)
	c.MaxRetries = l.int("MAX_RETRIES", 8, 0, 100)
	c.InviteTTL = l.duration("INVITE_TTL", 72*time.Hour)
	c.DefaultLocale = l.oneOf("DEFAULT_LOCALE", "en", "en", "ru")
	// 50: a try mostly waits on PostgreSQL, Redis and SMTP round trips, so
	// throughput grows with the tasks in flight; BenchmarkEndToEndProcesses
	// measured 50 at about twice 20, 100 no better than 50, and the worker
	// at 35 MiB RSS.
	c.WorkerConcurrency = l.int("WORKER_CONCURRENCY", 50, 1, 1000)
	c.SecretKey = l.secretKey("SECRET_KEY")

	// 16: a message costs two round trips to the relay, so the pool bounds
	// the rate to about 16 / (2 x RTT); BenchmarkSMTPPool, with a relay 5 ms
	// away, measured 4, 8 and 16 connections at 1 : 1.4 : 1.9, for the same
	// memory. Keep replicas x SMTP_POOL_SIZE under the relay's limit of
	// connections per client (Postfix: 50).
	c.SMTP.PoolSize = l.int("SMTP_POOL_SIZE", 16, 1, 100)
	c.SMTP.Timeout = l.duration("SMTP_TIMEOUT", 30*time.Second)
	c.SMTP.InsecureSkipVerify = l.bool("SMTP_INSECURE_SKIP_VERIFY")
	c.TemplatesDir = l.str("TEMPLATES_DIR", "")
	c.ReconcileInterval = l.duration("RECONCILE_INTERVAL", 30*time.Second)
	c.ReconcileGrace = l.duration("RECONCILE_GRACE", time.Minute)
	c.EnqueueConcurrency = l.int("ENQUEUE_CONCURRENCY", 16, 1, 1000)
	c.LogLevel = l.logLevel("LOG_LEVEL")
	c.ShutdownTimeout = l.duration("SHUTDOWN_TIMEOUT", 30*time.Second)
	c.Import = l.importLimits()
	c.Ops = l.operations()
	c.Bounce = l.bounce()
	l.hardening(&c)
	c.Users = l.users(c.DefaultLocale)
	c.Perf = l.perf()
	c.Pages = l.pages()

	if len(l.problems) > 0 {
		return Config{}, &Error{Problems: l.problems}
	}
	return c, nil
}

// validSenderID follows Vonage's rules for the "from" of an SMS: an
// alphanumeric sender id of at most 11 characters, or a number.
func validSenderID(s string) bool {
	digits := strings.TrimPrefix(s, "+")
	if digits != "" && strings.Trim(digits, "0123456789") == "" {
		return len(digits) <= 15
	}
	if s == "" || len(s) > 11 {
		return false
	}
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ") == ""
}

func (l *loader) login(name, def string) string {
	s := l.str(name, def)
	if strings.ContainsAny(s, " \t\r\n") {
		l.fail(name, "must not contain spaces, got %q", s)
	}
	return s
}

// password reads an optional password and applies the rules for chosen
// passwords to it.
func (l *loader) password(name string) string {
	s := l.secret(name)
	if s == "" {
		return ""
	}
	if err := auth.ValidateNewPassword(s); err != nil {
		l.fail(name, "is too weak: %s", passwordProblem(err))
	}
	return s
}

func (l *loader) secretKey(name string) []byte {
	s := l.secret(name)
	if s == "" {
		return nil
	}
	key, err := auth.DecodeSecretKey(s)
	if err != nil {
		l.fail(name, "%s; generate one with: openssl rand -hex 32", strings.TrimPrefix(err.Error(), "auth: "))
	}
	return key
}

func (l *loader) logLevel(name string) slog.Level {
	switch l.oneOf(name, "info", "debug", "info", "warn", "error") {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}
