package httpapi

import (
	"net/http"
	"strconv"

	"github.com/inviter/inviter/pkg/invite"
)

// setRetryAfter writes Retry-After for an error that says when to try
// again: a sign-in limit, a full queue of password checks.
func setRetryAfter(w http.ResponseWriter, err error) {
	if n, ok := invite.RetryAfterSeconds(err); ok {
		w.Header().Set("Retry-After", strconv.Itoa(n))
	}
}
