package worker

import (
	"context"

	"github.com/inviter/inviter/pkg/invite"
)

// sendGuard is the store's check, just before a message goes out, that the
// attempt is still waiting for this destination, holding it against an
// admin's edit of the contact data while the message is sent (see
// postgres.Store.GuardSend). A store without it (a test double) sends
// unguarded.
type sendGuard interface {
	GuardSend(ctx context.Context, id int64, destination string, send func(context.Context) error) (sent bool, err error)
}

// sendIfCurrent sends msg unless the attempt was superseded since it was
// claimed (skipped). sendErr is the delivery's error, err the database's:
// the two lead to different decisions.
func (h *Handler) sendIfCurrent(ctx context.Context, d invite.Delivery, msg invite.Message) (skipped bool, sendErr, err error) {
	g, ok := h.store.(sendGuard)
	if !ok {
		return false, h.send(ctx, msg), nil
	}
	ran, err := g.GuardSend(ctx, d.InvitationID, d.Destination, func(ctx context.Context) error {
		sendErr = h.send(ctx, msg)
		return nil
	})
	if err != nil {
		return false, nil, err
	}
	return !ran, sendErr, nil
}
