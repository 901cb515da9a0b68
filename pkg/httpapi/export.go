package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/userimport"
)

// exportPage is how many users each read of an export fetches.
const exportPage = 1000

// exportColumns are the export's header; the import reads the first six
// and quietly ignores the others, so an exported file imports again.
var exportColumns = []string{"id", "login", "first_name", "last_name", "email", "phone", "locale", "role",
	"invite_status", "user_invited", "invite_error_code", "invite_error_message", "invited_at", "created_at"}

// exportRow is a user as the export's cells; every text cell is
// neutralised, so that no cell runs as a spreadsheet formula.
func exportRow(u invite.User) []string {
	code, msg := "", ""
	if u.InviteError != nil {
		code, msg = u.InviteError.Code, u.InviteError.Message
	}
	invited := ""
	if u.InvitedAt != nil {
		invited = u.InvitedAt.UTC().Format(time.RFC3339)
	}
	row := []string{strconv.FormatInt(u.ID, 10), u.Login, u.FirstName, u.LastName, u.Email, u.Phone, u.Locale,
		string(u.Role), string(u.InviteStatus), strconv.FormatBool(u.UserInvited()), code, msg, invited,
		u.CreatedAt.UTC().Format(time.RFC3339)}
	for i := range row {
		row[i] = userimport.Neutralise(row[i])
	}
	return row
}

// tableWriter writes an export in one format.
type tableWriter interface {
	Write(cells []string) error
	Close() error // writes what is left and ends the file
	Discard()     // frees what the writer holds, closed or not
}

// ExportHandler is the export for the admin pages, which mount it behind
// their own sign-in; it reads the same parameters as the API's.
func (s *Server) ExportHandler() http.Handler { return http.HandlerFunc(s.handleExport) }

// handleExport streams the users matching the list's filters (invite_status,
// q, the column searches and sort; limit and cursor do not apply) as CSV or
// XLSX, reading them a page at a time. A failure after the first page can
// no longer become an error status: the response is cut off, so that the
// client sees a failed download rather than a short file.
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) {
	f, err := userFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	format, delim, err := exportFormat(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Limit, f.After, f.Before, f.CountByStatus = exportPage, "", "", false
	page, err := s.Store.ListUsers(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if format == "xlsx" && page.Total >= maxSheetRows {
		s.writeError(w, r, invite.Errorf(invite.KindInvalid, "too_many_rows",
			"%d users do not fit in one sheet; export them as CSV or narrow the filter", page.Total).WithField("format"))
		return
	}
	name := "users-" + time.Now().UTC().Format("20060102-150405") + "." + format
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	var tw tableWriter
	if format == "xlsx" {
		w.Header().Set("Content-Type", xlsxContentType)
		tw, err = newXLSXWriter(w)
	} else {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		tw, err = newCSVWriter(w, delim)
	}
	if err == nil {
		defer tw.Discard()
		err = tw.Write(exportColumns)
	}
	for err == nil {
		for _, u := range page.Items {
			if err = tw.Write(exportRow(u)); err != nil {
				break
			}
		}
		if err != nil || page.NextCursor == "" {
			break
		}
		f.After = page.NextCursor
		f.SkipTotal = true // counted with the first page
		page, err = s.Store.ListUsers(r.Context(), f)
	}
	if err == nil {
		err = tw.Close()
	}
	if err != nil {
		s.log.ErrorContext(r.Context(), "export cut off", "format", format, "err", err)
		panic(http.ErrAbortHandler) // the status is sent: only cutting the response off tells the client
	}
}

// exportFormat reads format (csv, the default, or xlsx) and, for CSV,
// delimiter (comma, the default, or semicolon, which Excel expects where
// the comma is the decimal separator).
func exportFormat(r *http.Request) (string, rune, error) {
	q := r.URL.Query()
	format := q.Get("format")
	switch format {
	case "":
		format = "csv"
	case "csv", "xlsx":
	default:
		return "", 0, invite.Errorf(invite.KindInvalid, "invalid_format", "format must be csv or xlsx; got %q", format).WithField("format")
	}
	switch d := q.Get("delimiter"); d {
	case "", "comma", ",":
		return format, ',', nil
	case "semicolon", ";":
		return format, ';', nil
	default:
		return "", 0, invite.Errorf(invite.KindInvalid, "invalid_delimiter", "delimiter must be comma or semicolon; got %q", d).WithField("delimiter")
	}
}
