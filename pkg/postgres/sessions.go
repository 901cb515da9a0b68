package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/inviter/inviter/pkg/invite"
)

// CreateSession stores the hash of a new bearer token.
func (s *Store) CreateSession(ctx context.Context, tokenHash []byte, userID int64, mustChange bool, ttl time.Duration) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO sessions (token_hash, user_id, must_change_password, expires_at)
		VALUES ($1, $2, $3, now() + $4 * interval '1 microsecond')`, tokenHash, userID, mustChange, ttl.Microseconds())
	return translate("create session", err)
}

// SessionByToken returns the live session whose token hashes to tokenHash.
func (s *Store) SessionByToken(ctx context.Context, tokenHash []byte) (invite.Session, error) {
	var ss invite.Session
	err := s.db.GetContext(ctx, &ss, `
		SELECT s.user_id, u.login, u.role, s.must_change_password
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.expires_at > now() AND `+temporarySessionLive, tokenHash)
	return ss, translate("get session", err)
}

// DeleteSession ends one session.
func (s *Store) DeleteSession(ctx context.Context, tokenHash []byte) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
	return translate("delete session", err)
}

// LoginCandidate looks a user up by login (case-insensitively). Only the
// newest delivered attempt counts: delivering a newer invitation retires the
// older temporary passwords.
func (s *Store) LoginCandidate(ctx context.Context, login string) (invite.LoginCandidate, error) {
	var r struct {
		ID                    int64
		Role                  string
		PasswordHash          sql.NullString
		InvID                 sql.NullInt64
		Hashes                [][]byte
		ExpiresAt, ConsumedAt *time.Time
	}
	err := s.db.QueryRowxContext(ctx, `
		SELECT u.id, u.role, u.password_hash, i.id AS invitation_id, i.password_hashes, i.expires_at, i.consumed_at
		FROM users u
		LEFT JOIN LATERAL (
			SELECT id, password_hashes, expires_at, consumed_at FROM invitations
			WHERE user_id = u.id AND delivered_at IS NOT NULL ORDER BY id DESC LIMIT 1
		) i ON true
		WHERE lower(u.login) = lower($1)`, login).Scan(&r.ID, &r.Role, &r.PasswordHash, &r.InvID,
		(*pq.ByteaArray)(&r.Hashes), &r.ExpiresAt, &r.ConsumedAt)
	if err != nil {
		return invite.LoginCandidate{}, translate("find login", err)
	}
	c := invite.LoginCandidate{UserID: r.ID, Role: invite.Role(r.Role), PasswordHash: r.PasswordHash.String}
	if r.InvID.Valid && r.ConsumedAt == nil && r.ExpiresAt != nil && time.Now().Before(*r.ExpiresAt) {
		c.InvitationID, c.PasswordHashes = r.InvID.Int64, r.Hashes
	}
	return c, nil
}

// SetPassword stores a chosen password, retires every temporary password of
// the user and ends their other sessions; keep is the session that stays.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string, keep []byte) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return translate("begin set password", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1`, userID, hash)
	if err != nil {
		return translate("set password", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return translate("set password", sql.ErrNoRows)
	}
	if _, err := tx.ExecContext(ctx, retireTemporaryPasswords, userID); err != nil {
		return translate("retire temporary passwords", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2`, userID, keep); err != nil {
		return translate("end other sessions", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sessions SET must_change_password = false, invitation_id = NULL WHERE token_hash = $1`, keep); err != nil {
		return translate("update session", err)
	}
	return translate("commit set password", tx.Commit())
}

// EnsureSuperAdmin creates a super admin with login, and the password hash
// that hash returns, when no super admin exists. hash runs only then: a
// memory-hard hash at every start of every replica would be wasted work.
// It reports whether it created one. An advisory lock keeps two replicas
// starting together from creating two.
func (s *Store) EnsureSuperAdmin(ctx context.Context, login string, hash func() (string, error)) (bool, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return false, translate("begin ensure super admin", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('inviter:ensure-super-admin'))`); err != nil {
		return false, translate("lock ensure super admin", err)
	}
	var exists bool
	if err := tx.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM users WHERE role = 'super_admin')`); err != nil {
		return false, translate("find super admin", err)
	}
	if exists {
		return false, nil
	}
	passwordHash, err := hash()
	if err != nil {
		return false, fmt.Errorf("postgres: hash the super admin's password: %w", err)
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO users (login, first_name, last_name, role, password_hash)
		VALUES ($1, 'Super', 'Admin', 'super_admin', $2)`, login, passwordHash)
	if err != nil {
		return false, translate("create super admin", err)
	}
	if err := tx.Commit(); err != nil {
		return false, translate("commit super admin", err)
	}
	return true, nil
}
