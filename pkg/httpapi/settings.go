package httpapi

import (
	"net/http"
	"time"

	"github.com/inviter/inviter/pkg/invite"
)

type authSettings struct {
	VerificationMethod invite.VerificationMethod `json:"verification_method"`
}

func (s *Server) handleGetAuthSettings(w http.ResponseWriter, r *http.Request) {
	m, err := s.Store.VerificationMethod(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, authSettings{VerificationMethod: m})
}

// handlePutAuthSettings changes the verification method (super admins only).
// It applies to invitations sent from now on; queued ones keep their channel.
func (s *Server) handlePutAuthSettings(w http.ResponseWriter, r *http.Request) {
	var req struct {
		VerificationMethod string `json:"verification_method"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := invite.ParseVerificationMethod(req.VerificationMethod)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ss, _ := sessionFrom(r.Context())
	if err := s.Store.SetVerificationMethod(r.Context(), m, ss.UserID); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.log.InfoContext(r.Context(), "settings changed", "verification_method", m, "by", ss.UserID)
	writeJSON(w, http.StatusOK, authSettings{VerificationMethod: m})
}

type outboxJSON struct {
	ID           int64     `json:"id"`
	InvitationID *int64    `json:"invitation_id"`
	Channel      string    `json:"channel"`
	Recipient    string    `json:"recipient"`
	Subject      string    `json:"subject"`
	Body         string    `json:"body"`
	CreatedAt    time.Time `json:"created_at"`
}

// handleOutbox lists the development outbox (registered only in dev mode).
func (s *Server) handleOutbox(w http.ResponseWriter, r *http.Request) {
	msgs, err := s.Store.OutboxMessages(r.Context(), 100)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]outboxJSON, len(msgs))
	for i, m := range msgs {
		out[i] = outboxJSON{ID: m.ID, InvitationID: m.InvitationID, Channel: m.Channel, Recipient: m.Recipient,
			Subject: m.Subject, Body: m.Body, CreatedAt: m.CreatedAt}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
}
