package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/inviter/inviter/pkg/invite"
)

var _ invite.EditStore = (*Store)(nil)

const updateUserProfile = `
UPDATE users SET login = $2, first_name = $3, last_name = $4, email = $5, phone = $6, locale = $7, updated_at = now()
WHERE id = $1`

// insertChanges writes the change log of one edit, one row per field; the
// admin's login is kept as it is now.
const insertChanges = `
INSERT INTO user_changes (user_id, changed_by, changed_by_login, field, old_value, new_value)
SELECT $1, $2, (SELECT login FROM users WHERE id = $2), v.field, nullif(v.old, ''), nullif(v.new, '')
FROM unnest($3::text[], $4::text[], $5::text[]) AS v(field, old, new)`

// supersedeOne ends a waiting attempt that an edit rerouted. It waits for
// the FOR SHARE lock of a worker sending the attempt right now (GuardSend),
// so the change commits after that send, never before it.
const supersedeOne = `
UPDATE invitations SET status = 'superseded', finished_at = now(), updated_at = now()
WHERE id = $1 AND status = 'waiting'`

// UpdateUser edits a user in one transaction (see invite.EditStore). Lock
// order: the user's state row first, then the attempt, as batches do.
func (s *Store) UpdateUser(ctx context.Context, id, by int64, edit func(invite.User) (invite.NewUser, error),
	reroute func(invite.Candidate) invite.Decision) (invite.EditResult, error) {
	op := fmt.Sprintf("update user %d", id)
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return invite.EditResult{}, translate(op, err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit

	var locked int64
	if err := tx.GetContext(ctx, &locked, `SELECT user_id FROM invite_states WHERE user_id = $1 FOR UPDATE`, id); err != nil {
		if err == sql.ErrNoRows {
			return invite.EditResult{}, fmt.Errorf("postgres: %s: %w", op,
				invite.Errorf(invite.KindNotFound, "not_found", "there is no user %d", id))
		}
		return invite.EditResult{}, translate(op, err)
	}
	var before userRow
	if err := tx.GetContext(ctx, &before, selectUsers+` WHERE u.id = $1`, id); err != nil {
		return invite.EditResult{}, translate(op, err)
	}
	n, err := edit(before.user())
	if err != nil {
		return invite.EditResult{}, err
	}
	res := invite.EditResult{Changes: invite.Diff(before.user(), n)}
	if len(res.Changes) > 0 {
		if _, err := tx.ExecContext(ctx, updateUserProfile, id, n.Login, n.FirstName, n.LastName,
			nullString(n.Email), nullString(n.Phone), n.Locale); err != nil {
			return invite.EditResult{}, translate(op, err)
		}
		var fields, olds, news []string
		for _, c := range res.Changes {
			fields, olds, news = append(fields, c.Field), append(olds, c.Old), append(news, c.New)
		}
		if _, err := tx.ExecContext(ctx, insertChanges, id, sql.NullInt64{Int64: by, Valid: by > 0},
			pq.Array(fields), pq.Array(olds), pq.Array(news)); err != nil {
			return invite.EditResult{}, translate(op+": record changes", err)
		}
		if invite.ContactChanged(res.Changes) {
			if err := rerouteWaiting(ctx, tx, id, by, reroute, &res); err != nil {
				return invite.EditResult{}, err
			}
		}
	}
	var after userRow
	if err := tx.GetContext(ctx, &after, selectUsers+` WHERE u.id = $1`, id); err != nil {
		return invite.EditResult{}, translate(op, err)
	}
	if err := tx.Commit(); err != nil {
		return invite.EditResult{}, translate(op+": commit", err)
	}
	res.User = after.user()
	return res, nil
}

// rerouteWaiting supersedes the user's waiting attempt when their new
// contact data leads elsewhere, and records the new attempt (waiting for
// the new route, or refused with the reason) as the user's current one.
func rerouteWaiting(ctx context.Context, tx *sqlx.Tx, id, by int64, reroute func(invite.Candidate) invite.Decision,
	res *invite.EditResult) error {
	var c candidateRow
	if err := tx.GetContext(ctx, &c, selectCandidates+` WHERE u.id = $1`, id); err != nil {
		return translate("reroute: read user", err)
	}
	if !c.WaitingID.Valid {
		return nil // nothing is waiting: the next send uses the new data
	}
	d := reroute(c.candidate())
	if d.Keep {
		return nil
	}
	r, err := tx.ExecContext(ctx, supersedeOne, c.WaitingID.Int64)
	if err != nil {
		return translate("reroute: supersede attempt", err)
	}
	if n, err := r.RowsAffected(); err != nil || n == 0 {
		return translate("reroute: supersede attempt", err) // it ended meanwhile: nothing to replace
	}
	var ins attemptArrays
	ins.add(id, d)
	if err := ins.allocate(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, insertAttempts, append(ins.args(by), sql.NullInt64{})...); err != nil {
		return translate("reroute: insert attempt", err)
	}
	o := invite.Outcome{UserID: id, InvitationID: ins.ids[0], Status: invite.StatusWaiting, Channel: d.Route.Channel}
	if d.Reason != nil {
		o.Status, o.Channel, o.Error = invite.StatusError, "", d.Reason
	}
	var upd userStatusArrays
	upd.add(o)
	if _, err := tx.ExecContext(ctx, updateBatchUsers, upd.args()...); err != nil {
		return translate("reroute: update status", err)
	}
	res.Rerouted = true
	if d.Reason == nil {
		res.Queued = &invite.Queued{InvitationID: o.InvitationID, UserID: id, Channel: o.Channel}
	}
	return nil
}

// ContactsTaken reports whether a user other than except has the e-mail
// address (without regard to case) or the phone number. Each test is an
// equality on a sort index of migration 00002.
func (s *Store) ContactsTaken(ctx context.Context, email, phone string, except int64) (bool, bool, error) {
	var r struct {
		Email bool `db:"email"`
		Phone bool `db:"phone"`
	}
	err := s.db.GetContext(ctx, &r, `
		SELECT $1 <> '' AND EXISTS (SELECT 1 FROM users
		           WHERE (coalesce(lower(email), '')) COLLATE "C" = lower($1) AND id <> $3) AS email,
		       $2 <> '' AND EXISTS (SELECT 1 FROM users
		           WHERE (coalesce(phone, '')) COLLATE "C" = $2 AND id <> $3) AS phone`, email, phone, except)
	if err != nil {
		return false, false, translate("look for duplicate contacts", err)
	}
	return r.Email, r.Phone, nil
}

// UserChanges returns the change log of a user, newest first.
func (s *Store) UserChanges(ctx context.Context, userID int64) ([]invite.Change, error) {
	var rows []struct {
		Field   string         `db:"field"`
		Old     sql.NullString `db:"old_value"`
		New     sql.NullString `db:"new_value"`
		By      sql.NullInt64  `db:"changed_by"`
		ByLogin sql.NullString `db:"changed_by_login"`
		At      time.Time      `db:"changed_at"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT field, old_value, new_value, changed_by, changed_by_login, changed_at
		FROM user_changes WHERE user_id = $1 ORDER BY id DESC LIMIT 200`, userID)
	if err != nil {
		return nil, translate(fmt.Sprintf("list changes of user %d", userID), err)
	}
	out := make([]invite.Change, len(rows))
	for i, r := range rows {
		out[i] = invite.Change{Field: r.Field, Old: r.Old.String, New: r.New.String,
			ChangedByLogin: r.ByLogin.String, ChangedAt: r.At}
		if r.By.Valid {
			by := r.By.Int64
			out[i].ChangedBy = &by
		}
	}
	return out, nil
}
