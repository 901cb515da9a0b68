package invite

import "time"

// Session is an authenticated API session.
type Session struct {
	UserID             int64  `db:"user_id"`
	Login              string `db:"login"`
	Role               Role   `db:"role"`
	MustChangePassword bool   `db:"must_change_password"`
}

// LoginCandidate is what a login attempt checks a password against.
type LoginCandidate struct {
	UserID       int64
	Role         Role
	PasswordHash string // argon2id of a chosen password, "" when none
	// The user's newest delivered attempt, when its temporary password is
	// still valid (not expired, not used to choose a password).
	InvitationID   int64
	PasswordHashes [][]byte
}

// OutboxMessage is a message kept in the development outbox.
type OutboxMessage struct {
	ID           int64     `db:"id"`
	InvitationID *int64    `db:"invitation_id"`
	Channel      string    `db:"channel"`
	Recipient    string    `db:"recipient"`
	Subject      string    `db:"subject"`
	Body         string    `db:"body"`
	Raw          []byte    `db:"raw"`
	CreatedAt    time.Time `db:"created_at"`
	// TTL is how long a new message is kept (OUTBOX_TTL); 0 is the default.
	TTL time.Duration `db:"-"`
}
