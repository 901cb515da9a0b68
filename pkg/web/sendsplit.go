package web

import (
	"net/url"
	"strconv"

	"github.com/inviter/inviter/pkg/invite"
)

// newConfirmPage is the confirmation of a send: the split of what it will
// do, and whether the "send again" box starts ticked.
func newConfirmPage(b base, sel selection, both invite.Previews, back string) confirmPage {
	pv := both.SendAgain
	// The box decides skip_invited. "Select all matching" starts with it
	// unticked: sending everyone who matches a new password is never what
	// a click on All means. Ticked rows that are all invited already are a
	// deliberate "send again" (the card's button among them): ticked.
	// A mix starts unticked too: only the admin's explicit tick resends.
	sel.SendAgain = !sel.AllMatching && pv.AlreadyInvited > 0 && pv.AlreadyInvited == pv.Selected-pv.Admins
	return confirmPage{base: b, selection: sel, Preview: pv, Without: both.SkipInvited, Method: pv.Method, Back: back}
}

// Sendable is how many new invitations the send would make with the box
// as it is rendered.
func (p confirmPage) Sendable() int {
	s := p.Shown()
	return s.Email + s.SMS
}

// SendableWith and SendableWithout are the same count with the box ticked
// and unticked, for the script that follows the box.
func (p confirmPage) SendableWith() int    { return p.Preview.Email + p.Preview.SMS }
func (p confirmPage) SendableWithout() int { return p.Without.Email + p.Without.SMS }

// Shown is the preview of the box as rendered.
func (p confirmPage) Shown() invite.Preview {
	if p.SendAgain {
		return p.Preview
	}
	return p.Without
}

// RefusedWithout is how many the send refuses for code with the box
// unticked. Unticking only leaves users out, so its reasons are among the
// ticked ones: the page lists those, and hides the ones that drop to 0.
func (p confirmPage) RefusedWithout(code string) int {
	for _, r := range p.Without.Refused {
		if r.Reason.Code == code {
			return r.Count
		}
	}
	return 0
}

// Pick picks the count of the box as rendered.
func (p confirmPage) Pick(with, without int) int {
	if p.SendAgain {
		return with
	}
	return without
}

// maxRefusedListed bounds the list of refused users a confirmation links to.
const maxRefusedListed = 500

// RefusedHref is the list of the users the send would refuse for code
// ("" for every reason) with the box as rendered: the same selection, in
// the address.
func (p confirmPage) RefusedHref(code string) string { return p.refusedHref(code, p.SendAgain) }

// RefusedHrefWith and RefusedHrefWithout are the list with the box ticked
// and unticked, for the script that follows the box.
func (p confirmPage) RefusedHrefWith(code string) string    { return p.refusedHref(code, true) }
func (p confirmPage) RefusedHrefWithout(code string) string { return p.refusedHref(code, false) }

func (p confirmPage) refusedHref(code string, sendAgain bool) string {
	v := url.Values{}
	for k, vals := range p.Query.values() {
		v["f_"+k] = vals
	}
	if p.AllMatching {
		v.Set("all_matching", "1")
	}
	for _, id := range p.UserIDs {
		v.Add("user_id", strconv.FormatInt(id, 10))
	}
	if code != "" {
		v.Set("code", code)
	}
	if sendAgain {
		v.Set("send_again", "1")
	}
	return "/users/invite/refused?" + v.Encode()
}

// progressJSON is a batch's progress for the page's progress bar. The bar
// runs over what was queued (Total), from 0: refusals made at request time
// are counted apart (Refused) and never as delivery failures (Failed).
type progressJSON struct {
	Total   int  `json:"total"` // queued: new attempts made waiting
	Waiting int  `json:"waiting"`
	Invited int  `json:"invited"`
	Failed  int  `json:"failed"` // delivery failed for good
	Refused int  `json:"refused"`
	Kept    int  `json:"kept"`
	Skipped int  `json:"skipped"`
	Admins  int  `json:"admins"`
	Done    bool `json:"done"`
}

func newProgressJSON(p invite.BatchProgress) progressJSON {
	return progressJSON{Total: p.Queued, Waiting: p.Waiting, Invited: p.Invited, Failed: p.Failed,
		Refused: p.Refused, Kept: p.Kept, Skipped: p.Skipped, Admins: p.Admins, Done: p.Done()}
}

// batchHref is the user table narrowed to the users of a batch whose
// attempt ended with outcome (failed, refused): the progress bar's links.
func batchHref(id int64, outcome string) string {
	return "/users?" + url.Values{"in_batch": {strconv.FormatInt(id, 10)}, "outcome": {outcome}}.Encode()
}

// FailedHref and RefusedHref are the links of the progress bar of batch
// p.Batch to its users whose delivery failed, and those refused at once.
func (p usersPage) FailedHref() string  { return batchHref(p.Batch, "failed") }
func (p usersPage) RefusedHref() string { return batchHref(p.Batch, "refused") }

// BatchOutcomeText says which users of which send the table shows, when it
// is narrowed to a batch.
func (p usersPage) BatchOutcomeText() string {
	b := p.Query.Batch
	if b == nil {
		return ""
	}
	if o := b.OutcomeParam(); o != "" {
		return translate(p.Lang, "users.in_batch_outcome."+o)
	}
	return translate(p.Lang, "users.in_batch")
}

// AllUsersHref is the table without the batch filter.
func (p usersPage) AllUsersHref() string {
	q := p.Query
	q.Batch = nil
	return q.href(nil)
}
