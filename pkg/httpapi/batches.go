package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/inviter/inviter/pkg/invite"
)

// previewResponse is the confirmation shown before "Send invitation".
// queued and rejected mean what they mean in the 202 of the send itself.
type previewResponse struct {
	VerificationMethod invite.VerificationMethod `json:"verification_method"`
	Selected           int                       `json:"selected"`
	Queued             int                       `json:"queued"`   // email + sms + kept
	Rejected           int                       `json:"rejected"` // refused + not_found
	Email              int                       `json:"email"`
	SMS                int                       `json:"sms"`
	Kept               int                       `json:"kept"`
	Replaced           int                       `json:"replaced"`
	Refused            int                       `json:"refused"`
	Refusals           []refusalJSON             `json:"refusals"`
	NotFound           int                       `json:"not_found"`
	AlreadyInvited     int                       `json:"already_invited"` // selected users invited now
	SendAgain          int                       `json:"send_again"`      // of email + sms, to users already invited
	Skipped            int                       `json:"skipped"`         // already invited, left alone (skip_invited)
	Admins             int                       `json:"admins"`          // administrators, left alone
}

type refusalJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Count   int    `json:"count"`
}

// handlePreview answers what "Send invitation" would do with the same body
// now, in counts, and changes nothing.
func (s *Server) handlePreview(w http.ResponseWriter, r *http.Request) {
	sel, err := readSelection(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Inviter.Preview(r.Context(), sel)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp := previewResponse{
		VerificationMethod: p.Method, Selected: p.Selected, Queued: p.Queued(),
		Rejected: p.RefusedTotal() + p.NotFound, Email: p.Email, SMS: p.SMS, Kept: p.Kept,
		Replaced: p.Replaced, Refused: p.RefusedTotal(), Refusals: make([]refusalJSON, len(p.Refused)),
		NotFound: p.NotFound, AlreadyInvited: p.AlreadyInvited, SendAgain: p.SendAgain, Skipped: p.Skipped, Admins: p.Admins,
	}
	for i, rc := range p.Refused {
		resp.Refusals[i] = refusalJSON{Code: rc.Reason.Code, Message: rc.Reason.Message, Count: rc.Count}
	}
	writeJSON(w, http.StatusOK, resp)
}

// progressResponse is a batch's progress bar. The request-time counts come
// first; waiting + invited + failed + superseded cover the queued attempts.
type progressResponse struct {
	BatchID          int64     `json:"batch_id"`
	RequestedBy      *int64    `json:"requested_by"`
	RequestedByLogin *string   `json:"requested_by_login"`
	CreatedAt        time.Time `json:"created_at"`
	Selected         int       `json:"selected"`
	Queued           int       `json:"queued"`
	Kept             int       `json:"kept"`
	Refused          int       `json:"refused"`
	NotFound         int       `json:"not_found"`
	Skipped          int       `json:"skipped"`
	Admins           int       `json:"admins"`
	Total            int       `json:"total"` // queued + refused: the attempts the batch created
	Waiting          int       `json:"waiting"`
	Invited          int       `json:"invited"`
	Failed           int       `json:"failed"`
	Superseded       int       `json:"superseded"`
	Done             bool      `json:"done"`
}

// handleBatchProgress answers where a batch stands; the admin UI polls it.
func (s *Server) handleBatchProgress(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.writeError(w, r, invite.Errorf(invite.KindInvalid, "invalid_id", "the batch id must be a positive whole number").WithField("id"))
		return
	}
	p, err := s.Store.BatchProgress(r.Context(), id)
	if invite.KindOf(err) == invite.KindNotFound {
		s.writeError(w, r, invite.Errorf(invite.KindNotFound, "not_found", "there is no batch %d", id))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, progressResponse{
		BatchID: p.BatchID, RequestedBy: p.RequestedBy, RequestedByLogin: optional(p.RequestedByLogin),
		CreatedAt: p.CreatedAt, Selected: p.Selected, Queued: p.Queued, Kept: p.Kept, Refused: p.Refused,
		NotFound: p.NotFound, Skipped: p.Skipped, Admins: p.Admins, Total: p.Total(), Waiting: p.Waiting, Invited: p.Invited, Failed: p.Failed,
		Superseded: p.Superseded, Done: p.Done(),
	})
}
