package worker_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/worker"
)

// Asynq delivers at least once: a task repeated after its attempt was
// delivered sends nothing.
func TestDuplicateTaskAfterDelivery(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.newUser(invite.NewUser{FirstName: "Ivan", LastName: "Twice", Email: "twice@example.com"})
	q := e.invite(invite.MethodEmailOrPhone, u)[0]
	task := e.task(q)

	if err := e.handler.ProcessTask(t.Context(), task); err != nil {
		t.Fatalf("first run: %v", err)
	}
	if n := len(e.smtp.Messages()); n != 1 {
		t.Fatalf("first run sent %d e-mails, want 1", n)
	}
	invitedAt := e.user(u.ID).InvitedAt
	if err := e.handler.ProcessTask(t.Context(), task); err != nil {
		t.Fatalf("second run of a delivered attempt: %v, want nil", err)
	}
	if n := len(e.smtp.Messages()); n != 1 {
		t.Errorf("%d e-mails after the repeated task, want 1", n)
	}
	if a := e.attempt(u.ID, q.InvitationID); a.Attempts != 1 || a.Status != invite.AttemptSent {
		t.Errorf("attempt %+v: the repeat counted as a try", a)
	}
	if got := e.user(u.ID); got.InviteStatus != invite.StatusInvited || !got.InvitedAt.Equal(*invitedAt) {
		t.Errorf("user after the repeat: %s invited at %v, want invited at %v", got.InviteStatus, got.InvitedAt, invitedAt)
	}
	login, password := mailCredentials(t, e.smtp.Messages()[0])
	if !e.loginWorks(login, password) {
		t.Error("the password of the only e-mail no longer logs in")
	}
}

// failDelivered is the real store except that MarkDelivered fails its
// first calls, as when the worker dies between sending and recording.
type failDelivered struct {
	*postgres.Store
	failures atomic.Int32
}

func (s *failDelivered) MarkDelivered(ctx context.Context, id int64, ttl time.Duration) error {
	if s.failures.Add(-1) >= 0 {
		return errors.New("injected: connection lost before the delivery was recorded")
	}
	return s.Store.MarkDelivered(ctx, id, ttl)
}

// A try whose message went out but whose delivery was not recorded runs
// again and sends a second message; both passwords must work.
func TestDuplicateTaskAfterUnrecordedDelivery(t *testing.T) {
	t.Parallel()
	faulty := &failDelivered{}
	faulty.failures.Store(4) // every record of the try fails: the first and the handler's 3 retries
	e := newEnv(t, withStore(func(s *postgres.Store) worker.Store { faulty.Store = s; return faulty }))
	u := e.newUser(invite.NewUser{FirstName: "Ivan", LastName: "Crash", Email: "crash@example.com"})
	q := e.invite(invite.MethodEmailOrPhone, u)[0]
	task := e.task(q)

	if err := e.handler.ProcessTask(t.Context(), task); err == nil {
		t.Fatal("the try whose delivery was not recorded returned nil: asynq would not run it again")
	}
	if n := len(e.smtp.Messages()); n != 1 {
		t.Fatalf("%d e-mails after the first try, want 1", n)
	}
	if s := e.user(u.ID).InviteStatus; s != invite.StatusWaiting {
		t.Fatalf("user is %s after an unrecorded delivery, want waiting", s)
	}
	if err := e.handler.ProcessTask(t.Context(), task); err != nil {
		t.Fatalf("second try: %v", err)
	}
	msgs := e.smtp.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d e-mails after the second try, want 2", len(msgs))
	}
	e.waitStatus(u.ID, invite.StatusInvited)
	if a := e.attempt(u.ID, q.InvitationID); a.Attempts != 2 || a.Status != invite.AttemptSent {
		t.Errorf("attempt %+v, want sent after 2 tries", a)
	}
	seen := map[string]bool{}
	for i, m := range msgs {
		login, password := mailCredentials(t, m)
		if seen[password] {
			t.Errorf("e-mail %d repeats a password", i+1)
		}
		seen[password] = true
		if !e.loginWorks(login, password) {
			t.Errorf("the password of e-mail %d does not log in", i+1)
		}
	}
}

// Two workers running the same waiting attempt at once (a lost lease, a
// recovered task): whatever goes out, every password in it works.
func TestDuplicateTaskConcurrent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const users, copies = 5, 2
	qs := map[int64]invite.Queued{} // by user id
	for i := range users {
		u := e.newUser(invite.NewUser{FirstName: "Race", LastName: fmt.Sprint(i), Email: fmt.Sprintf("race%d@example.com", i)})
		qs[u.ID] = e.invite(invite.MethodEmailOrPhone, u)[0]
	}
	var wg sync.WaitGroup
	errs := make(chan error, users*copies)
	for _, q := range qs {
		task := e.task(q)
		for range copies {
			wg.Go(func() { errs <- e.handler.ProcessTask(t.Context(), task) })
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent run: %v", err)
		}
	}
	msgs := e.smtp.Messages()
	if len(msgs) < users || len(msgs) > users*copies {
		t.Fatalf("%d e-mails for %d users run %d times each", len(msgs), users, copies)
	}
	t.Logf("%d users run %d times at once got %d e-mails", users, copies, len(msgs))
	perUser := map[string]int{}
	for _, m := range msgs {
		login, password := mailCredentials(t, m)
		perUser[login]++
		if !e.loginWorks(login, password) {
			t.Errorf("a password sent to %s does not log in", login)
		}
	}
	if len(perUser) != users {
		t.Errorf("e-mails went to %d users, want %d", len(perUser), users)
	}
	for userID, q := range qs {
		if s := e.user(userID).InviteStatus; s != invite.StatusInvited {
			t.Errorf("user %d is %s, want invited", userID, s)
		}
		a := e.attempt(userID, q.InvitationID)
		if a.Status != invite.AttemptSent || a.Attempts < 1 || a.Attempts > copies {
			t.Errorf("attempt %+v, want sent after 1 or %d tries", a, copies)
		}
	}
}

// A task for an attempt that a newer batch replaced sends nothing; the new
// attempt is the one delivered.
func TestSupersededAttemptSendsNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.newUser(invite.NewUser{Login: "petr", FirstName: "Petr", LastName: "Moved",
		Email: "petr@example.com", Phone: "+7 905 111-11-11"})
	old := e.invite(invite.MethodEmailOrPhone, u)[0]
	if old.Channel != invite.ChannelEmail {
		t.Fatalf("first route %s, want email", old.Channel)
	}
	// The super admin switches to phone only: the e-mail attempt is replaced.
	cur := e.invite(invite.MethodPhoneOnly, u)[0]
	if cur.InvitationID == old.InvitationID || cur.Channel != invite.ChannelSMS {
		t.Fatalf("second batch gave %+v, want a new SMS attempt", cur)
	}

	if err := e.handler.ProcessTask(t.Context(), e.task(old)); err != nil {
		t.Fatalf("superseded attempt: %v, want nil", err)
	}
	if n := len(e.smtp.Messages()); n != 0 {
		t.Errorf("%d e-mails for a superseded attempt", n)
	}
	if a := e.attempt(u.ID, old.InvitationID); a.Status != invite.AttemptSuperseded || a.Attempts != 0 {
		t.Errorf("old attempt %+v, want superseded and never tried", a)
	}
	if s := e.user(u.ID).InviteStatus; s != invite.StatusWaiting {
		t.Errorf("user is %s, want still waiting for the new attempt", s)
	}

	if err := e.handler.ProcessTask(t.Context(), e.task(cur)); err != nil {
		t.Fatalf("current attempt: %v", err)
	}
	e.waitStatus(u.ID, invite.StatusInvited)
	msgs := e.vonage.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d SMS, want 1", len(msgs))
	}
	login, password := smsCredentials(t, msgs[0])
	if !e.loginWorks(login, password) {
		t.Error("the password of the new attempt does not log in")
	}
}
