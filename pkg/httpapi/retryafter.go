package httpapi

import (
	"math"
	"net/http"
	"strconv"

	"github.com/inviter/inviter/pkg/invite"
)

// setRetryAfter writes Retry-After (whole seconds, at least 1) for an
// error that says when to try again: a sign-in limit, a full queue of
// password checks.
func setRetryAfter(w http.ResponseWriter, err error) {
	if d, ok := invite.RetryAfterOf(err); ok {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(d.Seconds())))))
	}
}
