package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"time"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/userimport"
)

// UploadStore keeps checked import files for a while (postgres.Store), so
// that "Import this file" after a dry run needs no second upload.
type UploadStore interface {
	KeepImportFile(ctx context.Context, f userimport.KeptFile, ttl time.Duration, max int) (int64, error)
	KeptImportFile(ctx context.Context, id, owner int64, withData bool) (userimport.KeptFile, error)
	ForgetImportFile(ctx context.Context, id, owner int64) error
}

// Defaults when the UI is built without the settings.
const (
	defaultUploadTTL = 30 * time.Minute
	defaultUploadMax = 20
)

func (ui *UI) keepsUploads() bool { return ui.Uploads != nil }

// keepUpload stores the file of a dry run and rewinds it for the check. A
// failure to keep it costs only the convenience: it is logged, and the
// check goes on (the page then asks for the file again).
func (ui *UI) keepUpload(r *http.Request, file multipart.File, hdr *multipart.FileHeader) int64 {
	ctx := r.Context()
	data, err := io.ReadAll(io.LimitReader(file, ui.Imports.Limits().MaxBytes+1))
	if _, serr := file.Seek(0, io.SeekStart); serr != nil && err == nil {
		err = serr
	}
	if err != nil || int64(len(data)) > ui.Imports.Limits().MaxBytes {
		return 0
	}
	ttl, max := ui.UploadTTL, ui.UploadMax
	if ttl <= 0 {
		ttl = defaultUploadTTL
	}
	if max <= 0 {
		max = defaultUploadMax
	}
	id, err := ui.Uploads.KeepImportFile(ctx, userimport.KeptFile{OwnerID: viewerFrom(ctx).session.UserID,
		FileName: hdr.Filename, ContentType: hdr.Header.Get("Content-Type"), Data: data}, ttl, max)
	if err != nil {
		ui.Log.WarnContext(ctx, "keep the checked import file", "err", err)
		return 0
	}
	return id
}

// keptFile is the kept file the form names (kept=ID), with its bytes, when
// it is the viewer's and still kept.
func (ui *UI) keptFile(r *http.Request, withData bool) (userimport.KeptFile, bool, error) {
	if !ui.keepsUploads() {
		return userimport.KeptFile{}, false, nil
	}
	id, err := strconv.ParseInt(r.FormValue("kept"), 10, 64)
	if err != nil || id <= 0 {
		return userimport.KeptFile{}, false, nil
	}
	f, err := ui.Uploads.KeptImportFile(r.Context(), id, viewerFrom(r.Context()).session.UserID, withData)
	if invite.KindOf(err) == invite.KindNotFound {
		return f, false, nil
	}
	return f, err == nil, err
}

// startKeptImport imports (or checks again) the kept file the form names;
// the file is forgotten once its import has started.
func (ui *UI) startKeptImport(w http.ResponseWriter, r *http.Request, opts userimport.Options) {
	lang := viewerFrom(r.Context()).lang
	f, ok, err := ui.keptFile(r, true)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	if !ok {
		ui.renderImportForm(w, r, http.StatusGone, opts, translate(lang, "import.kept_gone"))
		return
	}
	opts.FileName, opts.Size = f.FileName, int64(len(f.Data))
	job, err := ui.Imports.Start(r.Context(), bytes.NewReader(f.Data), f.ContentType, opts)
	if ui.importRefused(w, r, opts, err) {
		return
	}
	if opts.DryRun {
		// Checked again: still kept for the import.
		http.Redirect(w, r, "/import/"+strconv.FormatInt(job.ID, 10)+"?kept="+strconv.FormatInt(f.ID, 10), http.StatusSeeOther)
		return
	}
	if err := ui.Uploads.ForgetImportFile(r.Context(), f.ID, f.OwnerID); err != nil {
		ui.Log.WarnContext(r.Context(), "forget the imported file", "err", err)
	}
	http.Redirect(w, r, "/import/"+strconv.FormatInt(job.ID, 10), http.StatusSeeOther)
}
