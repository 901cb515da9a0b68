package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/inviter/inviter/pkg/auth"
	"github.com/inviter/inviter/pkg/invite"
)

type loginRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token              string      `json:"token"`
	MustChangePassword bool        `json:"must_change_password"`
	Role               invite.Role `json:"role"`
}

var errBadCredentials = invite.Errorf(invite.KindUnauthorized, "invalid_credentials", "wrong login or password")

// handleLogin signs in with a chosen password, or with the temporary
// password of the user's newest delivered invitation, in which case the
// session may do nothing but choose a new password.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	req.Login = strings.TrimSpace(req.Login)
	switch {
	case req.Login == "":
		s.writeError(w, r, invite.Errorf(invite.KindInvalid, "required", "login is required").WithField("login"))
		return
	case req.Password == "":
		s.writeError(w, r, invite.Errorf(invite.KindInvalid, "required", "password is required").WithField("password"))
		return
	}
	c, err := s.Store.LoginCandidate(r.Context(), req.Login)
	if err != nil && invite.KindOf(err) != invite.KindNotFound {
		s.writeError(w, r, err)
		return
	}
	// An unknown login is checked against nothing at the same cost.
	ok, mustChange, err := s.checkPassword(r.Context(), c, req.Password)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !ok {
		s.writeError(w, r, errBadCredentials)
		return
	}
	token, hash, err := auth.NewToken()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.Store.CreateSession(r.Context(), hash, c.UserID, mustChange, s.SessionTTL); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, loginResponse{Token: token, MustChangePassword: mustChange, Role: c.Role})
}

type passwordRequest struct {
	OldPassword string `json:"old_password"`
	NewPassword string `json:"new_password"`
}

// handleChangePassword sets a chosen password. The old password is the
// current chosen one or, right after an invitation, the temporary one.
func (s *Server) handleChangePassword(w http.ResponseWriter, r *http.Request) {
	ss, tokenHash := sessionFrom(r.Context())
	var req passwordRequest
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.OldPassword == "" {
		s.writeError(w, r, invite.Errorf(invite.KindInvalid, "required", "old_password is required").WithField("old_password"))
		return
	}
	if err := auth.ValidateNewPassword(req.NewPassword); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.NewPassword == req.OldPassword {
		s.writeError(w, r, invite.Errorf(invite.KindInvalid, "same_password", "the new password must differ from the old one").WithField("new_password"))
		return
	}
	c, err := s.Store.LoginCandidate(r.Context(), ss.Login)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ok, _, err := s.checkPassword(r.Context(), c, req.OldPassword)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !ok {
		s.writeError(w, r, invite.Errorf(invite.KindInvalid, "wrong_password", "old_password is not right").WithField("old_password"))
		return
	}
	hash, err := s.hashing.hash(r.Context(), req.NewPassword)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.Store.SetPassword(r.Context(), ss.UserID, hash, tokenHash); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// checkPassword reports whether pw is the user's chosen password or the
// temporary password of their newest delivered invitation (temporary). It
// always runs one argon2id verification, against a dummy when the user has
// no chosen password (or does not exist), so timing tells nothing.
func (s *Server) checkPassword(ctx context.Context, c invite.LoginCandidate, pw string) (ok, temporary bool, err error) {
	chosen, err := s.hashing.verify(ctx, c.PasswordHash, pw)
	if err != nil && !errors.Is(err, auth.ErrMalformedHash) {
		return false, false, err
	}
	if chosen {
		return true, false, nil
	}
	for _, h := range c.PasswordHashes {
		if s.Temporary.Verify(c.InvitationID, pw, h) {
			return true, true, nil
		}
	}
	return false, false, nil
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	_, tokenHash := sessionFrom(r.Context())
	if err := s.Store.DeleteSession(r.Context(), tokenHash); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
