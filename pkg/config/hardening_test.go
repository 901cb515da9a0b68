package config

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestLoadHardening(t *testing.T) {
	got, err := Load(env(map[string]string{
		"DEV_OUTBOX": "1", "OUTBOX_TTL": "2h", "SMTP_HOST": "mail.internal",
		"SIGNIN_ACCOUNT_LIMIT": "5", "SIGNIN_ADDRESS_LIMIT": "0", "SIGNIN_WINDOW": "1m", "SIGNIN_MAX_WAITING": "4",
		"TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7 ,fd00::/8",
		"DB_MAX_CONNS":    "8", "DB_STATEMENT_TIMEOUT": "0", "DB_START_TIMEOUT": "5s", "IMPORT_TMP_DIR": "/scratch",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !got.DevOutbox.Enabled || got.DevOutbox.TTL != 2*time.Hour || got.EmailDev() || !got.SMSDev() || got.EmailUnavailable() {
		t.Errorf("dev outbox: %+v EmailDev %v SMSDev %v", got.DevOutbox, got.EmailDev(), got.SMSDev())
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.7/32"), netip.MustParsePrefix("fd00::/8")}
	if s := got.SignIn; s.AccountLimit != 5 || s.AddressLimit != 0 || s.Window != time.Minute || s.MaxWaiting != 4 || len(s.TrustedProxies) != 3 ||
		s.TrustedProxies[0] != want[0] || s.TrustedProxies[1] != want[1] || s.TrustedProxies[2] != want[2] {
		t.Errorf("sign-in: %+v", s)
	}
	if d := got.Database; d.MaxConns != 8 || d.StatementTimeout != 0 || d.StartTimeout != 5*time.Second {
		t.Errorf("database: %+v", d)
	}
	if got.Import.TempDir != "/scratch" {
		t.Errorf("import temp dir %q", got.Import.TempDir)
	}
	if s := got.String(); !strings.Contains(s, "db_max_conns=8") || !strings.Contains(s, "dev_outbox=true") {
		t.Errorf("the logged configuration lacks the new settings: %s", s)
	}

	_, err = Load(env(map[string]string{"TRUSTED_PROXIES": "10.0.0.0/33", "DB_MAX_CONNS": "0", "DEV_OUTBOX": "maybe"}))
	for _, name := range []string{"TRUSTED_PROXIES", "DB_MAX_CONNS", "DEV_OUTBOX"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("a bad %s is not refused: %v", name, err)
		}
	}
}
