package worker

import (
	"context"

	"github.com/inviter/inviter/pkg/invite"
)

// sendIfCurrent sends msg unless the attempt was superseded (an admin
// changed the contact data) since it was claimed: skipped. sendErr is the
// delivery's error, err the database's; the two lead to different
// decisions.
func (h *Handler) sendIfCurrent(ctx context.Context, d invite.Delivery, msg invite.Message) (skipped bool, sendErr, err error) {
	ran, err := h.store.GuardSend(ctx, d.Hold(), func(ctx context.Context) error {
		sendErr = h.send(ctx, msg)
		return nil
	})
	if err != nil {
		return false, nil, err
	}
	return !ran, sendErr, nil
}
