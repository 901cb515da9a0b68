package worker

import (
	"context"
)

// ReconcileLock lets one replica reconcile at a time (a PostgreSQL
// advisory lock): replicas that all scan the same waiting attempts would
// only repeat each other's work and count each lost task several times.
type ReconcileLock interface {
	TryReconcilerLock(ctx context.Context) (release func(), ok bool, err error)
}

// WithLock returns the reconciler with lock in force. Call it while
// wiring, before Run.
func (r *Reconciler) WithLock(lock ReconcileLock) *Reconciler {
	r.lock = lock
	return r
}

// reconcileAlone runs one pass if no other replica is running one; ran is
// false when another replica held the lock.
func (r *Reconciler) reconcileAlone(ctx context.Context) (n int, ran bool, err error) {
	if r.lock == nil {
		n, err = r.ReconcileOnce(ctx)
		return n, true, err
	}
	release, ok, err := r.lock.TryReconcilerLock(ctx)
	if err != nil || !ok {
		return 0, false, err
	}
	defer release()
	n, err = r.ReconcileOnce(ctx)
	return n, true, err
}
