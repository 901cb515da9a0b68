package bounce_test

import (
	"context"
	"errors"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/bounce"
	"github.com/inviter/inviter/pkg/invite"
)

// smtpCode is the reply code of an SMTP refusal (0 when err is none).
func smtpCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

// A permanent failure of the user's delivered attempt: Invited becomes
// Error with the reason by status class and the diagnostic, the mark goes,
// the attempt's password stops working, and the history shows it.
func TestListenerPermanentBounce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	addr := e.startListener(t, bounce.ListenerConfig{})
	tests := []struct {
		file, reason, detail string
	}{
		{"dsn_postfix_user_unknown.eml", invite.ReasonDeliveryRejected, "5.1.1 <gone@corp.example.com>: Recipient address rejected"},
		{"dsn_exchange_mailbox_full.eml", invite.ReasonDeliveryFailed, "552 5.2.2 STOREDRV.Deliver; mailbox full"},
		{"exchange_ndr_text.eml", invite.ReasonDeliveryRejected, "RESOLVER.ADR.RecipientNotFound"},
		{"gmail_address_not_found.eml", invite.ReasonDeliveryRejected, "does not exist"},
		{"postfix_text_only.eml", invite.ReasonDeliveryRejected, "unknown user"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			userID, id := e.deliveredUser(t, "gone@corp.example.com")
			if err := sendBounce(t, addr, e.verp.Address(id), fixture(t, e.verp, tt.file, id, "gone@corp.example.com")); err != nil {
				t.Fatalf("the listener refused a bounce: %v", err)
			}
			u := e.user(t, userID)
			if u.InviteStatus != invite.StatusError || u.UserInvited() || u.InviteError == nil || u.InviteError.Code != tt.reason ||
				!strings.Contains(u.InviteError.Message, tt.detail) || u.InvitedAt != nil {
				t.Fatalf("user after the bounce: %+v %+v", u, u.InviteError)
			}
			inv := e.attempt(t, userID, id)
			r := inv.Receipt()
			if inv.Status != invite.AttemptFailed || r == nil || r.Status != invite.ReceiptBounced || !strings.Contains(r.Detail, tt.detail) {
				t.Errorf("attempt after the bounce: %+v receipt %+v", inv, r)
			}
			c, err := e.store.LoginCandidate(context.Background(), u.Login)
			if err != nil || len(c.PasswordHashes) != 0 {
				t.Errorf("the bounced attempt's password still works: %+v %v", c, err)
			}
			if strings.Contains(e.logs.String(), bodySecret) {
				t.Error("the returned message's body reached the log")
			}
		})
	}
}

// Soft bounces and automatic replies are history only.
func TestListenerHistoryOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	addr := e.startListener(t, bounce.ListenerConfig{})
	for _, tt := range []struct {
		file   string
		status invite.ReceiptStatus
	}{
		{"dsn_delayed.eml", invite.ReceiptDelayed},
		{"auto_reply.eml", invite.ReceiptDelivered},
	} {
		t.Run(tt.file, func(t *testing.T) {
			userID, id := e.deliveredUser(t, "anna@corp.example.com")
			if err := sendBounce(t, addr, e.verp.Address(id), fixture(t, e.verp, tt.file, id, "anna@corp.example.com")); err != nil {
				t.Fatal(err)
			}
			if u := e.user(t, userID); u.InviteStatus != invite.StatusInvited || !u.UserInvited() {
				t.Errorf("a %s changed the user: %+v", tt.file, u)
			}
			inv := e.attempt(t, userID, id)
			if r := inv.Receipt(); inv.Status != invite.AttemptSent || r == nil || r.Status != tt.status || len(inv.Reports) != 1 {
				t.Errorf("attempt: %+v receipt %+v", inv, r)
			}
		})
	}
}

// A bounce for an attempt a newer one replaced is recorded and changes
// nothing; the same bounce twice is recorded once.
func TestListenerSupersededAndDuplicate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	addr := e.startListener(t, bounce.ListenerConfig{})
	userID, old := e.deliveredUser(t, "anna@corp.example.com")
	newer := e.deliverAgain(t, userID)
	msg := fixture(t, e.verp, "dsn_postfix_user_unknown.eml", old, "anna@corp.example.com")
	for range 2 {
		if err := sendBounce(t, addr, e.verp.Address(old), msg); err != nil {
			t.Fatal(err)
		}
	}
	if u := e.user(t, userID); u.InviteStatus != invite.StatusInvited {
		t.Errorf("a bounce of a replaced attempt changed the user: %+v", u)
	}
	if n := e.reportCount(t, old); n != 1 {
		t.Errorf("the same bounce twice made %d reports, want 1", n)
	}
	if inv := e.attempt(t, userID, old); inv.Receipt() == nil || inv.Receipt().Status != invite.ReceiptBounced {
		t.Errorf("the replaced attempt's history: %+v", inv)
	}
	if inv := e.attempt(t, userID, newer); inv.Status != invite.AttemptSent || len(inv.Reports) != 0 {
		t.Errorf("the newer attempt: %+v", inv)
	}
	if got := e.proc.Stats().Duplicate.Load(); got != 1 {
		t.Errorf("duplicates counted: %d, want 1", got)
	}

	// The newest attempt's own bounce, twice: Error once, harmless again.
	msg = fixture(t, e.verp, "dsn_postfix_user_unknown.eml", newer, "anna@corp.example.com")
	for range 2 {
		if err := sendBounce(t, addr, e.verp.Address(newer), msg); err != nil {
			t.Fatal(err)
		}
	}
	if u := e.user(t, userID); u.InviteStatus != invite.StatusError || e.reportCount(t, newer) != 1 {
		t.Errorf("user after the newest attempt bounced twice: %+v, %d reports", u, e.reportCount(t, newer))
	}
}

// Forged and foreign recipients are refused at RCPT (the listener relays
// nothing) and counted; a valid address of an attempt we do not have, or a
// message that is no bounce, is taken and dropped.
func TestListenerRefusesForgedAndUnknown(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	addr := e.startListener(t, bounce.ListenerConfig{})
	userID, id := e.deliveredUser(t, "anna@corp.example.com")
	msg := fixture(t, e.verp, "dsn_postfix_user_unknown.eml", id, "anna@corp.example.com")
	forged := strings.Replace(e.verp.Address(id), "-", "-a", 1)[:len(e.verp.Address(id))]
	for _, rcpt := range []string{
		forged, // a MAC that is not ours
		"bounces+" + "7-aaaaaaaaaaaaa@bounce.example.com", // a made-up one
		"anna@corp.example.com",                           // relaying
		"bounces@bounce.example.com",                      // the bare mailbox
		strings.Replace(e.verp.Address(id), "bounce.example.com", "other.example.com", 1),
	} {
		if err := sendBounce(t, addr, rcpt, msg); smtpCode(err) != 550 {
			t.Errorf("RCPT TO:<%s>: %v, want 550", rcpt, err)
		}
	}
	if got := e.proc.Stats().Forged.Load(); got != 5 {
		t.Errorf("forged counted: %d, want 5", got)
	}
	if u := e.user(t, userID); u.InviteStatus != invite.StatusInvited {
		t.Errorf("a refused bounce changed the user: %+v", u)
	}

	// A right MAC for an attempt that does not exist: taken, dropped.
	if err := sendBounce(t, addr, e.verp.Address(id+1000), fixture(t, e.verp, "dsn_postfix_user_unknown.eml", id+1000, "x@y.example")); err != nil {
		t.Fatal(err)
	}
	// A person answering the invitation: taken, dropped.
	if err := sendBounce(t, addr, e.verp.Address(id), fixture(t, e.verp, "human_reply.eml", id, "anna@corp.example.com")); err != nil {
		t.Fatal(err)
	}
	s := e.proc.Stats()
	if s.Unknown.Load() != 1 || s.Unrecognised.Load() != 1 || s.Recorded.Load() != 0 {
		t.Errorf("unknown %d, unrecognised %d, recorded %d; want 1, 1, 0", s.Unknown.Load(), s.Unrecognised.Load(), s.Recorded.Load())
	}
	if u := e.user(t, userID); u.InviteStatus != invite.StatusInvited || e.reportCount(t, id) != 0 {
		t.Errorf("a dropped message changed something: %+v", u)
	}
}

// The listener bounds message size and the pace of each client.
func TestListenerLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	addr := e.startListener(t, bounce.ListenerConfig{MaxBytes: 2048, Rate: 0.001, Burst: 2})
	_, id := e.deliveredUser(t, "anna@corp.example.com")
	big := fixture(t, e.verp, "dsn_exchange_mailbox_full.eml", id, "anna@corp.example.com")
	big = append(big, []byte(strings.Repeat("padding line\r\n", 200))...)
	if err := sendBounce(t, addr, e.verp.Address(id), big); smtpCode(err) != 552 {
		t.Errorf("a message over MaxBytes: %v, want 552", err)
	}
	small := fixture(t, e.verp, "auto_reply.eml", id, "anna@corp.example.com")
	if err := sendBounce(t, addr, e.verp.Address(id), small); err != nil {
		t.Errorf("second message within the burst: %v", err)
	}
	if err := sendBounce(t, addr, e.verp.Address(id), small); smtpCode(err) != 421 {
		t.Errorf("third message past the burst: %v, want 421", err)
	}
}

// A bounce that overtakes the worker's record of the delivery (the relay
// bounced before the worker wrote down that it took the message) is put
// off with a 451: applied at once, the delivery record would undo it. The
// relay's next try applies it.
func TestListenerBounceBeforeDeliveryRecorded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	addr := e.startListener(t, bounce.ListenerConfig{})
	userID, first := e.deliveredUser(t, "gone@corp.example.com")
	id := e.newAttempt(t, userID)
	if _, err := e.store.ClaimAttempt(context.Background(), id, []byte("hash")); err != nil {
		t.Fatal(err)
	}
	msg := fixture(t, e.verp, "dsn_postfix_user_unknown.eml", id, "gone@corp.example.com")
	if err := sendBounce(t, addr, e.verp.Address(id), msg); smtpCode(err) != 451 {
		t.Fatalf("a bounce before the delivery record: %v, want 451", err)
	}
	if e.reportCount(t, id) != 0 || e.attempt(t, userID, first).Status != invite.AttemptSent {
		t.Fatal("the put-off bounce changed something")
	}
	if err := e.store.MarkDelivered(context.Background(), id, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := sendBounce(t, addr, e.verp.Address(id), msg); err != nil {
		t.Fatalf("the relay's next try: %v", err)
	}
	if u := e.user(t, userID); u.InviteStatus != invite.StatusError {
		t.Errorf("user after the bounce was applied: %+v", u)
	}
}
