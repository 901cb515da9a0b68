package config

import (
	"log/slog"
	"net/url"
	"strings"
)

// masked stands for a secret that is set (an unset one shows as ""), and
// maskedURL for a password inside a URL, as in url.URL.Redacted.
const (
	masked    = "[set]"
	maskedURL = "xxxxx"
)

// LogValue lets slog print the configuration without its secrets: passwords,
// the Vonage secret and SECRET_KEY show only whether they are set, and the
// passwords inside DATABASE_URL and REDIS_URL are replaced.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(append([]slog.Attr{
		slog.String("database_url", maskURL(c.DatabaseURL)),
		slog.String("redis_url", maskURL(c.RedisURL)),
		slog.String("http_addr", c.HTTPAddr),
		slog.String("worker_http_addr", c.WorkerHTTPAddr),
		slog.String("app_url", c.AppURL),
		slog.String("admin_login", c.AdminLogin),
		slog.String("admin_password", mask(c.AdminPassword)),
		slog.Any("smtp", c.SMTP),
		slog.Any("vonage", c.Vonage),
		slog.String("retry_base_delay", c.RetryBaseDelay.String()),
		slog.Int("max_retries", c.MaxRetries),
		slog.String("invite_ttl", c.InviteTTL.String()),
		slog.String("default_locale", c.DefaultLocale),
		slog.String("default_region", c.Users.DefaultRegion),
		slog.String("waiting_alert_after", c.Users.WaitingAlertAfter.String()),
		slog.Int("worker_concurrency", c.WorkerConcurrency),
		slog.Int("enqueue_concurrency", c.EnqueueConcurrency),
		slog.String("reconcile_interval", c.ReconcileInterval.String()),
		slog.String("reconcile_grace", c.ReconcileGrace.String()),
		slog.String("secret_key", mask(string(c.SecretKey))),
		slog.String("templates_dir", c.TemplatesDir),
		slog.String("log_level", c.LogLevel.String()),
		slog.String("shutdown_timeout", c.ShutdownTimeout.String()),
		slog.Int64("import_max_bytes", c.Import.MaxBytes),
		slog.Int("import_max_rows", c.Import.MaxRows),
		slog.String("metrics_token", mask(c.Ops.MetricsToken)),
		slog.String("smtp_rate", c.Ops.SMTPRate.String()),
		slog.String("sms_rate", c.Ops.SMSRate.String()),
		slog.Any("bounce", c.Bounce),
		slog.String("product_name", c.Pages.ProductName),
		slog.String("platform_url", c.Pages.PlatformURL),
		slog.String("default_timezone", c.Pages.DefaultTimeZone.String()),
		slog.String("import_keep_ttl", c.Pages.ImportKeepTTL.String()),
	}, c.hardeningAttrs()...)...)
}

// LogValue masks the SMTP password.
func (s SMTP) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("host", s.Host),
		slog.Int("port", s.Port),
		slog.String("username", s.Username),
		slog.String("password", mask(s.Password)),
		slog.String("from", s.From),
		slog.Int("pool_size", s.PoolSize),
		slog.String("timeout", s.Timeout.String()),
		slog.Bool("insecure_skip_verify", s.InsecureSkipVerify),
	)
}

// LogValue masks the API secret.
func (v Vonage) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("api_key", v.APIKey),
		slog.String("api_secret", mask(v.APISecret)),
		slog.String("from", v.From),
		slog.String("base_url", v.BaseURL),
	)
}

// String keeps secrets out of fmt output (%v, %s) as well.
func (c Config) String() string { return c.LogValue().Resolve().String() }

// String keeps the password out of fmt output.
func (s SMTP) String() string { return s.LogValue().String() }

// String keeps the secret out of fmt output.
func (v Vonage) String() string { return v.LogValue().String() }

func mask(secret string) string {
	if secret == "" {
		return ""
	}
	return masked
}

// maskURL replaces the password in the user info and in password or
// sslpassword query parameters (which libpq accepts too).
func maskURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return maskedURL // unparsable: it may hold anything
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), maskedURL)
	}
	q := u.Query()
	changed := false
	for k := range q {
		if lk := strings.ToLower(k); lk == "password" || lk == "sslpassword" {
			q.Set(k, maskedURL)
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.String()
}
