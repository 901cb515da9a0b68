package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/userimport"
)

// importJobJSON is a background import as GET /api/v1/users/imports/{id}
// shows it: enough for a progress bar while it runs (bytes_read of
// bytes_total, rows_read), the report when it is done.
type importJobJSON struct {
	ID         int64             `json:"import_id"`
	URL        string            `json:"url"`
	State      string            `json:"state"` // queued, running, done, failed
	Phase      string            `json:"phase"` // reading, saving, inviting, done
	FileName   *string           `json:"file_name"`
	Options    importOptionsJSON `json:"options"`
	BytesRead  int64             `json:"bytes_read"`
	BytesTotal int64             `json:"bytes_total"`
	RowsRead   int               `json:"rows_read"`
	Report     *importReportJSON `json:"report"`
	Error      *invite.Reason    `json:"error"` // why it failed; nothing was imported
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
	FinishedAt *time.Time        `json:"finished_at"`
}

type importOptionsJSON struct {
	SendInvitation bool    `json:"send_invitation"`
	UpdateExisting bool    `json:"update_existing"`
	DryRun         bool    `json:"dry_run"`
	Charset        *string `json:"charset"`
}

func jobPath(id int64) string { return "/api/v1/users/imports/" + strconv.FormatInt(id, 10) }

func toImportJobJSON(j userimport.Job) importJobJSON {
	out := importJobJSON{
		ID: j.ID, URL: jobPath(j.ID), State: string(j.State), Phase: string(j.Progress.Phase),
		FileName: optional(j.Options.FileName),
		Options: importOptionsJSON{SendInvitation: j.Options.SendInvitation, UpdateExisting: j.Options.UpdateExisting,
			DryRun: j.Options.DryRun, Charset: optional(j.Options.Charset)},
		BytesRead: j.Progress.BytesRead, BytesTotal: j.Progress.BytesTotal, RowsRead: j.Progress.RowsRead,
		Error: j.Error, CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt, FinishedAt: j.FinishedAt,
	}
	if j.Report != nil {
		rep := toImportReportJSON(*j.Report)
		out.Report = &rep
	}
	return out
}

// handleImportJob follows a background import. Admins follow their own
// imports, super admins everybody's; another admin's import is not found.
func (s *Server) handleImportJob(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.writeError(w, r, invite.Errorf(invite.KindInvalid, "invalid_id", "the import id must be a positive whole number").WithField("id"))
		return
	}
	notFound := invite.Errorf(invite.KindNotFound, "not_found", "there is no import %d of yours", id)
	j, err := s.Imports.Job(r.Context(), id)
	if invite.KindOf(err) == invite.KindNotFound {
		s.writeError(w, r, notFound)
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if ss, _ := sessionFrom(r.Context()); !j.VisibleTo(ss.UserID, ss.Role) {
		s.writeError(w, r, notFound)
		return
	}
	writeJSON(w, http.StatusOK, toImportJobJSON(j))
}
