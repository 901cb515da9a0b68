package postgres_test

import (
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
)

// invited makes u invited: one attempt, delivered, whose temporary password
// works for ttl.
func invited(t *testing.T, s *postgres.Store, u invite.User, ttl time.Duration) int64 {
	t.Helper()
	id := inviteOne(t, s, u)
	if _, err := s.ClaimAttempt(t.Context(), id, []byte("hash")); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkDelivered(t.Context(), id, ttl); err != nil {
		t.Fatal(err)
	}
	return id
}

func userNow(t *testing.T, s *postgres.Store, id int64) invite.User {
	t.Helper()
	u, err := s.User(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func historyLen(t *testing.T, s *postgres.Store, id int64) int {
	t.Helper()
	h, err := s.Invitations(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return len(h)
}

func TestSkipInvitedLeavesInvitedUsersAsTheyAre(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	done := mustCreate(t, s, invite.NewUser{Login: "done", FirstName: "D", LastName: "P", Email: "done@example.com"})
	fresh := mustCreate(t, s, invite.NewUser{Login: "fresh", FirstName: "F", LastName: "P", Email: "fresh@example.com"})
	invited(t, s, done, time.Hour)
	before := userNow(t, s, done.ID)

	sel := invite.Selection{Filter: &invite.UserFilter{}, SkipInvited: true}
	b, err := s.CreateBatch(t.Context(), sel, 0, func(c invite.Candidate) invite.Decision {
		return invite.DecideFor(sel, invite.MethodEmailOrPhone, c)
	}, invite.BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if o := outcomeOf(t, b, done.ID); !o.Skipped || o.InvitationID != 0 || o.Status != invite.StatusInvited || o.Error != nil {
		t.Errorf("invited user: %+v; want skipped, still invited, no attempt", o)
	}
	if o := outcomeOf(t, b, fresh.ID); o.Skipped || o.Status != invite.StatusWaiting {
		t.Errorf("fresh user: %+v; want waiting", o)
	}
	after := userNow(t, s, done.ID)
	if after.InviteStatus != invite.StatusInvited || !after.InvitedAt.Equal(*before.InvitedAt) || historyLen(t, s, done.ID) != 1 {
		t.Errorf("skipped user changed: %+v (history %d), was %+v", after, historyLen(t, s, done.ID), before)
	}
	p := progress(t, s, b.ID)
	if p.Selected != 2 || p.Skipped != 1 || p.Queued != 1 || p.Admins != 0 || p.Refused != 0 {
		t.Errorf("batch counts %+v; want selected 2, skipped 1, queued 1", p)
	}

	// Without skip_invited (the default) the invited user is sent again.
	b2 := batch(t, s, 0, invite.MethodEmailOrPhone, done.ID)
	if o := outcomeOf(t, b2, done.ID); o.Skipped || o.Status != invite.StatusWaiting || o.InvitationID == 0 {
		t.Errorf("send again: %+v; want a new waiting attempt", o)
	}
}

func TestAdministratorsAreLeftAlone(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	admin := mustCreate(t, s, invite.NewUser{Login: "boss", FirstName: "B", LastName: "A", Email: "boss@example.com", Role: invite.RoleAdmin})
	super := mustCreate(t, s, invite.NewUser{Login: "root", FirstName: "R", LastName: "A", Role: invite.RoleSuperAdmin})
	user := mustCreate(t, s, invite.NewUser{Login: "u", FirstName: "U", LastName: "P", Email: "u@example.com"})

	b := batch(t, s, 0, invite.MethodEmailOrPhone, admin.ID, super.ID, user.ID)
	for _, a := range []invite.User{admin, super} {
		o := outcomeOf(t, b, a.ID)
		if !o.Skipped || o.InvitationID != 0 || o.Error == nil || o.Error.Code != invite.ReasonAdminAccount ||
			o.Status != invite.StatusNotInvited {
			t.Errorf("administrator %s: %+v; want skipped with admin_account, not invited", a.Login, o)
		}
		if got := userNow(t, s, a.ID); got.InviteStatus != invite.StatusNotInvited || got.InviteError != nil || historyLen(t, s, a.ID) != 0 {
			t.Errorf("administrator %s changed: %+v", a.Login, got)
		}
	}
	p := progress(t, s, b.ID)
	if p.Selected != 3 || p.Admins != 2 || p.Queued != 1 || p.Refused != 0 || p.Total() != 1 {
		t.Errorf("batch counts %+v; want selected 3, admins 2, queued 1, refused 0", p)
	}
}

// A refused send again leaves a user who can sign in invited, with the
// refusal as the last send's; a user who cannot sign in goes to error.
func TestRefusedSendAgainKeepsInvited(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := newStore(t)
	phone := mustCreate(t, s, invite.NewUser{Login: "phone", FirstName: "P", LastName: "P", Phone: "79051111111"})
	expired := mustCreate(t, s, invite.NewUser{Login: "old", FirstName: "O", LastName: "P", Phone: "79051111112"})
	never := mustCreate(t, s, invite.NewUser{Login: "never", FirstName: "N", LastName: "P", Phone: "79051111113"})
	invited(t, s, phone, time.Hour)
	invited(t, s, expired, -time.Second)

	b := batch(t, s, 0, invite.MethodEmailOnly, phone.ID, expired.ID, never.ID)
	if o := outcomeOf(t, b, phone.ID); o.Status != invite.StatusInvited || o.Error == nil || o.Error.Code != invite.ReasonNoEmail {
		t.Errorf("invited user refused: %+v; want still invited, with no_email", o)
	}
	got := userNow(t, s, phone.ID)
	if !got.UserInvited() || got.InviteError == nil || got.InviteError.Code != invite.ReasonNoEmail {
		t.Errorf("invited user after a refusal: %+v; want invited with the refusal recorded", got)
	}
	if h, _ := s.Invitations(ctx, phone.ID); len(h) != 2 || h[0].Status != invite.AttemptRejected {
		t.Errorf("history: %+v; want the refusal on top", h)
	}
	for _, u := range []invite.User{expired, never} {
		if got := userNow(t, s, u.ID); got.InviteStatus != invite.StatusError {
			t.Errorf("%s (no working password): %s; want error", u.Login, got.InviteStatus)
		}
	}
	// The next delivery clears the last send's error.
	b2 := batch(t, s, 0, invite.MethodEmailOrPhone, phone.ID)
	id := outcomeOf(t, b2, phone.ID).InvitationID
	if err := s.MarkDelivered(ctx, id, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := userNow(t, s, phone.ID); !got.UserInvited() || got.InviteError != nil {
		t.Errorf("after a delivery: %+v; want invited without an error", got)
	}
}

// A failed send again (the worker's outcome) leaves a user who can sign in
// invited; one whose temporary password expired goes to error.
func TestFailedSendAgainKeepsInvited(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, db := newStore(t)
	live := mustCreate(t, s, invite.NewUser{Login: "live", FirstName: "L", LastName: "P", Email: "live@example.com"})
	chose := mustCreate(t, s, invite.NewUser{Login: "chose", FirstName: "C", LastName: "P", Email: "chose@example.com"})
	expired := mustCreate(t, s, invite.NewUser{Login: "old", FirstName: "O", LastName: "P", Email: "old@example.com"})
	invited(t, s, live, time.Hour)
	invited(t, s, chose, time.Hour)
	invited(t, s, expired, -time.Second)
	// chose picked a password: the temporary one is used, theirs works.
	if err := s.SetPassword(ctx, chose.ID, "argon2-hash", nil); err != nil {
		t.Fatal(err)
	}

	b := batch(t, s, 0, invite.MethodEmailOrPhone, live.ID, chose.ID, expired.ID)
	reason := invite.NewReason(invite.ReasonDeliveryRejected, "550 mailbox gone")
	for _, u := range []invite.User{live, chose, expired} {
		if got := userNow(t, s, u.ID); got.InviteStatus != invite.StatusWaiting {
			t.Fatalf("%s while sent again: %s; want waiting", u.Login, got.InviteStatus)
		}
		if err := s.MarkFailed(ctx, outcomeOf(t, b, u.ID).InvitationID, *reason, "550 mailbox gone"); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []invite.User{live, chose} {
		got := userNow(t, s, u.ID)
		if !got.UserInvited() || got.InviteError == nil || got.InviteError.Code != invite.ReasonDeliveryRejected {
			t.Errorf("%s after a failed send again: %+v; want invited with the failure recorded", u.Login, got)
		}
	}
	if got := userNow(t, s, expired.ID); got.InviteStatus != invite.StatusError {
		t.Errorf("expired user after a failed send again: %s; want error", got.InviteStatus)
	}
	p := progress(t, s, b.ID)
	if p.Failed != 3 || !p.Done() {
		t.Errorf("progress %+v; want 3 failed, done", p)
	}
	var n int
	if err := db.DB.GetContext(ctx, &n, `SELECT count(*) FROM invitations WHERE status = 'failed'`); err != nil || n != 3 {
		t.Errorf("failed attempts in the history: %d %v", n, err)
	}
}
