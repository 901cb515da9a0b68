package postgres

import (
	"context"
	"fmt"

	"github.com/lib/pq"

	"github.com/inviter/inviter/pkg/invite"
)

// holdAttempts re-reads attempts just before their messages go out, and
// holds a share lock on each for as long as the sends take: an edit of the
// user's contact data (UpdateUser) or a new batch supersedes an attempt
// with a conditional update that waits for that lock. So an attempt is sent
// only while it is still waiting, still the user's current one and still
// bound to the destination the worker is about to use; once an edit has
// superseded it, no worker sends it. The rows are locked in id order (see
// "Lock order").
const holdAttempts = `
SELECT i.id FROM invitations i
JOIN unnest($1::bigint[], $2::text[]) AS h(id, destination) ON h.id = i.id AND h.destination = i.destination
JOIN invite_states s ON s.current_invitation_id = i.id
WHERE i.status = 'waiting'
ORDER BY i.id FOR SHARE OF i`

// GuardSend runs send while attempt h is held against being superseded, if
// it is still waiting for h's destination; sent reports whether send ran.
// The lock is released before GuardSend returns: record the delivery
// afterwards (MarkDelivered locks the state row first).
func (s *Store) GuardSend(ctx context.Context, h invite.SendHold, send func(context.Context) error) (sent bool, err error) {
	held, release, err := s.HoldSends(ctx, []invite.SendHold{h})
	if err != nil {
		return false, err
	}
	defer release()
	if !held[0] {
		return false, nil
	}
	return true, send(ctx)
}

// HoldSends holds the attempts of several sends about to start in one
// transaction, as GuardSend holds one: held tells for each whether its
// attempt is still waiting for its destination, and so may be sent.
// release ends the transaction; call it once every held send is over. The
// transaction lives as long as ctx: a ctx that ends releases the attempts.
//
// Each transaction holds a connection until its release, and a send may
// itself need one (the dev outbox writes the message, the SMS sender
// records Vonage's message ids). So no more transactions than the pool can
// hold with sendReserve connections to spare are open at once; the others
// wait for a slot here, holding no connection, instead of taking the last
// ones and waiting forever for a connection of their own
// (WORKER_CONCURRENCY may be above DB_MAX_CONNS).
func (s *Store) HoldSends(ctx context.Context, hs []invite.SendHold) (held []bool, release func(), err error) {
	op := fmt.Sprintf("hold %d sends", len(hs))
	if len(hs) == 1 {
		op = fmt.Sprintf("guard send of attempt %d", hs[0].InvitationID)
	}
	freeSlot, err := s.sends.acquire(ctx, s.db.Stats().MaxOpenConnections)
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: %s: wait for a send slot: %w", op, err)
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		freeSlot()
		return nil, nil, translate(op, err)
	}
	release = func() {
		tx.Rollback() //nolint:errcheck // read-only; ending it releases the locks
		freeSlot()
	}
	ids := make([]int64, len(hs))
	dests := make([]string, len(hs))
	for i, h := range hs {
		ids[i], dests[i] = h.InvitationID, h.Destination
	}
	var found []int64
	if err := s.selectHotTx(ctx, tx, &found, holdAttempts, pq.Array(ids), pq.Array(dests)); err != nil {
		release()
		return nil, nil, translate(op, err)
	}
	current := make(map[int64]bool, len(found))
	for _, id := range found {
		current[id] = true
	}
	held = make([]bool, len(hs))
	for i, h := range hs {
		held[i] = current[h.InvitationID]
	}
	return held, release, nil
}
