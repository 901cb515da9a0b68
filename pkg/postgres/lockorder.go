package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"time"
)

// defaultUnlockTimeout bounds the release of an advisory lock.
const defaultUnlockTimeout = 5 * time.Second

// Statements that lock several invitation rows take them in id order (see
// "Lock order" in attempts.go): a materialized CTE locks them ORDER BY id,
// and the change applies to what it locked. A plain UPDATE over several
// rows locks them in whatever order its plan reads them (the heap's, once
// rows have moved), and deadlocks against one that goes by id.

// markReconciled restarts the staleness clock of checked attempts and
// counts a re-enqueue for those put back in the queue.
const markReconciled = `
WITH locked AS MATERIALIZED (
    SELECT id FROM invitations
    WHERE (id = ANY($1) OR id = ANY($2)) AND status = 'waiting'
    ORDER BY id FOR UPDATE
)
UPDATE invitations i
SET requeues = i.requeues + CASE WHEN i.id = ANY($1) THEN 1 ELSE 0 END, updated_at = now()
FROM locked WHERE i.id = locked.id AND i.status = 'waiting'`

// retireTemporaryPasswords marks every delivered attempt of a user used,
// when they choose a password.
const retireTemporaryPasswords = `
WITH locked AS MATERIALIZED (
    SELECT id FROM invitations
    WHERE user_id = $1 AND consumed_at IS NULL AND delivered_at IS NOT NULL
    ORDER BY id FOR UPDATE
)
UPDATE invitations i SET consumed_at = now() FROM locked WHERE i.id = locked.id`

// reconcilerLockKey is the PostgreSQL advisory lock that lets one worker
// replica reconcile at a time.
const reconcilerLockKey = `hashtext('inviter:reconciler')`

// TryReconcilerLock takes the reconciler's advisory lock if no other
// replica holds it, on a connection of its own that holds it until
// release is called (or the connection dies with its replica). ok is false
// when another replica has it.
func (s *Store) TryReconcilerLock(ctx context.Context) (release func(), ok bool, err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, false, translate("reconciler lock", err)
	}
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(`+reconcilerLockKey+`)`).Scan(&ok); err != nil || !ok {
		conn.Close()
		return nil, false, translate("reconciler lock", err)
	}
	return func() { unlock(conn) }, true, nil
}

func unlock(conn *sql.Conn) {
	// A fresh context: the caller's may be done (shutdown), and a lock left
	// on a pooled connection would block every other replica.
	ctx, cancel := context.WithTimeout(context.Background(), defaultUnlockTimeout)
	defer cancel()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock(`+reconcilerLockKey+`)`); err != nil {
		// Drop the connection rather than return it to the pool locked.
		conn.Raw(func(any) error { return driver.ErrBadConn }) //nolint:errcheck // marks the connection bad: closed, not pooled
	}
	conn.Close()
}
