package postgres

import (
	"context"

	"github.com/inviter/inviter/pkg/invite"
)

// CountUsersByStatus counts the users matching f in each invitation status,
// ignoring f.Status (and the page): the counts beside the status filters of
// the user table, with the current search applied. Every status is in the
// map, with 0 when no user has it.
//
// One query. Without a search it reads invite_states alone (every user has
// exactly one row there), an index-only scan of its (status, user_id) index
// when the table is vacuumed.
func (s *Store) CountUsersByStatus(ctx context.Context, f invite.UserFilter) (map[invite.Status]int, error) {
	f.Status, f.ErrorCode = "", ""
	q := `SELECT s.status, count(*) FROM invite_states s GROUP BY s.status`
	var args []any
	if f.Searches() {
		var where []string
		where, args = userWhere(f, nil)
		q = `SELECT s.status, count(*) FROM users u JOIN invite_states s ON s.user_id = u.id` +
			whereSQL(where) + ` GROUP BY s.status`
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, translate("count users by status", err)
	}
	defer rows.Close()
	counts := map[invite.Status]int{
		invite.StatusNotInvited: 0, invite.StatusWaiting: 0, invite.StatusInvited: 0, invite.StatusError: 0,
	}
	for rows.Next() {
		var (
			st string
			n  int
		)
		if err := rows.Scan(&st, &n); err != nil {
			return nil, translate("count users by status", err)
		}
		counts[invite.Status(st)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, translate("count users by status", err)
	}
	return counts, nil
}
