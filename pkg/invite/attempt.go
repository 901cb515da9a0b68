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

// Claim asks to start a delivery try of an attempt, recording the hash of
// the password generated for it.
type Claim struct {
	InvitationID int64
	PasswordHash []byte
}

// SendHold is a send about to start: its attempt is held against being
// superseded while the message goes out, if it is still waiting for that
// destination (see postgres.Store.GuardSend).
type SendHold struct {
	InvitationID int64
	Channel      Channel
	Destination  string
}

// Hold is the send of d about to start, to hold against being superseded.
func (d Delivery) Hold() SendHold {
	return SendHold{InvitationID: d.InvitationID, Channel: d.Channel, Destination: d.Destination}
}

// StaleAttempt is a waiting attempt that has not moved for a while: the
// reconciler makes sure it is in the queue.
type StaleAttempt struct {
	InvitationID int64
	Channel      Channel
	Requeues     int
	UpdatedAt    time.Time
}
