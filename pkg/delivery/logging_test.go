package delivery_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/delivery"
	"github.com/inviter/inviter/pkg/testenv"
)

// The password reaches the provider and nothing else: not the logs, on
// success or failure, at any level.
func TestLogsHaveNoPassword(t *testing.T) {
	t.Parallel()
	var logs testenv.LogBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tpl := loadTemplates(t)

	smtpSrv := testenv.StartSMTP(t)
	smtpSrv.FailRcpt("nobody@example.com", 550, "5.1.1", "No such user", -1)
	es := delivery.NewSMTPSender(delivery.SMTPConfig{Host: smtpSrv.Host(), Port: smtpSrv.Port(),
		From: "noreply@inviter.example.com", Timeout: 5 * time.Second}, tpl, log)
	t.Cleanup(func() { _ = es.Close() })
	vonageSrv := testenv.StartVonage(t)
	vonageSrv.Respond(testPhone, "0", "5")
	ss := delivery.NewVonageSender(delivery.VonageConfig{APIKey: testenv.VonageAPIKey,
		APISecret: testenv.VonageAPISecret, From: "Inviter", BaseURL: vonageSrv.URL()}, tpl, log)

	_ = es.Send(t.Context(), emailMessage(1, "a@example.com", "en"))
	_ = es.Send(t.Context(), emailMessage(2, "nobody@example.com", "en"))
	_ = ss.Send(t.Context(), smsMessage(3, testPhone, "en"))
	_ = ss.Send(t.Context(), smsMessage(4, testPhone, "en"))

	out := logs.String()
	for _, want := range []string{"e-mail sent", "e-mail not delivered", "SMS sent", "SMS not delivered"} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, testPassword) || strings.Contains(out, testLogin) {
		t.Errorf("logs contain the credentials:\n%s", out)
	}
}
