package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/inviter/inviter/pkg/invite"
)

// userJSON is the user as the API shows it (a contract: fields may be added,
// never renamed or removed).
type userJSON struct {
	ID           int64          `json:"id"`
	Login        string         `json:"login"`
	FirstName    string         `json:"first_name"`
	LastName     string         `json:"last_name"`
	Email        *string        `json:"email"`
	Phone        *string        `json:"phone"`
	Locale       string         `json:"locale"`
	Role         invite.Role    `json:"role"`
	InviteStatus invite.Status  `json:"invite_status"`
	UserInvited  bool           `json:"user_invited"`
	InviteError  *invite.Reason `json:"invite_error"`
	InvitedAt    *time.Time     `json:"invited_at"`
	CreatedAt    time.Time      `json:"created_at"`
	WaitingSince *time.Time     `json:"waiting_since"` // while invite_status is waiting
}

func toUserJSON(u invite.User) userJSON {
	return userJSON{
		ID: u.ID, Login: u.Login, FirstName: u.FirstName, LastName: u.LastName,
		Email: optional(u.Email), Phone: optional(u.Phone), Locale: u.Locale, Role: u.Role,
		InviteStatus: u.InviteStatus, UserInvited: u.UserInvited(), InviteError: u.InviteError,
		InvitedAt: u.InvitedAt, CreatedAt: u.CreatedAt, WaitingSince: u.WaitingSince,
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type createUserRequest struct {
	Login     string `json:"login"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
	Locale    string `json:"locale"`
}

type createUserResponse struct {
	userJSON
	Warnings []invite.Warning `json:"warnings"`
}

// handleCreateUser creates a user. Malformed contact data is stored and
// reported in warnings; the invitation will refuse it with the reason.
func (s *Server) handleCreateUser(w http.ResponseWriter, r *http.Request) {
	var req createUserRequest
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	n, warnings, err := invite.NewUser{
		Login: req.Login, FirstName: req.FirstName, LastName: req.LastName,
		Email: req.Email, Phone: req.Phone, Locale: req.Locale,
	}.Normalize()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.Store.CreateUser(r.Context(), n)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if warnings, err = s.createWarnings(r.Context(), u, warnings); err != nil {
		s.writeError(w, r, err)
		return
	}
	if warnings == nil {
		warnings = []invite.Warning{}
	}
	w.Header().Set("Location", "/api/v1/users/"+strconv.FormatInt(u.ID, 10))
	writeJSON(w, http.StatusCreated, createUserResponse{userJSON: toUserJSON(u), Warnings: warnings})
}

type invitationJSON struct {
	ID               int64                `json:"id"`
	Status           invite.AttemptStatus `json:"status"`
	Channel          *string              `json:"channel"`
	Destination      *string              `json:"destination"`
	RequestedBy      *int64               `json:"requested_by"`
	RequestedByLogin *string              `json:"requested_by_login"`
	Error            *invite.Reason       `json:"error"`
	ProviderMessage  *string              `json:"provider_message"`
	Attempts         int                  `json:"attempts"`
	CreatedAt        time.Time            `json:"created_at"`
	UpdatedAt        time.Time            `json:"updated_at"`
	DeliveredAt      *time.Time           `json:"delivered_at"`
	ExpiresAt        *time.Time           `json:"expires_at"`
	// Receipt is the latest thing known after the provider accepted the
	// message; Reports, everything that came back, oldest first.
	Receipt *invite.Receipt  `json:"receipt"`
	Reports []invite.Receipt `json:"reports"`
}

type userDetailResponse struct {
	userJSON
	Invitations []invitationJSON `json:"invitations"`
	userExtras
}

func (s *Server) handleGetUser(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.writeError(w, r, invite.Errorf(invite.KindInvalid, "invalid_id", "the user id must be a positive whole number").WithField("id"))
		return
	}
	u, ok := s.userByID(w, r, id)
	if !ok {
		return
	}
	history, err := s.Store.Invitations(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp := userDetailResponse{userJSON: toUserJSON(u), Invitations: make([]invitationJSON, len(history))}
	for i, inv := range history {
		resp.Invitations[i] = invitationJSON{
			ID: inv.ID, Status: inv.Status, Channel: optional(string(inv.Channel)), Destination: optional(inv.Destination),
			RequestedBy: inv.RequestedBy, RequestedByLogin: optional(inv.RequestedByLogin), Error: inv.Error,
			ProviderMessage: optional(inv.ProviderMessage), Attempts: inv.Attempts, CreatedAt: inv.CreatedAt,
			UpdatedAt: inv.UpdatedAt, DeliveredAt: inv.DeliveredAt, ExpiresAt: inv.ExpiresAt,
			Receipt: inv.Receipt(), Reports: reportsJSON(inv.Reports),
		}
	}
	if resp.userExtras, err = s.userExtras(r.Context(), u); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// userByID reads user id, or answers 404 (or the store's error) and
// reports false.
func (s *Server) userByID(w http.ResponseWriter, r *http.Request, id int64) (invite.User, bool) {
	u, err := s.Store.User(r.Context(), id)
	if invite.KindOf(err) == invite.KindNotFound {
		s.writeError(w, r, invite.Errorf(invite.KindNotFound, "not_found", "there is no user %d", id))
		return invite.User{}, false
	}
	if err != nil {
		s.writeError(w, r, err)
		return invite.User{}, false
	}
	return u, true
}
