package delivery

import (
	"context"
	"fmt"
	"net/mail"

	"github.com/inviter/inviter/pkg/invite"
)

// OutboxStore keeps the messages of the development outbox.
type OutboxStore interface {
	SaveOutboxMessage(ctx context.Context, m OutboxMessage) error
}

// OutboxMessage is an invitation as it would have been sent. It holds the
// temporary password in clear, which is why the outbox is for development
// only.
type OutboxMessage struct {
	InvitationID int64
	Channel      invite.Channel
	Recipient    string
	Subject      string // empty for SMS
	Body         string // the plain-text e-mail body, or the SMS text
	Raw          []byte // the full MIME message for e-mail, the SMS text for SMS
}

// Outbox stands in for a provider that is not configured: it renders the
// invitation exactly as the real sender would and stores it, so a developer
// can read it and sign in with the password.
type Outbox struct {
	store   OutboxStore
	tpl     *Templates
	from    *mail.Address
	fromErr error
}

var _ Sender = (*Outbox)(nil)

// NewOutbox returns an outbox writing to store; from is the From of the
// e-mails it composes.
func NewOutbox(store OutboxStore, tpl *Templates, from string) *Outbox {
	o := &Outbox{store: store, tpl: tpl}
	if o.from, o.fromErr = mail.ParseAddress(from); o.fromErr != nil {
		o.fromErr = fmt.Errorf("delivery: outbox from address %q: %w", from, o.fromErr)
	}
	return o
}

// Send stores m as the message its channel would carry.
func (o *Outbox) Send(ctx context.Context, m invite.Message) error {
	r, err := o.tpl.Render(m)
	if err != nil {
		return failure(invite.Permanent, "", "", err)
	}
	msg := OutboxMessage{InvitationID: m.InvitationID, Channel: m.Channel, Recipient: m.To}
	switch m.Channel {
	case invite.ChannelEmail:
		if o.fromErr != nil {
			return failure(invite.Permanent, "", "", o.fromErr)
		}
		raw, _, err := composeEmail(o.from, m, r, "")
		if err != nil {
			return failure(invite.Permanent, "", "", err)
		}
		msg.Subject, msg.Body, msg.Raw = r.Subject, r.Text, raw
	case invite.ChannelSMS:
		msg.Body, msg.Raw = r.SMS, []byte(r.SMS)
	default:
		return badMessage(invite.Permanent, "delivery: invitation %d: unknown channel %q", m.InvitationID, m.Channel)
	}
	if err := o.store.SaveOutboxMessage(ctx, msg); err != nil {
		// The database is the provider here: its failures are worth a retry.
		return failure(invite.Transient, "", "", fmt.Errorf("delivery: outbox: save invitation %d: %w", m.InvitationID, err))
	}
	return nil
}
