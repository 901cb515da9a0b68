package invite_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/tasks"
	"github.com/inviter/inviter/pkg/testenv"
)

// committedCheck is an Enqueuer that, before enqueuing anything, asks
// PostgreSQL on another connection whether the batch it fills is there:
// a queue filled before the commit would let a worker meet an attempt that
// does not exist yet.
type committedCheck struct {
	*tasks.Enqueuer
	db        *testenv.Database
	t         *testing.T
	enqueued  int
	dispatchd []int64
}

func (c *committedCheck) visibleAttempts(ctx context.Context) int {
	var n int
	if err := c.db.DB.GetContext(ctx, &n, `SELECT count(*) FROM invitations WHERE status = 'waiting'`); err != nil {
		c.t.Error(err)
	}
	return n
}

func (c *committedCheck) Enqueue(ctx context.Context, qs []invite.Queued) error {
	if n := c.visibleAttempts(ctx); n < len(qs) {
		c.t.Errorf("enqueue of %d attempts while %d are committed", len(qs), n)
	}
	c.enqueued += len(qs)
	return c.Enqueuer.Enqueue(ctx, qs)
}

func (c *committedCheck) Dispatch(ctx context.Context, batchID int64) error {
	if n := c.visibleAttempts(ctx); n == 0 {
		c.t.Errorf("dispatch of batch %d before its attempts are committed", batchID)
	}
	c.dispatchd = append(c.dispatchd, batchID)
	return c.Enqueuer.Dispatch(ctx, batchID)
}

func seedUsers(t *testing.T, db *testenv.Database, n int) {
	t.Helper()
	if _, err := db.DB.ExecContext(t.Context(), `
		INSERT INTO users (login, first_name, last_name, email)
		SELECT 'user' || g, 'First', 'Last', 'user' || g || '@example.com' FROM generate_series(1, $1) g`, n); err != nil {
		t.Fatal(err)
	}
}

// A small batch's tasks are enqueued by the api itself, a large batch's
// through one dispatch task; either only after the commit.
func TestInviteFillsTheQueueAfterTheCommit(t *testing.T) {
	t.Parallel()
	db := testenv.NewDatabase(t)
	r := testenv.NewRedis(t)
	s := postgres.NewStore(db.DB)
	seedUsers(t, db, 5)
	q := &committedCheck{Enqueuer: tasks.NewEnqueuer(r.Client, tasks.Options{MaxRetry: 3, Timeout: time.Minute}, 4), db: db, t: t}
	in := invite.NewInviter(s, q, slog.New(slog.DiscardHandler)).WithDirectEnqueue(2)
	inspector := asynq.NewInspectorFromRedisClient(r.Client)

	small, err := in.Invite(t.Context(), 0, invite.Selection{UserIDs: []int64{1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	if q.enqueued != 2 || len(q.dispatchd) != 0 {
		t.Errorf("2 users: %d attempts enqueued, %d dispatches; want 2 and none", q.enqueued, len(q.dispatchd))
	}
	for _, o := range small.Outcomes {
		if _, err := inspector.GetTaskInfo(tasks.Queue, tasks.TaskID(o.InvitationID)); err != nil {
			t.Errorf("task of attempt %d: %v", o.InvitationID, err)
		}
	}

	large, err := in.Invite(t.Context(), 0, invite.Selection{Filter: &invite.UserFilter{Status: invite.StatusNotInvited}})
	if err != nil {
		t.Fatal(err)
	}
	if large.Queued != 3 || q.enqueued != 2 || len(q.dispatchd) != 1 || q.dispatchd[0] != large.BatchID {
		t.Fatalf("3 users: queued %d, %d attempts enqueued, dispatches %v; want one dispatch of batch %d",
			large.Queued, q.enqueued, q.dispatchd, large.BatchID)
	}
	info, err := inspector.GetTaskInfo(tasks.DispatchQueue, tasks.DispatchTaskID(large.BatchID))
	if err != nil || info.Type != tasks.TypeDispatch {
		t.Fatalf("dispatch task: %+v %v", info, err)
	}
	// A second dispatch of the same batch is harmless.
	if err := q.Enqueuer.Dispatch(t.Context(), large.BatchID); err != nil {
		t.Errorf("second dispatch: %v", err)
	}
	if n, err := inspector.ListPendingTasks(tasks.DispatchQueue); err != nil || len(n) != 1 {
		t.Errorf("pending dispatch tasks %d (%v), want 1", len(n), err)
	}
}

// Redis down: the batch is recorded and the answer comes; the attempts
// wait for the reconciler.
func TestInviteWithTheQueueDown(t *testing.T) {
	t.Parallel()
	db := testenv.NewDatabase(t)
	seedUsers(t, db, 3)
	rc := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	t.Cleanup(func() { rc.Close() })
	down := tasks.NewEnqueuer(rc, tasks.Options{MaxRetry: 3, Timeout: time.Minute}, 4)
	for _, direct := range []int{0, 100} {
		in := invite.NewInviter(postgres.NewStore(db.DB), down, slog.New(slog.DiscardHandler)).WithDirectEnqueue(direct)
		res, err := in.Invite(t.Context(), 0, invite.Selection{Filter: &invite.UserFilter{}})
		if err != nil || res.Queued != 3 {
			t.Errorf("direct %d: %+v %v; want 3 queued and no error", direct, res, err)
		}
	}
}

// Results bounds the answer, never the batch: every mode records the same.
func TestInviteResultsModes(t *testing.T) {
	t.Parallel()
	db := testenv.NewDatabase(t)
	s := postgres.NewStore(db.DB)
	ids := previewFixture(t, s)
	r := testenv.NewRedis(t)
	in := invite.NewInviter(s, tasks.NewEnqueuer(r.Client, tasks.Options{MaxRetry: 3, Timeout: time.Minute}, 4), slog.New(slog.DiscardHandler))
	sel := invite.Selection{UserIDs: []int64{ids["email"], ids["no_contact"], ids["admin"], 987654}}
	var first invite.BatchResult
	for _, tt := range []struct {
		mode invite.Results
		want int
	}{{invite.ResultsAll, 4}, {invite.ResultsRefused, 3}, {invite.ResultsNone, 0}} {
		res, err := in.InviteWith(t.Context(), 0, sel, invite.InviteOptions{Results: tt.mode})
		if err != nil {
			t.Fatal(err)
		}
		// The administrator is left alone (admins), not refused; the
		// refused and not-found lists name them all the same.
		if len(res.Outcomes) != tt.want || res.Queued != 1 || res.Rejected != 2 || res.Admins != 1 {
			t.Errorf("%s: %d outcomes, queued %d, rejected %d, admins %d; want %d, 1, 2, 1", tt.mode, len(res.Outcomes), res.Queued, res.Rejected, res.Admins, tt.want)
		}
		for _, o := range res.Outcomes {
			if tt.mode == invite.ResultsRefused && o.Status == invite.StatusWaiting {
				t.Errorf("refused: lists waiting user %d", o.UserID)
			}
		}
		if tt.mode == invite.ResultsAll {
			first = res
		}
	}
	p, err := s.BatchProgress(t.Context(), first.BatchID)
	if err != nil || p.Selected != 3 || p.Refused != 1 || p.Admins != 1 || p.NotFound != 1 {
		t.Errorf("batch recorded %+v %v", p, err)
	}
}

// A selection larger than a page of the batch is decided and written page
// by page, with the same outcome as one page would give.
func TestInviteAcrossPages(t *testing.T) {
	t.Parallel()
	const n = 12_345 // over two pages of 5,000
	db := testenv.NewDatabase(t)
	s := postgres.NewStore(db.DB)
	seedUsers(t, db, n)
	if _, err := db.DB.ExecContext(t.Context(), `UPDATE users SET email = 'bad' WHERE id % 1000 = 0`); err != nil {
		t.Fatal(err)
	}
	r := testenv.NewRedis(t)
	in := invite.NewInviter(s, tasks.NewEnqueuer(r.Client, tasks.Options{MaxRetry: 3, Timeout: time.Minute}, 4), slog.New(slog.DiscardHandler))
	res, err := in.InviteWith(t.Context(), 0, invite.Selection{Filter: &invite.UserFilter{}}, invite.InviteOptions{Results: invite.ResultsRefused})
	if err != nil {
		t.Fatal(err)
	}
	if res.Queued != n-12 || res.Rejected != 12 || len(res.Outcomes) != 12 {
		t.Errorf("queued %d, rejected %d, %d outcomes; want %d, 12, 12", res.Queued, res.Rejected, len(res.Outcomes), n-12)
	}
	var states struct{ Waiting, Errors, Attempts, Distinct int }
	if err := db.DB.GetContext(t.Context(), &states, `SELECT
		(SELECT count(*) FROM invite_states WHERE status = 'waiting') AS waiting,
		(SELECT count(*) FROM invite_states WHERE status = 'error') AS errors,
		(SELECT count(*) FROM invitations WHERE batch_id = $1) AS attempts,
		(SELECT count(DISTINCT user_id) FROM invitations WHERE batch_id = $1) AS distinct`, res.BatchID); err != nil {
		t.Fatal(err)
	}
	if states.Waiting != n-12 || states.Errors != 12 || states.Attempts != n || states.Distinct != n {
		t.Errorf("after the batch: %+v", states)
	}
	// Sent again: everybody waiting keeps their attempt, nothing new.
	again, err := in.InviteWith(t.Context(), 0, invite.Selection{Filter: &invite.UserFilter{Status: invite.StatusWaiting}}, invite.InviteOptions{Results: invite.ResultsNone})
	if err != nil || again.Queued != n-12 {
		t.Fatalf("again: %+v %v", again, err)
	}
	if p, err := s.BatchProgress(t.Context(), again.BatchID); err != nil || p.Kept != n-12 || p.Queued != 0 {
		t.Errorf("second batch: %+v %v; want every user kept", p, err)
	}
}
