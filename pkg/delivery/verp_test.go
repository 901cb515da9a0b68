package delivery_test

import (
	"bytes"
	"context"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/delivery"
	"github.com/inviter/inviter/pkg/testenv"
)

var verpKey = []byte("0123456789abcdef0123456789abcdef")

func newVERP(t testing.TB) *delivery.VERP {
	t.Helper()
	v, err := delivery.NewVERP("bounces@Bounce.Example.com", verpKey)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVERPAddresses(t *testing.T) {
	t.Parallel()
	v := newVERP(t)
	addr := v.Address(42)
	if !strings.HasPrefix(addr, "bounces+42-") || !strings.HasSuffix(addr, "@bounce.example.com") {
		t.Fatalf("Address(42) = %q", addr)
	}
	tag := v.Tag(42)
	other, _ := delivery.NewVERP("bounces@bounce.example.com", []byte("another key of thirty-two bytes!"))
	tests := []struct {
		addr string
		ok   bool
	}{
		{addr, true},
		{strings.ToUpper(addr), true}, // relays may change the case
		{"<" + addr + ">", true},
		{strings.Replace(addr, "+42-", "+43-", 1), false},    // another attempt, same MAC
		{other.Address(42), false},                           // another key
		{"bounces+42@bounce.example.com", false},             // no MAC
		{"bounces@bounce.example.com", false},                // the bare mailbox
		{"bounces+" + tag + "@example.org", false},           // another domain
		{"postmaster+" + tag + "@bounce.example.com", false}, // another mailbox
		{"bounces+0-" + strings.SplitN(tag, "-", 2)[1] + "@bounce.example.com", false},
		{"", false},
	}
	for _, tt := range tests {
		id, ok := v.CheckAddress(tt.addr)
		if ok != tt.ok || (ok && id != 42) {
			t.Errorf("CheckAddress(%q) = %d, %v; want %v", tt.addr, id, ok, tt.ok)
		}
	}
	for _, text := range []string{"Message-ID: <invite-" + tag + ".xyz@example.com>", "X-Inviter-Attempt: " + tag, "To: " + addr} {
		if id, ok := v.FindTag(text); !ok || id != 42 {
			t.Errorf("FindTag(%q) = %d, %v", text, id, ok)
		}
	}
	if _, ok := v.FindTag("Message-ID: <invite-42-AAAAAAAAAAAAAAAAAAAAAAAAAA@example.com>"); ok {
		t.Error("FindTag took an untagged Message-ID")
	}
	for _, bad := range []string{"Bounces <bounces@example.com>", "bounces+x@example.com", "nonsense"} {
		if _, err := delivery.NewVERP(bad, verpKey); err == nil {
			t.Errorf("NewVERP(%q) accepted", bad)
		}
	}
}

// With VERP, each message's envelope sender is its attempt's address, and
// the message carries the tag in X-Inviter-Attempt and its Message-ID.
func TestSMTPSendsWithVERP(t *testing.T) {
	t.Parallel()
	srv := testenv.StartSMTP(t)
	v := newVERP(t)
	s := newSMTPSender(t, srv, func(c *delivery.SMTPConfig) { c.VERP = v })
	if err := s.Send(t.Context(), emailMessage(77, "anna@example.com", "en")); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitMessages(t, 1, 5*time.Second)[0]
	if got.From != v.Address(77) {
		t.Errorf("envelope sender %q, want %q", got.From, v.Address(77))
	}
	if got.Ret != "" {
		t.Errorf("RET=%s sent to a server without DSN", got.Ret)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(got.Data))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("X-Inviter-Attempt") != v.Tag(77) {
		t.Errorf("X-Inviter-Attempt %q, want %q", msg.Header.Get("X-Inviter-Attempt"), v.Tag(77))
	}
	if id, ok := v.FindTag("Message-ID: " + msg.Header.Get("Message-Id")); !ok || id != 77 {
		t.Errorf("Message-ID %q does not carry the tag", msg.Header.Get("Message-Id"))
	}
	if from := msg.Header.Get("From"); !strings.Contains(from, "noreply@inviter.example.com") {
		t.Errorf("From %q: VERP must change the envelope only", from)
	}
}

// Without BOUNCE_ADDRESS nothing changes: the From address is the envelope.
func TestSMTPWithoutVERP(t *testing.T) {
	t.Parallel()
	srv := testenv.StartSMTP(t)
	s := newSMTPSender(t, srv, nil)
	if err := s.Send(t.Context(), emailMessage(78, "anna@example.com", "en")); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitMessages(t, 1, 5*time.Second)[0]
	if got.From != "noreply@inviter.example.com" || bytes.Contains(got.Data, []byte("X-Inviter-Attempt")) {
		t.Errorf("without VERP: envelope %q, header present %v", got.From, bytes.Contains(got.Data, []byte("X-Inviter-Attempt")))
	}
}

// A relay that offers DSN is asked for headers only in bounces (RET=HDRS),
// pipelined or not.
func TestSMTPAsksForHeadersOnlyBounces(t *testing.T) {
	t.Parallel()
	srv := testenv.StartSMTPDSN(t)
	s := newSMTPSender(t, srv, func(c *delivery.SMTPConfig) { c.VERP = newVERP(t) })
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			if err := s.Send(context.Background(), emailMessage(int64(80+i), "anna@example.com", "en")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for _, m := range srv.WaitMessages(t, 4, 5*time.Second) {
		if m.Ret != "HDRS" {
			t.Errorf("message from %s: RET=%q, want HDRS", m.From, m.Ret)
		}
	}
}
