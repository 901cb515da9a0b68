package worker_test

import (
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/tasks"
	"github.com/inviter/inviter/pkg/worker"
)

// batchOf records a batch for users and returns its id.
func (e *env) batchOf(users ...invite.User) int64 {
	e.t.Helper()
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	b, err := e.store.CreateBatch(e.t.Context(), invite.Selection{UserIDs: ids}, 0,
		func(c invite.Candidate) invite.Decision { return invite.Decide(invite.MethodEmailOrPhone, c) },
		invite.BatchOptions{Results: invite.ResultsNone})
	if err != nil {
		e.t.Fatal(err)
	}
	return b.ID
}

func (e *env) pendingIn(queue string) []*asynq.TaskInfo {
	e.t.Helper()
	ts, err := e.inspector.ListPendingTasks(queue, asynq.PageSize(1000))
	if err != nil {
		e.t.Fatalf("list %s: %v", queue, err)
	}
	return ts
}

// The dispatch task enqueues the first page's attempts and one task per
// further page; each page enqueues its attempts; a page run twice, or a
// dispatch run twice, enqueues nothing twice, and an attempt superseded
// meanwhile is left out.
func TestDispatchFansABatchOutInPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	users := emailUsers(e, 8)
	batch := e.batchOf(users...)
	mux := asynq.NewServeMux()
	worker.NewDispatcher(e.store, e.enqueuer, 3, e.log).Register(mux)
	dispatch, err := tasks.NewDispatchTask(batch, tasks.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := mux.ProcessTask(t.Context(), dispatch); err != nil {
			t.Fatalf("dispatch: %v", err)
		}
	}
	if n := len(e.pendingIn(tasks.Queue)); n != 3 {
		t.Errorf("after the dispatch: %d attempt tasks, want the first page's 3", n)
	}
	pages := e.pendingIn(tasks.DispatchQueue)
	if len(pages) != 2 {
		t.Fatalf("%d page tasks, want 2 (8 attempts in pages of 3)", len(pages))
	}
	// The last user's attempt is superseded before its page runs.
	var last int64
	if err := e.db.DB.GetContext(t.Context(), &last,
		`UPDATE invitations SET status = 'superseded' WHERE id = (SELECT max(id) FROM invitations WHERE batch_id = $1) RETURNING id`, batch); err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		for range 2 {
			if err := mux.ProcessTask(t.Context(), asynq.NewTask(p.Type, p.Payload)); err != nil {
				t.Fatalf("page %s: %v", p.ID, err)
			}
		}
	}
	got := e.pendingIn(tasks.Queue)
	if len(got) != 7 {
		t.Errorf("%d attempt tasks after every page ran twice, want 7", len(got))
	}
	for _, ti := range got {
		if ti.ID == tasks.TaskID(last) {
			t.Errorf("the superseded attempt %d was enqueued", last)
		}
	}
}

// The whole path on a running worker: a dispatched batch is delivered, one
// message per user.
func TestDispatchedBatchIsDelivered(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	users := emailUsers(e, 7)
	batch := e.batchOf(users...)
	e.start()
	if err := e.enqueuer.Dispatch(t.Context(), batch); err != nil {
		t.Fatal(err)
	}
	if n := e.waitInvited(users...); n != len(users) {
		t.Errorf("%d messages for %d users", n, len(users))
	}
}

// A dispatch task lost with Redis: the batch's attempts wait without a task,
// and the reconciler enqueues them once they are older than the grace.
func TestReconcilerCoversALostDispatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	users := emailUsers(e, 5)
	batch := e.batchOf(users...)
	if err := e.enqueuer.Dispatch(t.Context(), batch); err != nil {
		t.Fatal(err)
	}
	e.flushRedis()
	r := e.reconciler(worker.ReconcilerConfig{Interval: time.Hour, Grace: time.Hour})
	if n := e.reconcileOnce(r); n != 0 {
		t.Errorf("within the grace: %d re-enqueued, want 0", n)
	}
	r = e.reconciler(worker.ReconcilerConfig{Interval: time.Hour})
	if n := e.reconcileOnce(r); n != len(users) {
		t.Fatalf("after the grace: %d re-enqueued, want %d", n, len(users))
	}
	e.start()
	e.waitInvited(users...)
}
