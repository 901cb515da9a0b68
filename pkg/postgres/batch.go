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
// outcomes only.
func (s *Store) CreateInvitations(ctx context.Context, sel invite.Selection, requestedBy int64,
	decide func(invite.Candidate) invite.Decision, ready func([]invite.Queued)) ([]invite.Outcome, error) {
	b, err := s.CreateBatch(ctx, sel, requestedBy, decide, ready)
	return b.Outcomes, err
}

// CreateBatch runs one "Send invitation" batch in a transaction: it locks
// the selected users' states, asks decide what to do with each, allocates
// the ids of the new attempts and passes every attempt to queue to ready,
// then records the batch and the new attempts it stamps (refusals included,
// for the history), supersedes waiting attempts that were replaced and
// updates the users' statuses. Users that decide skips (administrators, and the
// already invited when the selection asks so) change nothing and are only
// counted. Each step is one statement over arrays, whatever the batch size. Ids that match no user come back with an error
// outcome and change nothing.
func (s *Store) CreateBatch(ctx context.Context, sel invite.Selection, requestedBy int64,
	decide func(invite.Candidate) invite.Decision, ready func([]invite.Queued)) (invite.Batch, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return invite.Batch{}, translate("begin batch", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit

	cands, err := lockCandidates(ctx, tx, sel)
	if err != nil {
		return invite.Batch{}, err
	}
	var (
		outcomes   = make([]invite.Outcome, 0, len(cands))
		superseded []int64
		ins        attemptArrays
		queue      []invite.Queued
		counts     = batchCounts{selected: len(cands)}
	)
	insIndex := make([]int, 0, len(cands)) // outcome index of each new attempt
	var (
		refusedCands []invite.Candidate // refused users, whose status depends on their credentials
		refusedOuts  []int              // and their outcomes
	)
	for _, c := range cands {
		cand := c.candidate()
		d := decide(cand)
		if d.Skip {
			// Left exactly as they are: no attempt, no history row.
			outcomes = append(outcomes, invite.Outcome{UserID: c.ID, Status: cand.Status, Error: d.Reason, Skipped: true})
			counts.skip(d)
			continue
		}
		o := invite.Outcome{UserID: c.ID, Status: invite.StatusWaiting, Channel: d.Route.Channel}
		if d.Keep {
			o.InvitationID = c.WaitingID.Int64
			queue = append(queue, invite.Queued{InvitationID: o.InvitationID, UserID: c.ID, Channel: o.Channel})
			outcomes = append(outcomes, o)
			counts.kept++
			continue
		}
		if c.WaitingID.Valid {
			superseded = append(superseded, c.WaitingID.Int64)
		}
		if d.Reason != nil {
			o.Status, o.Channel, o.Error = invite.StatusError, "", d.Reason
			refusedCands, refusedOuts = append(refusedCands, cand), append(refusedOuts, len(outcomes))
			counts.refused++
		} else {
			counts.queued++
		}
		ins.add(c.ID, d)
		insIndex = append(insIndex, len(outcomes))
		outcomes = append(outcomes, o)
	}
	if err := refusedStatuses(ctx, tx, refusedCands, refusedOuts, outcomes); err != nil {
		return invite.Batch{}, err
	}
	if len(insIndex) > 0 {
		if err := ins.allocate(ctx, tx); err != nil {
			return invite.Batch{}, err
		}
		for k, i := range insIndex {
			outcomes[i].InvitationID = ins.ids[k]
			if outcomes[i].Status == invite.StatusWaiting {
				queue = append(queue, invite.Queued{InvitationID: ins.ids[k], UserID: outcomes[i].UserID, Channel: outcomes[i].Channel})
			}
		}
	}
	if ready != nil {
		ready(queue)
	}
	missing := missingOutcomes(sel.UserIDs, cands)
	counts.notFound = len(missing)
	batchID, err := insertBatch(ctx, tx, requestedBy, counts)
	if err != nil {
		return invite.Batch{}, err
	}
	if len(superseded) > 0 {
		if _, err := tx.ExecContext(ctx, supersedeAttempts, pq.Array(superseded)); err != nil {
			return invite.Batch{}, translate("supersede attempts", err)
		}
	}
	if len(insIndex) > 0 {
		if _, err := tx.ExecContext(ctx, insertAttempts, append(ins.args(requestedBy), batchID)...); err != nil {
			return invite.Batch{}, translate("insert attempts", err)
		}
		var upd userStatusArrays
		for _, i := range insIndex {
			upd.add(outcomes[i])
		}
		if _, err := tx.ExecContext(ctx, updateBatchUsers, upd.args()...); err != nil {
			return invite.Batch{}, translate("update user statuses", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return invite.Batch{}, translate("commit batch", err)
	}
	return invite.Batch{ID: batchID, Outcomes: append(outcomes, missing...)}, nil
}

// missingOutcomes reports the requested ids that match no user.
func missingOutcomes(ids []int64, found []candidateRow) []invite.Outcome {
	seen := make(map[int64]bool, len(found))
	for _, c := range found {
		seen[c.ID] = true
	}
	var out []invite.Outcome
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
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
