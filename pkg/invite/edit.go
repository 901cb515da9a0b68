package invite

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// UserPatch is a change to a user's profile: nil fields are left as they
// are. It changes what POST /api/v1/users sets, never the role, the
// status or a password.
type UserPatch struct {
	Login, FirstName, LastName, Email, Phone, Locale *string
}

// Empty reports whether the patch changes nothing at all.
func (p UserPatch) Empty() bool {
	return p.Login == nil && p.FirstName == nil && p.LastName == nil && p.Email == nil && p.Phone == nil && p.Locale == nil
}

// Apply returns u's profile with the patch applied, ready for Normalize:
// an edited user passes exactly the checks of a new one.
func (p UserPatch) Apply(u User) NewUser {
	n := NewUser{Login: u.Login, FirstName: u.FirstName, LastName: u.LastName, Email: u.Email,
		Phone: u.Phone, Locale: u.Locale, Role: u.Role}
	for _, f := range []struct {
		dst *string
		src *string
	}{{&n.Login, p.Login}, {&n.FirstName, p.FirstName}, {&n.LastName, p.LastName},
		{&n.Email, p.Email}, {&n.Phone, p.Phone}, {&n.Locale, p.Locale}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	return n
}

// Change is one field of a user changed by an admin: a row of the card's
// change log. Old and New are "" for an empty value.
type Change struct {
	Field          string
	Old, New       string
	ChangedBy      *int64
	ChangedByLogin string
	ChangedAt      time.Time
}

// Diff lists the fields of n that differ from u, in the order of the form.
func Diff(u User, n NewUser) []Change {
	var out []Change
	for _, f := range []struct{ field, old, new string }{
		{"login", u.Login, n.Login}, {"first_name", u.FirstName, n.FirstName}, {"last_name", u.LastName, n.LastName},
		{"email", u.Email, n.Email}, {"phone", u.Phone, n.Phone}, {"locale", u.Locale, n.Locale},
	} {
		if f.old != f.new {
			out = append(out, Change{Field: f.field, Old: f.old, New: f.new})
		}
	}
	return out
}

// ContactChanged reports whether changes touch the e-mail or the phone,
// the data an invitation's route is chosen from.
func ContactChanged(changes []Change) bool {
	for _, c := range changes {
		if c.Field == "email" || c.Field == "phone" {
			return true
		}
	}
	return false
}

// EditResult is what an edit did.
type EditResult struct {
	User     User
	Changes  []Change
	Warnings []Warning
	// Rerouted is set when the edit superseded a waiting attempt whose route
	// the new contact data changed; Queued is then the new attempt (nil
	// when the new data is refused: the user is in error with the reason).
	Rerouted bool
	Queued   *Queued
}

// EditStore is what an edit needs from the database.
//
// UpdateUser changes the user in one transaction: it locks the user's state
// row, reads the user, asks edit for the new profile (an error aborts with
// nothing written), writes the changed fields and one change-log row each,
// and, when the contact data changed while an attempt is waiting, asks
// reroute what to do with the user and supersedes the waiting attempt
// unless the decision keeps it, recording the new attempt (waiting or
// refused) in its place. The superseding update is conditional on the
// attempt still waiting and waits for a worker that is sending it right
// now (see GuardSend in pkg/postgres), so the old address never receives
// a message sent after the change.
type EditStore interface {
	VerificationMethod(ctx context.Context) (VerificationMethod, error)
	UpdateUser(ctx context.Context, id, by int64, edit func(User) (NewUser, error),
		reroute func(Candidate) Decision) (EditResult, error)
	DuplicateChecker
}

// DuplicateChecker tells whether another user has an e-mail or a phone.
type DuplicateChecker interface {
	// ContactsTaken reports whether a user other than except (0: none) has
	// the e-mail address (compared without case) or the phone number.
	ContactsTaken(ctx context.Context, email, phone string, except int64) (emailTaken, phoneTaken bool, err error)
}

// Editor changes users' profiles (PATCH /api/v1/users/{id}, the card's
// Edit form).
type Editor struct {
	store    EditStore
	queue    Enqueuer
	region   string
	log      *slog.Logger
	channels Channels // see WithChannels
}

// NewEditor returns an Editor; region is the deployment's default phone
// region (see SuggestPhone).
func NewEditor(store EditStore, queue Enqueuer, region string, log *slog.Logger) *Editor {
	return &Editor{store: store, queue: queue, region: region, log: log}
}

// WithChannels returns the editor restricted to the channels that can
// deliver: a rerouted invitation is decided as a send would decide it.
func (e *Editor) WithChannels(ch Channels) *Editor {
	c := *e
	c.channels = ch
	return &c
}

// Region is the default phone region suggestions are made in.
func (e *Editor) Region() string { return e.region }

// Edit applies p to user id on behalf of admin by. It validates exactly as
// creating a user does (KindInvalid naming the field, KindConflict for a
// taken login, KindNotFound), and warns as creating does, duplicates and
// phone suggestions included. A rerouted attempt is enqueued after the
// commit; when Redis is down the reconciler enqueues it later.
func (e *Editor) Edit(ctx context.Context, by, id int64, p UserPatch) (EditResult, error) {
	method, err := e.store.VerificationMethod(ctx)
	if err != nil {
		return EditResult{}, fmt.Errorf("invite: read verification method: %w", err)
	}
	var warnings []Warning
	res, err := e.store.UpdateUser(ctx, id, by, func(u User) (NewUser, error) {
		n, ws, err := p.Apply(u).Normalize()
		warnings = ws
		return n, err
	}, func(c Candidate) Decision { return e.channels.decide(Selection{}, method, c) })
	if err != nil {
		return EditResult{}, err
	}
	res.Warnings = SuggestFixes(warnings, res.User.Phone, e.region)
	dups, err := DuplicateWarnings(ctx, e.store, res.User.Email, res.User.Phone, id)
	if err != nil {
		return EditResult{}, err
	}
	res.Warnings = append(res.Warnings, dups...)
	if res.Queued != nil {
		if err := e.queue.Enqueue(ctx, []Queued{*res.Queued}); err != nil {
			e.log.WarnContext(ctx, "enqueue of a rerouted invitation failed; the reconciler will enqueue it",
				"invitation_id", res.Queued.InvitationID, "err", err)
		}
	}
	return res, nil
}

// The duplicate warnings: the data is stored (two employees may share a
// team mailbox), but the admin should know.
const (
	WarningDuplicateEmail = "duplicate_email"
	WarningDuplicatePhone = "duplicate_phone"
)

// DuplicateWarnings warns when a user other than except already has email
// or phone. Empty values are never duplicates.
func DuplicateWarnings(ctx context.Context, c DuplicateChecker, email, phone string, except int64) ([]Warning, error) {
	if email == "" && phone == "" {
		return nil, nil
	}
	et, pt, err := c.ContactsTaken(ctx, email, phone, except)
	if err != nil {
		return nil, fmt.Errorf("invite: look for duplicate contacts: %w", err)
	}
	var out []Warning
	if et {
		out = append(out, Warning{Field: "email", Code: WarningDuplicateEmail,
			Message: "Another user already has this e-mail address."})
	}
	if pt {
		out = append(out, Warning{Field: "phone", Code: WarningDuplicatePhone,
			Message: "Another user already has this phone number."})
	}
	return out, nil
}
