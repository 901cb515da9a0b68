package invite

import (
	"context"
	"fmt"
)

// RefusedUser is a selected user the send would refuse, and why.
type RefusedUser struct {
	UserID int64
	Reason Reason // the standard message, without the user's data
}

// Refused lists the users of a selection that "Send invitation" would
// refuse now (the preview's refusals one by one), in id order, at most
// limit of them, with how many there are in all. code, when not empty,
// keeps one reason only. Like Preview it locks and writes nothing.
func (in *Inviter) Refused(ctx context.Context, sel Selection, code string, limit int) ([]RefusedUser, int, error) {
	if err := sel.validate(); err != nil {
		return nil, 0, err
	}
	method, err := in.store.VerificationMethod(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("invite: read verification method: %w", err)
	}
	var (
		out   []RefusedUser
		total int
	)
	err = in.store.Candidates(ctx, sel, func(c Candidate) {
		d := in.decide(sel, method, c)
		if d.Skip || d.Reason == nil || (code != "" && d.Reason.Code != code) {
			return
		}
		total++
		if len(out) < limit {
			out = append(out, RefusedUser{UserID: c.UserID, Reason: Reason{Code: d.Reason.Code, Message: standardMessage(*d.Reason)}})
		}
	})
	if err != nil {
		return nil, 0, fmt.Errorf("invite: read candidates: %w", err)
	}
	return out, total, nil
}
