package account

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
)

// Beyond MaxWaiting password checks waiting for a slot, a sign-in is
// refused at once (503 with Retry-After) instead of queueing its memory.
func TestPasswordChecksWaitingAreBounded(t *testing.T) {
	p := newPasswordHashing(1)
	p.queue.max = 1
	p.slots <- struct{}{} // the only slot is busy
	waiter := make(chan error, 1)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() { waiter <- p.acquire(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for p.queue.n.Load() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the first check never queued")
		}
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	err := p.acquire(t.Context())
	if time.Since(start) > time.Second {
		t.Errorf("the refusal took %v", time.Since(start))
	}
	if invite.KindOf(err) != invite.KindUnavailable {
		t.Fatalf("acquire over the bound: %v, want unavailable", err)
	}
	if d, ok := invite.RetryAfterOf(err); !ok || d <= 0 {
		t.Errorf("no Retry-After on %v", err)
	}
	<-p.slots // the slot frees: the waiter gets it
	if err := <-waiter; err != nil {
		t.Fatalf("the queued check: %v", err)
	}
	if !errors.Is(err, errBusy) {
		t.Errorf("%v is not errBusy", err)
	}
}
