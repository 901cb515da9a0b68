package postgres

import (
	"context"
	"time"
)

// temporarySessionLive is the condition (on sessions s) that a session
// opened with a temporary password is still backed by a working one: its
// invitation is the user's newest delivered one, not used and not expired.
// A session opened with a chosen password (invitation_id NULL) is not
// concerned.
const temporarySessionLive = `(s.invitation_id IS NULL OR EXISTS (
	SELECT 1 FROM invitations i
	WHERE i.id = s.invitation_id AND i.consumed_at IS NULL AND i.expires_at > now()
	  AND NOT EXISTS (SELECT 1 FROM invitations n
	                  WHERE n.user_id = i.user_id AND n.id > i.id AND n.delivered_at IS NOT NULL)))`

// CreateTemporarySession stores a session opened with the temporary
// password of invitationID: it lives while that password works (see
// temporarySessionLive), and at most ttl.
func (s *Store) CreateTemporarySession(ctx context.Context, tokenHash []byte, userID, invitationID int64, ttl time.Duration) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO sessions (token_hash, user_id, must_change_password, invitation_id, expires_at)
		VALUES ($1, $2, true, $3, now() + $4 * interval '1 microsecond')`, tokenHash, userID, invitationID, ttl.Microseconds())
	return translate("create temporary session", err)
}

// defaultOutboxTTL is how long a dev outbox message is kept when the
// caller does not say.
const defaultOutboxTTL = 24 * time.Hour

func outboxTTL(d time.Duration) time.Duration {
	if d <= 0 {
		return defaultOutboxTTL
	}
	return d
}
