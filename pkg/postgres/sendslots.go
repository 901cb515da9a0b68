package postgres

import (
	"context"
	"sync"
)

// sendReserve is how many of a pool of maxConns connections guarded sends
// leave to everything else (claims, delivery records, and what a send
// itself writes): a quarter, between 2 and 8.
func sendReserve(maxConns int) int { return max(2, min(8, maxConns/4)) }

// sendSlots bounds the guarded sends that hold a connection at once to the
// pool's size less sendReserve. It is sized on first use, from the pool as
// it is configured then; an unbounded pool needs no bound.
type sendSlots struct {
	once  sync.Once
	slots chan struct{} // nil: no bound
}

// acquire waits for a slot (or ctx) and returns its release.
func (s *sendSlots) acquire(ctx context.Context, maxConns int) (func(), error) {
	s.once.Do(func() {
		if maxConns > 0 {
			s.slots = make(chan struct{}, max(1, maxConns-sendReserve(maxConns)))
		}
	})
	if s.slots == nil {
		return func() {}, nil
	}
	select {
	case s.slots <- struct{}{}:
		return func() { <-s.slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
