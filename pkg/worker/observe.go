package worker

import (
	"errors"
	"time"

	"github.com/inviter/inviter/pkg/invite"
)

// Observer counts what the worker does (the Prometheus metrics).
type Observer interface {
	// Outcome counts one delivery try's outcome by channel.
	Outcome(channel, outcome string)
	// Requeue counts attempts the reconciler enqueued again.
	Requeue(n int)
}

// Outcomes of a delivery try.
const (
	OutcomeDelivered = "delivered" // the provider accepted the message
	OutcomeRejected  = "rejected"  // the provider refused the destination: the user is in error
	OutcomeRefused   = "refused"   // the provider refused the message for good (not for its address): error
	OutcomeFailed    = "failed"    // transient failures until the retries ran out: error
	OutcomeRetried   = "retried"   // a transient failure or a provider's throttling: asynq tries again
)

// nopObserver is the Observer of a worker built without one.
type nopObserver struct{}

func (nopObserver) Outcome(string, string) {}
func (nopObserver) Requeue(int)            {}

func observerOr(o Observer) Observer {
	if o == nil {
		return nopObserver{}
	}
	return o
}

func (h *Handler) outcome(ch invite.Channel, outcome string) {
	observerOr(h.cfg.Observer).Outcome(string(ch), outcome)
}

// rescheduler is the error of a send that did not happen because its turn
// under a rate limit (SMTP_RATE, SMS_RATE) is far away: the task runs again
// later, and nothing failed.
type rescheduler interface{ RescheduleAfter() time.Duration }

func rescheduled(err error) bool {
	var r rescheduler
	return errors.As(err, &r)
}
