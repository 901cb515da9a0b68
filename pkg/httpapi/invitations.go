package httpapi

import (
	"net/http"

	"github.com/inviter/inviter/pkg/invite"
)

type inviteRequest struct {
	UserIDs     []int64       `json:"user_ids"`
	Filter      *filterFields `json:"filter"`
	SkipInvited bool          `json:"skip_invited"` // leave users already invited as they are
	// Results: "all" (the default), "refused" or "none": which users the
	// 202 lists. The send ignores it for a preview.
	Results string `json:"results"`
}

// filterFields is "every user matching": the user table's filter without
// its sort and page.
type filterFields struct {
	InviteStatus string `json:"invite_status"`
	Q            string `json:"q"`
	Login        string `json:"login"`
	Name         string `json:"name"`
	Email        string `json:"email"`
	Phone        string `json:"phone"`
	ErrorCode    string `json:"error_code"`
}

type inviteResult struct {
	UserID       int64          `json:"user_id"`
	InviteStatus *invite.Status `json:"invite_status"`
	Channel      *string        `json:"channel"`
	Error        *invite.Reason `json:"error"`
	Skipped      bool           `json:"skipped,omitempty"` // left as they are: already invited, or an administrator
}

type inviteResponse struct {
	BatchID  int64          `json:"batch_id"` // GET /api/v1/invitations/batches/{id} follows it
	Queued   int            `json:"queued"`
	Rejected int            `json:"rejected"`
	Skipped  int            `json:"skipped"` // already invited, left as they are (skip_invited)
	Admins   int            `json:"admins"`  // administrators, left as they are
	Results  []inviteResult `json:"results"`
}

// maxSelection bounds an explicit list of ids; "all matching" has no bound.
const maxSelection = 100_000

// readSelection reads the body of "Send invitation" and of its preview,
// which take the same one.
func readSelection(w http.ResponseWriter, r *http.Request) (invite.Selection, error) {
	sel, _, err := readInviteRequest(w, r)
	return sel, err
}

// readInviteRequest reads the body of "Send invitation": the selection and
// which results the answer lists.
func readInviteRequest(w http.ResponseWriter, r *http.Request) (invite.Selection, invite.Results, error) {
	var req inviteRequest
	if err := decode(w, r, &req); err != nil {
		return invite.Selection{}, "", err
	}
	results, err := invite.ParseResults(req.Results)
	if err != nil {
		return invite.Selection{}, "", err
	}
	sel, err := req.selection()
	return sel, results, err
}

func (req inviteRequest) selection() (invite.Selection, error) {
	sel := invite.Selection{UserIDs: req.UserIDs, SkipInvited: req.SkipInvited}
	switch {
	case len(req.UserIDs) == 0 && req.Filter == nil:
		return sel, invite.Errorf(invite.KindInvalid, "required", "give user_ids (a non-empty list) or a filter").WithField("user_ids")
	case len(req.UserIDs) > maxSelection:
		return sel, invite.Errorf(invite.KindInvalid, "too_many", "user_ids holds more than %d ids; use a filter", maxSelection).WithField("user_ids")
	}
	for _, id := range req.UserIDs {
		if id <= 0 {
			return sel, invite.Errorf(invite.KindInvalid, "invalid_id", "user_ids must hold positive ids; got %d", id).WithField("user_ids")
		}
	}
	if req.Filter != nil {
		st, err := invite.ParseStatus(req.Filter.InviteStatus)
		if err != nil {
			return sel, invite.Errorf(invite.KindInvalid, "invalid_invite_status",
				"filter.invite_status must be one of all, not_invited, waiting, invited, error").WithField("filter.invite_status")
		}
		sel.Filter = &invite.UserFilter{Status: st, Query: req.Filter.Q,
			Login: req.Filter.Login, Name: req.Filter.Name, Email: req.Filter.Email, Phone: req.Filter.Phone}
		if sel.Filter.ErrorCode, err = invite.ParseErrorCode(req.Filter.ErrorCode); err != nil {
			return sel, invite.Errorf(invite.KindInvalid, "invalid_error_code",
				"filter.error_code must be a reason code such as %s", invite.ReasonPhoneWithoutCountry).WithField("filter.error_code")
		}
		if err := checkSearches("filter.", *sel.Filter); err != nil {
			return sel, err
		}
	}
	return sel, nil
}

// handleInvite is "Send invitation" (and "send again"): 202 with the batch
// id, the counts and the outcomes the request's results asks for (every
// selected user by default).
func (s *Server) handleInvite(w http.ResponseWriter, r *http.Request) {
	sel, results, err := readInviteRequest(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ss, _ := sessionFrom(r.Context())
	res, err := s.Inviter.InviteWith(r.Context(), ss.UserID, sel, invite.InviteOptions{Results: results})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, toInviteResponse(res))
}

// toInviteResponse is the JSON of a batch's outcome; the import report
// shows its invitations the same way.
func toInviteResponse(res invite.BatchResult) inviteResponse {
	resp := inviteResponse{BatchID: res.BatchID, Queued: res.Queued, Rejected: res.Rejected,
		Skipped: res.Skipped, Admins: res.Admins, Results: make([]inviteResult, len(res.Outcomes))}
	for i, o := range res.Outcomes {
		item := inviteResult{UserID: o.UserID, Channel: optional(string(o.Channel)), Error: o.Error, Skipped: o.Skipped}
		if o.Status != "" {
			st := o.Status
			item.InviteStatus = &st
		}
		resp.Results[i] = item
	}
	return resp
}
