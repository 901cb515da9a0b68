package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/inviter/inviter/pkg/account"
	"github.com/inviter/inviter/pkg/httplog"
	"github.com/inviter/inviter/pkg/invite"
)

type sessionKey struct{}

// sessionFrom returns the session the auth middleware put in ctx.
func sessionFrom(ctx context.Context) (invite.Session, []byte) {
	s, _ := ctx.Value(sessionKey{}).(sessionValue)
	return s.Session, s.tokenHash
}

type sessionValue struct {
	invite.Session
	tokenHash []byte
}

var (
	errNoToken = invite.Errorf(invite.KindUnauthorized, "unauthorized",
		"sign in first: send Authorization: Bearer <token> from POST /api/v1/auth/login")
	errBadToken   = invite.Errorf(invite.KindUnauthorized, "unauthorized", "the token is invalid or has expired; sign in again")
	errNotAdmin   = invite.Errorf(invite.KindForbidden, "forbidden", "this needs an administrator")
	errNotSuper   = invite.Errorf(invite.KindForbidden, "forbidden", "this needs a super administrator")
	errMustChange = invite.Errorf(invite.KindForbidden, "password_change_required",
		"choose a new password first: POST /api/v1/auth/password")
)

// authenticated lets through requests with a live bearer token.
func (s *Server) authenticated(next http.HandlerFunc) http.Handler {
	return s.withSession(func(invite.Session) error { return nil }, next)
}

// admin lets through admins who do not owe a password change.
func (s *Server) admin(next http.HandlerFunc) http.Handler {
	return s.withSession(func(ss invite.Session) error {
		switch {
		case ss.MustChangePassword:
			return errMustChange
		case !ss.Role.IsAdmin():
			return errNotAdmin
		}
		return nil
	}, next)
}

// superAdmin lets through super admins only.
func (s *Server) superAdmin(next http.HandlerFunc) http.Handler {
	return s.withSession(func(ss invite.Session) error {
		switch {
		case ss.MustChangePassword:
			return errMustChange
		case ss.Role != invite.RoleSuperAdmin:
			return errNotSuper
		}
		return nil
	}, next)
}

func (s *Server) withSession(allow func(invite.Session) error, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || strings.TrimSpace(token) == "" {
			s.writeError(w, r, errNoToken)
			return
		}
		ss, hash, err := s.accounts.Session(r.Context(), token)
		if errors.Is(err, account.ErrNoSession) {
			s.writeError(w, r, errBadToken)
			return
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := allow(ss); err != nil {
			s.writeError(w, r, err)
			return
		}
		httplog.SetUser(r.Context(), ss.UserID)
		ctx := context.WithValue(r.Context(), sessionKey{}, sessionValue{Session: ss, tokenHash: hash})
		next(w, r.WithContext(ctx))
	})
}
