package invite

import "time"

// Delivery is a claimed attempt: everything a worker needs to compose and
// send the invitation.
type Delivery struct {
	InvitationID int64
	UserID       int64
	Channel      Channel
	Destination  string
	Login        string
	FirstName    string
	LastName     string
	Locale       string
	Attempts     int // tries so far, this one included
}

// StaleAttempt is a waiting attempt that has not moved for a while: the
// reconciler makes sure it is in the queue.
type StaleAttempt struct {
	InvitationID int64
	Channel      Channel
	Requeues     int
	UpdatedAt    time.Time
}
