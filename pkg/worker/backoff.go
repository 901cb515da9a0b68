package worker

import (
	"errors"
	"math/rand/v2"
	"time"

	"github.com/hibiken/asynq"
)

// maxBackoff caps the delay between two tries.
const maxBackoff = time.Hour

// RetryDelay returns asynq's retry delay function: exponential backoff from
// base (RETRY_BASE_DELAY), with "equal jitter" (half fixed, half random) so
// that a burst of failures does not retry in lockstep, capped at an hour. A
// rate-limited try waits what the provider asked for, when it said.
func RetryDelay(base time.Duration) asynq.RetryDelayFunc {
	return func(n int, err error, _ *asynq.Task) time.Duration {
		var rl *rateLimited
		if errors.As(err, &rl) && rl.RetryAfter > 0 {
			return rl.RetryAfter
		}
		return Backoff(base, n, rand.Float64())
	}
}

// Backoff is the delay before retry n (0-based) given a random r in [0, 1).
func Backoff(base time.Duration, n int, r float64) time.Duration {
	d := base
	for i := 0; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, maxBackoff)
	return d/2 + time.Duration(r*float64(d/2))
}
