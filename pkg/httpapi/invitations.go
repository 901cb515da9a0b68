package httpapi

import (
	"net/http"

	"github.com/inviter/inviter/pkg/invite"
)

type inviteRequest struct {
	UserIDs []int64       `json:"user_ids"`
	Filter  *filterFields `json:"filter"`
}

type filterFields struct {
	InviteStatus string `json:"invite_status"`
	Q            string `json:"q"`
}

type inviteResult struct {
	UserID       int64          `json:"user_id"`
	InviteStatus *invite.Status `json:"invite_status"`
	Channel      *string        `json:"channel"`
	Error        *invite.Reason `json:"error"`
}

type inviteResponse struct {
	Queued   int            `json:"queued"`
	Rejected int            `json:"rejected"`
	Results  []inviteResult `json:"results"`
}

// maxSelection bounds an explicit list of ids; "all matching" has no bound.
const maxSelection = 100_000

// handleInvite is "Send invitation" (and "send again"): 202 with the outcome
// for every selected user.
func (s *Server) handleInvite(w http.ResponseWriter, r *http.Request) {
	var req inviteRequest
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	sel := invite.Selection{UserIDs: req.UserIDs}
	switch {
	case len(req.UserIDs) == 0 && req.Filter == nil:
		s.writeError(w, r, invite.Errorf(invite.KindInvalid, "required", "give user_ids (a non-empty list) or a filter").WithField("user_ids"))
		return
	case len(req.UserIDs) > maxSelection:
		s.writeError(w, r, invite.Errorf(invite.KindInvalid, "too_many", "user_ids holds more than %d ids; use a filter", maxSelection).WithField("user_ids"))
		return
	}
	for _, id := range req.UserIDs {
		if id <= 0 {
			s.writeError(w, r, invite.Errorf(invite.KindInvalid, "invalid_id", "user_ids must hold positive ids; got %d", id).WithField("user_ids"))
			return
		}
	}
	if req.Filter != nil {
		st, err := invite.ParseStatus(req.Filter.InviteStatus)
		if err != nil {
			s.writeError(w, r, invite.Errorf(invite.KindInvalid, "invalid_invite_status",
				"filter.invite_status must be one of all, not_invited, waiting, invited, error").WithField("filter.invite_status"))
			return
		}
		sel.Filter = &invite.UserFilter{Status: st, Query: req.Filter.Q}
	}
	ss, _ := sessionFrom(r.Context())
	res, err := s.Inviter.Invite(r.Context(), ss.UserID, sel)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp := inviteResponse{Queued: res.Queued, Rejected: res.Rejected, Results: make([]inviteResult, len(res.Outcomes))}
	for i, o := range res.Outcomes {
		item := inviteResult{UserID: o.UserID, Channel: optional(string(o.Channel)), Error: o.Error}
		if o.Status != "" {
			st := o.Status
			item.InviteStatus = &st
		}
		resp.Results[i] = item
	}
	writeJSON(w, http.StatusAccepted, resp)
}
