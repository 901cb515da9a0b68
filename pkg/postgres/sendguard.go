package postgres

import (
	"context"
	"fmt"
)

// guardAttempt re-reads an attempt just before its message goes out, and
// holds a share lock on it for as long as the send takes: an edit of the
// user's contact data (UpdateUser) supersedes the attempt with a
// conditional update that waits for that lock. So an attempt is sent only
// while it is still waiting, still the user's current one and still bound
// to the destination the worker is about to use; once an edit has
// superseded it, no worker sends it.
const guardAttempt = `
SELECT 1 FROM invitations i JOIN invite_states s ON s.current_invitation_id = i.id
WHERE i.id = $1 AND i.status = 'waiting' AND i.destination = $2
FOR SHARE OF i`

// GuardSend runs send while attempt id is locked against being superseded,
// if it is still waiting for destination; sent reports whether send ran.
// The lock is released before GuardSend returns: record the delivery
// afterwards (MarkDelivered locks the state row first).
//
// Each guarded send holds a connection for as long as it takes, and a send
// may itself need one (the dev outbox writes the message, the SMS sender
// records Vonage's message ids). So no more sends than the pool can hold
// with sendReserve connections to spare run at once; the others wait for a
// slot here, holding no connection, instead of taking the last ones and
// waiting forever for a connection of their own (WORKER_CONCURRENCY may be
// above DB_MAX_CONNS).
func (s *Store) GuardSend(ctx context.Context, id int64, destination string, send func(context.Context) error) (sent bool, err error) {
	op := fmt.Sprintf("guard send of attempt %d", id)
	release, err := s.sends.acquire(ctx, s.db.Stats().MaxOpenConnections)
	if err != nil {
		return false, fmt.Errorf("postgres: %s: wait for a send slot: %w", op, err)
	}
	defer release()
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return false, translate(op, err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only; ending it releases the lock
	found, err := s.existsHot(ctx, tx, guardAttempt, id, destination)
	if err != nil {
		return false, translate(op, err)
	}
	if !found {
		return false, nil
	}
	return true, send(ctx)
}
