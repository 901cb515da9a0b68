package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/inviter/inviter/pkg/invite"
)

// Editor edits a user's profile (invite.Editor).
type Editor interface {
	Edit(ctx context.Context, by, id int64, p invite.UserPatch) (invite.EditResult, error)
}

// editFields are the fields of the card's Edit form, in its order.
var editFields = []string{"login", "first_name", "last_name", "email", "phone", "locale"}

// editUser saves the card's Edit form, or one suggested fix (a form with
// the phone field only). On success it returns to the card; a refused edit
// shows the card again with the error next to its field and what was
// typed kept.
func (ui *UI) editUser(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 || ui.Editor == nil {
		ui.renderError(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	if err := r.ParseForm(); err != nil {
		ui.renderError(w, r, http.StatusBadRequest, "error.400")
		return
	}
	var p invite.UserPatch
	form := map[string]*string{}
	for _, f := range editFields {
		if vs, ok := r.PostForm[f]; ok && len(vs) > 0 {
			v := vs[0]
			form[f] = &v
		}
	}
	p.Login, p.FirstName, p.LastName = form["login"], form["first_name"], form["last_name"]
	p.Email, p.Phone, p.Locale = form["email"], form["phone"], form["locale"]
	if p.Empty() {
		http.Redirect(w, r, "/users/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return
	}
	v := viewerFrom(r.Context())
	res, err := ui.Editor.Edit(r.Context(), v.session.UserID, id, p)
	if err == nil {
		target := "/users/" + strconv.FormatInt(id, 10) + "?saved=" + strconv.Itoa(len(res.Changes))
		if res.Rerouted {
			target += "&rerouted=1"
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	var e *invite.Error
	if !errors.As(err, &e) || (e.Kind != invite.KindInvalid && e.Kind != invite.KindConflict) {
		ui.fail(w, r, err)
		return
	}
	status := http.StatusBadRequest
	if e.Kind == invite.KindConflict {
		status = http.StatusConflict
	}
	field := e.Field
	if field == "" {
		field = "login"
	}
	typed := map[string]string{}
	for f, v := range form {
		typed[f] = *v
	}
	ui.renderCard(w, r, status, id, &editState{Values: typed, Errors: map[string]string{field: errorText(v.lang, err)}})
}

// editState is the Edit form as the admin last submitted it, with the
// error of the field it was refused for.
type editState struct {
	Values map[string]string
	Errors map[string]string
}
