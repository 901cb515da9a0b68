package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/inviter/inviter/pkg/invite"
)

// candidateRow is a selected user with the route of their waiting attempt.
type candidateRow struct {
	ID          int64          `db:"id"`
	Email       sql.NullString `db:"email"`
	Phone       sql.NullString `db:"phone"`
	Role        string         `db:"role"`
	WaitingID   sql.NullInt64  `db:"waiting_id"`
	WaitingChan sql.NullString `db:"waiting_channel"`
	WaitingDest sql.NullString `db:"waiting_destination"`
	Status      string         `db:"status"`
}

func (c candidateRow) candidate() invite.Candidate {
	cand := invite.Candidate{UserID: c.ID, Role: invite.Role(c.Role),
		Contact: invite.Contact{Email: c.Email.String, Phone: c.Phone.String},
		Status:  invite.Status(c.Status)}
	if c.WaitingID.Valid {
		cand.Waiting = &invite.Route{Channel: invite.Channel(c.WaitingChan.String), Destination: c.WaitingDest.String}
	}
	return cand
}

// selectCandidates reads users as a batch decides about them; both the
// batch and its preview read them with it, so the two cannot disagree.
const selectCandidates = `
SELECT u.id, u.email, u.phone, u.role,
       i.id AS waiting_id, i.channel AS waiting_channel, i.destination AS waiting_destination,
       s.status
FROM users u
JOIN invite_states s ON s.user_id = u.id
LEFT JOIN invitations i ON i.id = s.current_invitation_id AND i.status = 'waiting'`

// selectionWhere builds the WHERE clauses of a selection over users u and
// their states s.
func selectionWhere(sel invite.Selection) ([]string, []any) {
	var (
		where []string
		args  []any
	)
	if sel.Filter != nil {
		where, args = userWhere(*sel.Filter, nil)
	}
	if len(sel.UserIDs) > 0 {
		args = append(args, pq.Array(sel.UserIDs))
		where = append(where, fmt.Sprintf("u.id = ANY($%d)", len(args)))
	}
	return where, args
}

// lockCandidates selects and locks up to limit users of a selection with
// ids above after, in id order so that two concurrent batches over the same
// users cannot deadlock.
func lockCandidates(ctx context.Context, tx *sqlx.Tx, sel invite.Selection, after int64, limit int) ([]candidateRow, error) {
	where, args := selectionWhere(sel)
	args = append(args, after, limit)
	// Both sides bounded, or the join walks every state row before the
	// page again: a million-user batch would be quadratic in its pages.
	where = append(where, fmt.Sprintf("u.id > $%[1]d AND s.user_id > $%[1]d", len(args)-1))
	var ids []int64
	q := `SELECT s.user_id FROM users u JOIN invite_states s ON s.user_id = u.id` + whereSQL(where) +
		fmt.Sprintf(` ORDER BY u.id LIMIT $%d FOR UPDATE OF s`, len(args))
	if err := tx.SelectContext(ctx, &ids, q, args...); err != nil {
		return nil, translate("lock selected users", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	// Read in a statement of its own, after the locks are held: a locking
	// SELECT that waited for another batch re-checks the rows it locks but
	// not the attempts it joins, so it would miss the attempt that batch
	// just made waiting, and send a second message. A new statement sees
	// everything committed before the locks were granted.
	return readLocked(ctx, tx, ids)
}

// readLocked reads the candidates of the locked users ids (ascending). A
// page of a selection by filter is usually a dense run of ids: it is read
// as a range, two index range scans merged (a third of the time of 5,000
// lookups by id, measured by BenchmarkReadLockedPage), and the rows of
// users outside the page dropped. A sparse page is read by id.
func readLocked(ctx context.Context, tx *sqlx.Tx, ids []int64) ([]candidateRow, error) {
	if ids[len(ids)-1]-ids[0] >= int64(denseFactor*len(ids)) {
		return readByIDs(ctx, tx, ids)
	}
	return readRange(ctx, tx, ids)
}

func readByIDs(ctx context.Context, tx *sqlx.Tx, ids []int64) ([]candidateRow, error) {
	var rows []candidateRow
	err := tx.SelectContext(ctx, &rows, selectCandidates+` WHERE u.id = ANY($1) ORDER BY u.id`, pq.Array(ids))
	return rows, translate("read selected users", err)
}

func readRange(ctx context.Context, tx *sqlx.Tx, ids []int64) ([]candidateRow, error) {
	var rows []candidateRow
	err := tx.SelectContext(ctx, &rows, selectCandidates+
		` WHERE u.id BETWEEN $1 AND $2 AND s.user_id BETWEEN $1 AND $2 ORDER BY u.id`, ids[0], ids[len(ids)-1])
	if err != nil {
		return nil, translate("read selected users", err)
	}
	return keepLocked(rows, ids), nil
}

// denseFactor is how many ids a page's range may span per locked user for
// the page to be read as a range.
const denseFactor = 2

// keepLocked keeps the rows whose id is in ids; both are in ascending id
// order.
func keepLocked(rows []candidateRow, ids []int64) []candidateRow {
	out, k := rows[:0], 0
	for _, r := range rows {
		for k < len(ids) && ids[k] < r.ID {
			k++
		}
		if k < len(ids) && ids[k] == r.ID {
			out = append(out, r)
		}
	}
	return out
}

// Candidates calls each for every user of sel, in id order, as a batch
// would read them, without a lock: a preview must not make a batch, or a
// worker recording a delivery, wait. The rows are streamed, so a selection
// of 100,000 users is never held in memory at once.
func (s *Store) Candidates(ctx context.Context, sel invite.Selection, each func(invite.Candidate)) error {
	where, args := selectionWhere(sel)
	rows, err := s.db.QueryxContext(ctx, selectCandidates+whereSQL(where)+` ORDER BY u.id`, args...)
	if err != nil {
		return translate("read selected users", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c candidateRow
		if err := rows.StructScan(&c); err != nil {
			return translate("read selected users", err)
		}
		each(c.candidate())
	}
	return translate("read selected users", rows.Err())
}
