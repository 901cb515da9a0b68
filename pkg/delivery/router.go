package delivery

import (
	"context"

	"github.com/inviter/inviter/pkg/invite"
)

// Sender delivers one invitation. SMTPSender, VonageSender, Outbox and
// Router all are one, so the worker needs to know only this.
type Sender interface {
	Send(ctx context.Context, m invite.Message) error
}

// Router sends each invitation through the sender for its channel. Either
// sender may be an Outbox, for an environment without that provider.
type Router struct {
	Email Sender
	SMS   Sender
}

var _ Sender = Router{}

// Send dispatches m on m.Channel. A channel with no sender is a permanent
// failure: no retry will add one.
func (r Router) Send(ctx context.Context, m invite.Message) error {
	var s Sender
	switch m.Channel {
	case invite.ChannelEmail:
		s = r.Email
	case invite.ChannelSMS:
		s = r.SMS
	default:
		return badMessage(invite.Permanent, "delivery: invitation %d: unknown channel %q", m.InvitationID, m.Channel)
	}
	if s == nil {
		return badMessage(invite.Permanent, "delivery: invitation %d: no sender for channel %s", m.InvitationID, m.Channel)
	}
	return s.Send(ctx, m)
}
