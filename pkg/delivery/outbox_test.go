package delivery_test

import (
	"bytes"
	"context"
	"errors"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/inviter/inviter/pkg/delivery"
	"github.com/inviter/inviter/pkg/invite"
)

// outboxRecorder is an in-memory OutboxStore.
type outboxRecorder struct {
	mu   sync.Mutex
	msgs []delivery.OutboxMessage
	err  error
}

func (r *outboxRecorder) SaveOutboxMessage(_ context.Context, m delivery.OutboxMessage) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	r.msgs = append(r.msgs, m)
	return nil
}

func (r *outboxRecorder) saved() []delivery.OutboxMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery.OutboxMessage(nil), r.msgs...)
}

var _ delivery.OutboxStore = (*outboxRecorder)(nil)

func TestOutboxEmail(t *testing.T) {
	t.Parallel()
	rec := &outboxRecorder{}
	o := delivery.NewOutbox(rec, loadTemplates(t), "Inviter <noreply@inviter.example.com>")
	if err := o.Send(t.Context(), emailMessage(7, "a@example.com", "en")); err != nil {
		t.Fatal(err)
	}
	saved := rec.saved()
	if len(saved) != 1 {
		t.Fatalf("%d messages saved", len(saved))
	}
	got := saved[0]
	if got.InvitationID != 7 || got.Channel != invite.ChannelEmail || got.Recipient != "a@example.com" {
		t.Errorf("saved %d %s %s", got.InvitationID, got.Channel, got.Recipient)
	}
	if !strings.Contains(got.Subject, "Your Inviter account") || !strings.Contains(got.Body, testPassword) {
		t.Errorf("subject %q body %q", got.Subject, got.Body)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(got.Raw))
	if err != nil {
		t.Fatalf("Raw is not a MIME message: %v", err)
	}
	if !strings.HasPrefix(msg.Header.Get("Content-Type"), "multipart/alternative") ||
		msg.Header.Get("From") != `"Inviter" <noreply@inviter.example.com>` {
		t.Errorf("headers: %v", msg.Header)
	}
}

func TestOutboxSMS(t *testing.T) {
	t.Parallel()
	rec := &outboxRecorder{}
	o := delivery.NewOutbox(rec, loadTemplates(t), "noreply@inviter.example.com")
	if err := o.Send(t.Context(), smsMessage(8, testPhone, "ru")); err != nil {
		t.Fatal(err)
	}
	got := rec.saved()[0]
	if got.Channel != invite.ChannelSMS || got.Recipient != testPhone || got.Subject != "" ||
		got.Body != string(got.Raw) || !strings.Contains(got.Body, testPassword) {
		t.Errorf("saved %+v", got)
	}
}

func TestOutboxFailures(t *testing.T) {
	t.Parallel()
	rec := &outboxRecorder{err: errors.New("connection refused")}
	o := delivery.NewOutbox(rec, loadTemplates(t), "noreply@inviter.example.com")
	err := o.Send(t.Context(), emailMessage(1, "a@example.com", "en"))
	deliveryError(t, err, invite.Transient)
	if !errors.Is(err, rec.err) {
		t.Errorf("error %v does not wrap the store's", err)
	}
	m := emailMessage(1, "a@example.com", "en")
	m.Channel = "pigeon"
	deliveryError(t, o.Send(t.Context(), m), invite.Permanent)
	bad := delivery.NewOutbox(&outboxRecorder{}, loadTemplates(t), "not an address")
	deliveryError(t, bad.Send(t.Context(), emailMessage(1, "a@example.com", "en")), invite.Permanent)
}
