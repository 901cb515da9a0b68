// Package config reads the settings of both binaries from environment
// variables. Load applies defaults, checks every value and reports all the
// problems at once; LogValue prints the result with secrets masked.
//
// The variables (an empty value counts as unset):
//
//	DATABASE_URL        postgres://postgres@127.0.0.1:5432/inviter?sslmode=disable
//	REDIS_URL           redis://127.0.0.1:6379/0 (redis, rediss or unix; or Sentinel:
//	                    redis-sentinel://[:password@]host:port[,host:port...]/master[/db];
//	                    or Cluster: redis-cluster://[:password@]host:port[,host:port...])
//	HTTP_ADDR           :8080, the API
//	WORKER_HTTP_ADDR    :8081, the worker's /healthz and /readyz
//	APP_URL             http://localhost:8080, absolute http(s) URL used in messages
//	ADMIN_LOGIN         admin
//	ADMIN_PASSWORD      optional; when set, the admin's password (10+ characters)
//	SMTP_HOST           unset: no e-mail (the dev outbox with DEV_OUTBOX=1)
//	SMTP_PORT           587
//	SMTP_USERNAME, SMTP_PASSWORD  optional
//	SMTP_FROM           Inviter <no-reply@localhost>
//	VONAGE_API_KEY      unset: no SMS (the dev outbox with DEV_OUTBOX=1)
//	VONAGE_API_SECRET   required with VONAGE_API_KEY
//	VONAGE_FROM         Inviter (11 letters and digits, or a phone number)
//	VONAGE_BASE_URL     https://rest.nexmo.com/sms
//	RETRY_BASE_DELAY    10s, first retry delay of a failed delivery
//	MAX_RETRIES         8 (0..100)
//	INVITE_TTL          72h, how long a temporary password works
//	DEFAULT_LOCALE      en (en or ru)
//	WORKER_CONCURRENCY  50 (1..1000)
//	SECRET_KEY          optional; hex or base64 of 32+ bytes (auth.DecodeSecretKey)
//
// Extras, with the same rules:
//
//	SMTP_POOL_SIZE            16 (1..100), SMTP connections kept open per worker
//	SMTP_TIMEOUT              30s, per SMTP dial and command
//	SMTP_INSECURE_SKIP_VERIFY false; true accepts a relay's self-signed certificate
//	TEMPLATES_DIR             optional directory whose templates override the built-in ones
//	RECONCILE_INTERVAL        30s, how often the worker requeues lost tasks
//	RECONCILE_GRACE           1m, how old a waiting attempt must be to count as lost
//	ENQUEUE_CONCURRENCY       16 (1..1000), parallel enqueues when the API invites in bulk
//	LOG_LEVEL                 info (debug, info, warn or error)
//	SHUTDOWN_TIMEOUT          30s, how long a binary waits for work in flight on SIGTERM
//	IMPORT_MAX_BYTES          64MiB (1KiB..1GiB; plain bytes or K, M, G), largest file a user import reads
//	IMPORT_MAX_ROWS           200000 (1..10000000), most data rows a user import reads
//	METRICS_TOKEN             optional; when set, GET /metrics needs Authorization: Bearer <it>
//	SMTP_RATE, SMS_RATE       unlimited; e.g. 14/s, 600/m, 50000/h, for all workers together
//
// and those of hardening.go (DEV_OUTBOX, sign-in limits, DB_MAX_CONNS, ...).
//
//	INVITE_DIRECT_ENQUEUE     100 (0..100000), batches up to this many attempts are enqueued by the api itself
//	PERF_OFF                  optional, for benchmarks: group_commit, prepared_statements, smtp_pipelining, send_groups
//	PRODUCT_NAME              Inviter, the product's name in invitations and page titles
//	PLATFORM_URL              (unset: the account page), where a user goes after choosing a password
//	DEFAULT_TIMEZONE          UTC, the time zone of dates for a reader whose zone is unknown
//	IMPORT_KEEP_TTL           30m, how long a checked import file is kept for "Import this file"
//	IMPORT_KEEP_MAX           20 (1..1000), most checked import files kept at once
package config

import (
	"log/slog"
	"time"
)

// Config is the configuration of the api and worker binaries; each uses the
// fields it needs.
type Config struct {
	DatabaseURL    string
	RedisURL       string
	HTTPAddr       string
	WorkerHTTPAddr string
	AppURL         string // without a trailing slash
	AdminLogin     string
	AdminPassword  string // "" when unset
	SMTP           SMTP
	Vonage         Vonage

	RetryBaseDelay     time.Duration
	MaxRetries         int
	InviteTTL          time.Duration
	DefaultLocale      string
	WorkerConcurrency  int
	EnqueueConcurrency int
	ReconcileInterval  time.Duration
	ReconcileGrace     time.Duration
	SecretKey          []byte // nil when SECRET_KEY is unset
	TemplatesDir       string
	LogLevel           slog.Level
	ShutdownTimeout    time.Duration
	Import             Import // limits of user imports (the api)
	Ops                Operations
	Bounce             Bounce    // bounces and delivery receipts (bounce.go)
	DevOutbox          DevOutbox // see hardening.go
	SignIn             SignIn
	Database           Database
	Users              Users // user editing and the users page's alerts (the api)
	Perf               Perf  // the bulk path's performance mechanisms
	Pages              Pages // names, addresses and zones people read
}

// SMTP is how the worker sends e-mail.
type SMTP struct {
	Host               string // "" means the dev outbox
	Port               int
	Username           string
	Password           string
	From               string // an RFC 5322 address, possibly with a name
	PoolSize           int
	Timeout            time.Duration
	InsecureSkipVerify bool
}

// Vonage is how the worker sends SMS.
type Vonage struct {
	APIKey    string // "" means the dev outbox
	APISecret string
	From      string
	BaseURL   string
}

// EmailDev reports whether e-mail goes to the dev outbox (SMTP_HOST unset
// and DEV_OUTBOX=1).
func (c Config) EmailDev() bool { return c.SMTP.Host == "" && c.DevOutbox.Enabled }

// SMSDev reports whether SMS goes to the dev outbox (VONAGE_API_KEY unset
// and DEV_OUTBOX=1).
func (c Config) SMSDev() bool { return c.Vonage.APIKey == "" && c.DevOutbox.Enabled }
