package web

import (
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/userimport"
)

// Importer runs imports in the background and follows them
// (userimport.Importer).
type Importer interface {
	Start(ctx context.Context, src io.Reader, contentType string, opts userimport.Options) (userimport.Job, error)
	Job(ctx context.Context, id int64) (userimport.Job, error)
	Limits() userimport.Limits
}

// uploadSlack is what an upload form holds beyond the file: boundaries,
// part headers and the option fields.
const uploadSlack = 1 << 20

type importPage struct {
	base
	MaxBytes int64
	MaxRows  int
	Options  userimport.Options
	Error    string
	Kept     userimport.KeptFile // never set: the form starts without a file
}

// Prefill is what the import form starts with.
func (p importPage) Prefill() userimport.Options { return p.Options }

type jobPage struct {
	base
	Error    string
	Job      userimport.Job
	Running  bool
	Report   *userimport.Report
	Failure  *invite.Reason
	Batch    int64
	MaxBytes int64
	// Kept is the checked file, kept for "Import this file" (ID 0: not
	// kept, or forgotten).
	Kept userimport.KeptFile
}

// Prefill is what the import form below a dry run starts with: the dry
// run's own choices.
func (p jobPage) Prefill() userimport.Options { return p.Job.Options }

func (ui *UI) importForm(w http.ResponseWriter, r *http.Request) {
	ui.renderImportForm(w, r, http.StatusOK, userimport.Options{}, "")
}

func (ui *UI) renderImportForm(w http.ResponseWriter, r *http.Request, status int, opts userimport.Options, msg string) {
	l := ui.Imports.Limits()
	ui.render(w, r, status, "import", importPage{base: ui.base(r, "import.title", "import"),
		MaxBytes: l.MaxBytes, MaxRows: l.MaxRows, Options: opts, Error: msg})
}

// limitUpload refuses an upload over the size limit before anything reads
// it (the form's token included), with a page that says so.
func (ui *UI) limitUpload(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		max := ui.Imports.Limits().MaxBytes + uploadSlack
		if r.ContentLength > max {
			securityHeaders(w.Header())
			v := &viewer{lang: chooseLang(r)}
			r = r.WithContext(withViewer(r.Context(), v))
			ui.render(w, r, http.StatusRequestEntityTooLarge, "error", errorPage{base: ui.base(r, "error.title", ""),
				Heading: translate(v.lang, "error.413"), Message: translate(v.lang, "import.too_large", formatBytes(ui.Imports.Limits().MaxBytes))})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		next.ServeHTTP(w, r)
	})
}

// startImport saves the upload and imports it in the background (a dry
// run or the real thing), then shows the job's page.
func (ui *UI) startImport(w http.ResponseWriter, r *http.Request) {
	lang := viewerFrom(r.Context()).lang
	opts := userimport.Options{
		SendInvitation: r.PostFormValue("send_invitation") == "1",
		UpdateExisting: r.PostFormValue("update_existing") == "1",
		DryRun:         r.PostFormValue("mode") != "import",
		Charset:        r.PostFormValue("charset"),
		RequestedBy:    viewerFrom(r.Context()).session.UserID,
	}
	file, hdr, err := r.FormFile("file")
	if err != nil && r.PostFormValue("kept") != "" {
		// "Import this file" after a dry run: the checked file, kept.
		ui.startKeptImport(w, r, opts)
		return
	}
	if err != nil {
		ui.renderImportForm(w, r, http.StatusBadRequest, opts, translate(lang, "import.no_file"))
		return
	}
	defer file.Close()
	opts.FileName, opts.Size = hdr.Filename, hdr.Size
	var kept int64
	if opts.DryRun && ui.keepsUploads() {
		kept = ui.keepUpload(r, file, hdr)
	}
	job, err := ui.Imports.Start(r.Context(), file, hdr.Header.Get("Content-Type"), opts)
	if ui.importRefused(w, r, opts, err) {
		return
	}
	to := "/import/" + strconv.FormatInt(job.ID, 10)
	if kept > 0 {
		to += "?kept=" + strconv.FormatInt(kept, 10)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// importRefused answers an import that did not start, and says whether it
// did not.
func (ui *UI) importRefused(w http.ResponseWriter, r *http.Request, opts userimport.Options, err error) bool {
	lang := viewerFrom(r.Context()).lang
	switch invite.KindOf(err) {
	case invite.KindTooLarge:
		ui.renderImportForm(w, r, http.StatusRequestEntityTooLarge, opts, errorText(lang, err))
		return true
	case invite.KindInvalid:
		ui.renderImportForm(w, r, http.StatusBadRequest, opts, errorText(lang, err))
		return true
	}
	if err != nil {
		ui.fail(w, r, err)
		return true
	}
	return false
}

// visibleJob reads a job the viewer may follow: their own, or any for a
// super admin.
func (ui *UI) visibleJob(r *http.Request) (userimport.Job, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return userimport.Job{}, invite.ErrNotFound
	}
	job, err := ui.Imports.Job(r.Context(), id)
	if err != nil {
		return job, err
	}
	if ss := viewerFrom(r.Context()).session; !job.VisibleTo(ss.UserID, ss.Role) {
		return job, invite.ErrNotFound
	}
	return job, nil
}

// importJob shows an import: its progress while it runs, its report once
// done.
func (ui *UI) importJob(w http.ResponseWriter, r *http.Request) {
	job, err := ui.visibleJob(r)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	p := jobPage{base: ui.base(r, "import.title", "import"), Job: job, Report: job.Report, Failure: job.Error,
		Running: job.State == userimport.JobQueued || job.State == userimport.JobRunning, MaxBytes: ui.Imports.Limits().MaxBytes}
	if job.Report != nil && job.Report.Invitations != nil {
		p.Batch = job.Report.Invitations.BatchID
	}
	if job.Report != nil && job.Report.DryRun {
		f, ok, err := ui.keptFile(r, false)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		if ok {
			p.Kept = f
		}
	}
	ui.render(w, r, http.StatusOK, "importjob", p)
}

// importProgressJSON is a running import for the page's progress bar.
type importProgressJSON struct {
	State      userimport.JobState `json:"state"`
	Phase      userimport.Phase    `json:"phase"`
	BytesRead  int64               `json:"bytes_read"`
	BytesTotal int64               `json:"bytes_total"`
	RowsRead   int                 `json:"rows_read"`
	Done       bool                `json:"done"`
}

func (ui *UI) importProgress(w http.ResponseWriter, r *http.Request) {
	job, err := ui.visibleJob(r)
	ui.answerPoll(w, r, "import progress", importProgressJSON{
		State: job.State, Phase: job.Progress.Phase, BytesRead: job.Progress.BytesRead, BytesTotal: job.Progress.BytesTotal,
		RowsRead: job.Progress.RowsRead, Done: job.State == userimport.JobDone || job.State == userimport.JobFailed,
	}, err)
}

func formatBytes(n int64) string {
	const mib = 1 << 20
	if n >= mib {
		return strconv.FormatInt(n/mib, 10) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}
