package config

import (
	"strings"
	"testing"
	"time"
)

func TestPagesSettings(t *testing.T) {
	cfg, err := Load(env(map[string]string{"PRODUCT_NAME": " Learn Hub ", "PLATFORM_URL": "https://learn.example.com/start",
		"DEFAULT_TIMEZONE": "Europe/Moscow", "IMPORT_KEEP_TTL": "10m", "IMPORT_KEEP_MAX": "3"}))
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Pages
	if p.ProductName != "Learn Hub" || p.PlatformURL != "https://learn.example.com/start" || p.DefaultTimeZone.String() != "Europe/Moscow" ||
		p.ImportKeepTTL != 10*time.Minute || p.ImportKeepMax != 3 {
		t.Errorf("Pages = %+v", p)
	}
	for _, c := range []struct{ name, value, want string }{
		{"DEFAULT_TIMEZONE", "Mars/Olympus", `DEFAULT_TIMEZONE: must be an IANA time zone such as Europe/Moscow or UTC, got "Mars/Olympus"`},
		{"DEFAULT_TIMEZONE", "Local", `DEFAULT_TIMEZONE: must be an IANA time zone`},
		{"PLATFORM_URL", "learn.example.com", `PLATFORM_URL: must be a URL with scheme http or https`},
		{"PRODUCT_NAME", "a\nb", `PRODUCT_NAME: must be one line`},
		{"IMPORT_KEEP_MAX", "0", `IMPORT_KEEP_MAX: must be between 1 and 1000`},
	} {
		_, err := Load(env(map[string]string{c.name: c.value}))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s=%q: %v; want %s", c.name, c.value, err, c.want)
		}
	}
}
