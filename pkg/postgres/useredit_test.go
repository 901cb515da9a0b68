package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/testenv"
)

// editContact changes a user's e-mail through UpdateUser as an Editor would.
func editContact(ctx context.Context, s *postgres.Store, id int64, email string) (invite.EditResult, error) {
	return s.UpdateUser(ctx, id, 0, func(u invite.User) (invite.NewUser, error) {
		n, _, err := invite.UserPatch{Email: &email}.Apply(u).Normalize()
		return n, err
	}, decideWith(invite.MethodEmailOrPhone))
}

func attemptStatus(t *testing.T, db *testenv.Database, id int64) string {
	t.Helper()
	var st string
	if err := db.DB.Get(&st, `SELECT status FROM invitations WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	return st
}

// claimedAtOld creates a user with the address old@example.com, invites
// them and claims the attempt, as a worker about to send does.
func claimedAtOld(t *testing.T, s *postgres.Store) (invite.User, int64, invite.Delivery) {
	t.Helper()
	u := mustCreate(t, s, invite.NewUser{Login: "u", FirstName: "U", LastName: "U", Email: "old@example.com"})
	id := inviteOne(t, s, u)
	d, err := s.ClaimAttempt(t.Context(), id, []byte("hash"))
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	return u, id, d
}

// A worker claimed the attempt and is about to send when the admin changes
// the e-mail: the edit commits first, so the guard refuses to send.
func TestGuardSendAfterEditSendsNothing(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, db := newStore(t)
	u, id, d := claimedAtOld(t, s)
	if d.Destination != "old@example.com" {
		t.Fatalf("claim: %+v", d)
	}
	res, err := editContact(ctx, s, u.ID, "new@example.com")
	if err != nil || !res.Rerouted || res.Queued == nil {
		t.Fatalf("edit: %+v, %v", res, err)
	}
	called := false
	sent, err := s.GuardSend(ctx, d.Hold(), func(context.Context) error { called = true; return nil })
	if err != nil || sent || called {
		t.Fatalf("guard after the edit: sent=%v called=%v err=%v", sent, called, err)
	}
	if st := attemptStatus(t, db, id); st != "superseded" {
		t.Fatalf("old attempt %s", st)
	}
	// The new attempt is sendable to the new address only.
	d2, err := s.ClaimAttempt(ctx, res.Queued.InvitationID, []byte("hash2"))
	if err != nil || d2.Destination != "new@example.com" {
		t.Fatalf("claim the new attempt: %+v, %v", d2, err)
	}
	if sent, err := s.GuardSend(ctx, invite.SendHold{InvitationID: d2.InvitationID, Channel: d2.Channel, Destination: "old@example.com"}, func(context.Context) error { return nil }); sent || err != nil {
		t.Fatalf("a guard for another destination must not send: %v %v", sent, err)
	}
	if sent, err := s.GuardSend(ctx, d2.Hold(), func(context.Context) error { return nil }); !sent || err != nil {
		t.Fatalf("guard of the current attempt: %v %v", sent, err)
	}
}

// The admin changes the e-mail while a worker is sending to the old one:
// the edit waits for the send, so the change is never older than a
// message sent to the old address, then supersedes the attempt.
func TestEditWaitsForSendInFlight(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, db := newStore(t)
	u, id, d := claimedAtOld(t, s)
	sending, release := make(chan struct{}), make(chan struct{})
	guardDone := make(chan error, 1)
	go func() {
		_, err := s.GuardSend(ctx, d.Hold(), func(context.Context) error {
			close(sending)
			<-release
			return nil
		})
		guardDone <- err
	}()
	<-sending
	editDone := make(chan error, 1)
	go func() {
		_, err := editContact(ctx, s, u.ID, "new@example.com")
		editDone <- err
	}()
	// Wait (with a deadline) until the edit blocks on the attempt's lock.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if lockWaiters(t, db) > 0 {
			break
		}
		select {
		case err := <-editDone:
			t.Fatalf("the edit finished (%v) while the attempt was being sent", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the edit never waited for the send")
		}
		time.Sleep(10 * time.Millisecond) // polling interval, not synchronisation
	}
	if st := attemptStatus(t, db, id); st != "waiting" {
		t.Fatalf("attempt %s while being sent", st)
	}
	close(release)
	if err := <-guardDone; err != nil {
		t.Fatal(err)
	}
	if err := <-editDone; err != nil {
		t.Fatal(err)
	}
	if st := attemptStatus(t, db, id); st != "superseded" {
		t.Fatalf("attempt %s after the edit", st)
	}
	// The delivery is still recorded on the superseded attempt (its
	// password works), but the user waits for the new attempt.
	if err := s.MarkDelivered(ctx, id, time.Hour); err != nil {
		t.Fatal(err)
	}
	got, err := s.User(ctx, u.ID)
	if err != nil || got.InviteStatus != invite.StatusWaiting || got.Email != "new@example.com" {
		t.Fatalf("user after: %+v, %v", got, err)
	}
}

func TestUpdateUserChangeLogAndErrors(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := newStore(t)
	admin := mustCreate(t, s, invite.NewUser{Login: "boss", FirstName: "B", LastName: "B", Role: invite.RoleAdmin})
	u := mustCreate(t, s, invite.NewUser{Login: "u", FirstName: "U", LastName: "U", Email: "u@example.com"})
	mustCreate(t, s, invite.NewUser{Login: "other", FirstName: "O", LastName: "O", Email: "o@example.com", Phone: "+79051112234"})

	login, phone := "U2", "+7 905 111 22 34"
	res, err := s.UpdateUser(ctx, u.ID, admin.ID, func(cur invite.User) (invite.NewUser, error) {
		n, _, err := invite.UserPatch{Login: &login, Phone: &phone}.Apply(cur).Normalize()
		return n, err
	}, decideWith(invite.MethodEmailOrPhone))
	if err != nil || res.User.Login != "U2" || res.User.Phone != "+79051112234" || res.Rerouted {
		t.Fatalf("update: %+v, %v", res, err)
	}
	changes, err := s.UserChanges(ctx, u.ID)
	if err != nil || len(changes) != 2 || changes[0].ChangedByLogin != "boss" || changes[0].ChangedBy == nil {
		t.Fatalf("changes %+v, %v", changes, err)
	}
	et, pt, err := s.ContactsTaken(ctx, "O@example.com", "+79051112234", u.ID)
	if err != nil || !et || !pt {
		t.Fatalf("ContactsTaken: %v %v %v", et, pt, err)
	}
	if et, pt, _ := s.ContactsTaken(ctx, "u@example.com", "", u.ID); et || pt {
		t.Fatal("a user's own e-mail is not a duplicate")
	}

	taken := "OTHER"
	_, err = s.UpdateUser(ctx, u.ID, admin.ID, func(cur invite.User) (invite.NewUser, error) {
		n, _, err := invite.UserPatch{Login: &taken}.Apply(cur).Normalize()
		return n, err
	}, decideWith(invite.MethodEmailOrPhone))
	if invite.KindOf(err) != invite.KindConflict {
		t.Fatalf("taken login: %v", err)
	}
	if _, err := editContact(ctx, s, 999999, "x@example.com"); invite.KindOf(err) != invite.KindNotFound {
		t.Fatalf("unknown user: %v", err)
	}
	boom := errors.New("refused")
	if _, err := s.UpdateUser(ctx, u.ID, admin.ID, func(invite.User) (invite.NewUser, error) { return invite.NewUser{}, boom },
		decideWith(invite.MethodEmailOrPhone)); !errors.Is(err, boom) {
		t.Fatalf("edit error: %v", err)
	}
	if changes, _ := s.UserChanges(ctx, u.ID); len(changes) != 2 {
		t.Fatalf("a refused edit wrote %d changes", len(changes)-2)
	}
}

func TestErrorCountsAndFilter(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := newStore(t)
	for _, n := range []invite.NewUser{
		{Login: "p1", FirstName: "A", LastName: "A", Phone: "9051111111"},
		{Login: "p2", FirstName: "B", LastName: "B", Phone: "9052222222"},
		{Login: "m1", FirstName: "C", LastName: "C", Email: "c@"},
		{Login: "ok", FirstName: "D", LastName: "D", Email: "d@example.com"},
	} {
		inviteOne(t, s, mustCreate(t, s, n))
	}
	counts, err := s.CountErrorsByCode(ctx, invite.UserFilter{})
	if err != nil || counts[invite.ReasonPhoneWithoutCountry] != 2 || counts[invite.ReasonInvalidEmail] != 1 || len(counts) != 2 {
		t.Fatalf("counts %v, %v", counts, err)
	}
	counts, err = s.CountErrorsByCode(ctx, invite.UserFilter{Login: "p2"})
	if err != nil || counts[invite.ReasonPhoneWithoutCountry] != 1 || len(counts) != 1 {
		t.Fatalf("counts with a search %v, %v", counts, err)
	}
	page, err := s.ListUsers(ctx, invite.UserFilter{ErrorCode: invite.ReasonPhoneWithoutCountry, Limit: 10, CountByStatus: true})
	if err != nil || len(page.Items) != 2 || page.Items[0].Login != "p1" || page.Counts[invite.StatusWaiting] != 1 || page.Total != 2 {
		t.Fatalf("page %+v, %v", page, err)
	}
	page, err = s.ListUsers(ctx, invite.UserFilter{ErrorCode: invite.ReasonInvalidEmail, Login: "m", Limit: 10})
	if err != nil || len(page.Items) != 1 || page.Total != 1 {
		t.Fatalf("page with a search %+v, %v", page, err)
	}
	at, ok, err := s.OldestWaiting(ctx)
	if err != nil || !ok || time.Since(at) > time.Hour {
		t.Fatalf("OldestWaiting %v %v %v", at, ok, err)
	}
	if page.Items[0].WaitingSince != nil {
		t.Fatal("a user in error has a waiting_since")
	}
}
