package worker_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/tasks"
	"github.com/inviter/inviter/pkg/worker"
)

func (e *env) reconciler(cfg worker.ReconcilerConfig) *worker.Reconciler {
	return worker.NewReconciler(e.store, e.enqueuer, cfg, e.log)
}

// emailUsers creates n users reachable by e-mail.
func emailUsers(e *env, n int) []invite.User {
	e.t.Helper()
	users := make([]invite.User, n)
	for i := range users {
		users[i] = e.newUser(invite.NewUser{FirstName: "User", LastName: fmt.Sprint(i), Email: fmt.Sprintf("user%d@example.com", i)})
	}
	return users
}

func (e *env) reconcileOnce(r *worker.Reconciler) int {
	e.t.Helper()
	n, err := r.ReconcileOnce(ctxTimeout(e.t, waitTimeout))
	if err != nil {
		e.t.Fatalf("ReconcileOnce: %v", err)
	}
	return n
}

// Redis keeps nothing on disk: after it lost the queue, the reconciler puts
// every waiting attempt back, once.
func TestReconcilerAfterRedisFlushed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	users := emailUsers(e, 3)
	e.enqueue(e.invite(invite.MethodEmailOrPhone, users...))
	e.flushRedis()
	r := e.reconciler(worker.ReconcilerConfig{Interval: 50 * time.Millisecond})

	if n := e.reconcileOnce(r); n != len(users) {
		t.Fatalf("ReconcileOnce re-enqueued %d, want %d", n, len(users))
	}
	if n := e.reconcileOnce(r); n != 0 {
		t.Errorf("second ReconcileOnce re-enqueued %d, want 0: the tasks are back", n)
	}
	e.start()
	if n := e.waitInvited(users...); n != len(users) {
		t.Errorf("%d e-mails for %d users: a task was enqueued twice", n, len(users))
	}
}

func TestReconcilerLeavesQueuedTasks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	users := emailUsers(e, 3)
	e.enqueue(e.invite(invite.MethodEmailOrPhone, users...))
	r := e.reconciler(worker.ReconcilerConfig{Interval: 50 * time.Millisecond})

	if n := e.reconcileOnce(r); n != 0 {
		t.Errorf("ReconcileOnce re-enqueued %d tasks that were queued", n)
	}
	info, err := e.inspector.GetQueueInfo(tasks.Queue)
	if err != nil || info.Pending != len(users) || info.Size != len(users) {
		t.Errorf("queue after reconciling: %+v (%v), want the same %d pending tasks", info, err, len(users))
	}
	for _, u := range users {
		if s := e.user(u.ID).InviteStatus; s != invite.StatusWaiting {
			t.Errorf("user %d is %s, want waiting", u.ID, s)
		}
	}
}

// A task asynq gave up on (archived) while its attempt stayed waiting is
// replaced, by Requeue directly or by the reconciler.
func TestReconcilerReplacesArchivedTask(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	users := emailUsers(e, 2)
	qs := e.invite(invite.MethodEmailOrPhone, users...)
	e.enqueue(qs)
	for _, q := range qs {
		if err := e.inspector.ArchiveTask(tasks.Queue, tasks.TaskID(q.InvitationID)); err != nil {
			t.Fatalf("archive: %v", err)
		}
	}
	requeued, err := e.enqueuer.Requeue(t.Context(), qs[0])
	if err != nil || !requeued {
		t.Fatalf("Requeue of an archived task = %v, %v; want true", requeued, err)
	}
	if s := e.taskState(qs[0].InvitationID); s != asynq.TaskStatePending {
		t.Errorf("replaced task is %v, want pending", s)
	}
	requeued, err = e.enqueuer.Requeue(t.Context(), qs[0])
	if err != nil || requeued {
		t.Errorf("Requeue of a pending task = %v, %v; want false", requeued, err)
	}
	r := e.reconciler(worker.ReconcilerConfig{Interval: 50 * time.Millisecond})
	if n := e.reconcileOnce(r); n != 1 {
		t.Errorf("ReconcileOnce re-enqueued %d, want 1 (the other archived task)", n)
	}
	if s := e.taskState(qs[1].InvitationID); s != asynq.TaskStatePending {
		t.Errorf("task replaced by the reconciler is %v, want pending", s)
	}
	e.start()
	for _, u := range users {
		e.waitStatus(u.ID, invite.StatusInvited)
	}
	if n := len(e.smtp.Messages()); n != len(users) {
		t.Errorf("%d e-mails for %d users", n, len(users))
	}
}

// An attempt whose task keeps getting lost fails after MaxRequeues
// re-enqueues instead of waiting forever.
func TestReconcilerGivesUpAfterMaxRequeues(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := emailUsers(e, 1)[0]
	q := e.invite(invite.MethodEmailOrPhone, u)[0] // never enqueued: the API lost it
	r := e.reconciler(worker.ReconcilerConfig{Interval: 50 * time.Millisecond, MaxRequeues: 2})

	for i := range 2 {
		if n := e.reconcileOnce(r); n != 1 {
			t.Fatalf("round %d re-enqueued %d, want 1", i+1, n)
		}
		if s := e.user(u.ID).InviteStatus; s != invite.StatusWaiting {
			t.Fatalf("round %d: user is %s, want waiting", i+1, s)
		}
		e.flushRedis() // and lost again
	}
	if n := e.reconcileOnce(r); n != 0 {
		t.Errorf("re-enqueued %d after the maximum", n)
	}
	got := e.user(u.ID)
	if got.InviteStatus != invite.StatusError || got.InviteError == nil || got.InviteError.Code != invite.ReasonDeliveryFailed ||
		!strings.Contains(got.InviteError.Message, "2 times") {
		t.Errorf("user %s %+v, want error delivery_failed after 2 re-enqueues", got.InviteStatus, got.InviteError)
	}
	if a := e.attempt(u.ID, q.InvitationID); a.Status != invite.AttemptFailed || a.Error == nil || a.Error.Code != invite.ReasonDeliveryFailed {
		t.Errorf("attempt %+v, want failed with delivery_failed", a)
	}
	if s := e.taskState(q.InvitationID); s != 0 {
		t.Errorf("the failed attempt has a task (%v)", s)
	}
}

// Run enqueues what the API failed to enqueue, without anyone asking.
func TestReconcilerRunDeliversUnqueued(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	users := emailUsers(e, 3)
	e.invite(invite.MethodEmailOrPhone, users...) // committed, never enqueued
	e.start()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.reconciler(worker.ReconcilerConfig{Interval: 50 * time.Millisecond}).Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	for _, u := range users {
		e.waitStatus(u.ID, invite.StatusInvited)
	}
	if n := len(e.smtp.Messages()); n != len(users) {
		t.Errorf("%d e-mails for %d users", n, len(users))
	}
}

// ReconcileOnce "checks every stale waiting attempt once": with more
// waiting attempts than a page holds, all of them queued, it must return.
func TestReconcileOnceChecksEachAttemptOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	users := emailUsers(e, 3)
	e.enqueue(e.invite(invite.MethodEmailOrPhone, users...))
	r := e.reconciler(worker.ReconcilerConfig{Interval: 50 * time.Millisecond, BatchSize: 2})

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	n, err := r.ReconcileOnce(ctx)
	if ctx.Err() != nil {
		t.Fatalf("BUG (pkg/worker/reconciler.go, ReconcileOnce): with Grace 0 and 3 queued waiting attempts, "+
			"BatchSize 2, it did not return within 5s (returned %d, %v): each page is re-read by staleness, the "+
			"attempts MarkReconciled just touched are stale again at once, so every page is full and the loop never "+
			"ends; want each stale attempt checked once and 0 re-enqueued", n, err)
	}
	if err != nil || n != 0 {
		t.Errorf("ReconcileOnce = %d, %v; want 0, nil", n, err)
	}
}

// After a Redis restart the processes keep their asynq clients. A task
// archived from then on, while its attempt is still waiting, must still be
// replaced by the reconciler.
func TestReconcilerReplacesArchivedTaskAfterRedisRestart(t *testing.T) {
	t.Parallel()
	faulty := &failDelivered{}
	faulty.failures.Store(4) // every record of the try fails: the first and the handler's 3 retries
	// No retry: the try whose delivery is not recorded is the last one.
	e := newEnv(t, withMaxRetry(0), withStore(func(s *postgres.Store) worker.Store { faulty.Store = s; return faulty }))
	u := emailUsers(e, 1)[0]
	q := e.invite(invite.MethodEmailOrPhone, u)[0]
	e.enqueue([]invite.Queued{q})
	e.flushRedis() // Redis restarted without persistence
	r := e.reconciler(worker.ReconcilerConfig{Interval: 50 * time.Millisecond})
	if n := e.reconcileOnce(r); n != 1 {
		t.Fatalf("ReconcileOnce after the restart re-enqueued %d, want 1", n)
	}
	e.start()
	e.smtp.WaitMessages(t, 1, waitTimeout)
	// asynq's own record of the task: the Inspector cannot be used here (see
	// the failure message below).
	taskKey := "asynq:{" + tasks.Queue + "}:t:" + tasks.TaskID(q.InvitationID)
	eventually(t, waitTimeout, func() bool {
		return e.redis.Client.HGet(t.Context(), taskKey, "state").Val() == "archived"
	}, "the task whose delivery was not recorded to be archived")
	if s := e.user(u.ID).InviteStatus; s != invite.StatusWaiting {
		t.Fatalf("user is %s, want waiting: the delivery was not recorded", s)
	}

	n := e.reconcileOnce(r)
	if n != 1 {
		_, infoErr := e.inspector.GetTaskInfo(tasks.Queue, tasks.TaskID(q.InvitationID))
		t.Fatalf("BUG (pkg/tasks/enqueuer.go, Enqueuer.Requeue): ReconcileOnce re-enqueued %d, want 1. After Redis lost "+
			"its data, the long-lived asynq client does not add the queue back to asynq:queues (it caches that it "+
			"did), so the Inspector answers %v; Requeue takes that for \"the task finished\", enqueues, gets "+
			"ErrTaskIDConflict from the archived task and reports false. The attempt counts as present on every run, "+
			"never reaches MaxRequeues, and the user stays waiting until the processes restart", n, infoErr)
	}
	e.waitStatus(u.ID, invite.StatusInvited)
	msgs := e.smtp.WaitMessages(t, 2, waitTimeout)
	for i, m := range msgs {
		login, password := mailCredentials(t, m)
		if !e.loginWorks(login, password) {
			t.Errorf("the password of e-mail %d does not log in", i+1)
		}
	}
}
