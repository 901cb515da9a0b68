package worker_test

import (
	"context"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/worker"
)

// editAfterClaim is the real store, except that right after a claim an
// admin changes the user's e-mail: the worker holds the old destination
// and is about to send.
type editAfterClaim struct {
	worker.Store
	pg       *postgres.Store
	newEmail string
}

func (s *editAfterClaim) ClaimAttempt(ctx context.Context, id int64, hash []byte) (invite.Delivery, error) {
	d, err := s.Store.ClaimAttempt(ctx, id, hash)
	if err != nil {
		return d, err
	}
	email := s.newEmail
	_, err = s.pg.UpdateUser(ctx, d.UserID, 0, func(u invite.User) (invite.NewUser, error) {
		n, _, err := invite.UserPatch{Email: &email}.Apply(u).Normalize()
		return n, err
	}, func(c invite.Candidate) invite.Decision { return invite.Decide(invite.MethodEmailOrPhone, c) })
	return d, err
}

// The old address never receives an invitation its user's edit replaced;
// the new attempt goes to the new address.
// Both with the plain store and with the group commit the worker binary
// wraps around it.
func TestSupersededAfterClaimIsNotSent(t *testing.T) {
	t.Parallel()
	for _, group := range []bool{false, true} {
		t.Run(map[bool]string{false: "store", true: "group commit"}[group], func(t *testing.T) {
			t.Parallel()
			testSupersededAfterClaim(t, group)
		})
	}
}

func testSupersededAfterClaim(t *testing.T, group bool) {
	wrapped := &editAfterClaim{newEmail: "new@example.com"}
	e := newEnv(t, withStore(func(s *postgres.Store) worker.Store {
		wrapped.pg, wrapped.Store = s, s
		if group {
			g := worker.NewGroupCommit(s, 8, 1)
			t.Cleanup(g.Close)
			wrapped.Store = g
		}
		return wrapped
	}))
	u := e.newUser(invite.NewUser{FirstName: "Ivan", LastName: "Moved", Email: "old@example.com"})
	q := e.invite(invite.MethodEmailOrPhone, u)[0]
	if err := e.handler.ProcessTask(t.Context(), e.task(q)); err != nil {
		t.Fatalf("try: %v", err)
	}
	if got := e.user(u.ID); got.InviteStatus != invite.StatusWaiting || got.Email != "new@example.com" {
		t.Fatalf("user after the edit: %+v", got)
	}
	history, err := e.store.Invitations(t.Context(), u.ID)
	if err != nil || len(history) != 2 || history[1].Status != invite.AttemptSuperseded || history[0].Destination != "new@example.com" {
		t.Fatalf("history %+v, %v", history, err)
	}
	// The new attempt goes to the new address only (the store's edit after
	// this claim sets the same e-mail again: no change, no reroute).
	if err := e.handler.ProcessTask(t.Context(), e.task(invite.Queued{InvitationID: history[0].ID, UserID: u.ID, Channel: invite.ChannelEmail})); err != nil {
		t.Fatalf("try of the new attempt: %v", err)
	}
	msgs := e.smtp.WaitMessages(t, 1, 5*time.Second)
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	for _, m := range msgs {
		for _, rcpt := range m.To {
			if rcpt != "new@example.com" {
				t.Fatalf("a message went to %s", rcpt)
			}
		}
	}
	if s := e.user(u.ID).InviteStatus; s != invite.StatusInvited {
		t.Fatalf("user is %s, want invited", s)
	}
}
