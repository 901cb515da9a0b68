package postgres

import (
	"context"
	"time"

	"github.com/inviter/inviter/pkg/invite"
)

// CountErrorsByCode counts the users in error matching f's searches, by
// reason code (f.Status, f.ErrorCode and the page are ignored): the reasons
// under "Error" in the user table's filter. Without a search it is an
// index-only count of invite_states_error_code_idx.
func (s *Store) CountErrorsByCode(ctx context.Context, f invite.UserFilter) (map[string]int, error) {
	f.Status, f.ErrorCode = "", ""
	q := `SELECT coalesce(s.error_code, ''), count(*) FROM invite_states s WHERE s.status = 'error' GROUP BY 1`
	var args []any
	if f.Searches() {
		var where []string
		where, args = userWhere(f, nil)
		where = append(where, "s.status = 'error'")
		q = `SELECT coalesce(s.error_code, ''), count(*) FROM users u JOIN invite_states s ON s.user_id = u.id` +
			whereSQL(where) + ` GROUP BY 1`
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, translate("count errors by code", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var (
			code string
			n    int
		)
		if err := rows.Scan(&code, &n); err != nil {
			return nil, translate("count errors by code", err)
		}
		out[code] = n
	}
	return out, translate("count errors by code", rows.Err())
}

// OldestWaiting returns when the oldest attempt still waiting was created,
// and false when none is waiting: one row of the partial index on waiting
// attempts (ids grow with time).
func (s *Store) OldestWaiting(ctx context.Context) (time.Time, bool, error) {
	var at []time.Time
	err := s.db.SelectContext(ctx, &at, `SELECT created_at FROM invitations WHERE status = 'waiting' ORDER BY id LIMIT 1`)
	if err != nil {
		return time.Time{}, false, translate("oldest waiting attempt", err)
	}
	if len(at) == 0 {
		return time.Time{}, false, nil
	}
	return at[0], true, nil
}
