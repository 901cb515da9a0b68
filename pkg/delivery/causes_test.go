package delivery_test

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/delivery"
	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/testenv"
)

// closedPort is a loopback port nobody listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// A send that fails without any answer from the provider says why in
// words, with the server's address, for the card's history.
func TestFailureWithoutAnswerIsPutInWords(t *testing.T) {
	t.Parallel()
	port := closedPort(t)
	es := delivery.NewSMTPSender(delivery.SMTPConfig{Host: "127.0.0.1", Port: port, From: "noreply@inviter.example.com",
		Timeout: 5 * time.Second}, loadTemplates(t), discardLog())
	t.Cleanup(func() { _ = es.Close() })
	de := deliveryError(t, es.Send(t.Context(), emailMessage(1, "a@example.com", "en")), invite.Transient)
	if want := "the SMTP server 127.0.0.1:" + strconv.Itoa(port) + " refused the connection"; de.ProviderMessage != want {
		t.Errorf("SMTP: %q, want %q", de.ProviderMessage, want)
	}
	// The stored sentence reads back as a cause code and the server's
	// address, which the card says in the reader's language.
	want := invite.Cause{Code: invite.CauseRefused, Service: invite.CauseServiceSMTP, Addr: "127.0.0.1:" + strconv.Itoa(port)}
	if c, ok := invite.ParseCause(de.ProviderMessage); !ok || c != want {
		t.Errorf("SMTP cause: %+v, %v; want %+v", c, ok, want)
	}

	ss := delivery.NewVonageSender(delivery.VonageConfig{APIKey: testenv.VonageAPIKey, APISecret: testenv.VonageAPISecret,
		From: "Inviter", BaseURL: "http://127.0.0.1:" + strconv.Itoa(closedPort(t)) + "/sms"}, loadTemplates(t), discardLog())
	de = deliveryError(t, ss.Send(t.Context(), smsMessage(2, testPhone, "en")), invite.Transient)
	if !strings.Contains(de.ProviderMessage, "the Vonage API") || !strings.Contains(de.ProviderMessage, "refused the connection") {
		t.Errorf("Vonage: %q", de.ProviderMessage)
	}
	if c, ok := invite.ParseCause(de.ProviderMessage); !ok || c.Code != invite.CauseRefused || c.Service != invite.CauseServiceVonage || c.Addr == "" {
		t.Errorf("Vonage cause: %+v, %v", c, ok)
	}
}
