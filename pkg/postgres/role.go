package postgres

import (
	"context"
	"fmt"

	"github.com/inviter/inviter/pkg/invite"
)

// promoteState leaves a new administrator out of any invitation in flight:
// a waiting attempt is superseded (its task finds it stale and sends
// nothing), and the user goes back to where they were before it: invited
// if they can sign in, else not invited. Other states stay as they are.
const promoteState = `
WITH sup AS (
    UPDATE invitations i SET status = 'superseded', finished_at = now(), updated_at = now()
    FROM invite_states s
    WHERE s.user_id = $1 AND i.id = s.current_invitation_id AND i.status = 'waiting'
    RETURNING i.id
)
UPDATE invite_states s
SET status = CASE WHEN (SELECT ` + hasCredentials + ` FROM users u WHERE u.id = s.user_id)
                  THEN 'invited' ELSE 'not_invited' END,
    error_code = NULL, error_message = NULL, updated_at = now()
WHERE s.user_id = $1 AND s.status = 'waiting'`

// SetRole makes user id an administrator or a plain user. A super admin's
// role is never changed here (invite.ErrNotFound when there is no such
// user, a forbidden error for a super admin). The state row is locked
// first, as a batch locks it (see "Lock order"), so a batch running at the
// same time sees the user either before or after the change.
func (s *Store) SetRole(ctx context.Context, id int64, role invite.Role) (invite.User, error) {
	op := fmt.Sprintf("set role of user %d", id)
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return invite.User{}, translate(op, err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	var current string
	err = tx.GetContext(ctx, &current, `
		SELECT u.role FROM invite_states s JOIN users u ON u.id = s.user_id
		WHERE s.user_id = $1 FOR UPDATE OF s`, id)
	if err != nil {
		return invite.User{}, translate(op, err)
	}
	if invite.Role(current) == invite.RoleSuperAdmin {
		return invite.User{}, invite.Errorf(invite.KindForbidden, "super_admin", "a super administrator's role cannot be changed")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET role = $2, updated_at = now() WHERE id = $1`, id, string(role)); err != nil {
		return invite.User{}, translate(op, err)
	}
	if role.IsAdmin() {
		if _, err := tx.ExecContext(ctx, promoteState, id); err != nil {
			return invite.User{}, translate(op, err)
		}
	}
	var r userRow
	if err := tx.GetContext(ctx, &r, selectUsers+` WHERE u.id = $1`, id); err != nil {
		return invite.User{}, translate(op, err)
	}
	if err := tx.Commit(); err != nil {
		return invite.User{}, translate(op, err)
	}
	return r.user(), nil
}
