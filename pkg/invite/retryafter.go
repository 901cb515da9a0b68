package invite

import (
	"errors"
	"math"
	"time"
)

// KindTooMany is a request refused because too many came before it (a
// sign-in limit): HTTP 429 with Retry-After.
const KindTooMany Kind = "too_many_requests"

// RetryAfterError is an error that also says when trying again makes sense
// (HTTP's Retry-After), for 429 and 503 answers.
type RetryAfterError struct {
	Err   *Error
	After time.Duration
}

// WithRetryAfter attaches a delay to e.
func WithRetryAfter(e *Error, after time.Duration) *RetryAfterError {
	return &RetryAfterError{Err: e, After: after}
}

func (e *RetryAfterError) Error() string { return e.Err.Error() }

func (e *RetryAfterError) Unwrap() error { return e.Err }

// RetryAfterOf returns the delay an error carries, if any.
func RetryAfterOf(err error) (time.Duration, bool) {
	var ra *RetryAfterError
	if errors.As(err, &ra) {
		return ra.After, true
	}
	return 0, false
}

// RetryAfterSeconds is the delay an error carries in whole seconds, rounded
// up and at least 1, as an HTTP Retry-After header gives it.
func RetryAfterSeconds(err error) (int, bool) {
	d, ok := RetryAfterOf(err)
	if !ok {
		return 0, false
	}
	return max(1, int(math.Ceil(d.Seconds()))), true
}
