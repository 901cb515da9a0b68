package config

import (
	"strings"
	"testing"
	"time"
)

func TestLoadBounce(t *testing.T) {
	got, err := Load(env(map[string]string{
		"BOUNCE_ADDRESS": "bounces@bounce.example.com", "BOUNCE_SMTP_ADDR": ":2525",
		"BOUNCE_IMAP_URL": "imaps://bounces:mailbox-pw@imap.example.com/INBOX", "BOUNCE_POLL_INTERVAL": "30s",
		"VONAGE_DLR_URL":   "https://inviter.example.com/webhooks/vonage/delivery-receipt?token=tok-123",
		"VONAGE_DLR_TOKEN": "tok-123", "VONAGE_SIGNATURE_SECRET": "sig-secret",
	}))
	if err != nil {
		t.Fatal(err)
	}
	b := got.Bounce
	if b.Address != "bounces@bounce.example.com" || b.SMTPAddr != ":2525" || b.PollInterval != 30*time.Second ||
		b.VonageReceiptToken != "tok-123" || b.VonageSignatureSecret != "sig-secret" {
		t.Errorf("Bounce = %#v", b)
	}
	printed := got.String()
	for _, secret := range []string{"mailbox-pw", "tok-123", "sig-secret"} {
		if strings.Contains(printed, secret) {
			t.Errorf("the printed configuration shows %q: %s", secret, printed)
		}
	}
}

func TestLoadBounceProblems(t *testing.T) {
	_, err := Load(env(map[string]string{
		"BOUNCE_ADDRESS": "bounces+x@example.com", "BOUNCE_SMTP_ADDR": "nonsense",
		"BOUNCE_IMAP_URL": "http://imap.example.com/", "VONAGE_DLR_URL": "ftp://x",
	}))
	if err == nil {
		t.Fatal("Load accepted bad bounce settings")
	}
	for _, name := range []string{"BOUNCE_ADDRESS", "BOUNCE_SMTP_ADDR", "BOUNCE_IMAP_URL", "VONAGE_DLR_URL"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
	_, err = Load(env(map[string]string{"BOUNCE_SMTP_ADDR": ":2525"}))
	if err == nil || !strings.Contains(err.Error(), "needs BOUNCE_ADDRESS") {
		t.Errorf("listener without BOUNCE_ADDRESS: %v", err)
	}
}
