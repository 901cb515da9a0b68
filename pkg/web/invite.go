package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/inviter/inviter/pkg/invite"
)

// maxPicked bounds the ids one form may carry; a bigger selection is "all
// matching the filter", which carries no ids.
const maxPicked = 1000

// selection reads the users an admin picked: ticked rows, or all users
// matching the table's filter.
type selection struct {
	Query       listQuery
	AllMatching bool
	UserIDs     []int64
	// SendAgain is the confirmation's "Also send again to the already
	// invited" box; unticked, the send skips them (skip_invited).
	SendAgain bool
}

func readSelection(r *http.Request) (selection, error) {
	if err := r.ParseForm(); err != nil {
		return selection{}, invite.Errorf(invite.KindInvalid, "invalid_form", "the form could not be read").Wrap(err)
	}
	// Form, not PostForm: the list of refused users reads the same
	// selection from its address.
	s := selection{Query: parseListQuery(r.Form, "f_"), AllMatching: r.Form.Get("all_matching") == "1",
		SendAgain: r.Form.Get("send_again") == "1"}
	if s.AllMatching {
		return s, nil
	}
	ids := r.Form["user_id"]
	if len(ids) > maxPicked {
		return s, invite.Errorf(invite.KindInvalid, "too_many", "more than %d users ticked; select all matching instead", maxPicked).WithField("user_ids")
	}
	for _, v := range ids {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return s, invite.Errorf(invite.KindInvalid, "invalid_id", "a selected user id is not valid").WithField("user_ids")
		}
		s.UserIDs = append(s.UserIDs, id)
	}
	if len(s.UserIDs) == 0 {
		return s, invite.Errorf(invite.KindInvalid, "required", "select users first").WithField("user_ids")
	}
	return s, nil
}

func (s selection) invite() invite.Selection {
	if s.AllMatching {
		f := s.Query.filter(0)
		f.Sort, f.After, f.Before = invite.Sort{}, "", ""
		return invite.Selection{Filter: &f}
	}
	return invite.Selection{UserIDs: s.UserIDs}
}

type confirmPage struct {
	base
	selection
	// Preview is the send with the box ticked, Without with it unticked
	// (skip_invited): the page shows the one of the box as rendered, and
	// carries both for the script that follows the box.
	Preview invite.Preview
	Without invite.Preview
	Method  invite.VerificationMethod
	Back    string
}

// confirmInvite shows what "Send invitation" will do (how many, by which
// channel, who is refused and why) before anything is sent.
func (ui *UI) confirmInvite(w http.ResponseWriter, r *http.Request) {
	sel, err := readSelection(r)
	if err != nil {
		ui.formError(w, r, err)
		return
	}
	pv, err := ui.Inviter.PreviewBoth(r.Context(), sel.invite())
	if err != nil {
		ui.formError(w, r, err)
		return
	}
	back := sel.Query.href(nil)
	if b := safeNext(r.PostForm.Get("back")); b != "" {
		back = b
	}
	ui.render(w, r, http.StatusOK, "confirm", newConfirmPage(ui.base(r, "confirm.title", "users"), sel, pv, back))
}

// sendInvite sends, then shows the table with the batch's progress.
func (ui *UI) sendInvite(w http.ResponseWriter, r *http.Request) {
	sel, err := readSelection(r)
	if err != nil {
		ui.formError(w, r, err)
		return
	}
	if sel.AllMatching {
		// "All matching" is re-read when sent: if users came or went since
		// the admin confirmed a number, they confirm again.
		pv, err := ui.Inviter.PreviewBoth(r.Context(), sel.invite())
		if err != nil {
			ui.formError(w, r, err)
			return
		}
		if strconv.Itoa(pv.SendAgain.Selected) != r.PostForm.Get("expected_selected") {
			p := newConfirmPage(ui.base(r, "confirm.title", "users"), sel, pv, sel.Query.href(nil))
			p.Flash = &flash{Kind: "warn", Text: translate(p.Lang, "confirm.changed")}
			ui.render(w, r, http.StatusConflict, "confirm", p)
			return
		}
	}
	v := viewerFrom(r.Context())
	is := sel.invite()
	is.SkipInvited = !sel.SendAgain
	// The page shows the batch's progress, never per-user results: the
	// answer need not list them (a million users would be a large answer).
	res, err := ui.Inviter.InviteWith(r.Context(), v.session.UserID, is, invite.InviteOptions{Results: invite.ResultsNone})
	if err != nil {
		ui.formError(w, r, err)
		return
	}
	http.Redirect(w, r, sel.Query.href(func(q url.Values) {
		q.Set("batch", strconv.FormatInt(res.BatchID, 10))
	}), http.StatusSeeOther)
}

// formError answers a form the user can fix with a 400 page naming the
// problem, and anything else as fail does.
func (ui *UI) formError(w http.ResponseWriter, r *http.Request, err error) {
	if invite.KindOf(err) != invite.KindInvalid {
		ui.fail(w, r, err)
		return
	}
	lang := viewerFrom(r.Context()).lang
	ui.render(w, r, http.StatusBadRequest, "error", errorPage{base: ui.base(r, "error.title", ""),
		Heading: translate(lang, "error.400"), Message: errorText(lang, err)})
}

// batchProgress answers the progress bar's polls (see progressJSON).
func (ui *UI) batchProgress(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		http.NotFound(w, r)
		return
	}
	p, err := ui.Store.BatchProgress(r.Context(), id)
	ui.answerPoll(w, r, "batch progress", newProgressJSON(p), err)
}

// answerPoll answers a progress bar's poll: the value as JSON, 404 when
// what it follows does not exist (or is not the viewer's), 503 (logged)
// when the store failed.
func (ui *UI) answerPoll(w http.ResponseWriter, r *http.Request, what string, value any, err error) {
	switch {
	case invite.KindOf(err) == invite.KindNotFound:
		http.NotFound(w, r)
	case err != nil:
		ui.Log.ErrorContext(r.Context(), what, "path", r.URL.Path, "err", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
	default:
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(value) //nolint:errcheck // the client went away
	}
}
