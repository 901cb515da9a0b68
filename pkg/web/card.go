package web

import (
	"net/http"
	"strconv"

	"github.com/inviter/inviter/pkg/invite"
)

type cardPage struct {
	base
	User     invite.User
	History  []invite.Invitation
	Warnings []invite.Warning
	Back     string // the table as the admin left it
}

// userCard is the user's card: profile, the "User invited" mark, the
// current status and the history of invitations.
func (ui *UI) userCard(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		ui.renderError(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	u, err := ui.Store.User(r.Context(), id)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	history, err := ui.Store.Invitations(r.Context(), id)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	p := cardPage{base: ui.base(r, "", "users"), User: u, History: history}
	p.Title = u.Login
	p.Back = usersBack(r)
	// The contact problems an invitation would refuse, shown up front.
	_, p.Warnings, _ = invite.NewUser{Login: u.Login, FirstName: u.FirstName, LastName: u.LastName,
		Email: u.Email, Phone: u.Phone, Locale: u.Locale}.Normalize()
	if r.URL.Query().Get("added") == "1" {
		p.Flash = &flash{Kind: "ok", Text: translate(p.Lang, "users.added", u.Login)}
	}
	ui.render(w, r, http.StatusOK, "user", p)
}
