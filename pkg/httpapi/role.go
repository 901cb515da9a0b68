package httpapi

import (
	"net/http"
	"strconv"

	"github.com/inviter/inviter/pkg/invite"
)

// userSubPath holds /api/v1/users/{id}/role. The mux cannot hold that
// pattern beside /api/v1/users/imports/{id} (both match .../imports/role,
// neither is more specific), while imports/{id} is more specific than
// {id}/{sub}. It is registered for PUT alone, outside the router: a 405
// for another method would conflict with GET .../imports/{id} again, so
// other methods, and other sub-resources, answer the JSON 404.
const userSubPath = "/api/v1/users/{id}/{sub}"

func (s *Server) handleUserSub(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("sub") != "role" {
		s.writeError(w, r, invite.Errorf(invite.KindNotFound, "not_found", "no such endpoint: %s %s", r.Method, r.URL.Path))
		return
	}
	s.handleSetRole(w, r)
}

// handleSetRole makes a user an administrator or a plain user (super admins
// only, never their own role nor another super admin's), so that no role
// needs SQL. A new administrator is taken out of any invitation in flight;
// from then on a selection leaves them alone. Answers the user.
func (s *Server) handleSetRole(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.writeError(w, r, invite.Errorf(invite.KindInvalid, "invalid_id", "the user id must be a positive whole number").WithField("id"))
		return
	}
	var req struct {
		Role string `json:"role"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	role, err := invite.ParseAssignableRole(req.Role)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	u, ok := s.userByID(w, r, id)
	if !ok {
		return
	}
	ss, _ := sessionFrom(r.Context())
	if err := invite.CheckRoleChange(ss, u); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err = s.Store.SetRole(r.Context(), id, role)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toUserJSON(u))
}
