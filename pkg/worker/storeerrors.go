package worker

import (
	"errors"
	"fmt"

	"github.com/inviter/inviter/pkg/invite"
)

// storeUnavailable is a database that is down or busy, met while handling
// a task. It is not a delivery failure: asynq retries it (with the usual
// backoff) without counting it against MAX_RETRIES, so a database outage
// neither uses up a delivery's retries nor gets its task archived, which
// would lead the reconciler to give up on the user.
type storeUnavailable struct{ err error }

func (e *storeUnavailable) Error() string { return e.err.Error() }
func (e *storeUnavailable) Unwrap() error { return e.err }

// storeFailure wraps the error of a store call made for a task. A database
// that is unavailable (invite.KindUnavailable, as the store reports a lost
// connection, a server shutting down, a statement timeout) becomes
// storeUnavailable; any other store error stays an ordinary failure, which
// asynq counts: a wrong statement does not heal by waiting.
func storeFailure(op string, id int64, err error) error {
	wrapped := fmt.Errorf("worker: %s of attempt %d: %w", op, id, err)
	if invite.KindOf(err) == invite.KindUnavailable {
		return &storeUnavailable{wrapped}
	}
	return wrapped
}

// IsFailure tells asynq which errors count against the retry budget: not a
// provider's throttling, not a database outage. Every error the handler
// returns is one of: nil (done, or nothing left to do), SkipRetry
// (permanent: recorded on the user), rateLimited, storeUnavailable, or a
// transient delivery failure (counted).
func IsFailure(err error) bool {
	var rl *rateLimited
	var su *storeUnavailable
	return !errors.As(err, &rl) && !errors.As(err, &su)
}
