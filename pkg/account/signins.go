package account

import (
	"context"
	"errors"

	"github.com/inviter/inviter/pkg/invite"
)

// SignInCounter counts sign-in attempts by result (the metrics).
type SignInCounter interface {
	CountSignIn(result string)
}

// CountSignIns makes the service report every sign-in attempt to c. Call
// it before the service is shared.
func (s *Service) CountSignIns(c SignInCounter) { s.signIns = c }

// SignIn checks a login and password and opens a session. A temporary
// password opens a session that may do nothing but choose a new password.
// It runs within the sign-in limits (guard.go), and each attempt is
// counted by its result.
func (s *Service) SignIn(ctx context.Context, login, password string) (SignedIn, error) {
	in, err := s.guardedSignIn(ctx, login, password)
	if s.signIns != nil && ctx.Err() == nil {
		s.signIns.CountSignIn(SignInResult(err))
	}
	return in, err
}

// SignInResult names a sign-in's result: ok, wrong_password, or the code
// of the error that refused it (required, a limit's code, ...), or error
// for a failure of the service itself.
func SignInResult(err error) string {
	var ie *invite.Error
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrBadCredentials):
		return "wrong_password"
	case errors.As(err, &ie) && ie.Kind != invite.KindInternal && ie.Kind != invite.KindUnavailable:
		return ie.Code
	}
	return "error"
}
