package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/inviter/inviter/pkg/invite"
)

// ReconcileStore is what the reconciler needs from PostgreSQL.
type ReconcileStore interface {
	StaleAttempts(ctx context.Context, olderThan time.Duration, afterID int64, limit int) ([]invite.StaleAttempt, error)
	MarkReconciled(ctx context.Context, requeued, present []int64) error
	MarkFailed(ctx context.Context, id int64, reason invite.Reason, providerMessage string) error
}

// Requeuer checks and restores an attempt's task.
type Requeuer interface {
	// Live reports whether the attempt has a task that will run.
	Live(ctx context.Context, q invite.Queued) (bool, error)
	// Requeue makes sure it has one, reporting whether it had to enqueue it.
	Requeue(ctx context.Context, q invite.Queued) (bool, error)
}

// ReconcilerConfig holds the reconciler's settings.
type ReconcilerConfig struct {
	Interval    time.Duration // how often to look (RECONCILE_INTERVAL)
	Grace       time.Duration // how long an attempt may sit untouched before it is checked
	MaxRequeues int           // after this many re-enqueues an attempt fails
	BatchSize   int
	Observer    Observer // counts re-enqueued attempts (the metrics); nil counts nothing
}

// Reconciler keeps Redis in step with PostgreSQL: Redis keeps nothing on
// disk and the API may fail to enqueue after committing, so every attempt
// that is waiting in PostgreSQL but has no live task is enqueued again.
// Replicas may all run it: task ids make their work idempotent, and with
// WithLock one at a time does.
type Reconciler struct {
	store ReconcileStore
	queue Requeuer
	cfg   ReconcilerConfig
	log   *slog.Logger
	lock  ReconcileLock // see WithLock; nil: every replica reconciles
}

// NewReconciler returns a Reconciler.
func NewReconciler(store ReconcileStore, queue Requeuer, cfg ReconcilerConfig, log *slog.Logger) *Reconciler {
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 1000
	}
	if cfg.MaxRequeues <= 0 {
		cfg.MaxRequeues = 5
	}
	return &Reconciler{store: store, queue: queue, cfg: cfg, log: log}
}

// Run reconciles every Interval until ctx is done.
func (r *Reconciler) Run(ctx context.Context) error {
	t := time.NewTicker(r.cfg.Interval)
	defer t.Stop()
	for {
		if n, _, err := r.reconcileAlone(ctx); err != nil {
			r.log.WarnContext(ctx, "reconcile failed", "err", err)
		} else if n > 0 {
			r.log.InfoContext(ctx, "re-enqueued waiting invitations missing from the queue", "count", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// ReconcileOnce checks every stale waiting attempt once and returns how
// many it re-enqueued.
func (r *Reconciler) ReconcileOnce(ctx context.Context) (int, error) {
	total := 0
	var after int64
	var errs []error
	for {
		stale, err := r.store.StaleAttempts(ctx, r.cfg.Grace, after, r.cfg.BatchSize)
		if err != nil {
			return total, fmt.Errorf("worker: reconcile: %w", err)
		}
		if len(stale) == 0 {
			return total, errors.Join(errs...)
		}
		var requeued, present []int64
		for _, a := range stale {
			added, err := r.reconcile(ctx, a)
			if err != nil {
				// One attempt's trouble (Redis hiccup, a bad row) must not stop
				// the others, nor lose the bookkeeping of those done.
				errs = append(errs, err)
				continue
			}
			if added {
				requeued = append(requeued, a.InvitationID)
			} else {
				present = append(present, a.InvitationID)
			}
		}
		total += len(requeued)
		observerOr(r.cfg.Observer).Requeue(len(requeued))
		after = stale[len(stale)-1].InvitationID
		// Touching restarts each attempt's staleness clock, so the next page
		// holds other attempts and a task sitting in a long backoff is not
		// inspected on every tick.
		if err := r.store.MarkReconciled(ctx, requeued, present); err != nil {
			return total, fmt.Errorf("worker: reconcile: %w", errors.Join(append(errs, err)...))
		}
		if len(stale) < r.cfg.BatchSize {
			return total, errors.Join(errs...)
		}
	}
}

func (r *Reconciler) reconcile(ctx context.Context, a invite.StaleAttempt) (bool, error) {
	q := invite.Queued{InvitationID: a.InvitationID, Channel: a.Channel}
	if a.Requeues < r.cfg.MaxRequeues {
		requeued, err := r.queue.Requeue(ctx, q)
		if err != nil {
			return false, fmt.Errorf("worker: reconcile attempt %d: %w", a.InvitationID, err)
		}
		if requeued {
			r.log.InfoContext(ctx, "reconciler: re-enqueued a waiting invitation missing from the queue",
				"invitation_id", a.InvitationID, "channel", a.Channel, "requeues", a.Requeues+1)
		}
		return requeued, nil
	}
	// Out of re-enqueues: leave a live task alone, fail a dead one.
	live, err := r.queue.Live(ctx, q)
	if err != nil {
		return false, fmt.Errorf("worker: reconcile attempt %d: %w", a.InvitationID, err)
	}
	if !live {
		msg := fmt.Sprintf("gave up after the task was lost or abandoned %d times", a.Requeues)
		if err := r.store.MarkFailed(ctx, a.InvitationID, *invite.NewReason(invite.ReasonDeliveryFailed, msg), msg); err != nil {
			return false, fmt.Errorf("worker: reconcile attempt %d: %w", a.InvitationID, err)
		}
		r.log.WarnContext(ctx, "reconciler: gave up an invitation whose task was lost too often",
			"invitation_id", a.InvitationID, "channel", a.Channel, "requeues", a.Requeues)
	}
	return false, nil
}
