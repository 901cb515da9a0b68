// Package ratelimit keeps the workers, all replicas together, within each
// provider's sending rate (SMTP_RATE, SMS_RATE). The limit lives in Redis
// and is enforced by go-redis/redis_rate's GCRA script, which reads Redis'
// clock, so replicas on machines with skewed clocks still agree.
//
// It runs as asynq middleware in front of the invitation handler, before a
// try is claimed in PostgreSQL: a task that must wait has made no try, so
// the wait never costs a retry, and a task that would wait long is handed
// back to asynq (rescheduled) rather than holding a worker slot.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Limit is a number of messages per period.
type Limit struct {
	N   int
	Per time.Duration
}

// Burst is how many messages may go at once after a quiet spell: a tenth
// of the limit, at least one. Over any window of one period, the provider
// sees at most N + Burst - 1 messages. A burst of one would make every
// send wait for the last one's exact slot; a tenth keeps the pace smooth
// while staying well inside what providers tolerate.
func (l Limit) Burst() int { return max(1, l.N/10) }

func (l Limit) gcra() redis_rate.Limit {
	return redis_rate.Limit{Rate: l.N, Period: l.Per, Burst: l.Burst()}
}

// Observer records how long sends waited for the limit (the metrics).
type Observer interface {
	RateLimitWaited(channel string, d time.Duration)
}

// Config holds a Limiter's settings.
type Config struct {
	// Limits by channel ("email", "sms"); a channel without one is not
	// limited.
	Limits map[string]Limit
	// ChannelOf maps a task type to the channel it sends on; other task
	// types pass through.
	ChannelOf func(taskType string) (string, bool)
	// MaxWait is the longest a task waits in its worker slot (default
	// 2s); a task that has not got its turn by then is rescheduled.
	MaxWait  time.Duration
	Observer Observer // may be nil
	Log      *slog.Logger
}

// Limiter enforces the limits.
type Limiter struct {
	rl  *redis_rate.Limiter
	cfg Config
	// turns lets one task per channel and process ask Redis at a time; the
	// others wait here, without polling Redis.
	turns map[string]chan struct{}
}

// DefaultMaxWait is Config.MaxWait's default.
const DefaultMaxWait = 2 * time.Second

// KeyPrefix starts the Redis keys of the limits ("inviter:ratelimit:email").
const KeyPrefix = "inviter:ratelimit:"

// New returns a Limiter over the Redis client rc (a single server, a
// failover or a cluster client).
func New(rc redis.UniversalClient, cfg Config) *Limiter {
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = DefaultMaxWait
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	l := &Limiter{rl: redis_rate.NewLimiter(rc), cfg: cfg, turns: map[string]chan struct{}{}}
	for ch := range cfg.Limits {
		l.turns[ch] = make(chan struct{}, 1)
	}
	return l
}

// Wait is returned by a task rescheduled because its turn is more than
// MaxWait away. It does not count as a failure (IsFailure) and asynq runs
// the task again after After (RetryDelay).
type Wait struct {
	Channel string
	After   time.Duration
}

func (w *Wait) Error() string {
	return fmt.Sprintf("ratelimit: %s rate limit reached; rescheduled in %s", w.Channel, w.After)
}

// Middleware is asynq middleware that lets a task through once its
// channel's limit allows one more message.
func (l *Limiter) Middleware(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		ch, ok := l.cfg.ChannelOf(t.Type())
		if !ok {
			return next.ProcessTask(ctx, t)
		}
		if _, limited := l.cfg.Limits[ch]; !limited {
			return next.ProcessTask(ctx, t)
		}
		if err := l.Take(ctx, ch, !lastTry(ctx)); err != nil {
			return err
		}
		return next.ProcessTask(ctx, t)
	})
}

// Take waits until ch's limit allows one message. With reschedule, it gives
// up after MaxWait with a *Wait; without (the task's last try, which asynq
// would archive instead of rescheduling), it waits as long as ctx allows.
func (l *Limiter) Take(ctx context.Context, ch string, reschedule bool) error {
	limit, ok := l.cfg.Limits[ch]
	if !ok {
		return nil
	}
	start := time.Now()
	var deadline <-chan time.Time
	if reschedule {
		t := time.NewTimer(l.cfg.MaxWait)
		defer t.Stop()
		deadline = t.C
	}
	turn := l.turns[ch]
	select {
	case turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-deadline:
		return l.reschedule(ch, start)
	}
	defer func() { <-turn }()
	key := KeyPrefix + ch
	for {
		res, err := l.rl.Allow(ctx, key, limit.gcra())
		if err != nil {
			return fmt.Errorf("ratelimit: %s: %w", ch, err)
		}
		if res.Allowed > 0 {
			l.observe(ch, time.Since(start))
			return nil
		}
		pause := time.NewTimer(res.RetryAfter)
		select {
		case <-pause.C:
		case <-ctx.Done():
			pause.Stop()
			return ctx.Err()
		case <-deadline:
			pause.Stop()
			return l.reschedule(ch, start)
		}
	}
}

// reschedule hands the task back to asynq. The random delay (MaxWait/2 to
// 2.5 MaxWait) spreads the tasks given back together, so that they do not
// all return at once.
func (l *Limiter) reschedule(ch string, start time.Time) error {
	l.observe(ch, time.Since(start))
	after := l.cfg.MaxWait/2 + time.Duration(rand.Int64N(int64(2*l.cfg.MaxWait)))
	l.cfg.Log.Debug("rate limit: task rescheduled", "channel", ch, "after", after)
	return &Wait{Channel: ch, After: after}
}

func (l *Limiter) observe(ch string, d time.Duration) {
	if l.cfg.Observer != nil {
		l.cfg.Observer.RateLimitWaited(ch, d)
	}
}

// lastTry reports whether asynq would archive this task rather than run it
// again. Outside asynq there is no next try either.
func lastTry(ctx context.Context) bool {
	retried, ok1 := asynq.GetRetryCount(ctx)
	maxRetry, ok2 := asynq.GetMaxRetry(ctx)
	return !ok1 || !ok2 || retried >= maxRetry
}

// IsFailure wraps asynq's IsFailure: a rescheduled task has not failed.
func IsFailure(next func(error) bool) func(error) bool {
	return func(err error) bool {
		var w *Wait
		if errors.As(err, &w) {
			return false
		}
		return next(err)
	}
}

// RetryDelay wraps asynq's RetryDelayFunc: a rescheduled task runs again
// after its Wait.After.
func RetryDelay(next asynq.RetryDelayFunc) asynq.RetryDelayFunc {
	return func(n int, err error, t *asynq.Task) time.Duration {
		var w *Wait
		if errors.As(err, &w) {
			return w.After
		}
		return next(n, err, t)
	}
}
