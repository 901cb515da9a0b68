package invite

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Message is one invitation to deliver: who gets it, through which channel,
// and the credentials it carries. Password is the only copy of the temporary
// password outside the user's mailbox or phone: never log a Message.
type Message struct {
	InvitationID int64
	Channel      Channel
	To           string // e-mail address or E.164 phone number
	Locale       string
	FirstName    string
	LastName     string
	Login        string
	Password     string
	LoginURL     string
	// ExpiresAt is when the password stops working (zero: not said), and
	// TimeZone the recipient's zone when known (nil: the default).
	ExpiresAt time.Time
	TimeZone  *time.Location
}

// LogValue keeps the password out of structured logs.
func (m Message) LogValue() slog.Value {
	return slog.GroupValue(slog.Int64("invitation_id", m.InvitationID),
		slog.String("channel", string(m.Channel)), slog.String("to", m.To))
}

// String keeps the password out of fmt output too.
func (m Message) String() string {
	return fmt.Sprintf("invitation %d by %s to %s", m.InvitationID, m.Channel, m.To)
}

// DeliveryClass says what the worker should do about a failed delivery.
type DeliveryClass int

// The delivery failure classes.
const (
	// Transient failures (SMTP 4xx, connection errors, timeouts, provider
	// internal errors) are retried with backoff until retries run out.
	Transient DeliveryClass = iota
	// RateLimited failures are retried after RetryAfter without counting
	// against the retry budget.
	RateLimited
	// Rejected means the destination is known to be bad (SMTP 550 unknown
	// mailbox, invalid phone number): fail at once with delivery_rejected.
	Rejected
	// Permanent failures (other SMTP 5xx, an invalid message, bad provider
	// credentials) fail at once with delivery_failed.
	Permanent
)

func (c DeliveryClass) String() string {
	switch c {
	case Transient:
		return "transient"
	case RateLimited:
		return "rate_limited"
	case Rejected:
		return "rejected"
	case Permanent:
		return "permanent"
	}
	return fmt.Sprintf("DeliveryClass(%d)", int(c))
}

// DeliveryError is a provider's refusal, classified. ProviderMessage is what
// the provider said (an SMTP reply, a Vonage error text), shown to admins.
type DeliveryError struct {
	Class           DeliveryClass
	ProviderCode    string // SMTP reply code or Vonage status, when known
	ProviderMessage string
	RetryAfter      time.Duration // for RateLimited; 0 means the worker's backoff
	Err             error
}

func (e *DeliveryError) Error() string {
	s := fmt.Sprintf("delivery %s", e.Class)
	if e.ProviderCode != "" {
		s += " (" + e.ProviderCode + ")"
	}
	if e.ProviderMessage != "" {
		s += ": " + e.ProviderMessage
	}
	if e.Err != nil && (e.ProviderMessage == "" || e.Err.Error() != e.ProviderMessage) {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *DeliveryError) Unwrap() error { return e.Err }

// ClassifyDelivery returns the class of err: a *DeliveryError's own class,
// and Transient for anything else (a dropped connection, a timeout), since
// retrying those is what the user would want.
func ClassifyDelivery(err error) (DeliveryClass, *DeliveryError) {
	var de *DeliveryError
	if errors.As(err, &de) {
		return de.Class, de
	}
	return Transient, &DeliveryError{Class: Transient, ProviderMessage: err.Error(), Err: err}
}
