package worker_test

import (
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/ratelimit"
	"github.com/inviter/inviter/pkg/testenv"
	"github.com/inviter/inviter/pkg/worker"
)

// outcomes counts what the handler reports, as the metrics do.
type outcomes struct {
	mu       sync.Mutex
	counts   map[string]int
	requeued int
}

func (o *outcomes) Outcome(channel, outcome string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.counts == nil {
		o.counts = map[string]int{}
	}
	o.counts[channel+" "+outcome]++
}

func (o *outcomes) Requeue(n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.requeued += n
}

func (o *outcomes) snapshot() map[string]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return maps.Clone(o.counts)
}

// Every outcome is counted where it happens: a transient failure that is
// retried, a delivery, a rejected address, a refused message, retries run
// out.
func TestOutcomesCounted(t *testing.T) {
	t.Parallel()
	obs := &outcomes{}
	e := newEnv(t, withMaxRetry(1), withObserver(obs))
	busy := e.newUser(invite.NewUser{FirstName: "Busy", LastName: "Once", Email: "busy@example.com"})
	gone := e.newUser(invite.NewUser{FirstName: "Gone", LastName: "Away", Email: "gone@example.com"})
	spam := e.newUser(invite.NewUser{FirstName: "Spam", LastName: "Filtered", Email: "spam@example.com"})
	down := e.newUser(invite.NewUser{FirstName: "Down", LastName: "Always", Email: "down@example.com"})
	e.smtp.FailRcpt("busy@example.com", 451, "4.3.0", "try later", 1)
	e.smtp.FailRcpt("gone@example.com", 550, "5.1.1", "no such user", -1)
	e.smtp.FailRcpt("spam@example.com", 554, "5.7.1", "message refused as spam", -1)
	e.smtp.FailRcpt("down@example.com", 451, "4.3.0", "try later", -1)
	e.enqueue(e.invite(invite.MethodEmailOrPhone, busy, gone, spam, down))
	e.start()
	e.waitStatus(busy.ID, invite.StatusInvited)
	for _, u := range []invite.User{gone, spam, down} {
		e.waitStatus(u.ID, invite.StatusError)
	}
	want := map[string]int{"email delivered": 1, "email retried": 2, "email rejected": 1, "email refused": 1, "email failed": 1}
	eventually(t, waitTimeout, func() bool { return maps.Equal(obs.snapshot(), want) },
		"outcomes %v, want %v", obs.snapshot(), want)
}

// A send whose turn under the rate limit is far away is rescheduled: it
// uses up no retry, records no failed try, and is delivered when its turn
// comes, even with no retries left to spend.
func TestRateLimitReschedulesWithoutARetry(t *testing.T) {
	t.Parallel()
	obs := &outcomes{}
	e := newEnv(t, withMaxRetry(1), withObserver(obs), withSender(func(s worker.Sender, rd *testenv.Redis) worker.Sender {
		return ratelimit.New(rd.Client, ratelimit.Config{
			Limits: map[string]ratelimit.Limit{"email": {N: 1, Per: 3 * time.Second}}, MaxWait: 100 * time.Millisecond}).Sender(s)
	}))
	users := []invite.User{
		e.newUser(invite.NewUser{FirstName: "One", LastName: "First", Email: "one@example.com"}),
		e.newUser(invite.NewUser{FirstName: "Two", LastName: "Second", Email: "two@example.com"}),
		e.newUser(invite.NewUser{FirstName: "Three", LastName: "Third", Email: "three@example.com"}),
	}
	qs := e.invite(invite.MethodEmailOrPhone, users...)
	e.enqueue(qs)
	e.start()
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(e.logs.String())
		}
	})
	// One message per 3 s: the others wait their turn through asynq, more
	// times than MAX_RETRIES=1 would allow if the waits counted.
	for _, u := range users {
		e.waitStatus(u.ID, invite.StatusInvited)
	}
	mails := e.smtp.Messages()
	if len(mails) != 3 {
		t.Fatalf("%d messages, want 3", len(mails))
	}
	for i := 1; i < len(mails); i++ {
		if gap := mails[i].At.Sub(mails[i-1].At); gap < 2500*time.Millisecond {
			t.Errorf("messages %d and %d arrived %s apart; the limit is one per 3s", i-1, i, gap)
		}
	}
	for i, u := range users {
		if a := e.attempt(u.ID, qs[i].InvitationID); a.ProviderMessage != "" {
			t.Errorf("attempt of %s records %q: a wait for the rate limit is no failed try", u.Login, a.ProviderMessage)
		}
	}
	if got := obs.snapshot(); got["email retried"] != 0 || got["email delivered"] != 3 {
		t.Errorf("outcomes %v: waits are not retries", got)
	}
	if e.taskState(qs[2].InvitationID) == asynq.TaskStateArchived {
		t.Errorf("a rescheduled task was archived")
	}
}
