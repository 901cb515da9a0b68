package tasks

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/hibiken/asynq"

	"github.com/inviter/inviter/pkg/invite"
)

var _ invite.Enqueuer = (*Enqueuer)(nil)

// Enqueuer puts invitation attempts in the asynq queue.
type Enqueuer struct {
	client      *asynq.Client
	inspector   *asynq.Inspector
	opts        Options
	concurrency int
}

// NewEnqueuer returns an Enqueuer that runs up to concurrency enqueues at a
// time: each asynq enqueue is one Redis round trip, so a batch of ten
// thousand attempts goes as fast as the round trips overlap.
func NewEnqueuer(client *asynq.Client, inspector *asynq.Inspector, opts Options, concurrency int) *Enqueuer {
	if concurrency < 1 {
		concurrency = 1
	}
	return &Enqueuer{client: client, inspector: inspector, opts: opts, concurrency: concurrency}
}

// Enqueue enqueues the attempts. An attempt already in the queue is skipped.
// It returns the errors of the attempts that could not be enqueued, joined;
// those stay waiting in PostgreSQL for the reconciler.
func (e *Enqueuer) Enqueue(ctx context.Context, qs []invite.Queued) error {
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
		next = make(chan invite.Queued)
	)
	workers := min(e.concurrency, len(qs))
	for range workers {
		wg.Go(func() {
			for q := range next {
				if _, err := e.enqueue(ctx, q); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	for _, q := range qs {
		next <- q
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
	info, err := e.inspector.GetTaskInfo(Queue, TaskID(q.InvitationID))
	if errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) {
		return e.enqueue(ctx, q) // it finished between the two calls
	}
	if err != nil {
		return false, fmt.Errorf("tasks: inspect attempt %d: %w", q.InvitationID, err)
	}
	if info.State != asynq.TaskStateArchived && info.State != asynq.TaskStateCompleted {
		return false, nil // pending, scheduled, retrying or running: it will run
	}
	if err := e.inspector.DeleteTask(Queue, info.ID); err != nil && !errors.Is(err, asynq.ErrTaskNotFound) {
		return false, fmt.Errorf("tasks: delete dead task of attempt %d: %w", q.InvitationID, err)
	}
	return e.enqueue(ctx, q)
}
