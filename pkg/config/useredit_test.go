package config

import (
	"testing"
	"time"
)

func TestUsersSettings(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Users.DefaultRegion != "" || c.Users.WaitingAlertAfter != DefaultWaitingAlertAfter {
		t.Fatalf("defaults: %+v", c.Users)
	}
	c, err = Load(env(map[string]string{"DEFAULT_LOCALE": "ru", "WAITING_ALERT_AFTER": "90s"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Users.DefaultRegion != "RU" || c.Users.WaitingAlertAfter != 90*time.Second {
		t.Fatalf("ru: %+v", c.Users)
	}
	c, err = Load(env(map[string]string{"DEFAULT_LOCALE": "ru", "DEFAULT_REGION": "kz"}))
	if err != nil || c.Users.DefaultRegion != "KZ" {
		t.Fatalf("DEFAULT_REGION=kz: %+v, %v", c.Users, err)
	}
	if _, err := Load(env(map[string]string{"DEFAULT_REGION": "Russia"})); err == nil {
		t.Fatal("DEFAULT_REGION=Russia must be refused")
	}
}
