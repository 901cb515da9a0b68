package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/inviter/inviter/pkg/invite"
)

// SetVerificationMethod stores the super admin's verification method.
func (s *Store) SetVerificationMethod(ctx context.Context, m invite.VerificationMethod, by int64) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO settings (key, value, updated_by, updated_at) VALUES ('verification_method', $1, $2, now())
		ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_by = EXCLUDED.updated_by, updated_at = now()`,
		string(m), sql.NullInt64{Int64: by, Valid: by > 0})
	return translate("set verification method", err)
}

// SecretKey returns the server secret called name, creating it with
// generate on first use. Concurrent first starts agree on one value: the
// insert that loses the race reads the winner's.
func (s *Store) SecretKey(ctx context.Context, name string, generate func() ([]byte, error)) ([]byte, error) {
	var key []byte
	err := s.db.GetContext(ctx, &key, `SELECT value FROM server_secrets WHERE name = $1`, name)
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, translate("read secret "+name, err)
	}
	fresh, err := generate()
	if err != nil {
		return nil, fmt.Errorf("postgres: generate secret %s: %w", name, err)
	}
	if _, err := s.db.ExecContext(ctx,
		`INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, fresh); err != nil {
		return nil, translate("store secret "+name, err)
	}
	err = s.db.GetContext(ctx, &key, `SELECT value FROM server_secrets WHERE name = $1`, name)
	return key, translate("read secret "+name, err)
}
