package web

import (
	"net/http"

	"github.com/inviter/inviter/pkg/invite"
)

type refusedPage struct {
	base
	Rows  []refusedRow
	Total int
	Back  string
}

type refusedRow struct {
	User   invite.User
	Reason *invite.Reason
}

// More is how many refused users are not listed.
func (p refusedPage) More() int { return p.Total - len(p.Rows) }

// refusedList lists the users that the confirmation said cannot be sent:
// the same selection, decided again by the same rules (?code= keeps one
// reason). The selection travels in the address, so the link can be opened
// beside the confirmation.
func (ui *UI) refusedList(w http.ResponseWriter, r *http.Request) {
	sel, err := readSelection(r)
	if err != nil {
		ui.formError(w, r, err)
		return
	}
	// The confirmation's link says whether its box is ticked (send_again):
	// unticked, the users already invited are left alone, not refused.
	is := sel.invite()
	is.SkipInvited = !sel.SendAgain
	refused, total, err := ui.Inviter.Refused(r.Context(), is, r.Form.Get("code"), maxRefusedListed)
	if err != nil {
		ui.formError(w, r, err)
		return
	}
	ids := make([]int64, len(refused))
	for i, ru := range refused {
		ids[i] = ru.UserID
	}
	users, err := ui.Store.UsersByID(r.Context(), ids)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	byID := make(map[int64]invite.User, len(users))
	for _, u := range users {
		byID[u.ID] = u
	}
	p := refusedPage{base: ui.base(r, "refused.title", "users"), Total: total, Back: sel.Query.href(nil)}
	for _, ru := range refused {
		if u, ok := byID[ru.UserID]; ok {
			p.Rows = append(p.Rows, refusedRow{User: u, Reason: &ru.Reason})
		}
	}
	ui.render(w, r, http.StatusOK, "refused", p)
}
