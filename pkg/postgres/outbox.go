package postgres

import (
	"context"

	"github.com/inviter/inviter/pkg/invite"
)

// SaveOutboxMessage keeps a message in the development outbox.
func (s *Store) SaveOutboxMessage(ctx context.Context, m invite.OutboxMessage) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO dev_outbox (invitation_id, channel, recipient, subject, body, raw)
		VALUES ($1, $2, $3, $4, $5, $6)`, m.InvitationID, m.Channel, m.Recipient, m.Subject, m.Body, m.Raw)
	return translate("save outbox message", err)
}

// OutboxMessages returns the newest limit messages of the development outbox.
func (s *Store) OutboxMessages(ctx context.Context, limit int) ([]invite.OutboxMessage, error) {
	var out []invite.OutboxMessage
	err := s.db.SelectContext(ctx, &out, `
		SELECT id, invitation_id, channel, recipient, subject, body, raw, created_at
		FROM dev_outbox ORDER BY id DESC LIMIT $1`, limit)
	return out, translate("list outbox", err)
}
