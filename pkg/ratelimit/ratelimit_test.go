package ratelimit_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/ratelimit"
	"github.com/inviter/inviter/pkg/testenv"
)

// sendFunc is a Sender that records instead of sending.
type sendFunc func(ctx context.Context, m invite.Message) error

func (f sendFunc) Send(ctx context.Context, m invite.Message) error { return f(ctx, m) }

// MaxInWindow is the most times that fall in any window [t, t+w).
func MaxInWindow(times []time.Time, w time.Duration) int {
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	best, j := 0, 0
	for i := range times {
		for times[i].Sub(times[j]) >= w {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

// Three limiters on one Redis database (three worker processes) with many
// senders each stay together within the limit plus its burst.
func TestLimitHoldsAcrossLimiters(t *testing.T) {
	t.Parallel()
	rd := testenv.NewRedis(t)
	limit := ratelimit.Limit{N: 20, Per: time.Second}
	const total = 70
	var mu sync.Mutex
	var grants []time.Time
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for range 3 {
		l := ratelimit.New(rd.Client, ratelimit.Config{Limits: map[string]ratelimit.Limit{"email": limit}})
		for range 10 {
			wg.Go(func() {
				for {
					if err := l.Take(ctx, "email", false); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					if len(grants) >= total {
						mu.Unlock()
						return
					}
					grants = append(grants, time.Now())
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	// Grant times are taken just after Redis granted: the grants
	// themselves hold N in any second, their times may bunch by one.
	if got := MaxInWindow(grants, time.Second); got > limit.N+1 {
		t.Fatalf("%d grants within one second, limit %d/s", got, limit.N)
	}
	if span := grants[len(grants)-1].Sub(grants[0]); span < time.Duration(total-2)*time.Second/time.Duration(limit.N) {
		t.Fatalf("%d grants in %s: faster than %d/s", total, span, limit.N)
	}
}

// A task whose turn is further than MaxWait is handed back to asynq with a
// delay, not counted as a failure; on its last try it waits instead.
func TestLongWaitReschedules(t *testing.T) {
	t.Parallel()
	rd := testenv.NewRedis(t)
	l := ratelimit.New(rd.Client, ratelimit.Config{Limits: map[string]ratelimit.Limit{"email": {N: 1, Per: time.Minute}},
		MaxWait: 100 * time.Millisecond})
	ctx := context.Background()
	if err := l.Take(ctx, "email", true); err != nil {
		t.Fatalf("first message: %v", err)
	}
	err := l.Take(ctx, "email", true)
	var w *ratelimit.Wait
	if !errors.As(err, &w) || w.After < 50*time.Millisecond {
		t.Fatalf("second message: %v, want a *Wait", err)
	}
	if ratelimit.IsFailure(func(error) bool { return true })(err) {
		t.Errorf("a rescheduled task counted as a failure")
	}
	never := func(int, error, *asynq.Task) time.Duration { return time.Hour }
	if d := ratelimit.RetryDelay(never)(0, err, nil); d != w.After {
		t.Errorf("retry delay %s, want the wait's %s", d, w.After)
	}
	if d := ratelimit.RetryDelay(never)(0, errors.New("smtp down"), nil); d != time.Hour {
		t.Errorf("other errors' delay %s, want the wrapped function's", d)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if err := l.Take(short, "email", false); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("last try: %v, want it to wait until its deadline", err)
	}
	// A channel without a limit passes, even while another waits.
	sent := 0
	s := l.Sender(sendFunc(func(context.Context, invite.Message) error { sent++; return nil }))
	if err := s.Send(ctx, invite.Message{Channel: invite.ChannelSMS}); err != nil || sent != 1 {
		t.Fatalf("an SMS without SMS_RATE was held: %v", err)
	}
}

// BenchmarkLimiter measures the limiter's cost per message: one GCRA
// script run in Redis ("redis_rate", under a limit never reached) against
// no limiter ("none"), in the same run.
func BenchmarkLimiter(b *testing.B) {
	rd := testenv.NewRedis(b)
	var s ratelimit.Sender = sendFunc(func(context.Context, invite.Message) error { return nil })
	msg := invite.Message{Channel: invite.ChannelEmail}
	ctx := context.Background()
	b.Run("none", func(b *testing.B) {
		for b.Loop() {
			if err := s.Send(ctx, msg); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("redis_rate", func(b *testing.B) {
		l := ratelimit.New(rd.Client, ratelimit.Config{
			Limits: map[string]ratelimit.Limit{"email": {N: 1_000_000, Per: time.Second}}})
		limited := l.Sender(s)
		for b.Loop() {
			if err := limited.Send(ctx, msg); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// With Redis unreachable no message goes out unmetered, and the wait is no
// delivery failure: the send is rescheduled (or, on a last try, waits).
func TestRedisDownReschedules(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	rc := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	defer rc.Close()
	l := ratelimit.New(rc, ratelimit.Config{Limits: map[string]ratelimit.Limit{"email": {N: 100, Per: time.Second}},
		MaxWait: 300 * time.Millisecond})
	var w *ratelimit.Wait
	if err := l.Take(context.Background(), "email", true); !errors.As(err, &w) {
		t.Fatalf("Redis down: %v, want a *Wait", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	if err := l.Take(ctx, "email", false); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Redis down on a last try: %v, want it to wait until its deadline", err)
	}
}
