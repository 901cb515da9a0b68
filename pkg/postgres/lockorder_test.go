package postgres_test

import (
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/inviter/inviter/pkg/invite"
)

// Two writers over the same invitation rows, one claiming them (id order)
// and one marking them reconciled, never deadlock: every statement that
// locks several invitation rows takes them in id order. The rows are first
// rewritten newest first, so that a statement that locked them in the
// heap's order would go against the ids.
func TestOverlappingWritersTakeInvitationsInIDOrder(t *testing.T) {
	t.Parallel()
	s, db := newStore(t)
	ctx := t.Context()
	var ids []int64
	for i := range 40 {
		u := mustCreate(t, s, invite.NewUser{Login: "lock" + strconv.Itoa(i), FirstName: "L", LastName: "O",
			Email: "lock" + strconv.Itoa(i) + "@example.com"})
		ids = append(ids, u.ID)
	}
	b := batch(t, s, 0, invite.MethodEmailOrPhone, ids...)
	var attempts []int64
	for _, o := range b.Outcomes {
		attempts = append(attempts, o.InvitationID)
	}
	slices.Sort(attempts)
	for i := len(attempts) - 1; i >= 0; i-- {
		if _, err := db.DB.ExecContext(ctx, `UPDATE invitations SET updated_at = now() WHERE id = $1`, attempts[i]); err != nil {
			t.Fatal(err)
		}
	}
	reversed := slices.Clone(attempts)
	slices.Reverse(reversed)

	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for range 15 {
		wg.Go(func() {
			if err := s.MarkReconciled(ctx, attempts[:len(attempts)/2], attempts[len(attempts)/2:]); err != nil {
				errs <- err
			}
		})
		wg.Go(func() {
			claims := make([]invite.Claim, len(reversed))
			for i, id := range reversed {
				claims[i] = invite.Claim{InvitationID: id, PasswordHash: []byte{byte(i)}}
			}
			if _, err := s.ClaimAttempts(ctx, claims); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("overlapping writers: %v", err)
	}
}

// One replica at a time holds the reconciler's lock; releasing it lets
// another take it.
func TestReconcilerLockIsExclusive(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := t.Context()
	release, ok, err := s.TryReconcilerLock(ctx)
	if err != nil || !ok {
		t.Fatalf("first lock: %v %v", ok, err)
	}
	if _, ok, err := s.TryReconcilerLock(ctx); err != nil || ok {
		t.Fatalf("second lock while held: ok=%v err=%v, want refused", ok, err)
	}
	release()
	again, ok, err := s.TryReconcilerLock(ctx)
	if err != nil || !ok {
		t.Fatalf("lock after release: %v %v", ok, err)
	}
	again()
}
