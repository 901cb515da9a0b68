package account

import (
	"context"

	"github.com/inviter/inviter/pkg/invite"
)

// createSession opens the session of a sign-in. One opened with a
// temporary password is tied to its invitation, so that it ends when the
// password stops working (a newer invitation delivered, INVITE_TTL, a
// password chosen) rather than living its whole TTL.
func (s *Service) createSession(ctx context.Context, hash []byte, c invite.LoginCandidate, temporary bool) error {
	if temporary && c.InvitationID != 0 {
		return s.store.CreateTemporarySession(ctx, hash, c.UserID, c.InvitationID, s.ttl)
	}
	return s.store.CreateSession(ctx, hash, c.UserID, temporary, s.ttl)
}
