package invite

import (
	"cmp"
	"context"
	"fmt"
	"slices"
)

// Preview is what "Send invitation" would do with a selection now: the
// confirmation an admin reads before sending. Counts only, so that a
// preview of "all matching" costs the same memory for ten users as for a
// hundred thousand.
type Preview struct {
	Method VerificationMethod
	// Selected is every user the selection matches: Email + SMS + Kept +
	// the refused + Skipped + Admins.
	Selected int
	Email    int // new invitations by e-mail
	SMS      int // new invitations by SMS
	// Kept users are already waiting for an invitation by the same route:
	// their waiting attempt goes on and nothing new is sent.
	Kept int
	// Replaced users have a waiting attempt that a new invitation or a
	// refusal would supersede (their contact data or the setting changed).
	Replaced int
	Refused  []RefusalCount // by reason, most frequent first
	NotFound int            // requested ids that match no user

	// AlreadyInvited is how many selected users are invited now
	// (administrators aside), whatever the send does with them.
	AlreadyInvited int
	// SendAgain is how many of Email + SMS go to users already invited:
	// their current password works until the new message is delivered.
	SendAgain int
	// SendAgainSMS is how many of SendAgain go by SMS (the rest by e-mail).
	SendAgainSMS int
	// Skipped is how many users already invited the send leaves alone
	// (Selection.SkipInvited).
	Skipped int
	// Admins is how many administrators the selection touched: left alone.
	Admins int
}

// FirstTime is how many of the new invitations go to users not invited yet.
func (p Preview) FirstTime() int { return p.Email + p.SMS - p.SendAgain }

// RefusalCount is how many selected users one reason refuses. The
// reason's message is its standard one, without any user's data.
type RefusalCount struct {
	Reason Reason
	Count  int
}

// Queued is how many users would be waiting for an invitation afterwards,
// as BatchResult.Queued counts them (kept attempts included).
func (p Preview) Queued() int { return p.Email + p.SMS + p.Kept }

// RefusedTotal is how many selected users would be refused.
func (p Preview) RefusedTotal() int {
	n := 0
	for _, r := range p.Refused {
		n += r.Count
	}
	return n
}

// Preview applies to a selection the very rules Invite applies (Decide,
// under the current verification method) and counts the results, without
// locking or writing anything. A batch sent afterwards may differ if users
// or the setting change in between; the preview promises nothing.
func (in *Inviter) Preview(ctx context.Context, sel Selection) (Preview, error) {
	var t tally
	method, err := in.previewEach(ctx, sel, func(m VerificationMethod, c Candidate) {
		t.add(c, in.decide(sel, m, c))
	})
	if err != nil {
		return Preview{}, err
	}
	return t.preview(sel, method), nil
}

// Previews are the previews of one selection sent with and without the
// users already invited.
type Previews struct {
	SendAgain   Preview // Selection.SkipInvited false
	SkipInvited Preview // Selection.SkipInvited true
}

// PreviewBoth is Preview for both values of sel.SkipInvited (whatever sel
// says), from one pass over the candidates: the confirmation switches
// between them without asking again. Each candidate is decided under both
// values by the same rules Invite applies, so each preview is exactly what
// Preview would answer for it.
func (in *Inviter) PreviewBoth(ctx context.Context, sel Selection) (Previews, error) {
	again, skip := sel, sel
	again.SkipInvited, skip.SkipInvited = false, true
	var ta, ts tally
	method, err := in.previewEach(ctx, sel, func(m VerificationMethod, c Candidate) {
		ta.add(c, in.decide(again, m, c))
		ts.add(c, in.decide(skip, m, c))
	})
	if err != nil {
		return Previews{}, err
	}
	return Previews{SendAgain: ta.preview(again, method), SkipInvited: ts.preview(skip, method)}, nil
}

// previewEach validates sel, reads the verification method and calls each
// for every candidate of sel, without locking or writing anything.
func (in *Inviter) previewEach(ctx context.Context, sel Selection, each func(VerificationMethod, Candidate)) (VerificationMethod, error) {
	if err := sel.validate(); err != nil {
		return "", err
	}
	method, err := in.store.VerificationMethod(ctx)
	if err != nil {
		return "", fmt.Errorf("invite: read verification method: %w", err)
	}
	err = in.store.Candidates(ctx, sel, func(c Candidate) { each(method, c) })
	if err != nil {
		return "", fmt.Errorf("invite: read candidates: %w", err)
	}
	return method, nil
}

// tally counts the decisions of a preview, one candidate at a time.
type tally struct {
	p       Preview
	refused map[string]*RefusalCount
}

func (t *tally) add(c Candidate, d Decision) {
	p := &t.p
	p.Selected++
	if c.Status == StatusInvited && !c.Role.IsAdmin() {
		p.AlreadyInvited++
	}
	if c.Waiting != nil && !d.Keep && !d.Skip {
		p.Replaced++
	}
	switch {
	case d.Skip && d.Reason != nil:
		p.Admins++
	case d.Skip:
		p.Skipped++
	case d.Reason != nil:
		if t.refused == nil {
			t.refused = map[string]*RefusalCount{}
		}
		r := t.refused[d.Reason.Code]
		if r == nil {
			r = &RefusalCount{Reason: Reason{Code: d.Reason.Code, Message: standardMessage(*d.Reason)}}
			t.refused[d.Reason.Code] = r
		}
		r.Count++
	case d.Keep:
		p.Kept++
	case d.Route.Channel == ChannelSMS:
		p.SMS++
	default:
		p.Email++
	}
	if !d.Skip && !d.Keep && d.Reason == nil && c.Status == StatusInvited {
		p.SendAgain++
		if d.Route.Channel == ChannelSMS {
			p.SendAgainSMS++
		}
	}
}

// preview is the tally's result for sel under method.
func (t *tally) preview(sel Selection, method VerificationMethod) Preview {
	p := t.p
	p.Method = method
	for _, r := range t.refused {
		p.Refused = append(p.Refused, *r)
	}
	slices.SortFunc(p.Refused, func(a, b RefusalCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Reason.Code, b.Reason.Code))
	})
	if len(sel.UserIDs) > 0 {
		// Every user found is one of the ids (a filter only narrows them).
		p.NotFound = distinct(sel.UserIDs) - p.Selected
	}
	return p
}

// standardMessage drops the detail NewReason appends (the typed address or
// number of one user), which would be wrong for the others counted with it.
func standardMessage(r Reason) string {
	if m := reasonMessages[r.Code]; m != "" {
		return m
	}
	return r.Message
}

func distinct(ids []int64) int {
	seen := make(map[int64]struct{}, len(ids))
	for _, id := range ids {
		seen[id] = struct{}{}
	}
	return len(seen)
}
