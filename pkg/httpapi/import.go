package httpapi

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/userimport"
)

// Importer imports users from files (userimport.Importer).
type Importer interface {
	Import(ctx context.Context, src io.Reader, contentType string, opts userimport.Options,
		progress func(userimport.Progress)) (userimport.Report, error)
	Start(ctx context.Context, src io.Reader, contentType string, opts userimport.Options) (userimport.Job, error)
	Job(ctx context.Context, id int64) (userimport.Job, error)
	Limits() userimport.Limits
}

// importReportJSON is the report with its invitations shown as POST
// /api/v1/invitations shows them (the outer field wins over the report's).
type importReportJSON struct {
	userimport.Report
	Invitations *inviteResponse `json:"invitations"`
}

func toImportReportJSON(rep userimport.Report) importReportJSON {
	out := importReportJSON{Report: rep}
	if rep.Invitations != nil {
		inv := toInviteResponse(*rep.Invitations)
		out.Invitations = &inv
	}
	return out
}

// multipartSlack is what a multipart body may hold beyond the file: the
// boundaries, the part headers and the option fields.
const multipartSlack = 1 << 20

// handleImport imports a file sent as the multipart field "file" or as the
// raw body. Options come from the query string (or multipart fields before
// the file): send_invitation, update_existing, dry_run, charset and async.
// It answers 200 with the report, or with async=1, 202 and the id to follow.
func (s *Server) handleImport(w http.ResponseWriter, r *http.Request) {
	limits := s.Imports.Limits()
	if r.ContentLength > limits.MaxBytes+multipartSlack {
		s.writeError(w, r, invite.Errorf(invite.KindTooLarge, "file_too_large",
			"the file is larger than %d bytes (IMPORT_MAX_BYTES)", limits.MaxBytes).WithField("file"))
		return
	}
	body := &uploadReader{r: http.MaxBytesReader(w, r.Body, limits.MaxBytes+multipartSlack), max: limits.MaxBytes}
	opts, async, err := importOptions(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ss, _ := sessionFrom(r.Context())
	opts.RequestedBy = ss.UserID
	src, contentType, err := importSource(r, body, &opts, &async)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if async {
		job, err := s.Imports.Start(r.Context(), src, contentType, opts)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		w.Header().Set("Location", jobPath(job.ID))
		writeJSON(w, http.StatusAccepted, toImportJobJSON(job))
		return
	}
	rep, err := s.Imports.Import(r.Context(), src, contentType, opts, nil)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toImportReportJSON(rep))
}

// importOptions reads the options from the query string or form fields.
func importOptions(q url.Values) (userimport.Options, bool, error) {
	var (
		o     userimport.Options
		async bool
	)
	for _, f := range []struct {
		name string
		dst  *bool
	}{{"send_invitation", &o.SendInvitation}, {"update_existing", &o.UpdateExisting}, {"dry_run", &o.DryRun}, {"async", &async}} {
		if v := q.Get(f.name); v != "" {
			b, err := checkbox(f.name, v)
			if err != nil {
				return o, false, err
			}
			*f.dst = b
		}
	}
	if v := q.Get("charset"); v != "" {
		cs, err := userimport.ParseCharset(v)
		if err != nil {
			return o, false, err
		}
		o.Charset = cs
	}
	o.FileName = q.Get("file_name")
	return o, async, nil
}

// checkbox reads a flag: 1/0, true/false, or "on" as an HTML checkbox sends.
func checkbox(name, v string) (bool, error) {
	if strings.EqualFold(v, "on") {
		return true, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, invite.Errorf(invite.KindInvalid, "invalid_"+name, "%s must be 1 or 0", name).WithField(name)
	}
	return b, nil
}

// importSource finds the file in the request: the multipart part "file"
// (fields before it may set options), or else the body itself.
func importSource(r *http.Request, body io.Reader, opts *userimport.Options, async *bool) (io.Reader, string, error) {
	ct := r.Header.Get("Content-Type")
	mt, params, _ := mime.ParseMediaType(ct)
	switch {
	case mt == "multipart/form-data":
		return multipartFile(multipart.NewReader(body, params["boundary"]), opts, async)
	case mt == "application/json", mt == "application/x-www-form-urlencoded":
		return nil, "", invite.Errorf(invite.KindInvalid, "unsupported_media_type",
			"send the file as multipart/form-data (field file) or as the body with its own Content-Type (text/csv or XLSX)").WithField("file")
	}
	if r.ContentLength > 0 {
		opts.Size = r.ContentLength
	}
	return body, ct, nil
}

// maxFieldBytes bounds an option field of a multipart form.
const maxFieldBytes = 1024

func multipartFile(mr *multipart.Reader, opts *userimport.Options, async *bool) (io.Reader, string, error) {
	fields := url.Values{}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, "", invite.Errorf(invite.KindInvalid, "required", "the form has no file field").WithField("file")
		}
		if err != nil {
			return nil, "", uploadError(err)
		}
		if p.FormName() == "file" {
			o, a, err := importOptions(fields)
			if err != nil {
				return nil, "", err
			}
			mergeOptions(opts, o)
			*async = *async || a
			if p.FileName() != "" {
				opts.FileName = p.FileName()
			}
			return partReader{p}, p.Header.Get("Content-Type"), nil
		}
		v, err := io.ReadAll(io.LimitReader(p, maxFieldBytes))
		if err != nil {
			return nil, "", uploadError(err)
		}
		fields.Set(p.FormName(), string(v))
	}
}

// mergeOptions adds the options of form fields to those of the query.
func mergeOptions(dst *userimport.Options, o userimport.Options) {
	dst.SendInvitation = dst.SendInvitation || o.SendInvitation
	dst.UpdateExisting = dst.UpdateExisting || o.UpdateExisting
	dst.DryRun = dst.DryRun || o.DryRun
	if o.Charset != "" {
		dst.Charset = o.Charset
	}
	if o.FileName != "" {
		dst.FileName = o.FileName
	}
}

// uploadReader turns the errors of reading the request body into the
// service's: too large (413), or an upload cut short (400), never a 500.
type uploadReader struct {
	r   io.Reader
	max int64
}

func (u *uploadReader) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return n, invite.Errorf(invite.KindTooLarge, "file_too_large",
				"the file is larger than %d bytes (IMPORT_MAX_BYTES)", u.max).WithField("file")
		}
		return n, uploadError(err)
	}
	return n, err
}

func uploadError(err error) error {
	var ie *invite.Error
	if errors.As(err, &ie) {
		return err
	}
	return invite.Errorf(invite.KindInvalid, "upload_failed", "the upload could not be read: %v", err).WithField("file").Wrap(err)
}
