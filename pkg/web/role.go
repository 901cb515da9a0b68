package web

import (
	"net/http"
	"strconv"

	"github.com/inviter/inviter/pkg/invite"
)

// CanChangeRole tells whether the viewer may change this user's role from
// the card: a super admin, for anyone but themselves and other super
// admins (invite.CheckRoleChange).
func (p cardPage) CanChangeRole() bool {
	return p.Viewer != nil && p.IsSuper && invite.CheckRoleChange(*p.Viewer, p.User) == nil
}

// setRole is the card's role form (super admins only): administrator or
// user, as PUT /api/v1/users/{id}/role does.
func (ui *UI) setRole(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		ui.renderError(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	role, err := invite.ParseAssignableRole(r.PostFormValue("role"))
	if err != nil {
		ui.formError(w, r, err)
		return
	}
	u, err := ui.Store.User(r.Context(), id)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	if err := invite.CheckRoleChange(*viewerFrom(r.Context()).session, u); err != nil {
		ui.renderError(w, r, http.StatusForbidden, "error.role_forbidden")
		return
	}
	if _, err := ui.Store.SetRole(r.Context(), id, role); err != nil {
		ui.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/users/"+strconv.FormatInt(id, 10)+"?role=1", http.StatusSeeOther)
}
