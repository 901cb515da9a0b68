package postgres

import (
	"context"
	"database/sql"
	"time"
)

// OutboxMessage is a message kept in the development outbox.
type OutboxMessage struct {
	ID           int64         `db:"id"`
	InvitationID sql.NullInt64 `db:"invitation_id"`
	Channel      string        `db:"channel"`
	Recipient    string        `db:"recipient"`
	Subject      string        `db:"subject"`
	Body         string        `db:"body"`
	Raw          []byte        `db:"raw"`
	CreatedAt    time.Time     `db:"created_at"`
}

// SaveOutboxMessage keeps a message in the development outbox.
func (s *Store) SaveOutboxMessage(ctx context.Context, m OutboxMessage) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO dev_outbox (invitation_id, channel, recipient, subject, body, raw)
		VALUES ($1, $2, $3, $4, $5, $6)`, m.InvitationID, m.Channel, m.Recipient, m.Subject, m.Body, m.Raw)
	return translate("save outbox message", err)
}

// OutboxMessages returns the newest limit messages of the development outbox.
func (s *Store) OutboxMessages(ctx context.Context, limit int) ([]OutboxMessage, error) {
	var out []OutboxMessage
	err := s.db.SelectContext(ctx, &out, `
		SELECT id, invitation_id, channel, recipient, subject, body, raw, created_at
		FROM dev_outbox ORDER BY id DESC LIMIT $1`, limit)
	return out, translate("list outbox", err)
}
