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
	// Fixes are the obvious corrections of the contact data, one click each.
	Fixes   []invite.Suggestion
	Changes []invite.Change
	// CanSend offers "Send invitation": not for administrators, nor when
	// the contact data is sure to be refused (then Blocked says why and
	// the page offers the fix instead).
	CanSend bool
	Blocked *invite.Reason
	// Edit is the Edit form; EditOpen shows it unfolded (after a refusal).
	EditEnabled bool
	Edit        editForm
	EditOpen    bool
	Back        string // the table as the admin left it
}

// editForm is the values and errors of the card's Edit form.
type editForm struct {
	Login, FirstName, LastName, Email, Phone, Locale string
	Errors                                           map[string]string
}

// userCard is the user's card: profile, the "User invited" mark, the
// current status and the history of invitations.
func (ui *UI) userCard(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		ui.renderError(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	ui.renderCard(w, r, http.StatusOK, id, nil)
}

// renderCard shows the card; edit, when not nil, is a refused Edit form.
func (ui *UI) renderCard(w http.ResponseWriter, r *http.Request, status int, id int64, edit *editState) {
	ctx := r.Context()
	u, err := ui.Store.User(ctx, id)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	history, err := ui.Store.Invitations(ctx, id)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	changes, err := ui.Store.UserChanges(ctx, id)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	method, err := ui.Store.VerificationMethod(ctx)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	p := cardPage{base: ui.base(r, "", "users"), User: u, History: history, Changes: changes, EditEnabled: ui.Editor != nil}
	p.Title = u.Login
	p.Back = usersBack(r)
	// The contact problems an invitation would refuse, shown up front, each
	// once: the one the status already gives is not repeated.
	dups, err := invite.DuplicateWarnings(ctx, ui.Store, u.Email, u.Phone, u.ID)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	for _, w := range append(invite.ContactProblems(u, ui.DefaultRegion), dups...) {
		if w.Suggestion != nil {
			p.Fixes = append(p.Fixes, *w.Suggestion)
		}
		if u.InviteError != nil && u.InviteError.Code == w.Code {
			continue
		}
		p.Warnings = append(p.Warnings, w)
	}
	if !u.Role.IsAdmin() {
		_, p.Blocked = invite.ChooseRoute(method, invite.Contact{Email: u.Email, Phone: u.Phone})
		p.CanSend = p.Blocked == nil
	}
	p.Edit = editForm{Login: u.Login, FirstName: u.FirstName, LastName: u.LastName, Email: u.Email, Phone: u.Phone, Locale: u.Locale}
	if edit != nil {
		p.EditOpen = true
		p.Edit.Errors = edit.Errors
		for f, v := range edit.Values {
			switch f {
			case "login":
				p.Edit.Login = v
			case "first_name":
				p.Edit.FirstName = v
			case "last_name":
				p.Edit.LastName = v
			case "email":
				p.Edit.Email = v
			case "phone":
				p.Edit.Phone = v
			case "locale":
				p.Edit.Locale = v
			}
		}
	}
	q := r.URL.Query()
	switch {
	case q.Get("added") == "1":
		p.Flash = &flash{Kind: "ok", Text: translate(p.Lang, "users.added", u.Login)}
	case q.Get("role") == "1":
		p.Flash = &flash{Kind: "ok", Text: translate(p.Lang, "card.role_saved")}
	case q.Get("rerouted") == "1":
		p.Flash = &flash{Kind: "ok", Text: translate(p.Lang, "card.rerouted")}
	case q.Get("saved") == "0":
		p.Flash = &flash{Kind: "ok", Text: translate(p.Lang, "card.nothing_changed")}
	case q.Get("saved") != "":
		p.Flash = &flash{Kind: "ok", Text: translate(p.Lang, "card.saved")}
	}
	ui.render(w, r, status, "user", p)
}
