package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/testenv"
)

// More guarded sends than the pool has connections, each writing to the
// database while it sends (as the dev outbox and the SMS sender do): all of
// them finish. Without the bound on guarded sends, the first ones take every
// connection and their writes wait for one until the deadline.
func TestGuardedSendsLeaveConnectionsForTheirWrites(t *testing.T) {
	t.Parallel()
	db := testenv.NewDatabase(t)
	pool, err := sqlx.Open("postgres", db.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	pool.SetMaxOpenConns(10) // eight send slots, two connections spare
	s := postgres.NewStore(pool)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()

	const sends = 16
	ds := make([]invite.Delivery, sends)
	for i := range ds {
		u := mustCreate(t, s, invite.NewUser{Login: fmt.Sprintf("u%d", i), FirstName: "U", LastName: "U",
			Email: fmt.Sprintf("u%d@example.com", i)})
		d, err := s.ClaimAttempt(ctx, inviteOne(t, s, u), []byte("hash"))
		if err != nil {
			t.Fatal(err)
		}
		ds[i] = d
	}
	var wg sync.WaitGroup
	errs := make(chan error, sends)
	for _, d := range ds {
		wg.Go(func() {
			sent, err := s.GuardSend(ctx, d.Hold(), func(ctx context.Context) error {
				_, err := pool.ExecContext(ctx, `SELECT pg_sleep(0.05)`) // a write of the send's own
				return err
			})
			if err == nil && !sent {
				err = fmt.Errorf("attempt %d not sent", d.InvitationID)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
