package postgres

import (
	"context"

	"github.com/lib/pq"

	"github.com/inviter/inviter/pkg/invite"
)

// UsersByID returns the users with the given ids, in id order, in one
// statement; ids that match nobody are left out.
func (s *Store) UsersByID(ctx context.Context, ids []int64) ([]invite.User, error) {
	var rows []userRow
	if err := s.db.SelectContext(ctx, &rows, selectUsers+` WHERE u.id = ANY($1) ORDER BY u.id`, pq.Array(ids)); err != nil {
		return nil, translate("get users by id", err)
	}
	return users(rows), nil
}
