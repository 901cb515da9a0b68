package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/inviter/inviter/pkg/invite"
)

// Lock order. Statements that change several rows take them in one order,
// the one a "Send invitation" batch uses: the users' state rows first, then
// invitations, each in ascending id. Without it, two statements over the
// same rows in different orders deadlock (40P01) and one of them fails as a
// whole. Claims lock only invitations, and in id order; deliveries and
// failures lock the states first (lockStates), then the invitations.

// claimAttempts records one more try of waiting attempts and the hash of
// the password generated for each, and returns what the messages need. A
// user must still point at the attempt: a superseded or finished one is
// stale and is left out of the result. The rows are locked in id order
// (the materialized CTE), whatever order the ids come in.
const claimAttempts = `
WITH v AS (SELECT * FROM unnest($1::bigint[], $2::bytea[]) AS v(id, hash)),
locked AS MATERIALIZED (
    SELECT id FROM invitations WHERE id IN (SELECT id FROM v) AND status = 'waiting'
    ORDER BY id FOR UPDATE
)
UPDATE invitations i
SET attempts = i.attempts + 1, password_hashes = array_append(i.password_hashes, v.hash), updated_at = now()
FROM locked, v, invite_states s, users u
WHERE i.id = locked.id AND v.id = i.id AND i.status = 'waiting'
  AND s.user_id = i.user_id AND s.current_invitation_id = i.id AND u.id = i.user_id
RETURNING i.id AS invitation_id, i.user_id, i.channel, i.destination, i.attempts,
          u.login, u.first_name, u.last_name, u.locale`

// ClaimAttempts claims several attempts in one statement; ids must be
// distinct (with a repeated id, only one of its hashes would be kept). The
// result holds the attempts that were still waiting, by id.
func (s *Store) ClaimAttempts(ctx context.Context, claims []invite.Claim) (map[int64]invite.Delivery, error) {
	ids := make([]int64, len(claims))
	hashes := make([][]byte, len(claims))
	for i, c := range claims {
		ids[i], hashes[i] = c.InvitationID, c.PasswordHash
	}
	var rows []struct {
		InvitationID int64  `db:"invitation_id"`
		UserID       int64  `db:"user_id"`
		Channel      string `db:"channel"`
		Destination  string `db:"destination"`
		Attempts     int    `db:"attempts"`
		Login        string `db:"login"`
		FirstName    string `db:"first_name"`
		LastName     string `db:"last_name"`
		Locale       string `db:"locale"`
	}
	if err := s.selectHot(ctx, &rows, claimAttempts, pq.Array(ids), pq.ByteaArray(hashes)); err != nil {
		return nil, translate("claim attempts", err)
	}
	out := make(map[int64]invite.Delivery, len(rows))
	for _, r := range rows {
		out[r.InvitationID] = invite.Delivery{
			InvitationID: r.InvitationID, UserID: r.UserID, Channel: invite.Channel(r.Channel),
			Destination: r.Destination, Attempts: r.Attempts, Login: r.Login,
			FirstName: r.FirstName, LastName: r.LastName, Locale: r.Locale,
		}
	}
	return out, nil
}

// ClaimAttempt starts a delivery try of a waiting attempt. It returns
// invite.ErrStale when the attempt was delivered, failed or superseded.
func (s *Store) ClaimAttempt(ctx context.Context, id int64, passwordHash []byte) (invite.Delivery, error) {
	got, err := s.ClaimAttempts(ctx, []invite.Claim{{InvitationID: id, PasswordHash: passwordHash}})
	if err != nil {
		return invite.Delivery{}, err
	}
	d, ok := got[id]
	if !ok {
		return invite.Delivery{}, fmt.Errorf("postgres: claim attempt %d: %w", id, invite.ErrStale)
	}
	return d, nil
}

// markDelivered records that the provider accepted the messages. A failed
// attempt counts too: a delivery proves its message went out (the
// reconciler may have given up on it while a worker was still sending). The delivery
// time is set even on an attempt superseded meanwhile, because its message
// did go out: its password keeps working until a newer attempt is delivered.
// A user becomes invited only if the attempt is still theirs.
const markDelivered = `
WITH locked AS MATERIALIZED (
    SELECT id FROM invitations
    WHERE id = ANY($1) AND status IN ('waiting', 'sent', 'superseded', 'failed')
    ORDER BY id FOR UPDATE
), a AS (
    UPDATE invitations i
    SET status = CASE WHEN i.status IN ('waiting', 'failed') THEN 'sent' ELSE i.status END,
        delivered_at = coalesce(i.delivered_at, now()), expires_at = now() + $2 * interval '1 microsecond',
        finished_at = coalesce(i.finished_at, now()), error_code = NULL, provider_message = NULL, updated_at = now()
    FROM locked WHERE i.id = locked.id
    RETURNING i.id, i.user_id
)
UPDATE invite_states s
SET status = 'invited', invited_at = now(), error_code = NULL, error_message = NULL, updated_at = now()
FROM a
WHERE s.user_id = a.user_id AND s.current_invitation_id = a.id`

// MarkDelivered records a delivered attempt; ttl is how long its temporary
// password stays valid.
func (s *Store) MarkDelivered(ctx context.Context, id int64, ttl time.Duration) error {
	return s.MarkDeliveredMany(ctx, []int64{id}, ttl)
}

// MarkDeliveredMany records several delivered attempts in one statement.
func (s *Store) MarkDeliveredMany(ctx context.Context, ids []int64, ttl time.Duration) error {
	return s.afterLockingStates(ctx, "mark attempts delivered", ids, markDelivered, pq.Array(ids), ttl.Microseconds())
}

// lockStates locks the state rows of the users of some attempts, in user id
// order (see "Lock order").
const lockStates = `
SELECT user_id FROM invite_states
WHERE user_id IN (SELECT user_id FROM invitations WHERE id = ANY($1))
ORDER BY user_id FOR UPDATE`

// afterLockingStates runs query in a transaction that first locks the state
// rows of the users of the attempts ids.
func (s *Store) afterLockingStates(ctx context.Context, op string, ids []int64, query string, args ...any) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return translate(op, err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	if err := s.execHot(ctx, tx, lockStates, pq.Array(ids)); err != nil {
		return translate(op, err)
	}
	if err := s.execHot(ctx, tx, query, args...); err != nil {
		return translate(op, err)
	}
	return translate(op, tx.Commit())
}

// markFailed ends a waiting attempt in failure and, if the attempt is still
// the user's, records the reason on the user: in error, unless earlier
// credentials still sign them in (a failed send again), when they stay
// invited with the reason as their last send's (invite.StatusAfterRefusal).
// The failed attempt itself was never delivered, so it cannot count.
const markFailed = `
WITH a AS (
    UPDATE invitations
    SET status = 'failed', error_code = $2, provider_message = $3, finished_at = now(), updated_at = now()
    WHERE id = $1 AND status = 'waiting'
    RETURNING id, user_id
)
UPDATE invite_states s
SET status = CASE WHEN (SELECT ` + hasCredentials + ` FROM users u WHERE u.id = s.user_id)
                  THEN 'invited' ELSE 'error' END,
    error_code = $2, error_message = $4, updated_at = now()
FROM a
WHERE s.user_id = a.user_id AND s.current_invitation_id = a.id`

// MarkFailed ends a waiting attempt with reason; providerMessage is what the
// provider last said. Finished attempts are left as they are.
func (s *Store) MarkFailed(ctx context.Context, id int64, reason invite.Reason, providerMessage string) error {
	return s.afterLockingStates(ctx, fmt.Sprintf("mark attempt %d failed", id), []int64{id},
		markFailed, id, reason.Code, nullString(providerMessage), reason.Message)
}

// RecordRetry keeps the provider's message of a failed try that will be
// retried, so the history shows why an invitation is still waiting.
func (s *Store) RecordRetry(ctx context.Context, id int64, providerMessage string) error {
	_, err := s.db.ExecContext(ctx,
		`UPDATE invitations SET provider_message = $2, updated_at = now() WHERE id = $1 AND status = 'waiting'`,
		id, nullString(providerMessage))
	return translate(fmt.Sprintf("record retry of attempt %d", id), err)
}

// StaleAttempts returns up to limit waiting attempts with ids above afterID
// that were not updated for at least olderThan, in id order: callers page
// with afterID, so a pass ends even while the attempts it touches become
// stale again.
func (s *Store) StaleAttempts(ctx context.Context, olderThan time.Duration, afterID int64, limit int) ([]invite.StaleAttempt, error) {
	var rows []struct {
		ID        int64     `db:"id"`
		Channel   string    `db:"channel"`
		Requeues  int       `db:"requeues"`
		UpdatedAt time.Time `db:"updated_at"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT id, channel, requeues, updated_at FROM invitations
		WHERE status = 'waiting' AND updated_at < now() - $1 * interval '1 microsecond' AND id > $2
		ORDER BY id LIMIT $3`, olderThan.Microseconds(), afterID, limit)
	if err != nil {
		return nil, translate("list stale attempts", err)
	}
	out := make([]invite.StaleAttempt, len(rows))
	for i, r := range rows {
		out[i] = invite.StaleAttempt{InvitationID: r.ID, Channel: invite.Channel(r.Channel), Requeues: r.Requeues, UpdatedAt: r.UpdatedAt}
	}
	return out, nil
}

// MarkReconciled restarts the staleness clock of attempts the reconciler
// checked, and counts a re-enqueue for those it had to put back in the queue.
func (s *Store) MarkReconciled(ctx context.Context, requeued, present []int64) error {
	_, err := s.db.ExecContext(ctx, markReconciled, pq.Array(requeued), pq.Array(present))
	return translate("mark attempts reconciled", err)
}
