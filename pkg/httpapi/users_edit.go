package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/inviter/inviter/pkg/invite"
)

// Editor changes users' profiles (PATCH /api/v1/users/{id}).
type Editor interface {
	Edit(ctx context.Context, by, id int64, p invite.UserPatch) (invite.EditResult, error)
}

// patchUserRequest holds the fields PATCH may change; an absent field is
// left as it is, "" empties it (when the rules of POST allow).
type patchUserRequest struct {
	Login     *string `json:"login"`
	FirstName *string `json:"first_name"`
	LastName  *string `json:"last_name"`
	Email     *string `json:"email"`
	Phone     *string `json:"phone"`
	Locale    *string `json:"locale"`
}

type changeJSON struct {
	Field          string    `json:"field"`
	OldValue       *string   `json:"old_value"`
	NewValue       *string   `json:"new_value"`
	ChangedBy      *int64    `json:"changed_by"`
	ChangedByLogin *string   `json:"changed_by_login"`
	ChangedAt      time.Time `json:"changed_at,omitzero"`
}

func toChangesJSON(cs []invite.Change) []changeJSON {
	out := make([]changeJSON, len(cs))
	for i, c := range cs {
		out[i] = changeJSON{Field: c.Field, OldValue: optional(c.Old), NewValue: optional(c.New),
			ChangedBy: c.ChangedBy, ChangedByLogin: optional(c.ChangedByLogin), ChangedAt: c.ChangedAt}
	}
	return out
}

type patchUserResponse struct {
	userJSON
	Warnings []invite.Warning `json:"warnings"`
	Changes  []changeJSON     `json:"changes"`
	// Rerouted: the contact data an invitation was waiting to use changed;
	// that attempt is superseded and a new one is queued to the new route
	// (or the user is in error when the new data is refused).
	Rerouted bool `json:"rerouted"`
}

// handlePatchUser edits a user: the validation and warnings of POST
// /api/v1/users, 404 for an unknown user, 409 for a taken login, and a
// change-log row per changed field.
func (s *Server) handlePatchUser(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.writeError(w, r, invite.Errorf(invite.KindInvalid, "invalid_id", "the user id must be a positive whole number").WithField("id"))
		return
	}
	var req patchUserRequest
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	p := invite.UserPatch{Login: req.Login, FirstName: req.FirstName, LastName: req.LastName,
		Email: req.Email, Phone: req.Phone, Locale: req.Locale}
	if p.Empty() {
		s.writeError(w, r, invite.Errorf(invite.KindInvalid, "required",
			"give at least one of login, first_name, last_name, email, phone, locale"))
		return
	}
	ss, _ := sessionFrom(r.Context())
	res, err := s.Editor.Edit(r.Context(), ss.UserID, id, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp := patchUserResponse{userJSON: toUserJSON(res.User), Warnings: res.Warnings,
		Changes: toChangesJSON(res.Changes), Rerouted: res.Rerouted}
	if resp.Warnings == nil {
		resp.Warnings = []invite.Warning{}
	}
	writeJSON(w, http.StatusOK, resp)
}

// createWarnings adds to the warnings of a new user the fixes it could
// take and the duplicates of its contact data.
func (s *Server) createWarnings(ctx context.Context, u invite.User, ws []invite.Warning) ([]invite.Warning, error) {
	ws = invite.SuggestFixes(ws, u.Phone, s.DefaultRegion)
	dups, err := invite.DuplicateWarnings(ctx, s.Store, u.Email, u.Phone, u.ID)
	return append(ws, dups...), err
}

// userExtras is what GET /api/v1/users/{id} says beyond the user and the
// history: the change log and the contact problems with their fixes.
type userExtras struct {
	Changes         []changeJSON     `json:"changes"`
	ContactProblems []invite.Warning `json:"contact_problems"`
}

func (s *Server) userExtras(ctx context.Context, u invite.User) (userExtras, error) {
	changes, err := s.Store.UserChanges(ctx, u.ID)
	if err != nil {
		return userExtras{}, err
	}
	probs := invite.ContactProblems(u, s.DefaultRegion)
	if probs == nil {
		probs = []invite.Warning{}
	}
	return userExtras{Changes: toChangesJSON(changes), ContactProblems: probs}, nil
}

// listExtras is what counts=1 adds to GET /api/v1/users beside the status
// counts: the users in error by reason (matching the searches), and since
// when the oldest invitation still waiting has waited (null when none).
type listExtras struct {
	ErrorCounts        map[string]int `json:"error_counts,omitempty"`
	OldestWaitingSince *time.Time     `json:"oldest_waiting_since,omitempty"`
}

func (s *Server) listExtras(ctx context.Context, f invite.UserFilter) (listExtras, error) {
	byCode, err := s.Store.CountErrorsByCode(ctx, f)
	if err != nil {
		return listExtras{}, err
	}
	at, ok, err := s.Store.OldestWaiting(ctx)
	if err != nil {
		return listExtras{}, err
	}
	x := listExtras{ErrorCounts: byCode}
	if ok {
		x.OldestWaitingSince = &at
	}
	return x, nil
}
