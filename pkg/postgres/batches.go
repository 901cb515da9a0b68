package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/inviter/inviter/pkg/invite"
)

// batchCounts is what a batch decided when it was sent.
type batchCounts struct {
	selected, queued, kept, refused, notFound, skipped, admins int
}

// skip counts a user the batch leaves as they are.
func (c *batchCounts) skip(d invite.Decision) {
	if d.Reason != nil {
		c.admins++
		return
	}
	c.skipped++
}

const insertBatchRow = `
INSERT INTO invite_batches (requested_by, requested_by_login, selected, queued, kept, refused, not_found, skipped, admins)
VALUES ($1, (SELECT login FROM users WHERE id = $1), $2, $3, $4, $5, $6, $7, $8)
RETURNING id`

// insertBatch records a batch in its transaction and returns its id.
func insertBatch(ctx context.Context, tx *sqlx.Tx, requestedBy int64, c batchCounts) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, insertBatchRow, sql.NullInt64{Int64: requestedBy, Valid: requestedBy > 0},
		c.selected, c.queued, c.kept, c.refused, c.notFound, c.skipped, c.admins)
	if err != nil {
		return 0, translate("record batch", err)
	}
	return id, nil
}

// updateBatchCounts records what a batch decided, once its pages are done.
func updateBatchCounts(ctx context.Context, tx *sqlx.Tx, id int64, c batchCounts) error {
	_, err := tx.ExecContext(ctx, `
		UPDATE invite_batches SET selected = $2, queued = $3, kept = $4, refused = $5, not_found = $6,
			skipped = $7, admins = $8 WHERE id = $1`,
		id, c.selected, c.queued, c.kept, c.refused, c.notFound, c.skipped, c.admins)
	return translate("record batch counts", err)
}

// selectBatchProgress counts a batch's attempts by status in one pass over
// invitations_batch_status_idx (an index-only scan once the rows are
// vacuumed). The subquery compares with $1 rather than b.id so that the
// planner sees the partial index applies. Refusals are the batch row's
// count: they are rejected attempts from the start and never change.
const selectBatchProgress = `
SELECT b.id, b.requested_by, b.requested_by_login, b.created_at,
       b.selected, b.queued, b.kept, b.refused, b.not_found, b.skipped, b.admins,
       c.waiting, c.sent, c.failed, c.superseded
FROM invite_batches b,
LATERAL (
    SELECT count(*) FILTER (WHERE status = 'waiting')    AS waiting,
           count(*) FILTER (WHERE status = 'sent')       AS sent,
           count(*) FILTER (WHERE status = 'failed')     AS failed,
           count(*) FILTER (WHERE status = 'superseded') AS superseded
    FROM invitations WHERE batch_id = $1
) c
WHERE b.id = $1`

// BatchProgress returns where batch id stands; invite.ErrNotFound when
// there is no such batch.
func (s *Store) BatchProgress(ctx context.Context, id int64) (invite.BatchProgress, error) {
	var r struct {
		ID             int64          `db:"id"`
		RequestedBy    sql.NullInt64  `db:"requested_by"`
		RequestedLogin sql.NullString `db:"requested_by_login"`
		CreatedAt      time.Time      `db:"created_at"`
		Selected       int            `db:"selected"`
		Queued         int            `db:"queued"`
		Kept           int            `db:"kept"`
		Refused        int            `db:"refused"`
		NotFound       int            `db:"not_found"`
		Skipped        int            `db:"skipped"`
		Admins         int            `db:"admins"`
		Waiting        int            `db:"waiting"`
		Sent           int            `db:"sent"`
		Failed         int            `db:"failed"`
		Superseded     int            `db:"superseded"`
	}
	if err := s.db.GetContext(ctx, &r, selectBatchProgress, id); err != nil {
		return invite.BatchProgress{}, translate(fmt.Sprintf("progress of batch %d", id), err)
	}
	p := invite.BatchProgress{
		BatchID: r.ID, RequestedByLogin: r.RequestedLogin.String, CreatedAt: r.CreatedAt,
		Selected: r.Selected, Queued: r.Queued, Kept: r.Kept, Refused: r.Refused, NotFound: r.NotFound,
		Skipped: r.Skipped, Admins: r.Admins,
		Waiting: r.Waiting, Invited: r.Sent, Failed: r.Failed, Superseded: r.Superseded,
	}
	if r.RequestedBy.Valid {
		by := r.RequestedBy.Int64
		p.RequestedBy = &by
	}
	return p, nil
}
