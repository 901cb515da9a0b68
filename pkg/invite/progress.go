package invite

import "time"

// BatchProgress is where a "Send invitation" batch stands: what it decided
// when it was sent, and what has become of the attempts it created since.
//
// Kept users are counted at request time only. Their waiting attempt was
// created, and is followed, by an earlier batch: an attempt belongs to the
// one batch that created it, so no delivery is counted twice across
// batches, and a double click's second batch is done at once (it sent
// nothing) while the first one shows the deliveries.
type BatchProgress struct {
	BatchID          int64
	RequestedBy      *int64 // nil when the store was asked without an admin
	RequestedByLogin string
	CreatedAt        time.Time

	// At request time. Selected = Queued + Kept + Refused + Skipped + Admins.
	Selected int
	Queued   int // new attempts made waiting
	Kept     int
	Refused  int // refused at once: contact data
	NotFound int // requested ids that matched no user
	Skipped  int // already invited, left as they are (skip_invited)
	Admins   int // administrators, left as they are

	// Now, over the Queued attempts (fewer if users were deleted since).
	Waiting    int // not delivered yet: queued, being sent or retried
	Invited    int // delivered: the user is invited
	Failed     int // delivery failed for good (delivery_failed or delivery_rejected): the user is in error
	Superseded int // replaced by a later request before it ended
}

// Total is how many attempts the batch created: its queued and its refused
// users (a refusal is recorded as an attempt, for the history).
func (p BatchProgress) Total() int { return p.Queued + p.Refused }

// Done reports that nothing of the batch is still waiting: the progress
// will not change any more.
func (p BatchProgress) Done() bool { return p.Waiting == 0 }
