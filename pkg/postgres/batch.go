package postgres

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/inviter/inviter/pkg/invite"
)

var _ invite.BatchStore = (*Store)(nil)

// insertAttempts creates one attempt per element of the parallel arrays,
// stamped with their batch ($9); empty strings stand for NULL (plain text
// arrays convert much faster than arrays of nullable values).
const insertAttempts = `
INSERT INTO invitations (id, user_id, status, channel, destination, requested_by, requested_by_login,
                         error_code, provider_message, finished_at, batch_id)
SELECT v.id, v.user_id, v.status, nullif(v.channel, ''), nullif(v.destination, ''), $8,
       (SELECT login FROM users WHERE id = $8),
       nullif(v.code, ''), nullif(v.message, ''), CASE WHEN v.status = 'rejected' THEN now() END, $9
FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
     AS v(id, user_id, status, channel, destination, code, message)`

const updateBatchUsers = `
UPDATE invite_states s
SET status = v.status, error_code = nullif(v.code, ''), error_message = nullif(v.message, ''),
    current_invitation_id = v.invitation_id, updated_at = now()
FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[])
     AS v(user_id, invitation_id, status, code, message)
WHERE s.user_id = v.user_id`

// supersedeAttempts locks in id order, as claims do (see "Lock order").
const supersedeAttempts = `
WITH locked AS MATERIALIZED (
    SELECT id FROM invitations WHERE id = ANY($1) AND status = 'waiting' ORDER BY id FOR UPDATE
)
UPDATE invitations i SET status = 'superseded', finished_at = now(), updated_at = now()
FROM locked WHERE i.id = locked.id`

// VerificationMethod returns the super admin's verification method.
func (s *Store) VerificationMethod(ctx context.Context) (invite.VerificationMethod, error) {
	var v string
	err := s.db.GetContext(ctx, &v, `SELECT value FROM settings WHERE key = 'verification_method'`)
	if err == sql.ErrNoRows {
		return invite.MethodEmailOrPhone, nil
	}
	if err != nil {
		return "", translate("get verification method", err)
	}
	return invite.VerificationMethod(v), nil
}

// CreateInvitations runs a batch (see CreateBatch) and returns its
// outcomes only, all of them.
func (s *Store) CreateInvitations(ctx context.Context, sel invite.Selection, requestedBy int64,
	decide func(invite.Candidate) invite.Decision) ([]invite.Outcome, error) {
	b, err := s.CreateBatch(ctx, sel, requestedBy, decide, invite.BatchOptions{Results: invite.ResultsAll})
	return b.Outcomes, err
}

// batchPageSize is how many selected users one round of a batch's
// statements handles: the memory a batch takes, whatever its size.
const batchPageSize = 5000

// CreateBatch runs one "Send invitation" batch in a transaction. It records
// the batch, then walks the selection in pages of users in id order: each
// page locks the users' state rows, asks decide what to do with each, and
// writes the page's new attempts (refusals included, for the history),
// supersedes the waiting attempts replaced and updates the users' statuses,
// each step one statement over arrays. Only the counts, the outcomes
// opts.Results asks for and up to opts.QueueUpTo attempts to queue stay in
// memory, so a selection of a million users costs what one page costs. Ids
// that match no user come back with an error outcome and change nothing.
// Users that decide skips (administrators, and the already invited when the
// selection asks so) change nothing and are only counted. The locks are held
// until the commit, as any transaction holds them.
func (s *Store) CreateBatch(ctx context.Context, sel invite.Selection, requestedBy int64,
	decide func(invite.Candidate) invite.Decision, opts invite.BatchOptions) (invite.Batch, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return invite.Batch{}, translate("begin batch", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit

	batchID, err := insertBatch(ctx, tx, requestedBy, batchCounts{})
	if err != nil {
		return invite.Batch{}, err
	}
	w := batchWriter{tx: tx, batchID: batchID, requestedBy: requestedBy, decide: decide, opts: opts}
	if len(sel.UserIDs) > 0 {
		w.found = make(map[int64]bool, len(sel.UserIDs))
	}
	var after int64
	for {
		cands, err := lockCandidates(ctx, tx, sel, after, batchPageSize)
		if err != nil {
			return invite.Batch{}, err
		}
		if len(cands) == 0 {
			break
		}
		if err := w.page(ctx, cands); err != nil {
			return invite.Batch{}, err
		}
		// A short page is not the end: a locking SELECT with LIMIT leaves
		// out rows that a concurrent writer changed under it. An empty page is.
		after = cands[len(cands)-1].ID
	}
	missing := w.missing(sel.UserIDs)
	w.counts.notFound = len(missing)
	if err := updateBatchCounts(ctx, tx, batchID, w.counts); err != nil {
		return invite.Batch{}, err
	}
	if err := tx.Commit(); err != nil {
		return invite.Batch{}, translate("commit batch", err)
	}
	b := invite.Batch{ID: batchID, Outcomes: w.outcomes, Queue: w.queue,
		Queued: w.counts.queued + w.counts.kept, Rejected: w.counts.refused + len(missing),
		Skipped: w.counts.skipped, Admins: w.counts.admins}
	if opts.Results != invite.ResultsNone {
		b.Outcomes = append(b.Outcomes, missing...)
	}
	if w.overflow {
		b.Queue = nil
	}
	return b, nil
}

// missing reports the requested ids that matched no user.
func (w *batchWriter) missing(ids []int64) []invite.Outcome {
	var out []invite.Outcome
	for _, id := range ids {
		if !w.found[id] {
			w.found[id] = true
			out = append(out, invite.Outcome{UserID: id,
				Error: &invite.Reason{Code: "not_found", Message: "There is no user with this id."}})
		}
	}
	return out
}

// attemptArrays collects new attempts column by column for insertAttempts.
type attemptArrays struct {
	ids, userIDs                           []int64
	statuses, channels, dests, codes, msgs []string
}

func (a *attemptArrays) add(userID int64, d invite.Decision) {
	a.userIDs = append(a.userIDs, userID)
	if d.Reason != nil {
		a.statuses = append(a.statuses, string(invite.AttemptRejected))
		a.channels = append(a.channels, "")
		a.dests = append(a.dests, "")
		a.codes = append(a.codes, d.Reason.Code)
		a.msgs = append(a.msgs, d.Reason.Message)
		return
	}
	a.statuses = append(a.statuses, string(invite.AttemptWaiting))
	a.channels = append(a.channels, string(d.Route.Channel))
	a.dests = append(a.dests, d.Route.Destination)
	a.codes = append(a.codes, "")
	a.msgs = append(a.msgs, "")
}

// allocate takes the ids of the new attempts from the sequence, so that they
// can be enqueued before the rows are written.
func (a *attemptArrays) allocate(ctx context.Context, tx *sqlx.Tx) error {
	var ids pq.Int64Array
	err := tx.GetContext(ctx, &ids,
		`SELECT array_agg(nextval('invitations_id_seq')) FROM generate_series(1, $1)`, len(a.userIDs))
	if err != nil {
		return translate("allocate attempt ids", err)
	}
	a.ids = ids
	return nil
}

func (a *attemptArrays) args(requestedBy int64) []any {
	return []any{pq.Array(a.ids), pq.Array(a.userIDs), pq.Array(a.statuses), pq.Array(a.channels),
		pq.Array(a.dests), pq.Array(a.codes), pq.Array(a.msgs), sql.NullInt64{Int64: requestedBy, Valid: requestedBy > 0}}
}

// userStatusArrays collects user status updates column by column.
type userStatusArrays struct {
	userIDs, invIDs       []int64
	statuses, codes, msgs []string
}

func (u *userStatusArrays) add(o invite.Outcome) {
	u.userIDs = append(u.userIDs, o.UserID)
	u.invIDs = append(u.invIDs, o.InvitationID)
	u.statuses = append(u.statuses, string(o.Status))
	code, msg := "", ""
	if o.Error != nil {
		code, msg = o.Error.Code, o.Error.Message
	}
	u.codes = append(u.codes, code)
	u.msgs = append(u.msgs, msg)
}

func (u *userStatusArrays) args() []any {
	return []any{pq.Array(u.userIDs), pq.Array(u.invIDs), pq.Array(u.statuses), pq.Array(u.codes), pq.Array(u.msgs)}
}
