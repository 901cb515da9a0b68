package worker_test

import (
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/worker"
)

// A database hiccup right after a send is ridden out inside the try: the
// delivery is recorded on a second attempt, and no second message is sent.
func TestDeliveryRecordedDespiteAHiccup(t *testing.T) {
	t.Parallel()
	faulty := &failDelivered{}
	faulty.failures.Store(1)
	e := newEnv(t, withStore(func(s *postgres.Store) worker.Store { faulty.Store = s; return faulty }))
	u := e.newUser(invite.NewUser{FirstName: "Ivan", LastName: "Blip", Email: "blip@example.com"})
	q := e.invite(invite.MethodEmailOrPhone, u)[0]
	if err := e.handler.ProcessTask(t.Context(), e.task(q)); err != nil {
		t.Fatalf("the try returned %v; the hiccup should have been ridden out", err)
	}
	if s := e.user(u.ID).InviteStatus; s != invite.StatusInvited {
		t.Errorf("user is %s, want invited", s)
	}
	if n := len(e.smtp.WaitMessages(t, 1, 5*time.Second)); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}
