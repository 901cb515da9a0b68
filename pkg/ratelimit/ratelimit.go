// Package ratelimit keeps the workers, all replicas together, within each
// provider's sending rate (SMTP_RATE, SMS_RATE). The limit lives in Redis
// and is enforced by go-redis/redis_rate's GCRA script, which reads Redis'
// clock, so replicas on machines with skewed clocks still agree.
//
// It wraps the worker's sender, so that a message takes its turn right
// before it goes to the provider: taken any earlier (before the attempt is
// claimed in PostgreSQL, say), the varying time between turn and send
// would bunch messages up and the provider would see bursts over its rate.
// A send that must wait waits in its worker slot for at most MaxWait; one
// whose turn is further away is handed back to asynq (rescheduled) with a
// *Wait, which counts neither as a failure nor against the retries.
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

	"github.com/inviter/inviter/pkg/invite"
)

// Limit is a number of messages per period.
type Limit struct {
	N   int
	Per time.Duration
}

// Burst is how far over N the provider may see messages in a window of one
// period: at most N + Burst, Burst being a tenth of N (at least one). The
// limiter itself grants at most N in any window: GCRA without a burst, one
// message every Per/N. Burst is room for what follows a grant: the time to
// reach the provider varies (a pooled connection may be busy, a loaded
// machine schedules late), and messages granted apart may arrive closer.
// Granting a burst too was measured to leave no such room: 44 arrivals in a
// second at 40/s.
func (l Limit) Burst() int { return max(1, l.N/10) }

func (l Limit) gcra() redis_rate.Limit {
	return redis_rate.Limit{Rate: l.N, Period: l.Per, Burst: 1}
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

// redisRetry is how soon the limiter asks Redis again after an error.
const redisRetry = 250 * time.Millisecond

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

// RescheduleAfter tells the worker that the send did not happen and the
// task is to run again after this delay.
func (w *Wait) RescheduleAfter() time.Duration { return w.After }

// Sender delivers one message (the worker's senders).
type Sender interface {
	Send(ctx context.Context, m invite.Message) error
}

// Sender returns next behind the limits: each message waits for its
// channel's turn. On a task's last try, which asynq would archive rather
// than reschedule, it waits as long as the task's context allows.
func (l *Limiter) Sender(next Sender) Sender {
	return senderFunc(func(ctx context.Context, m invite.Message) error {
		if err := l.Take(ctx, string(m.Channel), !lastTry(ctx)); err != nil {
			return err
		}
		return next.Send(ctx, m)
	})
}

type senderFunc func(ctx context.Context, m invite.Message) error

func (f senderFunc) Send(ctx context.Context, m invite.Message) error { return f(ctx, m) }

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
			// Redis is unreachable (a failover, say): no message goes out
			// unmetered, and the wait is not the delivery's failure. Ask
			// again shortly, within MaxWait; then reschedule.
			if ctx.Err() != nil {
				return ctx.Err()
			}
			l.cfg.Log.Warn("rate limit: Redis did not answer; the send waits", "channel", ch, "err", err)
			res = &redis_rate.Result{RetryAfter: redisRetry}
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
