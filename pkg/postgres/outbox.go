package postgres

import (
	"context"

	"github.com/inviter/inviter/pkg/invite"
)

// SaveOutboxMessage keeps a message in the development outbox.
func (s *Store) SaveOutboxMessage(ctx context.Context, m invite.OutboxMessage) error {
	// Expired messages (they hold passwords) go as new ones come.
	_, err := s.db.ExecContext(ctx, `
		WITH purged AS (DELETE FROM dev_outbox WHERE expires_at <= now())
		INSERT INTO dev_outbox (invitation_id, channel, recipient, subject, body, raw, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, now() + $7 * interval '1 microsecond')`,
		m.InvitationID, m.Channel, m.Recipient, m.Subject, m.Body, m.Raw, outboxTTL(m.TTL).Microseconds())
	return translate("save outbox message", err)
}

// OutboxMessages returns the newest limit messages of the development outbox.
func (s *Store) OutboxMessages(ctx context.Context, limit int) ([]invite.OutboxMessage, error) {
	var out []invite.OutboxMessage
	err := s.db.SelectContext(ctx, &out, `
		SELECT id, invitation_id, channel, recipient, subject, body, raw, created_at
		FROM dev_outbox WHERE expires_at IS NULL OR expires_at > now() ORDER BY id DESC LIMIT $1`, limit)
	return out, translate("list outbox", err)
}
