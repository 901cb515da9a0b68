package tasks

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/inviter/inviter/pkg/invite"
)

var _ invite.Enqueuer = (*Enqueuer)(nil)

// Enqueuer puts invitation attempts in the asynq queue.
type Enqueuer struct {
	rc          redis.UniversalClient
	client      *asynq.Client
	inspector   *asynq.Inspector
	opts        Options
	concurrency int
}

// NewEnqueuer returns an Enqueuer on the Redis connection rc that runs up to
// concurrency enqueues at a time: each asynq enqueue is one Redis round
// trip, so a batch of ten thousand attempts goes as fast as the round trips
// overlap. Closing rc is the caller's business.
func NewEnqueuer(rc redis.UniversalClient, opts Options, concurrency int) *Enqueuer {
	if concurrency < 1 {
		concurrency = 1
	}
	return &Enqueuer{rc: rc, client: asynq.NewClientFromRedisClient(rc),
		inspector: asynq.NewInspectorFromRedisClient(rc), opts: opts, concurrency: concurrency}
}

// Enqueue enqueues the attempts. An attempt already in the queue is skipped.
// It returns the errors of the attempts that could not be enqueued, joined;
// those stay waiting in PostgreSQL for the reconciler.
func (e *Enqueuer) Enqueue(ctx context.Context, qs []invite.Queued) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu        sync.Mutex
		errs      []error
		succeeded atomic.Int64
		wg        sync.WaitGroup
		next      = make(chan invite.Queued)
	)
	workers := min(e.concurrency, len(qs))
	for range workers {
		wg.Go(func() {
			for q := range next {
				_, err := e.enqueue(ctx, q)
				if err == nil {
					succeeded.Add(1)
					continue
				}
				mu.Lock()
				errs = append(errs, err)
				// Redis is not answering at all: stop rather than wait out a
				// connection timeout per task; the reconciler takes over.
				if len(errs) >= 2*workers && succeeded.Load() == 0 {
					cancel()
				}
				mu.Unlock()
			}
		})
	}
feed:
	for _, q := range qs {
		select {
		case next <- q:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if len(errs) > 0 {
		return fmt.Errorf("tasks: %d of %d attempts not enqueued: %w", len(errs), len(qs), errors.Join(errs[:min(len(errs), 5)]...))
	}
	return nil
}

// enqueue enqueues one attempt and reports whether it was missing.
func (e *Enqueuer) enqueue(ctx context.Context, q invite.Queued) (bool, error) {
	t, err := NewInvitationTask(q, e.opts)
	if err != nil {
		return false, err
	}
	_, err = e.client.EnqueueContext(ctx, t)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("tasks: enqueue attempt %d: %w", q.InvitationID, err)
	}
	return true, nil
}

// Live reports whether an attempt has a task that will run: pending,
// scheduled, retrying or running, not archived or completed.
func (e *Enqueuer) Live(ctx context.Context, q invite.Queued) (bool, error) {
	st, found, err := e.state(ctx, q)
	return found && st != asynq.TaskStateArchived && st != asynq.TaskStateCompleted, err
}

// Requeue makes sure an attempt that PostgreSQL says is waiting has a live
// task: it enqueues it when Redis lost it, and replaces a task that asynq
// gave up on (archived) or finished (completed) while the attempt stayed
// waiting, e.g. because a worker died during its last try. It reports
// whether a task was enqueued.
func (e *Enqueuer) Requeue(ctx context.Context, q invite.Queued) (bool, error) {
	added, err := e.enqueue(ctx, q)
	if err != nil || added {
		return added, err
	}
	st, found, err := e.state(ctx, q)
	switch {
	case err != nil:
		return false, err
	case !found:
		return e.enqueue(ctx, q) // it finished between the two calls
	case st != asynq.TaskStateArchived && st != asynq.TaskStateCompleted:
		return false, nil // it will run
	}
	if err := e.inspector.DeleteTask(Queue, TaskID(q.InvitationID)); err != nil && !errors.Is(err, asynq.ErrTaskNotFound) {
		return false, fmt.Errorf("tasks: delete dead task of attempt %d: %w", q.InvitationID, err)
	}
	return e.enqueue(ctx, q)
}

// state returns the state of an attempt's task, found false when it has none.
func (e *Enqueuer) state(ctx context.Context, q invite.Queued) (asynq.TaskState, bool, error) {
	info, err := e.inspector.GetTaskInfo(Queue, TaskID(q.InvitationID))
	if errors.Is(err, asynq.ErrQueueNotFound) {
		found, perr := e.probe(ctx, q)
		if perr != nil || !found {
			return 0, false, perr
		}
		info, err = e.inspector.GetTaskInfo(Queue, TaskID(q.InvitationID))
	}
	if errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("tasks: inspect attempt %d: %w", q.InvitationID, err)
	}
	return info.State, true, nil
}

// probeDelay puts a probe task out of any worker's reach.
const probeDelay = 100 * 365 * 24 * time.Hour

// probe answers whether an attempt's task exists when the inspector cannot
// see the queue. That happens after Redis lost its data (it keeps nothing on
// disk): the list of queues went with it, and an asynq client adds a queue
// to it only on its first enqueue in a process, so tasks enqueued since are
// there but unlisted. A fresh client's enqueue lists the queue again; the
// task it enqueues is due in a century, and the task id decides: a conflict
// means the task exists, success that it did not (the probe is deleted).
func (e *Enqueuer) probe(ctx context.Context, q invite.Queued) (bool, error) {
	t, err := NewInvitationTask(q, e.opts)
	if err != nil {
		return false, err
	}
	_, err = asynq.NewClientFromRedisClient(e.rc).EnqueueContext(ctx, t, asynq.ProcessIn(probeDelay))
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("tasks: probe attempt %d: %w", q.InvitationID, err)
	}
	if err := e.inspector.DeleteTask(Queue, TaskID(q.InvitationID)); err != nil {
		return false, fmt.Errorf("tasks: delete probe of attempt %d: %w", q.InvitationID, err)
	}
	return false, nil
}
