package worker_test

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/auth"
	"github.com/inviter/inviter/pkg/invite"
)

func TestEmailDelivered(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.newUser(invite.NewUser{FirstName: "Ivan", LastName: "Petrov", Email: "Ivan.Petrov@Example.com"})
	if u.InviteStatus != invite.StatusNotInvited {
		t.Fatalf("new user is %s", u.InviteStatus)
	}
	qs := e.invite(invite.MethodEmailOrPhone, u)
	if e.user(u.ID).InviteStatus != invite.StatusWaiting {
		t.Fatal("the batch did not make the user waiting")
	}
	e.enqueue(qs)
	e.start()

	msg := e.smtp.WaitMessages(t, 1, waitTimeout)[0]
	got := e.waitStatus(u.ID, invite.StatusInvited)
	if !got.UserInvited() || got.InvitedAt == nil || got.InviteError != nil {
		t.Errorf("user after delivery: invited %v, invited_at %v, error %+v", got.UserInvited(), got.InvitedAt, got.InviteError)
	}
	a := e.attempt(u.ID, qs[0].InvitationID)
	if a.Status != invite.AttemptSent || a.Attempts != 1 || a.DeliveredAt == nil || a.Error != nil ||
		a.Channel != invite.ChannelEmail || a.Destination != "Ivan.Petrov@example.com" {
		t.Errorf("attempt after delivery: %+v, want sent to Ivan.Petrov@example.com after 1 try", a)
	}
	if a.ExpiresAt == nil || a.ExpiresAt.Sub(*a.DeliveredAt) < inviteTTL-time.Minute || a.ExpiresAt.Sub(*a.DeliveredAt) > inviteTTL+time.Minute {
		t.Errorf("password expires at %v for a delivery at %v, want %v later", a.ExpiresAt, a.DeliveredAt, inviteTTL)
	}
	if len(msg.To) != 1 || msg.To[0] != "Ivan.Petrov@example.com" || msg.From != "noreply@inviter.example.com" {
		t.Errorf("envelope from %q to %q", msg.From, msg.To)
	}

	login, password := mailCredentials(t, msg)
	if login != u.Login {
		t.Errorf("e-mail gives login %q, the user's is %q", login, u.Login)
	}
	if !e.loginWorks(login, password) {
		t.Error("the password in the e-mail does not log in")
	}
	if !e.loginWorks(strings.ToUpper(login), password) {
		t.Error("the login is not case-insensitive")
	}
	wrong, err := auth.NewTemporaryPassword()
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{wrong, password[:len(password)-1], strings.ToLower(password) + "x", ""} {
		if e.loginWorks(login, bad) {
			t.Errorf("password %q logs in", bad)
		}
	}
	if pws := e.passwords.all(); len(pws) != 1 || pws[0] != password {
		t.Errorf("the handler made %d passwords; want exactly the one it sent", len(pws))
	}
	if e.logs.Count("invitation delivered") != 1 {
		t.Errorf("want one \"invitation delivered\" log line:\n%s", e.logs)
	}
	e.assertSecretsKept()
}

func TestEmailTransientThenDelivered(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMaxRetry(3))
	u := e.newUser(invite.NewUser{FirstName: "Anna", LastName: "Busy", Email: "busy@example.com"})
	e.smtp.FailRcpt("busy@example.com", 451, "4.3.0", "try later", 2)
	qs := e.invite(invite.MethodEmailOrPhone, u)
	e.enqueue(qs)
	e.start()

	e.waitStatus(u.ID, invite.StatusInvited)
	a := e.attempt(u.ID, qs[0].InvitationID)
	if a.Attempts != 3 || a.Status != invite.AttemptSent || a.Error != nil || a.ProviderMessage != "" {
		t.Errorf("attempt: %+v; want sent on the 3rd try, the retries' provider message cleared", a)
	}
	if n := e.logs.Count("delivery failed; will retry"); n != 2 {
		t.Errorf("%d \"will retry\" log lines, want 2:\n%s", n, e.logs)
	}
	if n := e.logs.Count("try later"); n < 2 {
		t.Errorf("the provider's 4xx text was logged %d times, want at least 2", n)
	}
	msgs := e.smtp.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d e-mails, want 1", len(msgs))
	}
	login, password := mailCredentials(t, msgs[0])
	if !e.loginWorks(login, password) {
		t.Error("the password in the e-mail does not log in")
	}
	e.assertSecretsKept()
}

func TestEmailUnknownMailboxNotRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMaxRetry(3))
	u := e.newUser(invite.NewUser{FirstName: "Nobody", LastName: "Here", Email: "nobody@example.com"})
	// Refused once only: a retry would be accepted, and show.
	e.smtp.FailRcpt("nobody@example.com", 550, "5.1.1", "No such user here", 1)
	qs := e.invite(invite.MethodEmailOrPhone, u)
	e.enqueue(qs)
	e.start()

	wantFailed(t, e, u, qs[0], invite.ReasonDeliveryRejected, "No such user here", 1)
	if n := len(e.smtp.Messages()); n != 0 {
		t.Errorf("%d e-mails delivered: the rejected address was retried", n)
	}
	e.assertSecretsKept()
}

func TestEmailRefusedAtDataNotRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMaxRetry(3))
	u := e.newUser(invite.NewUser{FirstName: "Spam", LastName: "Filter", Email: "filtered@example.com"})
	e.smtp.FailData(554, "Message rejected as spam", 1)
	qs := e.invite(invite.MethodEmailOrPhone, u)
	e.enqueue(qs)
	e.start()

	wantFailed(t, e, u, qs[0], invite.ReasonDeliveryFailed, "rejected as spam", 1)
	if n := len(e.smtp.Messages()); n != 0 {
		t.Errorf("%d e-mails delivered: the refused message was retried", n)
	}
}

func TestEmailRetriesExhausted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMaxRetry(2))
	u := e.newUser(invite.NewUser{FirstName: "Always", LastName: "Busy", Email: "grey@example.com"})
	e.smtp.FailRcpt("grey@example.com", 451, "4.3.0", "Greylisted, try later", -1)
	qs := e.invite(invite.MethodEmailOrPhone, u)
	e.enqueue(qs)
	e.start()

	wantFailed(t, e, u, qs[0], invite.ReasonDeliveryFailed, "Greylisted, try later", 3)
	if n := len(e.passwords.all()); n != 3 {
		t.Errorf("%d passwords made, want one per try (3)", n)
	}
	if n := len(e.smtp.Messages()); n != 0 {
		t.Errorf("%d e-mails delivered", n)
	}
	// The archived task keeps the last error in Redis: no password in it.
	e.assertSecretsKept()
}

func TestEmailStalledServer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMaxRetry(20), withSMTPTimeout(200*time.Millisecond))
	u := e.newUser(invite.NewUser{FirstName: "Slow", LastName: "Server", Email: "slow@example.com"})
	e.smtp.Stall(time.Hour)
	qs := e.invite(invite.MethodEmailOrPhone, u)
	e.enqueue(qs)
	e.start()

	// Each try gives up after the SMTP timeout and is retried: a second try
	// starts while the server still hangs.
	eventually(t, waitTimeout, func() bool { return e.attempt(u.ID, qs[0].InvitationID).Attempts >= 2 },
		"a second try against the stalled server")
	if s := e.user(u.ID).InviteStatus; s != invite.StatusWaiting {
		t.Fatalf("user is %s while the server hangs, want waiting", s)
	}
	if e.logs.Count("delivery failed; will retry") == 0 {
		t.Errorf("no retry logged:\n%s", e.logs)
	}
	// The try's history keeps the cause as a code and the server's address
	// a page can put in its reader's language.
	a := e.attempt(u.ID, qs[0].InvitationID)
	wantCause := invite.Cause{Code: invite.CauseTimeout, Service: invite.CauseServiceSMTP,
		Addr: net.JoinHostPort(e.smtp.Host(), strconv.Itoa(e.smtp.Port()))}
	if c, ok := invite.ParseCause(a.ProviderMessage); !ok || c != wantCause {
		t.Errorf("provider message %q reads as %+v, %v; want %+v", a.ProviderMessage, c, ok, wantCause)
	}
	if n := len(e.smtp.Messages()); n != 0 {
		t.Fatalf("%d e-mails through a stalled server", n)
	}

	e.smtp.Stall(0)
	e.waitStatus(u.ID, invite.StatusInvited)
	msgs := e.smtp.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d e-mails after the server recovered, want 1", len(msgs))
	}
	login, password := mailCredentials(t, msgs[0])
	if !e.loginWorks(login, password) {
		t.Error("the password in the e-mail does not log in")
	}
}

// wantFailed waits for the user's attempt to end in failure (its task
// archived, not retried) and checks the reason code, the provider's text on
// the user and in the history, and the number of tries.
func wantFailed(t *testing.T, e *env, u invite.User, q invite.Queued, code, text string, tries int) {
	t.Helper()
	got := e.waitStatus(u.ID, invite.StatusError)
	e.waitArchived(q.InvitationID)
	if got.InviteError == nil || got.InviteError.Code != code || !strings.Contains(got.InviteError.Message, text) {
		t.Errorf("user error %+v, want %s quoting %q", got.InviteError, code, text)
	}
	if got.UserInvited() {
		t.Error("user marked invited")
	}
	a := e.attempt(u.ID, q.InvitationID)
	if a.Status != invite.AttemptFailed || a.Attempts != tries || a.Error == nil || a.Error.Code != code ||
		!strings.Contains(a.ProviderMessage, text) {
		t.Errorf("attempt %+v, want failed after %d tries with %s and %q", a, tries, code, text)
	}
}
