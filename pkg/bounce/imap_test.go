package bounce_test

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/bounce"
	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/testenv"
)

// mailbox is testenv's IMAP server, with pollers of it.
type mailbox struct{ *testenv.IMAPServer }

func startIMAP(t *testing.T) *mailbox { return startIMAPOn(t, false) }

func startIMAPOn(t *testing.T, tlsOn bool) *mailbox {
	return &mailbox{testenv.StartIMAP(t, tlsOn)}
}

func (m *mailbox) put(t *testing.T, msg []byte)             { m.Put(t, msg) }
func (m *mailbox) count(t *testing.T, folder string) uint32 { return uint32(m.Count(t, folder)) }

func (m *mailbox) poller(t *testing.T, proc *bounce.Processor, query string) *bounce.Poller {
	t.Helper()
	return m.pollerURL(t, proc, "imap://bounces:mailbox-pw@"+m.Addr()+"/INBOX"+query)
}

func (m *mailbox) pollerURL(t *testing.T, proc *bounce.Processor, raw string) *bounce.Poller {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return bounce.NewPoller(proc, bounce.PollerConfig{URL: u, Timeout: 30 * time.Second, InsecureSkipVerify: true},
		slog.New(slog.DiscardHandler))
}

// A mailbox of bounces of every kind: each message is handled once and
// deleted; the permanent one fails its user, the rest change nothing.
func TestPollerReadsEachBounceOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mb := startIMAP(t)
	gone, goneID := e.deliveredUser(t, "gone@corp.example.com")
	away, awayID := e.deliveredUser(t, "away@corp.example.com")
	bounced := fixture(t, e.verp, "gmail_address_not_found.eml", goneID, "gone@corp.example.com")
	mb.put(t, bounced)
	mb.put(t, bounced) // the same bounce twice
	mb.put(t, fixture(t, e.verp, "dsn_delayed.eml", awayID, "away@corp.example.com"))
	mb.put(t, fixture(t, e.verp, "auto_reply.eml", awayID, "away@corp.example.com"))
	// A forged bounce: a tag whose MAC is not ours, everywhere.
	forged := strings.ReplaceAll(string(fixture(t, e.verp, "dsn_postfix_user_unknown.eml", awayID, "away@corp.example.com")),
		e.verp.Tag(awayID), e.verp.Tag(awayID)[:len(e.verp.Tag(awayID))-3]+"abc")
	mb.put(t, []byte(forged))
	mb.put(t, fixture(t, e.verp, "human_reply.eml", awayID, "away@corp.example.com"))

	p := mb.poller(t, e.proc, "")
	n, err := p.Poll(context.Background())
	if err != nil || n != 6 {
		t.Fatalf("Poll = %d, %v; want 6 messages", n, err)
	}
	if left := mb.count(t, "INBOX"); left != 0 {
		t.Errorf("%d messages left in the mailbox, want 0", left)
	}
	if u := e.user(t, gone); u.InviteStatus != invite.StatusError || u.InviteError.Code != invite.ReasonDeliveryRejected {
		t.Errorf("the bounced user: %+v", u)
	}
	if u := e.user(t, away); u.InviteStatus != invite.StatusInvited {
		t.Errorf("delays, auto-replies and forgeries changed a user: %+v", u)
	}
	if got := len(e.attempt(t, away, awayID).Reports); got != 2 {
		t.Errorf("the delayed attempt has %d reports, want 2 (delay, auto-reply)", got)
	}
	s := e.proc.Stats()
	if s.Recorded.Load() != 3 || s.Duplicate.Load() != 1 || s.Forged.Load() != 1 || s.Unrecognised.Load() != 1 {
		t.Errorf("recorded %d duplicate %d forged %d unrecognised %d; want 3 1 1 1",
			s.Recorded.Load(), s.Duplicate.Load(), s.Forged.Load(), s.Unrecognised.Load())
	}
	if n, err := p.Poll(context.Background()); err != nil || n != 0 {
		t.Errorf("second pass: %d, %v; want nothing to do", n, err)
	}
}

// ?processed=Folder moves handled messages there instead of deleting them.
func TestPollerMovesToProcessed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mb := startIMAP(t)
	_, id := e.deliveredUser(t, "gone@corp.example.com")
	mb.put(t, fixture(t, e.verp, "exchange_ndr_text.eml", id, "gone@corp.example.com"))
	if n, err := mb.poller(t, e.proc, "?processed=Processed").Poll(context.Background()); err != nil || n != 1 {
		t.Fatalf("Poll = %d, %v", n, err)
	}
	if in, done := mb.count(t, "INBOX"), mb.count(t, "Processed"); in != 0 || done != 1 {
		t.Errorf("INBOX %d, Processed %d; want 0, 1", in, done)
	}
}

// failingStore is a database that is away.
type failingStore struct{}

func (failingStore) ApplyReport(context.Context, invite.DeliveryReport) (invite.ReportResult, error) {
	return invite.ReportResult{}, errors.New("connection refused")
}

// A bounce that cannot be recorded stays in the mailbox for the next pass.
func TestPollerKeepsWhatItCouldNotRecord(t *testing.T) {
	t.Parallel()
	mb := startIMAP(t)
	v := testVERP(t)
	mb.put(t, fixture(t, v, "dsn_postfix_user_unknown.eml", 5, "gone@corp.example.com"))
	proc := bounce.NewProcessor(failingStore{}, v, slog.New(slog.DiscardHandler))
	if _, err := mb.poller(t, proc, "").Poll(context.Background()); err == nil {
		t.Error("Poll reported no error with the database away")
	}
	if left := mb.count(t, "INBOX"); left != 1 {
		t.Errorf("%d messages in the mailbox, want the bounce kept", left)
	}
}

// imaps:// speaks TLS from the first byte; a wrong password is an error
// that leaves the mailbox as it was.
func TestPollerOverTLS(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mb := startIMAPOn(t, true)
	userID, id := e.deliveredUser(t, "gone@corp.example.com")
	mb.put(t, fixture(t, e.verp, "dsn_postfix_user_unknown.eml", id, "gone@corp.example.com"))
	if _, err := mb.pollerURL(t, e.proc, "imaps://bounces:wrong@"+mb.Addr()+"/INBOX").Poll(context.Background()); err == nil {
		t.Error("a wrong password read the mailbox")
	}
	if mb.count(t, "INBOX") != 1 || e.user(t, userID).InviteStatus != invite.StatusInvited {
		t.Fatal("a failed login changed something")
	}
	if n, err := mb.pollerURL(t, e.proc, "imaps://bounces:mailbox-pw@"+mb.Addr()+"/INBOX").Poll(context.Background()); err != nil || n != 1 {
		t.Fatalf("Poll over TLS = %d, %v", n, err)
	}
	if u := e.user(t, userID); u.InviteStatus != invite.StatusError {
		t.Errorf("user after the bounce read over TLS: %+v", u)
	}
}
