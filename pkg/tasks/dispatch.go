package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/hibiken/asynq"
)

// The tasks that fill the queue behind a committed batch: one dispatch task
// per batch, which splits the batch's waiting attempts into pages, and one
// task per page, which enqueues its attempts' tasks. Type names never change
// once released.
const (
	TypeDispatch     = "invite:dispatch"
	TypeDispatchPage = "invite:dispatch_page"
)

// DispatchQueue holds the dispatch and page tasks. Workers serve it before
// Queue (strict priority), so a batch's tasks are enqueued before the
// workers go on delivering an earlier batch, and fan-out is never stuck
// behind deliveries.
const DispatchQueue = "invitations_dispatch"

// DispatchPayload is the body of a dispatch task (BatchID only) and of a
// page task: the batch's waiting attempts with ids in (AfterID, LastID],
// LastID 0 meaning no upper bound.
type DispatchPayload struct {
	BatchID int64 `json:"batch_id"`
	AfterID int64 `json:"after_id,omitempty"`
	LastID  int64 `json:"last_id,omitempty"`
}

// DispatchTaskID is the task id of a batch's dispatch: a second enqueue of
// it is a no-op.
func DispatchTaskID(batchID int64) string {
	return "dispatch:" + strconv.FormatInt(batchID, 10)
}

// PageTaskID is the task id of one page of a batch. A page enqueued again
// (a dispatch task that ran twice) is a no-op, and one that runs twice
// enqueues nothing twice: its attempts' task ids are theirs.
func PageTaskID(batchID, afterID int64) string {
	return DispatchTaskID(batchID) + ":" + strconv.FormatInt(afterID, 10)
}

// NewDispatchTask builds the dispatch task of a batch.
func NewDispatchTask(batchID int64, o Options) (*asynq.Task, error) {
	return newDispatchTask(TypeDispatch, DispatchTaskID(batchID), DispatchPayload{BatchID: batchID}, o)
}

// NewPageTask builds the task of one page of a batch.
func NewPageTask(p DispatchPayload, o Options) (*asynq.Task, error) {
	return newDispatchTask(TypeDispatchPage, PageTaskID(p.BatchID, p.AfterID), p, o)
}

func newDispatchTask(typ, id string, p DispatchPayload, o Options) (*asynq.Task, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("tasks: encode dispatch payload: %w", err)
	}
	return asynq.NewTask(typ, body, asynq.TaskID(id), asynq.Queue(DispatchQueue),
		asynq.MaxRetry(o.MaxRetry), asynq.Timeout(o.Timeout)), nil
}

// ParseDispatchPayload decodes the payload of a dispatch or page task.
func ParseDispatchPayload(b []byte) (DispatchPayload, error) {
	var p DispatchPayload
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("tasks: decode dispatch payload: %w", err)
	}
	if p.BatchID <= 0 {
		return p, errors.New("tasks: dispatch payload has no batch_id")
	}
	return p, nil
}

// Dispatch enqueues the dispatch task of a committed batch; one already
// queued is not an error.
func (e *Enqueuer) Dispatch(ctx context.Context, batchID int64) error {
	t, err := NewDispatchTask(batchID, e.opts)
	if err != nil {
		return err
	}
	return e.enqueueTask(ctx, t, fmt.Sprintf("dispatch of batch %d", batchID))
}

// EnqueuePages enqueues page tasks; pages already queued are skipped.
func (e *Enqueuer) EnqueuePages(ctx context.Context, pages []DispatchPayload) error {
	var errs []error
	for _, p := range pages {
		t, err := NewPageTask(p, e.opts)
		if err == nil {
			err = e.enqueueTask(ctx, t, fmt.Sprintf("page %d of batch %d", p.AfterID, p.BatchID))
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (e *Enqueuer) enqueueTask(ctx context.Context, t *asynq.Task, what string) error {
	_, err := e.client.EnqueueContext(ctx, t)
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("tasks: enqueue %s: %w", what, err)
	}
	return nil
}
