package postgres

import (
	"context"

	"github.com/inviter/inviter/pkg/invite"
)

// CountAdmins counts the administrators (super admins included) among the
// users matching f, ignoring its page: "select all N matching" offers the
// users who can be invited, the matching ones less these. The partial index
// users_admins_idx holds the few administrators, so the count reads them
// and not the table.
func (s *Store) CountAdmins(ctx context.Context, f invite.UserFilter) (int, error) {
	where, args := userWhere(f, nil)
	where = append(where, "u.role <> 'user'")
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM users u JOIN invite_states s ON s.user_id = u.id`+whereSQL(where), args...)
	if err != nil {
		return 0, translate("count administrators", err)
	}
	return n, nil
}
