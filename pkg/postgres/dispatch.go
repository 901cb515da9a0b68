package postgres

import (
	"context"
	"fmt"

	"github.com/inviter/inviter/pkg/invite"
)

// pageBounds numbers a batch's waiting attempts in id order and returns the
// id that ends each full page: one pass over the batch's index entries,
// whose result is a hundredth of the batch.
const pageBounds = `
SELECT id FROM (
    SELECT id, row_number() OVER (ORDER BY id) AS n
    FROM invitations WHERE batch_id = $1 AND status = 'waiting'
) p
WHERE n % $2 = 0
ORDER BY id`

// DispatchBounds returns the last attempt id of each full page of pageSize
// waiting attempts of batch; the attempts after the last bound make one more
// page.
func (s *Store) DispatchBounds(ctx context.Context, batchID int64, pageSize int) ([]int64, error) {
	var ids []int64
	if err := s.db.SelectContext(ctx, &ids, pageBounds, batchID, pageSize); err != nil {
		return nil, translate(fmt.Sprintf("page batch %d", batchID), err)
	}
	return ids, nil
}

// WaitingInBatch returns the waiting attempts of batch with ids in
// (afterID, lastID], in id order; lastID 0 means no upper bound.
func (s *Store) WaitingInBatch(ctx context.Context, batchID, afterID, lastID int64) ([]invite.Queued, error) {
	var rows []struct {
		ID      int64  `db:"id"`
		UserID  int64  `db:"user_id"`
		Channel string `db:"channel"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT id, user_id, channel FROM invitations
		WHERE batch_id = $1 AND status = 'waiting' AND id > $2 AND ($3 = 0 OR id <= $3)
		ORDER BY id`, batchID, afterID, lastID)
	if err != nil {
		return nil, translate(fmt.Sprintf("read page of batch %d", batchID), err)
	}
	out := make([]invite.Queued, len(rows))
	for i, r := range rows {
		out[i] = invite.Queued{InvitationID: r.ID, UserID: r.UserID, Channel: invite.Channel(r.Channel)}
	}
	return out, nil
}
