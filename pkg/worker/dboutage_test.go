package worker_test

import (
	"context"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jmoiron/sqlx"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/worker"
)

// unreachableStore is a store whose PostgreSQL does not answer: the real
// driver meets a refused connection on every call.
func unreachableStore(t *testing.T) *postgres.Store {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	db, err := sqlx.Open("postgres", "postgres://postgres@127.0.0.1:"+strconv.Itoa(port)+"/none?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return postgres.NewStore(db)
}

// outage serves the handler from a database that is down until up is set.
type outage struct {
	*postgres.Store
	down  *postgres.Store
	up    atomic.Bool
	calls atomic.Int32
}

func (o *outage) ClaimAttempt(ctx context.Context, id int64, hash []byte) (invite.Delivery, error) {
	if !o.up.Load() {
		o.calls.Add(1)
		return o.down.ClaimAttempt(ctx, id, hash)
	}
	return o.Store.ClaimAttempt(ctx, id, hash)
}

// A database outage is not a delivery failure: the task keeps being
// retried, more times than MAX_RETRIES allows failures, without using up a
// retry, and the user is invited once the database is back.
func TestDatabaseOutageUsesNoRetries(t *testing.T) {
	t.Parallel()
	o := &outage{down: unreachableStore(t)}
	e := newEnv(t, withMaxRetry(1), withStore(func(s *postgres.Store) worker.Store { o.Store = s; return o }))

	err := e.handler.ProcessTask(t.Context(), e.task(e.invite(invite.MethodEmailOrPhone,
		e.newUser(invite.NewUser{FirstName: "Direct", LastName: "Call", Email: "direct@example.com"}))[0]))
	if err == nil || worker.IsFailure(err) || invite.KindOf(err) != invite.KindUnavailable {
		t.Fatalf("a try with the database down returned %v (failure: %v); want an unavailable error that is no failure", err, worker.IsFailure(err))
	}

	e.start()
	u := e.newUser(invite.NewUser{FirstName: "Ivan", LastName: "Outage", Email: "outage@example.com"})
	q := e.invite(invite.MethodEmailOrPhone, u)[0]
	e.enqueue([]invite.Queued{q})
	eventually(t, 30*time.Second, func() bool { return o.calls.Load() >= 5 }, "the task was not retried through the outage")
	if st := e.taskState(q.InvitationID); st == 0 || st == asynq.TaskStateArchived {
		t.Fatalf("the task is gone or archived during the outage (state %v)", st)
	}
	if s := e.user(u.ID).InviteStatus; s != invite.StatusWaiting {
		t.Fatalf("during the outage the user is %s, want waiting", s)
	}
	o.up.Store(true)
	e.waitStatus(u.ID, invite.StatusInvited)
}
