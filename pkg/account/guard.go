package account

import (
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/inviter/inviter/pkg/clientaddr"
	"github.com/inviter/inviter/pkg/invite"
)

// Limiter counts sign-in attempts per account and per client address,
// across replicas (signinlimit.Limiter).
type Limiter interface {
	// Attempt counts an attempt and returns 0 when it may go on, else how
	// long until one may.
	Attempt(ctx context.Context, login string, addr netip.Addr) (time.Duration, error)
	// Succeeded clears the account's count after a right password.
	Succeeded(ctx context.Context, login string) error
}

// Guard protects sign-in: the limits, the bound on password checks waiting
// for CPU, and the log of every sign-in.
type Guard struct {
	Limiter    Limiter // nil: no limits
	MaxWaiting int     // password checks that may wait for a slot; 0 keeps the default
	Log        *slog.Logger
}

// DefaultMaxWaiting bounds the password checks waiting for CPU when the
// guard does not say.
const DefaultMaxWaiting = 32

// Guarded returns s with g in force. Call it while wiring, before use.
func (s *Service) Guarded(g Guard) *Service {
	s.guard = g
	if g.MaxWaiting > 0 {
		s.hashing.queue.max = int64(g.MaxWaiting)
	}
	return s
}

// ErrTooManyAttempts answers a sign-in over a limit, before the password
// is looked at: the same answer whether or not it was right.
var ErrTooManyAttempts = invite.Errorf(invite.KindTooMany, "too_many_attempts",
	"too many sign-in attempts; try again later")

// busyNow answers a sign-in when the queue of password checks is full: a
// quick 503 with Retry-After rather than a long wait.
var busyNow = invite.WithRetryAfter(errBusy, time.Second)

// guardedSignIn checks a login and password and opens a session, within the
// limits: an account or address over its limit gets ErrTooManyAttempts
// with the delay. Every sign-in is logged at info with the login and the
// client's address, never the password.
func (s *Service) guardedSignIn(ctx context.Context, login, password string) (SignedIn, error) {
	addr, _ := clientaddr.From(ctx)
	trimmed := strings.TrimSpace(login)
	if trimmed == "" || password == "" {
		return s.signIn(ctx, login, password) // a 400, at no cost
	}
	if l := s.guard.Limiter; l != nil {
		wait, err := l.Attempt(ctx, trimmed, addr)
		if err != nil {
			// Redis down: sign-in still works, bounded by the hashing queue.
			s.logger().WarnContext(ctx, "sign-in limits unavailable", "err", err)
		}
		if wait > 0 {
			err := invite.WithRetryAfter(ErrTooManyAttempts, wait)
			s.logSignIn(ctx, trimmed, addr, "limited", 0, err)
			return SignedIn{}, err
		}
	}
	in, err := s.signIn(ctx, login, password)
	switch {
	case err == nil:
		s.logSignIn(ctx, trimmed, addr, "ok", in.UserID, nil)
		if l := s.guard.Limiter; l != nil {
			if err := l.Succeeded(ctx, trimmed); err != nil {
				s.logger().WarnContext(ctx, "clear the sign-in count", "err", err)
			}
		}
	case invite.KindOf(err) == invite.KindUnauthorized:
		s.logSignIn(ctx, trimmed, addr, "wrong_credentials", 0, nil)
	case invite.KindOf(err) == invite.KindUnavailable:
		s.logSignIn(ctx, trimmed, addr, "busy", 0, err)
	default:
		s.logSignIn(ctx, trimmed, addr, "error", 0, err)
	}
	return in, err
}

func (s *Service) logSignIn(ctx context.Context, login string, addr netip.Addr, outcome string, userID int64, err error) {
	attrs := []any{"login", login, "address", addrString(addr), "outcome", outcome}
	if userID != 0 {
		attrs = append(attrs, "user_id", userID)
	}
	if err != nil {
		attrs = append(attrs, "err", err)
	}
	s.logger().InfoContext(ctx, "sign-in", attrs...)
}

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func (s *Service) logger() *slog.Logger {
	if s.guard.Log != nil {
		return s.guard.Log
	}
	return slog.New(slog.DiscardHandler)
}

// waitQueue counts the password checks waiting for a slot.
type waitQueue struct {
	n   atomic.Int64
	max int64
}

func (q *waitQueue) enter() bool {
	limit := q.max
	if limit <= 0 {
		limit = DefaultMaxWaiting
	}
	if q.n.Add(1) > limit {
		q.n.Add(-1)
		return false
	}
	return true
}

func (q *waitQueue) leave() { q.n.Add(-1) }
