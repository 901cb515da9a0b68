package delivery_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/delivery"
	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/testenv"
)

// newSMTPSender returns a sender for srv, closed when the test ends.
func newSMTPSender(t testing.TB, srv *testenv.SMTPServer, change func(*delivery.SMTPConfig)) *delivery.SMTPSender {
	t.Helper()
	cfg := delivery.SMTPConfig{Host: srv.Host(), Port: srv.Port(), From: "Inviter <noreply@inviter.example.com>",
		Timeout: 5 * time.Second}
	if change != nil {
		change(&cfg)
	}
	s := delivery.NewSMTPSender(cfg, loadTemplates(t), discardLog())
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestSMTPDeliversMIME(t *testing.T) {
	t.Parallel()
	srv := testenv.StartSMTP(t)
	s := newSMTPSender(t, srv, nil)
	m := emailMessage(42, "ivan@example.com", "ru")
	m.FirstName, m.LastName = "Иван", "Петров"
	if err := s.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitMessages(t, 1, 5*time.Second)[0]
	if got.From != "noreply@inviter.example.com" || len(got.To) != 1 || got.To[0] != "ivan@example.com" {
		t.Errorf("envelope from %q to %q", got.From, got.To)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(got.Data))
	if err != nil {
		t.Fatal(err)
	}
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	if subject != "Ваша учётная запись в Inviter готова" {
		t.Errorf("subject = %q", subject)
	}
	if msg.Header.Get("Subject") == subject {
		t.Error("a Cyrillic subject must be an encoded word")
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "Иван Петров" || to[0].Address != "ivan@example.com" {
		t.Errorf("To = %v (%v)", to, err)
	}
	if id := msg.Header.Get("Message-Id"); !strings.HasPrefix(id, "<invite-42-") || !strings.HasSuffix(id, "@inviter.example.com>") {
		t.Errorf("Message-ID = %q", id)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v)", mediaType, err)
	}
	parts := map[string]string{}
	var order []string
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart() // decodes quoted-printable
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		b, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		parts[ct] = string(b)
		order = append(order, ct)
	}
	if fmt.Sprint(order) != "[text/plain text/html]" {
		t.Fatalf("parts %v, want text/plain then text/html", order)
	}
	for ct, body := range parts {
		for _, want := range []string{"Здравствуйте, Иван!", testLogin, testPassword, testLoginURL} {
			if !strings.Contains(body, want) {
				t.Errorf("%s part lacks %q:\n%s", ct, want, body)
			}
		}
	}
}

func TestSMTPReusesConnections(t *testing.T) {
	t.Parallel()
	srv := testenv.StartSMTP(t)
	const poolSize, n = 2, 30
	s := newSMTPSender(t, srv, func(c *delivery.SMTPConfig) { c.PoolSize = poolSize })
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- s.Send(t.Context(), emailMessage(int64(i), fmt.Sprintf("user%d@example.com", i), "en"))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	srv.WaitMessages(t, n, 5*time.Second)
	if c := srv.Connections(); c > poolSize {
		t.Errorf("%d messages used %d connections, want at most %d", n, c, poolSize)
	}
}

func TestSMTPTransientThenDelivered(t *testing.T) {
	t.Parallel()
	srv := testenv.StartSMTP(t)
	s := newSMTPSender(t, srv, nil)
	srv.FailRcpt("busy@example.com", 451, "4.3.0", "Mailbox busy, try again later", 1)
	m := emailMessage(1, "busy@example.com", "en")
	de := deliveryError(t, s.Send(t.Context(), m), invite.Transient)
	if de.ProviderCode != "451" || !strings.Contains(de.ProviderMessage, "Mailbox busy") {
		t.Errorf("provider code %q message %q", de.ProviderCode, de.ProviderMessage)
	}
	if err := s.Send(t.Context(), m); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	srv.WaitMessages(t, 1, 5*time.Second)
}

func TestSMTPRejectedAtRcpt(t *testing.T) {
	t.Parallel()
	srv := testenv.StartSMTP(t)
	s := newSMTPSender(t, srv, nil)
	srv.FailRcpt("nobody@example.com", 550, "5.1.1", "No such user here", -1)
	de := deliveryError(t, s.Send(t.Context(), emailMessage(1, "nobody@example.com", "en")), invite.Rejected)
	if de.ProviderCode != "550" || !strings.Contains(de.ProviderMessage, "No such user") {
		t.Errorf("provider code %q message %q", de.ProviderCode, de.ProviderMessage)
	}
	// A refusal leaves the session usable: the next message reuses it.
	if err := s.Send(t.Context(), emailMessage(2, "somebody@example.com", "en")); err != nil {
		t.Fatal(err)
	}
	if c := srv.Connections(); c != 1 {
		t.Errorf("%d connections, want 1", c)
	}
}

func TestSMTPPermanentAtData(t *testing.T) {
	t.Parallel()
	srv := testenv.StartSMTP(t)
	s := newSMTPSender(t, srv, nil)
	srv.FailData(554, "Message refused by policy", -1)
	de := deliveryError(t, s.Send(t.Context(), emailMessage(1, "a@example.com", "en")), invite.Permanent)
	if de.ProviderCode != "554" || !strings.Contains(de.ProviderMessage, "refused by policy") {
		t.Errorf("provider code %q message %q", de.ProviderCode, de.ProviderMessage)
	}
}

// sendAsync runs Send in a goroutine; the test waits on the channel with a
// deadline, so a hanging Send fails the test instead of blocking it.
func sendAsync(ctx context.Context, s delivery.Sender, m invite.Message) <-chan error {
	done := make(chan error, 1)
	go func() { done <- s.Send(ctx, m) }()
	return done
}

func waitErr(t *testing.T, done <-chan error, within time.Duration) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(within):
		t.Fatalf("Send did not return within %v", within)
		return nil
	}
}

func TestSMTPStalledServerTimesOut(t *testing.T) {
	t.Parallel()
	srv := testenv.StartSMTP(t)
	s := newSMTPSender(t, srv, func(c *delivery.SMTPConfig) { c.Timeout = 300 * time.Millisecond })
	// Stalled on a pooled connection (MAIL) and on a new one (EHLO).
	if err := s.Send(t.Context(), emailMessage(1, "a@example.com", "en")); err != nil {
		t.Fatal(err)
	}
	srv.Stall(time.Minute)
	for i := range 2 {
		err := waitErr(t, sendAsync(t.Context(), s, emailMessage(2, "a@example.com", "en")), 10*time.Second)
		deliveryError(t, err, invite.Transient)
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("attempt %d: error %v is not a timeout", i+1, err)
		}
	}
	srv.Stall(0)
	if err := s.Send(t.Context(), emailMessage(3, "a@example.com", "en")); err != nil {
		t.Fatalf("after the stall: %v", err)
	}
}

func TestSMTPContextCancel(t *testing.T) {
	t.Parallel()
	srv := testenv.StartSMTP(t)
	s := newSMTPSender(t, srv, func(c *delivery.SMTPConfig) { c.Timeout = time.Minute })
	srv.Stall(time.Minute)
	ctx, cancel := context.WithCancel(t.Context())
	done := sendAsync(ctx, s, emailMessage(1, "a@example.com", "en"))
	waitFor(t, func() bool { return srv.Connections() > 0 }, 5*time.Second)
	cancel()
	err := waitErr(t, done, 10*time.Second)
	deliveryError(t, err, invite.Transient)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v does not say the context was cancelled", err)
	}

	t.Run("waiting for a connection", func(t *testing.T) {
		t.Parallel()
		// PoolSize 1 and the one connection stalled: the next Send waits for
		// it, and gives up with its context.
		srv := testenv.StartSMTP(t)
		s := newSMTPSender(t, srv, func(c *delivery.SMTPConfig) { c.PoolSize = 1; c.Timeout = time.Minute })
		srv.Stall(time.Minute)
		first := sendAsync(t.Context(), s, emailMessage(1, "a@example.com", "en"))
		waitFor(t, func() bool { return srv.Connections() > 0 }, 5*time.Second)
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		err := waitErr(t, sendAsync(ctx, s, emailMessage(2, "b@example.com", "en")), 10*time.Second)
		deliveryError(t, err, invite.Transient)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v is not the context's deadline", err)
		}
		srv.Stall(0)
		if err := waitErr(t, first, 10*time.Second); err != nil {
			t.Errorf("first Send after the stall: %v", err)
		}
	})
}

func TestSMTPRedialsAfterServerDrop(t *testing.T) {
	t.Parallel()
	srv := testenv.StartSMTP(t)
	s := newSMTPSender(t, srv, nil)
	if err := s.Send(t.Context(), emailMessage(1, "a@example.com", "en")); err != nil {
		t.Fatal(err)
	}
	srv.DropConnections()
	if err := s.Send(t.Context(), emailMessage(2, "a@example.com", "en")); err != nil {
		t.Fatalf("after the server dropped the idle connection: %v", err)
	}
	srv.WaitMessages(t, 2, 5*time.Second)
	if c := srv.Connections(); c != 2 {
		t.Errorf("%d connections, want 2", c)
	}
}

func TestSMTPStartTLSAndAuth(t *testing.T) {
	t.Parallel()
	srv := testenv.StartSMTPTLS(t)
	srv.RequireAuth("mailer", "s3cret")
	s := newSMTPSender(t, srv, func(c *delivery.SMTPConfig) {
		c.Username, c.Password, c.InsecureSkipVerify = "mailer", "s3cret", true
	})
	if err := s.Send(t.Context(), emailMessage(1, "a@example.com", "en")); err != nil {
		t.Fatal(err)
	}
	srv.WaitMessages(t, 1, 5*time.Second)

	t.Run("unverified certificate", func(t *testing.T) {
		t.Parallel()
		s := newSMTPSender(t, srv, func(c *delivery.SMTPConfig) { c.Username, c.Password = "mailer", "s3cret" })
		deliveryError(t, s.Send(t.Context(), emailMessage(2, "a@example.com", "en")), invite.Transient)
	})
	t.Run("wrong password", func(t *testing.T) {
		t.Parallel()
		s := newSMTPSender(t, srv, func(c *delivery.SMTPConfig) {
			c.Username, c.Password, c.InsecureSkipVerify = "mailer", "wrong", true
		})
		de := deliveryError(t, s.Send(t.Context(), emailMessage(3, "a@example.com", "en")), invite.Permanent)
		if de.ProviderCode != "535" {
			t.Errorf("provider code %q, want 535", de.ProviderCode)
		}
	})
}

func TestSMTPLoginAuth(t *testing.T) {
	t.Parallel()
	srv := testenv.StartSMTP(t)
	srv.RequireAuth("mailer", "s3cret", "LOGIN")
	s := newSMTPSender(t, srv, func(c *delivery.SMTPConfig) { c.Username, c.Password = "mailer", "s3cret" })
	if err := s.Send(t.Context(), emailMessage(1, "a@example.com", "en")); err != nil {
		t.Fatal(err)
	}
	unauthenticated := newSMTPSender(t, srv, nil)
	de := deliveryError(t, unauthenticated.Send(t.Context(), emailMessage(2, "a@example.com", "en")), invite.Permanent)
	if de.ProviderCode != "502" {
		t.Errorf("MAIL without AUTH: provider code %q, want 502", de.ProviderCode)
	}
}

func TestSMTPBadInput(t *testing.T) {
	t.Parallel()
	srv := testenv.StartSMTP(t)
	s := newSMTPSender(t, srv, nil)
	deliveryError(t, s.Send(t.Context(), emailMessage(1, "Ivan <ivan@example.com>", "en")), invite.Rejected)
	deliveryError(t, s.Send(t.Context(), emailMessage(2, "not an address", "en")), invite.Rejected)
	badFrom := newSMTPSender(t, srv, func(c *delivery.SMTPConfig) { c.From = "not an address" })
	deliveryError(t, badFrom.Send(t.Context(), emailMessage(3, "a@example.com", "en")), invite.Permanent)
	if c := srv.Connections(); c != 0 {
		t.Errorf("bad input opened %d connections", c)
	}
}

func TestSMTPClose(t *testing.T) {
	t.Parallel()
	srv := testenv.StartSMTP(t)
	s := newSMTPSender(t, srv, nil)
	if err := s.Send(t.Context(), emailMessage(1, "a@example.com", "en")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	deliveryError(t, s.Send(t.Context(), emailMessage(2, "a@example.com", "en")), invite.Transient)
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// Close while Sends are in flight and waiting: every Send returns, the
// ones that got through with nil, the others with a transient error.
func TestSMTPCloseWhileSending(t *testing.T) {
	t.Parallel()
	srv := testenv.StartSMTP(t)
	s := newSMTPSender(t, srv, func(c *delivery.SMTPConfig) { c.PoolSize = 2 })
	const n = 40
	done := make(chan error, n)
	for i := range n {
		go func() { done <- s.Send(t.Context(), emailMessage(int64(i), "a@example.com", "en")) }()
	}
	srv.WaitMessages(t, 1, 5*time.Second)
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	sent := 0
	for range n {
		err := waitErr(t, done, 10*time.Second)
		if err == nil {
			sent++
			continue
		}
		deliveryError(t, err, invite.Transient)
	}
	if got := len(srv.Messages()); got != sent {
		t.Errorf("%d Sends returned nil, the server has %d messages", sent, got)
	}
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t *testing.T, cond func() bool, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
