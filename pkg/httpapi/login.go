package httpapi

import (
	"net/http"

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

// handleLogin signs in with a chosen password, or with the temporary
// password of the user's newest delivered invitation, in which case the
// session may do nothing but choose a new password.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := s.accounts.SignIn(r.Context(), req.Login, req.Password)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, loginResponse{Token: in.Token, MustChangePassword: in.MustChangePassword, Role: in.Role})
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
	if err := s.accounts.ChangePassword(r.Context(), ss, tokenHash, req.OldPassword, req.NewPassword); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	_, tokenHash := sessionFrom(r.Context())
	if err := s.accounts.SignOut(r.Context(), tokenHash); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
