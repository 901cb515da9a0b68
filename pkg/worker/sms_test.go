package worker_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/inviter/inviter/pkg/invite"
)

// smsUser is a user reachable only by phone: +7 905 111-11-11 is stored in
// E.164 and sent to Vonage as 79051111111.
func smsUser(e *env) invite.User {
	e.t.Helper()
	return e.newUser(invite.NewUser{Login: "olga.s", FirstName: "Olga", LastName: "S", Phone: "+7 905 111-11-11"})
}

const smsNumber = "79051111111"

func TestSMSDelivered(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := smsUser(e)
	qs := e.invite(invite.MethodEmailOrPhone, u)
	if qs[0].Channel != invite.ChannelSMS {
		t.Fatalf("route %s, want sms", qs[0].Channel)
	}
	e.enqueue(qs)
	e.start()

	sms := e.vonage.WaitMessages(t, 1, waitTimeout)[0]
	got := e.waitStatus(u.ID, invite.StatusInvited)
	if !got.UserInvited() || got.InvitedAt == nil {
		t.Errorf("user after delivery: %+v", got)
	}
	if sms.To != smsNumber || sms.ClientRef != strconv.FormatInt(qs[0].InvitationID, 10) {
		t.Errorf("SMS to %q with client-ref %q, want %s and the attempt id %d", sms.To, sms.ClientRef, smsNumber, qs[0].InvitationID)
	}
	login, password := smsCredentials(t, sms)
	if login != "olga.s" || !strings.Contains(sms.Text, loginURL) {
		t.Errorf("SMS %q: want login olga.s and %s", sms.Text, loginURL)
	}
	if !e.loginWorks(login, password) {
		t.Error("the password in the SMS does not log in")
	}
	if e.loginWorks(login, password[1:]+"2") {
		t.Error("a wrong password logs in")
	}
	a := e.attempt(u.ID, qs[0].InvitationID)
	if a.Status != invite.AttemptSent || a.Attempts != 1 || a.Destination != "+79051111111" {
		t.Errorf("attempt %+v, want sent to +79051111111 after 1 try", a)
	}
	e.assertSecretsKept()
}

func TestSMSProviderErrorThenDelivered(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMaxRetry(2))
	u := smsUser(e)
	e.vonage.FailHTTP(http.StatusInternalServerError, 1)
	qs := e.invite(invite.MethodEmailOrPhone, u)
	e.enqueue(qs)
	e.start()

	e.waitStatus(u.ID, invite.StatusInvited)
	if a := e.attempt(u.ID, qs[0].InvitationID); a.Attempts != 2 {
		t.Errorf("attempt %+v, want delivered on the 2nd try", a)
	}
	msgs := e.vonage.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d SMS, want 1", len(msgs))
	}
	login, password := smsCredentials(t, msgs[0])
	if !e.loginWorks(login, password) {
		t.Error("the password in the SMS does not log in")
	}
	e.assertSecretsKept()
}

// Throttling is retried after the provider's delay and does not use up the
// retry budget: with MaxRetry 1, two throttled sends still end delivered,
// within one try (the handler waits out short throttles itself).
func TestSMSThrottledDoesNotCount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMaxRetry(1), withThrottleWait(5*time.Second))
	u := smsUser(e)
	e.vonage.Respond(smsNumber, "1", "1", "0")
	qs := e.invite(invite.MethodEmailOrPhone, u)
	e.enqueue(qs)
	e.start()

	e.waitStatus(u.ID, invite.StatusInvited)
	if a := e.attempt(u.ID, qs[0].InvitationID); a.Attempts != 1 || a.Status != invite.AttemptSent {
		t.Errorf("attempt %+v, want sent within the first try", a)
	}
	if n := e.logs.Count("provider rate limit; retrying later"); n != 2 {
		t.Errorf("%d rate-limit log lines, want 2", n)
	}
	login, password := smsCredentials(t, e.vonage.Messages()[0])
	if !e.loginWorks(login, password) {
		t.Error("the password in the SMS does not log in")
	}
}

// With MAX_RETRIES=0 (a valid setting) a throttled try must still be
// retried: throttling is not a failure.
func TestSMSThrottledWithoutRetryBudget(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMaxRetry(0), withThrottleWait(5*time.Second))
	u := smsUser(e)
	e.vonage.Respond(smsNumber, "1", "0")
	qs := e.invite(invite.MethodEmailOrPhone, u)
	e.enqueue(qs)
	e.start()

	id := qs[0].InvitationID
	eventually(t, waitTimeout, func() bool {
		return e.user(u.ID).InviteStatus == invite.StatusInvited || e.taskState(id) == asynq.TaskStateArchived
	}, "the throttled attempt to be delivered or given up")
	if e.taskState(id) == asynq.TaskStateArchived {
		t.Fatalf("BUG (pkg/worker/failure.go, Handler.failed, RateLimited case): on a try with no retry left "+
			"(MaxRetry 0 here, or the last retry in general) the handler returns the rate-limited error and asynq "+
			"archives the task (asynq checks Retried >= MaxRetry before it asks IsFailure), so throttling does count: "+
			"the attempt stays %s with no live task until the reconciler replaces it; want it retried after the provider's delay",
			e.user(u.ID).InviteStatus)
	}
	if a := e.attempt(u.ID, id); a.Attempts != 1 || a.Status != invite.AttemptSent {
		t.Errorf("attempt %+v, want sent within the first try", a)
	}
}

func TestSMSInvalidNumberNotRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMaxRetry(3))
	u := smsUser(e)
	// Refused once only: a retry would be accepted, and show.
	e.vonage.RespondText(smsNumber, "3", "Invalid to number")
	qs := e.invite(invite.MethodEmailOrPhone, u)
	e.enqueue(qs)
	e.start()

	got := e.waitStatus(u.ID, invite.StatusError)
	e.waitArchived(qs[0].InvitationID)
	if got.InviteError == nil || got.InviteError.Code != invite.ReasonDeliveryRejected ||
		!strings.Contains(got.InviteError.Message, "Invalid to number") {
		t.Errorf("user error %+v, want delivery_rejected quoting Vonage", got.InviteError)
	}
	a := e.attempt(u.ID, qs[0].InvitationID)
	if a.Status != invite.AttemptFailed || a.Attempts != 1 || a.ProviderMessage != "Invalid to number" {
		t.Errorf("attempt %+v, want failed after 1 try with Vonage's text", a)
	}
	if n := len(e.vonage.Messages()); n != 0 {
		t.Errorf("%d SMS delivered: the rejected number was retried", n)
	}
}
