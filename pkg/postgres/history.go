package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/inviter/inviter/pkg/invite"
)

// Invitations returns the history of a user's invitation attempts, newest
// first, with the login of the admin who asked for each.
func (s *Store) Invitations(ctx context.Context, userID int64) ([]invite.Invitation, error) {
	var rows []struct {
		ID              int64          `db:"id"`
		UserID          int64          `db:"user_id"`
		Status          string         `db:"status"`
		Channel         sql.NullString `db:"channel"`
		Destination     sql.NullString `db:"destination"`
		RequestedBy     sql.NullInt64  `db:"requested_by"`
		RequestedLogin  sql.NullString `db:"requested_by_login"`
		ErrorCode       sql.NullString `db:"error_code"`
		ProviderMessage sql.NullString `db:"provider_message"`
		Attempts        int            `db:"attempts"`
		CreatedAt       time.Time      `db:"created_at"`
		UpdatedAt       time.Time      `db:"updated_at"`
		DeliveredAt     *time.Time     `db:"delivered_at"`
		ExpiresAt       *time.Time     `db:"expires_at"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT i.id, i.user_id, i.status, i.channel, i.destination, i.requested_by, i.requested_by_login,
		       i.error_code, i.provider_message, i.attempts, i.created_at, i.updated_at, i.delivered_at, i.expires_at
		FROM invitations i
		WHERE i.user_id = $1 ORDER BY i.id DESC`, userID)
	if err != nil {
		return nil, translate(fmt.Sprintf("list invitations of user %d", userID), err)
	}
	out := make([]invite.Invitation, len(rows))
	for i, r := range rows {
		inv := invite.Invitation{
			ID: r.ID, UserID: r.UserID, Status: invite.AttemptStatus(r.Status), Channel: invite.Channel(r.Channel.String),
			Destination: r.Destination.String, RequestedByLogin: r.RequestedLogin.String,
			ProviderMessage: r.ProviderMessage.String, Attempts: r.Attempts, CreatedAt: r.CreatedAt,
			UpdatedAt: r.UpdatedAt, DeliveredAt: r.DeliveredAt, ExpiresAt: r.ExpiresAt,
		}
		if r.RequestedBy.Valid {
			id := r.RequestedBy.Int64
			inv.RequestedBy = &id
		}
		if r.ErrorCode.Valid {
			inv.Error = invite.NewReason(r.ErrorCode.String, "")
			if inv.Error.Message == "" {
				inv.Error.Message = r.ProviderMessage.String
			}
		}
		out[i] = inv
	}
	if err := s.attachReports(ctx, userID, out); err != nil {
		return nil, err
	}
	return out, nil
}
