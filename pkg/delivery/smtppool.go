package delivery

import (
	"context"
	"errors"
	"time"
)

// errClosed is what Send returns after Close.
var errClosed = errors.New("smtp sender is closed")

// acquire returns an idle connection, or nil with a slot reserved for the
// caller to dial a new one. It waits while PoolSize connections are busy.
func (s *SMTPSender) acquire(ctx context.Context) (*smtpConn, error) {
	select {
	case <-s.done:
		return nil, errClosed
	case c := <-s.idle:
		return c, nil // reuse first: a dial costs round trips and a TLS handshake
	default:
	}
	select {
	case c := <-s.idle:
		return c, nil
	case s.slots <- struct{}{}:
		return nil, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.done:
		return nil, errClosed
	}
}

// release returns a healthy connection to the pool, or closes it when the
// sender has been closed meanwhile.
func (s *SMTPSender) release(c *smtpConn) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = c.close()
		s.freeSlot()
		return
	}
	c.lastUsed = time.Now()
	s.idle <- c // never blocks: a connection holds a slot, so idle has room
	s.mu.Unlock()
}

// freeSlot gives back the slot of a connection that was closed or never
// opened.
func (s *SMTPSender) freeSlot() { <-s.slots }
