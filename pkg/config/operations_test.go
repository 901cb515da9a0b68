package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRates(t *testing.T) {
	for _, c := range []struct {
		value string
		want  Rate
	}{
		{"", Rate{}},
		{"14/s", Rate{N: 14, Per: time.Second}},
		{"600/m", Rate{N: 600, Per: time.Minute}},
		{"50000/h", Rate{N: 50000, Per: time.Hour}},
		{" 30 / S ", Rate{N: 30, Per: time.Second}},
	} {
		cfg, err := Load(env(map[string]string{"SMTP_RATE": c.value, "SMS_RATE": c.value}))
		if err != nil || cfg.Ops.SMTPRate != c.want || cfg.Ops.SMSRate != c.want {
			t.Errorf("%q: %+v, %v; want %+v", c.value, cfg.Ops, err, c.want)
		}
	}
	for _, v := range []string{"14", "14/d", "0/s", "-1/s", "fast", "/s", "2000000/s"} {
		_, err := Load(env(map[string]string{"SMTP_RATE": v}))
		if err == nil || !strings.Contains(err.Error(), "SMTP_RATE: must be a rate such as 14/s, 600/m or 50000/h") {
			t.Errorf("SMTP_RATE=%q: %v", v, err)
		}
	}
	if s := (Rate{N: 600, Per: time.Minute}).String(); s != "600/m" {
		t.Errorf("String: %q", s)
	}
}

func TestOperationsSecretsAreMasked(t *testing.T) {
	cfg, err := Load(env(map[string]string{"METRICS_TOKEN": "scrape-me-secret", "SMTP_RATE": "14/s",
		"REDIS_URL": "redis-sentinel://:sentinel-pw-secret@s1:26379,s2:26379/mymaster/1"}))
	if err != nil || cfg.Ops.MetricsToken != "scrape-me-secret" {
		t.Fatalf("%+v, %v", cfg.Ops, err)
	}
	if s := cfg.String(); strings.Contains(s, "scrape-me-secret") || strings.Contains(s, "sentinel-pw-secret") || !strings.Contains(s, "smtp_rate=14/s") {
		t.Errorf("printed config: %s", s)
	}
}

func TestRedisURLs(t *testing.T) {
	for _, c := range []struct {
		url  string
		want RedisTarget
	}{
		{"redis://:pw@cache:6379/2", RedisTarget{Mode: RedisSingle, URL: "redis://:pw@cache:6379/2"}},
		{"redis-sentinel://s1:26379,s2:26380/mymaster", RedisTarget{Mode: RedisSentinel,
			Addrs: []string{"s1:26379", "s2:26380"}, Master: "mymaster"}},
		{"redis-sentinel://:p%40ss@s1:26379/mymaster/3", RedisTarget{Mode: RedisSentinel,
			Addrs: []string{"s1:26379"}, Master: "mymaster", Password: "p@ss", DB: 3}},
		{"redis-cluster://n1:6379,n2:6379,[::1]:6380", RedisTarget{Mode: RedisCluster,
			Addrs: []string{"n1:6379", "n2:6379", "[::1]:6380"}}},
		{"redis-cluster://:secret@n1:6379", RedisTarget{Mode: RedisCluster, Addrs: []string{"n1:6379"}, Password: "secret"}},
	} {
		got, err := ParseRedisURL(c.url)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %+v, %v; want %+v", c.url, got, err, c.want)
		}
		if _, err := Load(env(map[string]string{"REDIS_URL": c.url})); err != nil {
			t.Errorf("Load %s: %v", c.url, err)
		}
	}
	for _, c := range []struct{ url, want string }{
		{"redis-sentinel://s1:26379", "must name the master"},
		{"redis-sentinel://s1/mymaster", "must list host:port addresses"},
		{"redis-sentinel://:hunter2@s1:0/m", "bad port"},
		{"redis-sentinel://s1:26379/m/x", "database that is not a non-negative number"},
		{"redis-cluster://n1:6379/0", "take no path"},
		{"redis-cluster://", "must list host:port addresses"},
	} {
		_, err := Load(env(map[string]string{"REDIS_URL": c.url}))
		if err == nil || !strings.Contains(err.Error(), "REDIS_URL: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.url, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("the password reached the error: %v", err)
		}
	}
}
