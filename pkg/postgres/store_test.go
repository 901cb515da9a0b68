package postgres_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/testenv"
)

func newStore(t *testing.T) (*postgres.Store, *testenv.Database) {
	t.Helper()
	db := testenv.NewDatabase(t)
	return postgres.NewStore(db.DB), db
}

func mustCreate(t *testing.T, s *postgres.Store, n invite.NewUser) invite.User {
	t.Helper()
	n, _, err := n.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUser(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// inviteOne sends u an invitation (email_or_phone) and returns the attempt.
func inviteOne(t *testing.T, s *postgres.Store, u invite.User) int64 {
	t.Helper()
	out, err := s.CreateInvitations(context.Background(), invite.Selection{UserIDs: []int64{u.ID}}, 0,
		decideWith(invite.MethodEmailOrPhone))
	if err != nil {
		t.Fatal(err)
	}
	return out[0].InvitationID
}

func decideWith(m invite.VerificationMethod) func(invite.Candidate) invite.Decision {
	return func(c invite.Candidate) invite.Decision { return invite.Decide(m, c) }
}

func TestCreateInvitationsBatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)
	good := mustCreate(t, s, invite.NewUser{FirstName: "Ivan", LastName: "P", Email: "ivan@example.com"})
	sms := mustCreate(t, s, invite.NewUser{Login: "sms", FirstName: "S", LastName: "P", Phone: "79051111111"})
	bad := mustCreate(t, s, invite.NewUser{Login: "olga", FirstName: "Olga", LastName: "S", Phone: "9051111111"})

	out, err := s.CreateInvitations(ctx, invite.Selection{UserIDs: []int64{good.ID, sms.ID, bad.ID, 999999}}, 0,
		decideWith(invite.MethodEmailOrPhone))
	if err != nil {
		t.Fatal(err)
	}
	byUser := map[int64]invite.Outcome{}
	for _, o := range out {
		byUser[o.UserID] = o
	}
	if o := byUser[good.ID]; o.Status != invite.StatusWaiting || o.Channel != invite.ChannelEmail || o.InvitationID == 0 {
		t.Errorf("good user: %+v", o)
	}
	if o := byUser[sms.ID]; o.Status != invite.StatusWaiting || o.Channel != invite.ChannelSMS {
		t.Errorf("sms user: %+v", o)
	}
	if o := byUser[bad.ID]; o.Status != invite.StatusError || o.Error == nil || o.Error.Code != invite.ReasonPhoneWithoutCountry {
		t.Errorf("bad user: %+v", o)
	}
	if o := byUser[999999]; o.Status != "" || o.Error == nil || o.Error.Code != "not_found" {
		t.Errorf("missing user: %+v", o)
	}
	for id, want := range map[int64]invite.Status{good.ID: invite.StatusWaiting, bad.ID: invite.StatusError} {
		u, err := s.User(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if u.InviteStatus != want {
			t.Errorf("user %d status %s, want %s", id, u.InviteStatus, want)
		}
	}
	hist, err := s.Invitations(ctx, bad.ID)
	if err != nil || len(hist) != 1 || hist[0].Status != invite.AttemptRejected || hist[0].Error == nil {
		t.Errorf("refused attempt not in history: %+v %v", hist, err)
	}

	// A repeat (double click) keeps the waiting attempt; a changed setting
	// supersedes it.
	again, err := s.CreateInvitations(ctx, invite.Selection{UserIDs: []int64{good.ID}}, 0, decideWith(invite.MethodEmailOrPhone))
	if err != nil || again[0].InvitationID != byUser[good.ID].InvitationID {
		t.Fatalf("repeat: got %+v %v, want the same attempt %d", again, err, byUser[good.ID].InvitationID)
	}
	phoneOnly, err := s.CreateInvitations(ctx, invite.Selection{UserIDs: []int64{good.ID}}, 0, decideWith(invite.MethodPhoneOnly))
	if err != nil || phoneOnly[0].Status != invite.StatusError || phoneOnly[0].Error.Code != invite.ReasonNoContact {
		t.Fatalf("phone only: got %+v %v", phoneOnly, err)
	}
	hist, _ = s.Invitations(ctx, good.ID)
	if len(hist) != 2 || hist[1].Status != invite.AttemptSuperseded || hist[0].Status != invite.AttemptRejected {
		t.Errorf("history after supersede: %+v", hist)
	}
}

func TestCreateInvitationsByFilter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)
	for _, n := range []invite.NewUser{
		{FirstName: "Anna", LastName: "Sales", Email: "anna@example.com"},
		{FirstName: "Boris", LastName: "Sales", Email: "boris@example.com"},
		{FirstName: "Clara", LastName: "Finance", Email: "clara@example.com"},
	} {
		mustCreate(t, s, n)
	}
	out, err := s.CreateInvitations(ctx, invite.Selection{Filter: &invite.UserFilter{Query: "sales"}}, 0, decideWith(invite.MethodEmailOrPhone))
	if err != nil || len(out) != 2 {
		t.Fatalf("filter selected %d users (%v), want 2", len(out), err)
	}
	page, err := s.ListUsers(ctx, invite.UserFilter{Status: invite.StatusWaiting, Limit: 10})
	if err != nil || page.Total != 2 {
		t.Fatalf("waiting users: %d (%v), want 2", page.Total, err)
	}
	page, err = s.ListUsers(ctx, invite.UserFilter{Status: invite.StatusNotInvited, Limit: 10})
	if err != nil || page.Total != 1 || page.Items[0].FirstName != "Clara" {
		t.Fatalf("not invited: %+v (%v), want Clara", page, err)
	}
}

func TestListUsersPagesAndSearch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)
	for _, n := range []invite.NewUser{
		{Login: "a1", FirstName: "Anna", LastName: "Ivanova", Email: "anna@example.com"},
		{Login: "a2", FirstName: "Boris", LastName: "Petrov", Phone: "+79051111111"},
		{Login: "a3", FirstName: "Clara", LastName: "100%_real", Email: "clara@example.com"},
	} {
		mustCreate(t, s, n)
	}
	var seen []string
	f := invite.UserFilter{Limit: 2}
	for {
		page, err := s.ListUsers(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 3 {
			t.Fatalf("total %d, want 3", page.Total)
		}
		for _, u := range page.Items {
			seen = append(seen, u.Login)
		}
		if page.NextCursor == "" {
			break
		}
		f.After = page.NextCursor
	}
	if len(seen) != 3 || seen[0] != "a1" || seen[2] != "a3" {
		t.Errorf("pages gave %v, want a1 a2 a3", seen)
	}
	for q, want := range map[string]int{"IVANOVA": 1, "905111": 1, "example.com": 2, "%": 1, "_": 1, "nobody": 0} {
		page, err := s.ListUsers(ctx, invite.UserFilter{Query: q, Limit: 10})
		if err != nil || page.Total != want || len(page.Items) != want {
			t.Errorf("search %q: total %d items %d (%v), want %d", q, page.Total, len(page.Items), err, want)
		}
	}
}

func TestAttemptLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)
	u := mustCreate(t, s, invite.NewUser{FirstName: "Ivan", LastName: "P", Email: "ivan@example.com"})
	id := inviteOne(t, s, u)

	d1, err := s.ClaimAttempt(ctx, id, []byte("hash-1"))
	if err != nil || d1.Destination != "ivan@example.com" || d1.Attempts != 1 || d1.Login != u.Login {
		t.Fatalf("claim: %+v %v", d1, err)
	}
	// A second delivery of the same task (asynq is at-least-once) before the
	// first recorded its success: both passwords must work.
	if _, err := s.ClaimAttempt(ctx, id, []byte("hash-2")); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkDelivered(ctx, id, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimAttempt(ctx, id, []byte("hash-3")); !errors.Is(err, invite.ErrStale) {
		t.Fatalf("claim after delivery: %v, want ErrStale", err)
	}
	c, err := s.LoginCandidate(ctx, "IVAN@example.com")
	if err != nil || c.InvitationID != id || len(c.PasswordHashes) != 2 || string(c.PasswordHashes[1]) != "hash-2" {
		t.Fatalf("login candidate: %+v %v", c, err)
	}
	got, _ := s.User(ctx, u.ID)
	if got.InviteStatus != invite.StatusInvited || !got.UserInvited() || got.InvitedAt == nil {
		t.Errorf("user after delivery: %+v", got)
	}

	// Sending again: the old password works until the new one is delivered.
	id2 := inviteOne(t, s, u)
	if c, _ := s.LoginCandidate(ctx, u.Login); c.InvitationID != id {
		t.Errorf("before the new delivery the old attempt %d should count, got %d", id, c.InvitationID)
	}
	if _, err := s.ClaimAttempt(ctx, id2, []byte("hash-new")); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkDelivered(ctx, id2, time.Hour); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.LoginCandidate(ctx, u.Login); c.InvitationID != id2 || len(c.PasswordHashes) != 1 {
		t.Errorf("after the new delivery only attempt %d should count, got %+v", id2, c)
	}
	// An expired temporary password does not count.
	if err := s.MarkDelivered(ctx, id2, -time.Second); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.LoginCandidate(ctx, u.Login); c.InvitationID != 0 || c.PasswordHashes != nil {
		t.Errorf("expired password still offered: %+v", c)
	}
}

func TestMarkFailedAndStale(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)
	u := mustCreate(t, s, invite.NewUser{FirstName: "Ivan", LastName: "P", Email: "ivan@example.com"})
	id := inviteOne(t, s, u)

	stale, err := s.StaleAttempts(ctx, 0, 0, 10)
	if err != nil || len(stale) != 1 || stale[0].InvitationID != id || stale[0].Channel != invite.ChannelEmail {
		t.Fatalf("stale: %+v %v", stale, err)
	}
	if stale, _ := s.StaleAttempts(ctx, time.Hour, 0, 10); len(stale) != 0 {
		t.Errorf("fresh attempt reported stale: %+v", stale)
	}
	if err := s.MarkReconciled(ctx, []int64{id}, nil); err != nil {
		t.Fatal(err)
	}
	if stale, _ := s.StaleAttempts(ctx, 0, 0, 10); len(stale) != 1 || stale[0].Requeues != 1 {
		t.Errorf("requeue not counted: %+v", stale)
	}
	reason := invite.NewReason(invite.ReasonDeliveryRejected, "550 no such user")
	if err := s.MarkFailed(ctx, id, *reason, "550 no such user"); err != nil {
		t.Fatal(err)
	}
	got, _ := s.User(ctx, u.ID)
	if got.InviteStatus != invite.StatusError || got.InviteError == nil || got.InviteError.Code != invite.ReasonDeliveryRejected {
		t.Errorf("user after failure: %+v", got)
	}
	if stale, _ := s.StaleAttempts(ctx, 0, 0, 10); len(stale) != 0 {
		t.Errorf("failed attempt still stale: %+v", stale)
	}
	hist, _ := s.Invitations(ctx, u.ID)
	if hist[0].Status != invite.AttemptFailed || hist[0].ProviderMessage != "550 no such user" {
		t.Errorf("history: %+v", hist[0])
	}
}

func TestEnsureSuperAdminOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		created int
	)
	for range 4 {
		wg.Go(func() {
			ok, err := s.EnsureSuperAdmin(ctx, "admin", func() (string, error) { return "$argon2id$dummy", nil })
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				created++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if created != 1 {
		t.Errorf("created %d super admins, want 1", created)
	}
}

func TestMigrateConcurrentlyAndCreateDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, db := newStore(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if err := postgres.Migrate(ctx, db.DB, log); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

func TestCreateUserConflict(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)
	mustCreate(t, s, invite.NewUser{Login: "ivan", FirstName: "I", LastName: "P"})
	_, err := s.CreateUser(ctx, invite.NewUser{Login: "IVAN", FirstName: "I", LastName: "P", Role: invite.RoleUser})
	var e *invite.Error
	if !errors.As(err, &e) || e.Kind != invite.KindConflict || e.Field != "login" {
		t.Fatalf("duplicate login: %v, want a conflict on login", err)
	}
	if _, err := s.User(ctx, 424242); !errors.Is(err, invite.ErrNotFound) {
		t.Errorf("missing user: %v, want ErrNotFound", err)
	}
}

// Two batches over the same user at once (a double click): the second waits
// for the first's locks and then keeps the attempt the first created,
// rather than missing it and sending a second message.
func TestConcurrentBatchesKeepOneAttempt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, db := newStore(t)
	u := mustCreate(t, s, invite.NewUser{FirstName: "Ivan", LastName: "P", Email: "ivan@example.com"})
	sel := invite.Selection{UserIDs: []int64{u.ID}}
	holding, release := make(chan struct{}), make(chan struct{})
	type result struct {
		out []invite.Outcome
		err error
	}
	first, second := make(chan result, 1), make(chan result, 1)
	go func() {
		out, err := s.CreateInvitations(ctx, sel, 0, func(c invite.Candidate) invite.Decision {
			close(holding)
			<-release // keep the batch's transaction, and its locks, open
			return invite.Decide(invite.MethodEmailOrPhone, c)
		})
		first <- result{out, err}
	}()
	<-holding
	go func() {
		out, err := s.CreateInvitations(ctx, sel, 0, decideWith(invite.MethodEmailOrPhone))
		second <- result{out, err}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if lockWaiters(t, db) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the second batch never waited for the first's locks")
		}
		time.Sleep(10 * time.Millisecond) // poll interval
	}
	close(release)
	r1, r2 := <-first, <-second
	if r1.err != nil || r2.err != nil {
		t.Fatalf("batches: %v, %v", r1.err, r2.err)
	}
	if r2.out[0].InvitationID != r1.out[0].InvitationID || r2.out[0].Status != invite.StatusWaiting {
		t.Errorf("second batch %+v, want it to keep the first's attempt %d", r2.out[0], r1.out[0].InvitationID)
	}
	if hist, _ := s.Invitations(ctx, u.ID); len(hist) != 1 {
		t.Errorf("history holds %d attempts, want 1: %+v", len(hist), hist)
	}
}

// A delivery proves the message went out, even for an attempt already given
// up on (the reconciler failed it while a worker was still sending): the
// attempt becomes sent, the user invited, and the password works.
func TestDeliveryOfAFailedAttempt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)
	u := mustCreate(t, s, invite.NewUser{FirstName: "Ivan", LastName: "P", Email: "ivan@example.com"})
	id := inviteOne(t, s, u)
	if _, err := s.ClaimAttempt(ctx, id, []byte("hash")); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkFailed(ctx, id, *invite.NewReason(invite.ReasonDeliveryFailed, "gave up"), "gave up"); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkDelivered(ctx, id, time.Hour); err != nil {
		t.Fatal(err)
	}
	got, _ := s.User(ctx, u.ID)
	if got.InviteStatus != invite.StatusInvited || got.InviteError != nil {
		t.Errorf("user %+v, want invited without an error", got)
	}
	if c, _ := s.LoginCandidate(ctx, u.Login); c.InvitationID != id || len(c.PasswordHashes) != 1 {
		t.Errorf("login candidate %+v, want the delivered attempt's password", c)
	}
}

// lockWaiters counts the sessions of the test's database waiting for a
// lock: a writer that reached another's row locks.
func lockWaiters(t *testing.T, db *testenv.Database) int {
	t.Helper()
	var n int
	if err := db.DB.Get(&n, `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND wait_event_type = 'Lock'`); err != nil {
		t.Fatal(err)
	}
	return n
}
