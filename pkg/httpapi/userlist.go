package httpapi

import (
	"net/http"
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/inviter/inviter/pkg/invite"
)

type listUsersResponse struct {
	Items      []userJSON        `json:"items"`
	Total      int               `json:"total"`
	NextCursor *string           `json:"next_cursor"`
	PrevCursor *string           `json:"prev_cursor"`
	Counts     *statusCountsJSON `json:"counts,omitempty"` // only when asked: counts=1
	listExtras
}

// statusCountsJSON is the number beside each status filter: the users
// matching the searches in each status, whatever invite_status says.
type statusCountsJSON struct {
	All        int `json:"all"`
	NotInvited int `json:"not_invited"`
	Waiting    int `json:"waiting"`
	Invited    int `json:"invited"`
	Error      int `json:"error"`
}

const (
	defaultPageSize = 50
	maxPageSize     = 1000
	// maxSearchLen bounds a column search; no column holds more.
	maxSearchLen = 256
)

// userFilter reads the user table's query string: invite_status, q, the
// column searches login, name, email and phone, sort, limit, cursor (the
// next page), before (the previous page) and counts.
func userFilter(r *http.Request) (invite.UserFilter, error) {
	q := r.URL.Query()
	st, err := invite.ParseStatus(q.Get("invite_status"))
	if err != nil {
		return invite.UserFilter{}, err
	}
	srt, err := invite.ParseSort(q.Get("sort"))
	if err != nil {
		return invite.UserFilter{}, err
	}
	f := invite.UserFilter{Status: st, Query: q.Get("q"), Sort: srt, Limit: defaultPageSize,
		Login: q.Get("login"), Name: q.Get("name"), Email: q.Get("email"), Phone: q.Get("phone"),
		After: q.Get("cursor"), Before: q.Get("before")}
	if err := checkSearches("", f); err != nil {
		return f, err
	}
	if f.Batch, err = invite.ParseBatchFilter(q.Get("batch"), q.Get("outcome")); err != nil {
		return f, err
	}
	if f.ErrorCode, err = invite.ParseErrorCode(q.Get("error_code")); err != nil {
		return f, err
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			return f, invite.Errorf(invite.KindInvalid, "invalid_limit", "limit must be a whole number from 1 to %d", maxPageSize).WithField("limit")
		}
		f.Limit = n
	}
	if f.CountByStatus, err = flag(q, "counts"); err != nil {
		return f, err
	}
	// Cursors are checked here, before anything is read: one of another
	// sort, or altered, is a 400 naming cursor or before.
	if _, _, err := f.PageCursors(); err != nil {
		return f, err
	}
	return f, nil
}

// checkSearches refuses column searches longer than any column; prefix is
// put before the field names ("filter." in a request body).
func checkSearches(prefix string, f invite.UserFilter) error {
	for _, c := range []struct{ field, value string }{
		{"login", f.Login}, {"name", f.Name}, {"email", f.Email}, {"phone", f.Phone},
	} {
		if utf8.RuneCountInString(c.value) > maxSearchLen {
			return invite.Errorf(invite.KindInvalid, "too_long", "%s%s is longer than %d characters",
				prefix, c.field, maxSearchLen).WithField(prefix + c.field)
		}
	}
	return nil
}

// flag reads a true/false query parameter: 1, true, 0, false or absent.
func flag(q url.Values, name string) (bool, error) {
	v := q.Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, invite.Errorf(invite.KindInvalid, "invalid_"+name, "%s must be 1 or 0", name).WithField(name)
	}
	return b, nil
}

func (s *Server) handleListUsers(w http.ResponseWriter, r *http.Request) {
	f, err := userFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := s.Store.ListUsers(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp := listUsersResponse{Items: make([]userJSON, len(page.Items)), Total: page.Total,
		NextCursor: optional(page.NextCursor), PrevCursor: optional(page.PrevCursor)}
	for i, u := range page.Items {
		resp.Items[i] = toUserJSON(u)
	}
	if page.Counts != nil {
		c := page.Counts
		resp.Counts = &statusCountsJSON{NotInvited: c[invite.StatusNotInvited], Waiting: c[invite.StatusWaiting],
			Invited: c[invite.StatusInvited], Error: c[invite.StatusError]}
		resp.Counts.All = resp.Counts.NotInvited + resp.Counts.Waiting + resp.Counts.Invited + resp.Counts.Error
		if resp.listExtras, err = s.listExtras(r.Context(), f); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, resp)
}
