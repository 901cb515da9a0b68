package config

import (
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"
)

// env returns a getenv over a map, as main passes os.Getenv.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

const hexKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

func TestLoadDefaults(t *testing.T) {
	got, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		DatabaseURL:    "postgres://postgres@127.0.0.1:5432/inviter?sslmode=disable",
		RedisURL:       "redis://127.0.0.1:6379/0",
		HTTPAddr:       ":8080",
		WorkerHTTPAddr: ":8081",
		AppURL:         "http://localhost:8080",
		AdminLogin:     "admin",
		SMTP: SMTP{Port: 587, From: "Inviter <no-reply@localhost>", PoolSize: 16,
			Timeout: 30 * time.Second},
		Vonage:             Vonage{From: "Inviter", BaseURL: "https://rest.nexmo.com/sms"},
		RetryBaseDelay:     10 * time.Second,
		MaxRetries:         8,
		InviteTTL:          72 * time.Hour,
		DefaultLocale:      "en",
		WorkerConcurrency:  50,
		EnqueueConcurrency: 16,
		ReconcileInterval:  30 * time.Second,
		ReconcileGrace:     time.Minute,
		LogLevel:           slog.LevelInfo,
		ShutdownTimeout:    30 * time.Second,
		Import:             Import{MaxBytes: 64 << 20, MaxRows: 200_000},
		Bounce:             Bounce{PollInterval: time.Minute, MaxBytes: 1 << 20},
		DevOutbox:          DevOutbox{TTL: 24 * time.Hour},
		SignIn:             SignIn{AccountLimit: 10, AddressLimit: 100, Window: 15 * time.Minute, MaxWaiting: 32},
		Database:           Database{MaxConns: 32, StatementTimeout: time.Minute, StartTimeout: time.Minute},
		Users:              Users{WaitingAlertAfter: 5 * time.Minute},
		Perf:               Perf{DirectEnqueue: 100},
		Pages:              Pages{ProductName: "Inviter", DefaultTimeZone: time.UTC, ImportKeepTTL: 30 * time.Minute, ImportKeepMax: 20},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load(empty) =\n%#v\nwant\n%#v", got, want)
	}
	// The dev outbox is an explicit choice (DEV_OUTBOX=1), never the
	// consequence of a missing provider: without it both channels are off.
	if got.EmailDev() || got.SMSDev() || !got.EmailUnavailable() || !got.SMSUnavailable() {
		t.Errorf("EmailDev, SMSDev = %v, %v; want no dev outbox and both channels unavailable", got.EmailDev(), got.SMSDev())
	}
}

func TestLoadValues(t *testing.T) {
	got, err := Load(env(map[string]string{
		"DATABASE_URL":              "postgresql://inviter:pw@db.internal:5433/inviter",
		"REDIS_URL":                 "rediss://:pw@cache:6380/2",
		"HTTP_ADDR":                 "127.0.0.1:9000",
		"WORKER_HTTP_ADDR":          "[::1]:9001",
		"APP_URL":                   "https://invite.example.com/",
		"ADMIN_LOGIN":               "  root  ",
		"ADMIN_PASSWORD":            " spaces kept ",
		"SMTP_HOST":                 "smtp.example.com",
		"SMTP_PORT":                 "465",
		"SMTP_USERNAME":             "mailer",
		"SMTP_PASSWORD":             "smtp-secret",
		"SMTP_FROM":                 "HR <hr@example.com>",
		"VONAGE_API_KEY":            "key",
		"VONAGE_API_SECRET":         "vonage-secret",
		"VONAGE_FROM":               "79051111111",
		"VONAGE_BASE_URL":           "http://127.0.0.1:4000/sms/",
		"RETRY_BASE_DELAY":          "1m30s",
		"MAX_RETRIES":               "0",
		"INVITE_TTL":                "24h",
		"DEFAULT_LOCALE":            "RU",
		"WORKER_CONCURRENCY":        "1000",
		"SECRET_KEY":                hexKey,
		"SMTP_POOL_SIZE":            "1",
		"SMTP_TIMEOUT":              "5s",
		"SMTP_INSECURE_SKIP_VERIFY": "true",
		"TEMPLATES_DIR":             "/etc/inviter/templates",
		"RECONCILE_INTERVAL":        "10s",
		"RECONCILE_GRACE":           "5m",
		"ENQUEUE_CONCURRENCY":       "4",
		"LOG_LEVEL":                 "Debug",
		"SHUTDOWN_TIMEOUT":          "1m",
	}))
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", name, got, want)
		}
	}
	check("AppURL", got.AppURL, "https://invite.example.com")
	check("AdminLogin", got.AdminLogin, "root")
	check("AdminPassword", got.AdminPassword, " spaces kept ")
	check("SMTP", got.SMTP, SMTP{Host: "smtp.example.com", Port: 465, Username: "mailer", Password: "smtp-secret",
		From: "HR <hr@example.com>", PoolSize: 1, Timeout: 5 * time.Second, InsecureSkipVerify: true})
	check("Vonage", got.Vonage, Vonage{APIKey: "key", APISecret: "vonage-secret", From: "79051111111",
		BaseURL: "http://127.0.0.1:4000/sms"})
	check("RetryBaseDelay", got.RetryBaseDelay, 90*time.Second)
	check("MaxRetries", got.MaxRetries, 0)
	check("DefaultLocale", got.DefaultLocale, "ru")
	check("WorkerConcurrency", got.WorkerConcurrency, 1000)
	check("SecretKey length", len(got.SecretKey), 32)
	check("LogLevel", got.LogLevel, slog.LevelDebug)
	check("ShutdownTimeout", got.ShutdownTimeout, time.Minute)
	if got.EmailDev() || got.SMSDev() {
		t.Error("EmailDev or SMSDev with SMTP_HOST and VONAGE_API_KEY set")
	}
}

func TestLoadProblems(t *testing.T) {
	tests := []struct {
		vars map[string]string
		want string // the one problem expected
	}{
		{map[string]string{"DATABASE_URL": "mysql://db/inviter"}, `DATABASE_URL: must be a URL with scheme postgres or postgresql, got scheme "mysql"`},
		{map[string]string{"DATABASE_URL": "postgres://u:p@h:badport/db"}, `DATABASE_URL: is not a valid URL`},
		{map[string]string{"REDIS_URL": "localhost:6379"}, `REDIS_URL: must be a URL with scheme redis or rediss or unix, got scheme "localhost"`},
		{map[string]string{"REDIS_URL": "redis:///0"}, `REDIS_URL: must be an absolute URL with a host`},
		{map[string]string{"HTTP_ADDR": "8080"}, `HTTP_ADDR: must be host:port or :port, got "8080"`},
		{map[string]string{"WORKER_HTTP_ADDR": ":http"}, `WORKER_HTTP_ADDR: must have a port from 0 to 65535, got ":http"`},
		{map[string]string{"APP_URL": "localhost:8080"}, `APP_URL: must be a URL with scheme http or https, got scheme "localhost"`},
		{map[string]string{"APP_URL": "/invite"}, `APP_URL: must be a URL with scheme http or https, got scheme ""`},
		{map[string]string{"APP_URL": "https:///path"}, `APP_URL: must be an absolute URL with a host`},
		{map[string]string{"ADMIN_LOGIN": "ad min"}, `ADMIN_LOGIN: must not contain spaces, got "ad min"`},
		{map[string]string{"ADMIN_PASSWORD": "short"}, `ADMIN_PASSWORD: is too weak: password must be at least 10 characters long`},
		{map[string]string{"ADMIN_PASSWORD": "xxxxxxxxxxxx"}, `ADMIN_PASSWORD: is too weak: password must not be one character repeated`},
		{map[string]string{"SMTP_PORT": "0"}, `SMTP_PORT: must be between 1 and 65535, got 0`},
		{map[string]string{"SMTP_PORT": "65536"}, `SMTP_PORT: must be between 1 and 65535, got 65536`},
		{map[string]string{"SMTP_PORT": "smtp"}, `SMTP_PORT: must be a positive integer, got "smtp"`},
		{map[string]string{"SMTP_PASSWORD": "pw"}, `SMTP_PASSWORD: is set but SMTP_USERNAME is not`},
		{map[string]string{"SMTP_HOST": "mail", "SMTP_FROM": "not an address"}, `SMTP_FROM: must be an e-mail address such as "Inviter <no-reply@localhost>", got "not an address"`},
		{map[string]string{"VONAGE_API_KEY": "key"}, `VONAGE_API_SECRET: is required when VONAGE_API_KEY is set`},
		{map[string]string{"VONAGE_FROM": "TwelveLetter"}, `VONAGE_FROM: must be up to 11 letters, digits and spaces, or a phone number of up to 15 digits, got "TwelveLetter"`},
		{map[string]string{"VONAGE_FROM": "Inviter!"}, `VONAGE_FROM: must be up to 11 letters, digits and spaces, or a phone number of up to 15 digits, got "Inviter!"`},
		{map[string]string{"VONAGE_BASE_URL": "rest.nexmo.com/sms"}, `VONAGE_BASE_URL: must be a URL with scheme http or https, got scheme ""`},
		{map[string]string{"RETRY_BASE_DELAY": "10"}, `RETRY_BASE_DELAY: must be a duration such as 10s, 5m or 72h, got "10"`},
		{map[string]string{"RETRY_BASE_DELAY": "0s"}, `RETRY_BASE_DELAY: must be positive, got "0s"`},
		{map[string]string{"MAX_RETRIES": "x"}, `MAX_RETRIES: must be a non-negative integer, got "x"`},
		{map[string]string{"MAX_RETRIES": "-1"}, `MAX_RETRIES: must be between 0 and 100, got -1`},
		{map[string]string{"MAX_RETRIES": "101"}, `MAX_RETRIES: must be between 0 and 100, got 101`},
		{map[string]string{"INVITE_TTL": "-72h"}, `INVITE_TTL: must be positive, got "-72h"`},
		{map[string]string{"DEFAULT_LOCALE": "de"}, `DEFAULT_LOCALE: must be one of en, ru, got "de"`},
		{map[string]string{"WORKER_CONCURRENCY": "0"}, `WORKER_CONCURRENCY: must be between 1 and 1000, got 0`},
		{map[string]string{"WORKER_CONCURRENCY": "1001"}, `WORKER_CONCURRENCY: must be between 1 and 1000, got 1001`},
		{map[string]string{"SECRET_KEY": "0011"}, `SECRET_KEY: secret key is 2 bytes, need at least 32 (e.g. 64 hex digits); generate one with: openssl rand -hex 32`},
		{map[string]string{"SECRET_KEY": "not a key!"}, `SECRET_KEY: secret key is neither hex nor base64; generate one with: openssl rand -hex 32`},
		{map[string]string{"SMTP_POOL_SIZE": "0"}, `SMTP_POOL_SIZE: must be between 1 and 100, got 0`},
		{map[string]string{"SMTP_TIMEOUT": "soon"}, `SMTP_TIMEOUT: must be a duration such as 10s, 5m or 72h, got "soon"`},
		{map[string]string{"SMTP_INSECURE_SKIP_VERIFY": "yes"}, `SMTP_INSECURE_SKIP_VERIFY: must be true or false, got "yes"`},
		{map[string]string{"RECONCILE_INTERVAL": "0"}, `RECONCILE_INTERVAL: must be positive, got "0"`},
		{map[string]string{"RECONCILE_GRACE": "1"}, `RECONCILE_GRACE: must be a duration such as 10s, 5m or 72h, got "1"`},
		{map[string]string{"ENQUEUE_CONCURRENCY": "many"}, `ENQUEUE_CONCURRENCY: must be a positive integer, got "many"`},
		{map[string]string{"LOG_LEVEL": "trace"}, `LOG_LEVEL: must be one of debug, info, warn, error, got "trace"`},
		{map[string]string{"SHUTDOWN_TIMEOUT": "-1s"}, `SHUTDOWN_TIMEOUT: must be positive, got "-1s"`},
	}
	for _, tt := range tests {
		t.Run(tt.want[:strings.IndexByte(tt.want, ':')], func(t *testing.T) {
			_, err := Load(env(tt.vars))
			var cerr *Error
			if !errors.As(err, &cerr) {
				t.Fatalf("Load(%v) = %v, want a *config.Error", tt.vars, err)
			}
			if len(cerr.Problems) != 1 {
				t.Fatalf("Load(%v) found %d problems, want 1:\n%v", tt.vars, len(cerr.Problems), err)
			}
			if got := cerr.Problems[0].Name + ": " + cerr.Problems[0].Message; got != tt.want {
				t.Errorf("problem\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestLoadAllProblems checks that one error lists every problem, in the
// order of the variables, and that an unset SMTP_HOST skips the SMTP_FROM
// check (the dev outbox needs no real sender).
func TestLoadAllProblems(t *testing.T) {
	_, err := Load(env(map[string]string{
		"SHUTDOWN_TIMEOUT": "forever",
		"MAX_RETRIES":      "x",
		"SMTP_FROM":        "nobody",
		"VONAGE_API_KEY":   "key",
		"APP_URL":          "ftp://files",
		"SECRET_KEY":       "abcd",
	}))
	want := `invalid configuration:
  - APP_URL: must be a URL with scheme http or https, got scheme "ftp"
  - VONAGE_API_SECRET: is required when VONAGE_API_KEY is set
  - MAX_RETRIES: must be a non-negative integer, got "x"
  - SECRET_KEY: secret key is 2 bytes, need at least 32 (e.g. 64 hex digits); generate one with: openssl rand -hex 32
  - SHUTDOWN_TIMEOUT: must be a duration such as 10s, 5m or 72h, got "forever"`
	if err == nil || err.Error() != want {
		t.Errorf("Load error:\n%v\nwant:\n%s", err, want)
	}
}

// TestLoadErrorsHideSecrets checks that no problem quotes a secret, even
// when the variable holding it is malformed.
func TestLoadErrorsHideSecrets(t *testing.T) {
	const s = "hunter2-hunter2"
	_, err := Load(env(map[string]string{
		"DATABASE_URL":   "postgres://u:" + s + "@h:port/db",
		"REDIS_URL":      "http://:" + s + "@cache",
		"ADMIN_PASSWORD": "hunter2",
		"SMTP_PASSWORD":  s,
		"SECRET_KEY":     s + "!",
	}))
	if err == nil {
		t.Fatal("Load succeeded, want problems")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error quotes a secret:\n%v", err)
	}
}
