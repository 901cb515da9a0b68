package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/inviter/inviter/pkg/invite"
)

// defaultWaitingAlert is WAITING_ALERT_AFTER's default.
const defaultWaitingAlert = 5 * time.Minute

// waitingAlert is the banner of invitations waiting too long: the workers
// may be down, or the queue stuck.
type waitingAlert struct {
	Since   time.Time
	Minutes int // the threshold, in minutes
}

// usersExtras fills the reasons under "Error" (each a link listing the
// users in error for it, with its count under the current searches) and
// the banner of invitations waiting longer than the threshold.
func (ui *UI) usersExtras(r *http.Request, p *usersPage, f invite.UserFilter) error {
	ctx := r.Context()
	counts, err := ui.Store.CountErrorsByCode(ctx, f)
	if err != nil {
		return err
	}
	for _, code := range invite.ReasonCodes() {
		n := counts[code]
		if n == 0 && p.Query.ErrorCode != code {
			continue
		}
		p.Reasons = append(p.Reasons, facet{Value: invite.Status(code), Label: reasonLabel(p.Lang, &invite.Reason{Code: code}),
			Count: n, Active: p.Query.ErrorCode == code,
			Href: p.Query.href(func(v url.Values) {
				v.Set("status", string(invite.StatusError))
				v.Set("error_code", code)
			})})
	}
	since, ok, err := ui.Store.OldestWaiting(ctx)
	if err != nil {
		return err
	}
	limit := ui.WaitingAlertAfter
	if limit <= 0 {
		limit = defaultWaitingAlert
	}
	if ok && time.Since(since) > limit {
		p.Waiting = &waitingAlert{Since: since, Minutes: max(1, int(limit.Minutes()))}
	}
	return nil
}
