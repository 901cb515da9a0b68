package worker_test

import (
	"context"
	"sync"
	"testing"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/testenv"
	"github.com/inviter/inviter/pkg/worker"
)

// Twenty sends guarded at once through the group commit, on PostgreSQL:
// those still waiting for their destination go out, one asked for with a
// destination the attempt no longer has does not, and every send returns
// with its attempt already free, so that its delivery record never waits
// for the locks of the other sends of its group.
func TestGroupedSendsOnPostgres(t *testing.T) {
	t.Parallel()
	db := testenv.NewDatabase(t)
	store := postgres.NewStore(db.DB)
	users := groupUsers(t, store, 20)
	g := worker.NewGroupCommit(store, 100, 1)
	defer closePromptly(t, g)

	holds := make([]invite.SendHold, 0, len(users))
	for id := range users {
		d, err := store.ClaimAttempt(t.Context(), id, groupHash(id, 0))
		if err != nil {
			t.Fatal(err)
		}
		holds = append(holds, d.Hold())
	}
	holds[0].Destination = "moved@example.com" // as if an edit had rerouted it

	var wg sync.WaitGroup
	begin := make(chan struct{})
	results := make([]bool, len(holds))
	for i, h := range holds {
		wg.Go(func() {
			<-begin
			sent, err := g.GuardSend(ctxTimeout(t, waitTimeout), h, func(context.Context) error { return nil })
			if err != nil {
				t.Errorf("send %d: %v", h.InvitationID, err)
				return
			}
			results[i] = sent
			if err := lockNowait(t.Context(), db, h.InvitationID); err != nil {
				t.Errorf("attempt %d still locked after its send returned: %v", h.InvitationID, err)
			}
		})
	}
	close(begin)
	wg.Wait()
	for i, h := range holds {
		if want := i != 0; results[i] != want {
			t.Errorf("attempt %d sent %v, want %v", h.InvitationID, results[i], want)
		}
	}
}

// lockNowait takes and drops the attempt's row lock, failing at once if
// another transaction holds it.
func lockNowait(ctx context.Context, db *testenv.Database, id int64) error {
	tx, err := db.DB.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // only a lock
	_, err = tx.ExecContext(ctx, `SELECT id FROM invitations WHERE id = $1 FOR UPDATE NOWAIT`, id)
	return err
}
