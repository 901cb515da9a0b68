package worker

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/hibiken/asynq"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/tasks"
)

// DispatchStore reads a batch's waiting attempts page by page.
type DispatchStore interface {
	DispatchBounds(ctx context.Context, batchID int64, pageSize int) ([]int64, error)
	WaitingInBatch(ctx context.Context, batchID, afterID, lastID int64) ([]invite.Queued, error)
}

// PageEnqueuer enqueues page tasks and attempt tasks.
type PageEnqueuer interface {
	EnqueuePages(ctx context.Context, pages []tasks.DispatchPayload) error
	Enqueue(ctx context.Context, q []invite.Queued) error
}

// DefaultDispatchPage is how many attempts one page task enqueues: small
// enough that several workers share a large batch, large enough that the
// page tasks themselves are few (a hundred for 100,000 users).
const DefaultDispatchPage = 1000

// Dispatcher fills the queue behind a committed batch. The dispatch task
// splits the batch's waiting attempts into pages by id, enqueues a task for
// every page but the first and enqueues the first page's attempts itself,
// so that deliveries start at once; the other pages run on whichever
// workers are free. Everything is idempotent: task ids make a repeated page
// or attempt a no-op, and only attempts still waiting are enqueued. A lost
// dispatch or page (Redis flushed, a worker killed) leaves its attempts
// waiting without a task, which the reconciler enqueues after
// RECONCILE_GRACE.
type Dispatcher struct {
	store    DispatchStore
	queue    PageEnqueuer
	pageSize int
	log      *slog.Logger
}

// NewDispatcher returns a Dispatcher with pages of pageSize attempts
// (DefaultDispatchPage when 0).
func NewDispatcher(store DispatchStore, queue PageEnqueuer, pageSize int, log *slog.Logger) *Dispatcher {
	if pageSize <= 0 {
		pageSize = DefaultDispatchPage
	}
	return &Dispatcher{store: store, queue: queue, pageSize: pageSize, log: log}
}

// Register adds the dispatch and page handlers to mux.
func (d *Dispatcher) Register(mux *asynq.ServeMux) {
	mux.HandleFunc(tasks.TypeDispatch, d.dispatch)
	mux.HandleFunc(tasks.TypeDispatchPage, d.page)
}

func (d *Dispatcher) dispatch(ctx context.Context, t *asynq.Task) error {
	p, err := tasks.ParseDispatchPayload(t.Payload())
	if err != nil {
		return fmt.Errorf("worker: %w: %w", err, asynq.SkipRetry)
	}
	bounds, err := d.store.DispatchBounds(ctx, p.BatchID, d.pageSize)
	if err != nil {
		return fmt.Errorf("worker: dispatch batch %d: %w", p.BatchID, err)
	}
	first := tasks.DispatchPayload{BatchID: p.BatchID}
	if len(bounds) > 0 {
		first.LastID = bounds[0]
		pages := make([]tasks.DispatchPayload, 0, len(bounds))
		for i, after := range bounds {
			page := tasks.DispatchPayload{BatchID: p.BatchID, AfterID: after}
			if i+1 < len(bounds) {
				page.LastID = bounds[i+1]
			}
			pages = append(pages, page)
		}
		if err := d.queue.EnqueuePages(ctx, pages); err != nil {
			return fmt.Errorf("worker: dispatch batch %d: %w", p.BatchID, err)
		}
	}
	d.log.DebugContext(ctx, "batch dispatched", "batch_id", p.BatchID, "pages", len(bounds)+1)
	return d.enqueuePage(ctx, first)
}

func (d *Dispatcher) page(ctx context.Context, t *asynq.Task) error {
	p, err := tasks.ParseDispatchPayload(t.Payload())
	if err != nil {
		return fmt.Errorf("worker: %w: %w", err, asynq.SkipRetry)
	}
	return d.enqueuePage(ctx, p)
}

// enqueuePage enqueues the tasks of a page's attempts that are still
// waiting; an error makes asynq run the page again.
func (d *Dispatcher) enqueuePage(ctx context.Context, p tasks.DispatchPayload) error {
	qs, err := d.store.WaitingInBatch(ctx, p.BatchID, p.AfterID, p.LastID)
	if err != nil {
		return fmt.Errorf("worker: page %d of batch %d: %w", p.AfterID, p.BatchID, err)
	}
	if err := d.queue.Enqueue(ctx, qs); err != nil {
		return fmt.Errorf("worker: page %d of batch %d: %w", p.AfterID, p.BatchID, err)
	}
	return nil
}
