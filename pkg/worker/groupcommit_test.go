package worker_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/testenv"
	"github.com/inviter/inviter/pkg/worker"
)

// statementLog is the real store, recording the ids of every shared claim
// statement; hold, when set, may keep a statement waiting.
type statementLog struct {
	*postgres.Store
	hold func(ids []int64)

	mu     sync.Mutex
	claims [][]int64
}

func (s *statementLog) ClaimAttempts(ctx context.Context, claims []invite.Claim) (map[int64]invite.Delivery, error) {
	ids := make([]int64, len(claims))
	for i, c := range claims {
		ids[i] = c.InvitationID
	}
	s.mu.Lock()
	s.claims = append(s.claims, ids)
	s.mu.Unlock()
	if s.hold != nil {
		s.hold(ids)
	}
	return s.Store.ClaimAttempts(ctx, claims)
}

func (s *statementLog) claimStatements() [][]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.claims)
}

// groupUsers creates n users with e-mail addresses in a fresh database and
// invites them all; it returns the users by the id of their waiting attempt.
func groupUsers(t *testing.T, store *postgres.Store, n int) map[int64]invite.User {
	t.Helper()
	ids := make([]int64, n)
	byID := make(map[int64]invite.User, n)
	for i := range n {
		nu, _, err := invite.NewUser{Login: fmt.Sprintf("group%02d", i), FirstName: "Ivan", LastName: fmt.Sprintf("Group%02d", i),
			Email: fmt.Sprintf("Group%02d@Example.com", i)}.Normalize()
		if err != nil {
			t.Fatalf("normalize user %d: %v", i, err)
		}
		u, err := store.CreateUser(t.Context(), nu)
		if err != nil {
			t.Fatalf("create user %d: %v", i, err)
		}
		ids[i], byID[u.ID] = u.ID, u
	}
	out, err := store.CreateInvitations(t.Context(), invite.Selection{UserIDs: ids}, 0,
		func(c invite.Candidate) invite.Decision { return invite.Decide(invite.MethodEmailOrPhone, c) })
	if err != nil {
		t.Fatalf("create invitations: %v", err)
	}
	if len(out) != n {
		t.Fatalf("%d outcomes for %d users", len(out), n)
	}
	users := make(map[int64]invite.User, n)
	for _, o := range out {
		if o.Status != invite.StatusWaiting || o.InvitationID == 0 || o.Channel != invite.ChannelEmail {
			t.Fatalf("batch outcome %+v, want a waiting e-mail attempt", o)
		}
		users[o.InvitationID] = byID[o.UserID]
	}
	return users
}

func groupHash(id int64, try int) []byte { return fmt.Appendf(nil, "hash-%d-%d", id, try) }

// checkDelivery checks that a claim returned the attempt's own user.
func checkDelivery(t *testing.T, id int64, u invite.User, d invite.Delivery) {
	t.Helper()
	if d.InvitationID != id || d.UserID != u.ID || d.Channel != invite.ChannelEmail || d.Destination != u.Email ||
		d.Login != u.Login || d.FirstName != u.FirstName || d.LastName != u.LastName {
		t.Errorf("claim of attempt %d returned %+v, want the e-mail delivery to user %d (%s, %s)",
			id, d, u.ID, u.Login, u.Email)
	}
}

// checkHashes checks that the user's valid temporary passwords are those
// of attempt id and include every hash given.
func checkHashes(t *testing.T, store *postgres.Store, u invite.User, id int64, want ...[]byte) {
	t.Helper()
	c, err := store.LoginCandidate(t.Context(), u.Login)
	if err != nil {
		t.Fatalf("login candidate %s: %v", u.Login, err)
	}
	if c.InvitationID != id {
		t.Errorf("user %s logs in with attempt %d, want %d", u.Login, c.InvitationID, id)
	}
	for _, h := range want {
		if !slices.ContainsFunc(c.PasswordHashes, func(got []byte) bool { return bytes.Equal(got, h) }) {
			t.Errorf("user %s: hash %q missing from %q: a claim's password would not log in", u.Login, h, c.PasswordHashes)
		}
	}
}

// closePromptly closes g and fails the test if that takes long.
func closePromptly(t *testing.T, g *worker.GroupCommit) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		g.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("GroupCommit.Close did not return within 5s of the last call")
	}
}

// Sixty handlers claim thirty attempts at once, each attempt twice with its
// own password, plus attempts that do not exist; then each attempt is
// recorded as delivered. Every claim gets its attempt, both passwords of
// every attempt work, and every user ends invited.
func TestGroupCommitConcurrentClaimsAndDeliveries(t *testing.T) {
	t.Parallel()
	store := postgres.NewStore(testenv.NewDatabase(t).DB)
	log := &statementLog{Store: store}
	users := groupUsers(t, store, 30)
	g := worker.NewGroupCommit(log, 100, 2)

	type result struct {
		d   invite.Delivery
		err error
	}
	const missing = 999999
	results := make(map[int64][]result, len(users))
	var missingErrs []error
	var mu sync.Mutex
	var wg sync.WaitGroup
	begin := make(chan struct{})
	for id := range users {
		for try := range 2 {
			wg.Go(func() {
				<-begin
				d, err := g.ClaimAttempt(ctxTimeout(t, waitTimeout), id, groupHash(id, try))
				mu.Lock()
				defer mu.Unlock()
				results[id] = append(results[id], result{d, err})
			})
		}
	}
	for try := range 2 {
		wg.Go(func() {
			<-begin
			_, err := g.ClaimAttempt(ctxTimeout(t, waitTimeout), missing, groupHash(missing, try))
			mu.Lock()
			defer mu.Unlock()
			missingErrs = append(missingErrs, err)
		})
	}
	close(begin)
	wg.Wait()

	for id, u := range users {
		var attempts []int
		for _, r := range results[id] {
			if r.err != nil {
				t.Errorf("claim of attempt %d: %v", id, r.err)
				continue
			}
			checkDelivery(t, id, u, r.d)
			attempts = append(attempts, r.d.Attempts)
		}
		if slices.Sort(attempts); !slices.Equal(attempts, []int{1, 2}) {
			t.Errorf("attempt %d: the two claims counted tries %v, want [1 2]", id, attempts)
		}
	}
	for _, err := range missingErrs {
		if !errors.Is(err, invite.ErrStale) {
			t.Errorf("claim of missing attempt %d: %v, want invite.ErrStale", missing, err)
		}
	}
	if len(missingErrs) != 2 {
		t.Errorf("%d claims of the missing attempt returned, want 2", len(missingErrs))
	}
	claimed := make(map[int64]int)
	for _, ids := range log.claimStatements() {
		if len(ids) > 100 {
			t.Errorf("one statement claimed %d attempts, more than the batch limit 100", len(ids))
		}
		seen := make(map[int64]bool)
		for _, id := range ids {
			if seen[id] {
				t.Errorf("one statement claimed attempt %d twice (%v): it keeps only one of the hashes", id, ids)
			}
			seen[id] = true
			claimed[id]++
		}
	}
	for id := range users {
		if claimed[id] != 2 {
			t.Errorf("attempt %d was in %d claim statements, want 2", id, claimed[id])
		}
	}

	errs := make(chan error, len(users))
	for id := range users {
		wg.Go(func() {
			if err := g.MarkDelivered(ctxTimeout(t, waitTimeout), id, inviteTTL); err != nil {
				errs <- fmt.Errorf("mark attempt %d delivered: %w", id, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for id, u := range users {
		if got, err := store.User(t.Context(), u.ID); err != nil || got.InviteStatus != invite.StatusInvited {
			t.Errorf("user %d after the delivery of attempt %d: %+v, %v; want invited", u.ID, id, got, err)
		}
		checkHashes(t, store, u, id, groupHash(id, 0), groupHash(id, 1))
		if _, err := g.ClaimAttempt(t.Context(), id, groupHash(id, 2)); !errors.Is(err, invite.ErrStale) {
			t.Errorf("claim of delivered attempt %d: %v, want invite.ErrStale", id, err)
		}
	}
	closePromptly(t, g)
}

// heldCommit is a GroupCommit over the real store whose two executors are
// kept busy, each by the claim of one attempt, until the test releases them:
// the claims made meanwhile queue up and form the next batch.
type heldCommit struct {
	t        *testing.T
	g        *worker.GroupCommit
	log      *statementLog
	creator  string // "in goroutine N" of the test's goroutine, to find the calls it starts
	release  map[int64]chan struct{}
	released map[int64]bool
	holders  map[int64]<-chan error
	queued   int // the test's calls now blocked in the batcher
}

func newHeldCommit(t *testing.T, store *postgres.Store, hold1, hold2 int64) *heldCommit {
	t.Helper()
	held := make(chan struct{})
	h := &heldCommit{t: t, creator: createdByMe(), holders: make(map[int64]<-chan error), released: make(map[int64]bool),
		release: map[int64]chan struct{}{hold1: make(chan struct{}), hold2: make(chan struct{})}}
	h.log = &statementLog{Store: store, hold: func(ids []int64) {
		if ch, ok := h.release[ids[0]]; ok && len(ids) == 1 {
			held <- struct{}{}
			<-ch
		}
	}}
	h.g = worker.NewGroupCommit(h.log, 100, 2) // two statements can be in flight at once
	t.Cleanup(func() {                         // let a test that failed half way end
		for id, ch := range h.release {
			if !h.released[id] {
				close(ch)
			}
		}
	})
	for _, id := range []int64{hold1, hold2} {
		h.holders[id] = h.claim(id, 0)
		<-held
		h.queued++
	}
	return h
}

// claim claims attempt id in a goroutine, with the hash of the try-th
// password, and returns where its error will arrive.
func (h *heldCommit) claim(id int64, try int) <-chan error {
	errc := make(chan error, 1)
	go func() {
		_, err := h.g.ClaimAttempt(ctxTimeout(h.t, waitTimeout), id, groupHash(id, try))
		errc <- err
	}()
	return errc
}

// queue makes claims one after another, each queued before the next is
// made, so that the next batch holds them in this order.
func (h *heldCommit) queue(picks ...pick) []<-chan error {
	h.t.Helper()
	var errcs []<-chan error
	for _, p := range picks {
		errcs = append(errcs, h.claim(p.id, p.try))
		h.queued++
		waitBlocked(h.t, h.queued, h.creator, "worker.(*GroupCommit).ClaimAttempt(")
	}
	return errcs
}

// unhold lets the executor busy with attempt id take the queued claims.
func (h *heldCommit) unhold(id int64) {
	h.t.Helper()
	close(h.release[id])
	h.released[id] = true
	if err := <-h.holders[id]; err != nil {
		h.t.Fatalf("claim of attempt %d: %v", id, err)
	}
	h.queued--
}

// pick is a claim for queue: attempt id with its try-th password.
type pick struct {
	id  int64
	try int
}

// waitErrs fails the test for every claim that returned an error.
func waitErrs(t *testing.T, what string, errcs []<-chan error) {
	t.Helper()
	for i, errc := range errcs {
		if err := <-errc; err != nil {
			t.Errorf("claim %d of %s: %v", i, what, err)
		}
	}
}

// sortedIDs returns the ids of a claim statement in order.
func sortedIDs(ids []int64) []int64 {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return ids
}

// attemptIDs returns the ids of the attempts in users, in order.
func attemptIDs(users map[int64]invite.User) []int64 {
	ids := slices.Collect(maps.Keys(users))
	slices.Sort(ids)
	return ids
}

// When one batch holds the same attempt twice (a task run twice at once),
// the second claim goes to a statement of its own, and both passwords work.
func TestGroupCommitSplitsRepeatedAttempt(t *testing.T) {
	t.Parallel()
	store := postgres.NewStore(testenv.NewDatabase(t).DB)
	users := groupUsers(t, store, 4)
	ids := attemptIDs(users)
	hold1, hold2, x, y := ids[0], ids[1], ids[2], ids[3]
	h := newHeldCommit(t, store, hold1, hold2)

	queued := h.queue(pick{x, 0}, pick{x, 1}, pick{y, 0})
	h.unhold(hold1)
	waitErrs(t, "the batch [x x y]", queued)
	h.unhold(hold2)

	var batch [][]int64 // the statements of the batch [x x y], in order
	for _, s := range h.log.claimStatements() {
		if !slices.Contains(s, hold1) && !slices.Contains(s, hold2) {
			batch = append(batch, sortedIDs(s))
		}
	}
	if want := [][]int64{{x, y}, {x}}; !slices.EqualFunc(batch, want, slices.Equal) {
		t.Errorf("statements of the batch [%d %d %d]: %v, want %v", x, x, y, batch, want)
	}
	for _, id := range ids {
		if err := h.g.MarkDelivered(t.Context(), id, inviteTTL); err != nil {
			t.Fatalf("mark attempt %d delivered: %v", id, err)
		}
	}
	checkHashes(t, store, users[x], x, groupHash(x, 0), groupHash(x, 1))
	checkHashes(t, store, users[y], y, groupHash(y, 0))
	closePromptly(t, h.g)
}

// Two batches in flight at once that share two attempts (two tasks each
// running twice at once, say after the reconciler re-enqueued attempts still
// being delivered) must not deadlock: a shared statement has to lock its
// rows in one order, as lockCandidates does. A transaction holds x and y
// locked so that the batches [a x b] and [b y a] each stop half way; when
// it ends, each needs the row the other holds.
func TestGroupCommitOverlappingBatchesDoNotDeadlock(t *testing.T) {
	t.Parallel()
	db := testenv.NewDatabase(t)
	store := postgres.NewStore(db.DB)
	// A table of a realistic size, analyzed, so that PostgreSQL plans the
	// claim as in production: a nested loop driven by the array of ids.
	users := groupUsers(t, store, 1000)
	if _, err := db.DB.ExecContext(t.Context(), `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	ids := attemptIDs(users)
	hold1, hold2, a, b, x, y := ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]
	h := newHeldCommit(t, store, hold1, hold2)

	tx, err := db.DB.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	if _, err := tx.ExecContext(t.Context(), `SELECT id FROM invitations WHERE id = ANY($1) FOR UPDATE`,
		pq.Array([]int64{x, y})); err != nil {
		t.Fatal(err)
	}
	first := h.queue(pick{a, 0}, pick{x, 0}, pick{b, 0})
	h.unhold(hold1)
	waitLockWaiters(t, db, 1) // [a x b] holds a, waits for x
	second := h.queue(pick{b, 1}, pick{y, 0}, pick{a, 1})
	h.unhold(hold2)
	waitLockWaiters(t, db, 2) // [b y a] holds b, waits for y
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	failed := 0
	for _, errc := range append(first, second...) {
		if err := <-errc; err != nil {
			failed++
			t.Logf("claim: %v", err)
		}
	}
	if failed > 0 {
		t.Errorf("BUG: %d of the 6 claims of the concurrent batches [a x b] and [b y a] failed (statements %v, "+
			"a=%d b=%d x=%d y=%d): the claim statement locks its rows in the order of its input, so two "+
			"batches that share attempts in opposite orders deadlock and a whole batch fails; "+
			"lock the rows in id order", failed, h.log.claimStatements(), a, b, x, y)
	}
	closePromptly(t, h.g)
}

// waitLockWaiters waits until n sessions of the test's database wait for a
// lock.
func waitLockWaiters(t *testing.T, db *testenv.Database, n int) {
	t.Helper()
	eventually(t, waitTimeout, func() bool {
		var got int
		if err := db.DB.GetContext(t.Context(), &got, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`); err != nil {
			t.Fatalf("count lock waiters: %v", err)
		}
		return got == n
	}, "%d statements to wait for a lock", n)
}

// createdByMe returns what the stack of a goroutine started by the calling
// goroutine says about its creator: "in goroutine N".
func createdByMe() string {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	id, _, _ := strings.Cut(strings.TrimPrefix(string(buf), "goroutine "), " ")
	return "in goroutine " + id + "\n"
}

// waitBlocked waits until n goroutines whose stacks hold every one of
// frames are parked in a select. Goroutine states are the only view a test
// has of the callers waiting on an unbuffered channel.
func waitBlocked(t *testing.T, n int, frames ...string) {
	t.Helper()
	blocked := func() int {
		buf := make([]byte, 1<<20)
		for {
			k := runtime.Stack(buf, true)
			if k < len(buf) {
				buf = buf[:k]
				break
			}
			buf = make([]byte, 2*len(buf))
		}
		count := 0
		for g := range strings.SplitSeq(string(buf), "\n\n") {
			header, _, _ := strings.Cut(g, "\n")
			if strings.Contains(header, "[select") && !slices.ContainsFunc(frames, func(f string) bool { return !strings.Contains(g, f) }) {
				count++
			}
		}
		return count
	}
	eventually(t, waitTimeout, func() bool { return blocked() == n }, "%d goroutines blocked in %v", n, frames)
}
