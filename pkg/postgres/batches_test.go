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

// batch runs CreateBatch as admin under method and fails the test on error.
func batch(t *testing.T, s *postgres.Store, admin int64, m invite.VerificationMethod, ids ...int64) invite.Batch {
	t.Helper()
	b, err := s.CreateBatch(t.Context(), invite.Selection{UserIDs: ids}, admin, decideWith(m), invite.BatchOptions{Results: invite.ResultsAll})
	if err != nil {
		t.Fatal(err)
	}
	if b.ID == 0 {
		t.Fatal("CreateBatch returned no batch id")
	}
	return b
}

func progress(t *testing.T, s *postgres.Store, id int64) invite.BatchProgress {
	t.Helper()
	p, err := s.BatchProgress(t.Context(), id)
	if err != nil {
		t.Fatalf("progress of batch %d: %v", id, err)
	}
	return p
}

// counts is the part of a progress that moves, for comparisons.
type counts struct{ Waiting, Invited, Failed, Superseded int }

func moving(p invite.BatchProgress) counts {
	return counts{p.Waiting, p.Invited, p.Failed, p.Superseded}
}

func outcomeOf(t *testing.T, b invite.Batch, userID int64) invite.Outcome {
	t.Helper()
	for _, o := range b.Outcomes {
		if o.UserID == userID {
			return o
		}
	}
	t.Fatalf("batch %d has no outcome for user %d", b.ID, userID)
	return invite.Outcome{}
}

func TestBatchIsRecordedAndStampsItsAttempts(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, db := newStore(t)
	admin := mustCreate(t, s, invite.NewUser{Login: "boss", FirstName: "B", LastName: "A", Role: invite.RoleAdmin})
	kept := mustCreate(t, s, invite.NewUser{Login: "kept", FirstName: "K", LastName: "P", Email: "kept@example.com"})
	mail := mustCreate(t, s, invite.NewUser{Login: "mail", FirstName: "M", LastName: "P", Email: "mail@example.com"})
	sms := mustCreate(t, s, invite.NewUser{Login: "sms", FirstName: "S", LastName: "P", Phone: "79051111111"})
	bad := mustCreate(t, s, invite.NewUser{Login: "bad", FirstName: "B", LastName: "P", Phone: "9051111111"})
	earlier := inviteOne(t, s, kept)

	b := batch(t, s, admin.ID, invite.MethodEmailOrPhone, kept.ID, mail.ID, sms.ID, bad.ID, admin.ID, 987654)
	if o := outcomeOf(t, b, kept.ID); o.InvitationID != earlier {
		t.Errorf("kept user: %+v, want the earlier attempt %d", o, earlier)
	}
	var stamped []struct {
		UserID  int64  `db:"user_id"`
		Status  string `db:"status"`
		BatchID *int64 `db:"batch_id"`
	}
	if err := db.DB.SelectContext(ctx, &stamped, `SELECT user_id, status, batch_id FROM invitations ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	// The earlier attempt (kept) belongs to the batch that created it; the
	// three new ones (two waiting, one refused) to this one. The
	// administrator has none: left alone.
	if len(stamped) != 4 || stamped[0].UserID != kept.ID || stamped[0].BatchID == nil || *stamped[0].BatchID == b.ID {
		t.Fatalf("attempts %+v; want the kept one stamped with an earlier batch", stamped)
	}
	for _, a := range stamped[1:] {
		if a.BatchID == nil || *a.BatchID != b.ID {
			t.Errorf("attempt of user %d (%s) has batch %v, want %d", a.UserID, a.Status, a.BatchID, b.ID)
		}
	}

	p := progress(t, s, b.ID)
	if p.BatchID != b.ID || p.RequestedBy == nil || *p.RequestedBy != admin.ID || p.RequestedByLogin != "boss" ||
		time.Since(p.CreatedAt) > time.Minute {
		t.Errorf("progress header: %+v", p)
	}
	if p.Selected != 5 || p.Queued != 2 || p.Kept != 1 || p.Refused != 1 || p.Admins != 1 || p.Skipped != 0 ||
		p.NotFound != 1 || p.Total() != 3 {
		t.Errorf("request-time counts: %+v; want selected 5, queued 2, kept 1, refused 1 (bad phone), admins 1, not found 1, total 3", p)
	}
	if got := moving(p); got != (counts{Waiting: 2}) || p.Done() {
		t.Errorf("fresh batch: %+v done %v; want 2 waiting, not done", got, p.Done())
	}

	// The attempts end one by one, as the worker records them.
	if err := s.MarkDelivered(ctx, outcomeOf(t, b, mail.ID).InvitationID, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := moving(progress(t, s, b.ID)); got != (counts{Waiting: 1, Invited: 1}) {
		t.Errorf("after one delivery: %+v", got)
	}
	reason := invite.NewReason(invite.ReasonDeliveryRejected, "no such number")
	if err := s.MarkFailed(ctx, outcomeOf(t, b, sms.ID).InvitationID, *reason, "no such number"); err != nil {
		t.Fatal(err)
	}
	p = progress(t, s, b.ID)
	if got := moving(p); got != (counts{Invited: 1, Failed: 1}) || !p.Done() {
		t.Errorf("after a delivery and a failure: %+v done %v; want done", got, p.Done())
	}
	// The kept attempt is followed by its own batch; its end changes
	// nothing here.
	if err := s.MarkDelivered(ctx, earlier, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := moving(progress(t, s, b.ID)); got != (counts{Invited: 1, Failed: 1}) {
		t.Errorf("the kept attempt's delivery moved this batch: %+v", got)
	}
	if got := moving(progress(t, s, *stamped[0].BatchID)); got != (counts{Invited: 1}) {
		t.Errorf("earlier batch after its attempt's delivery: %+v", got)
	}
}

func TestBatchProgressCountsSuperseded(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	both := mustCreate(t, s, invite.NewUser{Login: "both", FirstName: "B", LastName: "P",
		Email: "both@example.com", Phone: "79051111111"})
	other := mustCreate(t, s, invite.NewUser{Login: "other", FirstName: "O", LastName: "P", Email: "other@example.com"})

	first := batch(t, s, 0, invite.MethodEmailOrPhone, both.ID, other.ID)
	// The setting changes and the admin sends again: the e-mail attempt is
	// replaced by an SMS one, which the second batch follows.
	second := batch(t, s, 0, invite.MethodPhoneOnly, both.ID)
	p := progress(t, s, first.ID)
	if got := moving(p); got != (counts{Waiting: 1, Superseded: 1}) || p.Done() {
		t.Errorf("first batch: %+v done %v; want one waiting, one superseded", got, p.Done())
	}
	if p.RequestedBy != nil || p.RequestedByLogin != "" {
		t.Errorf("batch without an admin: requested by %v %q", p.RequestedBy, p.RequestedByLogin)
	}
	if got := moving(progress(t, s, second.ID)); got != (counts{Waiting: 1}) {
		t.Errorf("second batch: %+v", got)
	}
	// A selection that matches nobody is still a request, done at once.
	empty := batch(t, s, 0, invite.MethodEmailOrPhone, 987654)
	if p := progress(t, s, empty.ID); p.Total() != 0 || p.NotFound != 1 || !p.Done() {
		t.Errorf("empty batch: %+v", p)
	}
}

func TestBatchProgressUnknownBatch(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	if _, err := s.BatchProgress(t.Context(), 424242); !errors.Is(err, invite.ErrNotFound) {
		t.Fatalf("unknown batch: %v, want ErrNotFound", err)
	}
}

// A batch that fails part way records nothing: no batch row, no attempt.
func TestFailedBatchRecordsNothing(t *testing.T) {
	t.Parallel()
	s, db := newStore(t)
	u := mustCreate(t, s, invite.NewUser{FirstName: "Ivan", LastName: "P", Email: "ivan@example.com"})
	ctx, cancel := context.WithCancel(t.Context())
	decide := func(c invite.Candidate) invite.Decision {
		cancel() // the next statement fails: the batch rolls back
		return invite.Decide(invite.MethodEmailOrPhone, c)
	}
	_, err := s.CreateBatch(ctx, invite.Selection{UserIDs: []int64{u.ID}}, 0, decide, invite.BatchOptions{Results: invite.ResultsAll})
	if err == nil {
		t.Fatal("a batch whose context was cancelled succeeded")
	}
	var batches, attempts int
	if err := db.DB.GetContext(t.Context(), &batches, `SELECT count(*) FROM invite_batches`); err != nil {
		t.Fatal(err)
	}
	if err := db.DB.GetContext(t.Context(), &attempts, `SELECT count(*) FROM invitations`); err != nil {
		t.Fatal(err)
	}
	if batches != 0 || attempts != 0 {
		t.Errorf("rolled-back batch left %d batches and %d attempts", batches, attempts)
	}
}

// Candidates reads what a batch would decide about, without a lock: it
// returns while another transaction holds every selected state row, and
// leaves the tables as they were.
func TestCandidatesReadWithoutLocking(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, db := newStore(t)
	waiting := mustCreate(t, s, invite.NewUser{Login: "w", FirstName: "W", LastName: "P", Email: "w@example.com"})
	plain := mustCreate(t, s, invite.NewUser{Login: "p", FirstName: "P", LastName: "P", Phone: "79051111111"})
	attempt := inviteOne(t, s, waiting)
	before := snapshot(t, db)

	tx, err := db.DB.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM invite_states FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	// A lock wait would outlast the deadline; the read must not wait at all.
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var got []invite.Candidate
	err = s.Candidates(rctx, invite.Selection{UserIDs: []int64{plain.ID, waiting.ID, 987654}}, func(c invite.Candidate) {
		got = append(got, c)
	})
	if err != nil {
		t.Fatalf("candidates while the states are locked: %v", err)
	}
	if len(got) != 2 || got[0].UserID != waiting.ID || got[1].UserID != plain.ID {
		t.Fatalf("candidates %+v; want the two users in id order", got)
	}
	if w := got[0].Waiting; w == nil || *w != (invite.Route{Channel: invite.ChannelEmail, Destination: "w@example.com"}) {
		t.Errorf("waiting user's route %+v; want e-mail to w@example.com (attempt %d)", w, attempt)
	}
	if got[1].Waiting != nil || got[1].Contact.Phone != "+79051111111" || got[1].Role != invite.RoleUser {
		t.Errorf("plain user: %+v", got[1])
	}

	// By filter, the same rows as the user list shows.
	got = nil
	err = s.Candidates(rctx, invite.Selection{Filter: &invite.UserFilter{Status: invite.StatusNotInvited}}, func(c invite.Candidate) {
		got = append(got, c)
	})
	if err != nil || len(got) != 1 || got[0].UserID != plain.ID {
		t.Errorf("filter not_invited: %+v %v; want only the plain user", got, err)
	}
	if after := snapshot(t, db); after != before {
		t.Errorf("reading candidates changed the tables: %+v, was %+v", after, before)
	}
}

// tables summarizes what a read must not change.
type tables struct {
	Batches, Attempts, Waiting int
	States                     string
}

func snapshot(t *testing.T, db *testenv.Database) tables {
	t.Helper()
	var s tables
	err := db.DB.QueryRowxContext(t.Context(), `SELECT
		(SELECT count(*) FROM invite_batches), (SELECT count(*) FROM invitations),
		(SELECT count(*) FROM invitations WHERE status = 'waiting'),
		(SELECT string_agg(user_id || ':' || status || ':' || updated_at, ',' ORDER BY user_id) FROM invite_states)`).
		Scan(&s.Batches, &s.Attempts, &s.Waiting, &s.States)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A page of a filtered selection is read as a range of ids: the users in
// that range that the filter leaves out must stay as they are.
func TestFilteredBatchLeavesOutTheUsersBetween(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, db := newStore(t)
	if _, err := db.DB.ExecContext(ctx, `
		INSERT INTO users (login, first_name, last_name, email)
		SELECT 'user' || g, 'First', CASE WHEN g % 3 = 0 THEN 'Other' ELSE 'Last' END, 'user' || g || '@example.com'
		FROM generate_series(1, 300) g`); err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateBatch(ctx, invite.Selection{Filter: &invite.UserFilter{Name: "Last"}}, 0,
		decideWith(invite.MethodEmailOrPhone), invite.BatchOptions{Results: invite.ResultsAll})
	if err != nil {
		t.Fatal(err)
	}
	if b.Queued != 200 || len(b.Outcomes) != 200 {
		t.Fatalf("queued %d, %d outcomes; want the 200 users named Last", b.Queued, len(b.Outcomes))
	}
	var stray []string
	if err := db.DB.SelectContext(ctx, &stray, `
		SELECT u.login FROM users u JOIN invite_states s ON s.user_id = u.id
		WHERE u.last_name = 'Other' AND (s.status <> 'not_invited' OR s.current_invitation_id IS NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if len(stray) > 0 {
		t.Fatalf("users outside the filter were sent: %v", stray)
	}
}
