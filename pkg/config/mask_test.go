package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestMaskURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://postgres@127.0.0.1:5432/inviter?sslmode=disable", "postgres://postgres@127.0.0.1:5432/inviter?sslmode=disable"},
		{"postgres://inviter:s3cret@db:5432/inviter", "postgres://inviter:xxxxx@db:5432/inviter"},
		{"postgres://inviter@db/inviter?password=s3cret&sslmode=require", "postgres://inviter@db/inviter?password=xxxxx&sslmode=require"},
		{"postgres://db/inviter?sslpassword=s3cret", "postgres://db/inviter?sslpassword=xxxxx"},
		{"redis://:s3cret@cache:6379/0", "redis://:xxxxx@cache:6379/0"},
		{"redis://default:s3cret@cache:6379/0", "redis://default:xxxxx@cache:6379/0"},
		{"redis://cache:6379/0", "redis://cache:6379/0"},
		{"postgres://u:s3cret@h:port/db", "xxxxx"},
	}
	for _, tt := range tests {
		if got := maskURL(tt.in); got != tt.want {
			t.Errorf("maskURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestConfigHidesSecrets prints a configuration full of secrets every way a
// program might (slog text and JSON, fmt verbs, the nested structs) and
// checks that none shows.
func TestConfigHidesSecrets(t *testing.T) {
	secrets := map[string]string{
		"DATABASE_URL":      "postgres://inviter:db-secret-1@db/inviter?password=db-secret-2",
		"REDIS_URL":         "redis://:redis-secret@cache:6379/0",
		"ADMIN_PASSWORD":    "admin-secret",
		"SMTP_HOST":         "smtp.example.com",
		"SMTP_USERNAME":     "mailer",
		"SMTP_PASSWORD":     "smtp-secret",
		"VONAGE_API_KEY":    "vonage-key",
		"VONAGE_API_SECRET": "vonage-secret",
		"SECRET_KEY":        "c2VjcmV0LWtleS1zZWNyZXQta2V5LXNlY3JldC1rZXktMTIzNA==",
	}
	c, err := Load(env(secrets))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	slog.New(slog.NewTextHandler(&out, nil)).Info("config", "config", c)
	slog.New(slog.NewJSONHandler(&out, nil)).Info("config", "config", c, "smtp", c.SMTP, "vonage", c.Vonage)
	fmt.Fprintf(&out, "%v %+v %s %v %+v\n", c, c, c, c.SMTP, c.Vonage)
	printed := out.String()
	for _, leak := range []string{"db-secret", "redis-secret", "admin-secret", "smtp-secret", "vonage-secret", "c2VjcmV0", "secret-key"} {
		if strings.Contains(printed, leak) {
			t.Errorf("printed configuration contains %q:\n%s", leak, printed)
		}
	}
	for _, shown := range []string{"mailer", "vonage-key", "smtp.example.com", "admin_password=[set]", `"secret_key":"[set]"`, "inviter:xxxxx@db"} {
		if !strings.Contains(printed, shown) {
			t.Errorf("printed configuration lacks %q:\n%s", shown, printed)
		}
	}
}

func TestConfigShowsUnsetSecrets(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	s := c.String()
	if !strings.Contains(s, "admin_password= ") || !strings.Contains(s, "secret_key= ") {
		t.Errorf("unset secrets should print empty:\n%s", s)
	}
}

// Durations read as people write them, not as nanoseconds.
func TestConfigLogsReadableDurations(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"INVITE_TTL": "48h", "SMTP_HOST": "smtp.example.com", "SMTP_TIMEOUT": "15s"}))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("starting", "config", c)
	for _, want := range []string{`"invite_ttl":"48h0m0s"`, `"timeout":"15s"`, `"retry_base_delay":"10s"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log %s lacks %s", buf.String(), want)
		}
	}
}
