package web

import (
	"bytes"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/userimport"
)

// evil is markup in data: every page must show it as text.
const evil = `<script>alert("x'y")&</script>`

// samplePages is representative data for every page: each optional part
// shown at least once, with markup in the data the page shows.
func samplePages(ui *UI, lang string) map[string][]any {
	at := time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)
	adminID := int64(1)
	super := &invite.Session{UserID: 1, Login: "root", Role: invite.RoleSuperAdmin}
	admin := &invite.Session{UserID: 2, Login: "adam", Role: invite.RoleAdmin}
	user := &invite.Session{UserID: 3, Login: "ivan", Role: invite.RoleUser}
	temporary := &invite.Session{UserID: 3, Login: "ivan", Role: invite.RoleUser, MustChangePassword: true}
	b := func(ss *invite.Session, title, nav string) base {
		r := httptest.NewRequest("GET", "/users?status=error&q=a%20b", nil)
		r = r.WithContext(withViewer(r.Context(), &viewer{lang: lang, session: ss, csrf: "token"}))
		x := ui.base(r, title, nav)
		x.Flash = &flash{Kind: "ok", Text: evil}
		return x
	}
	q := listQuery{Status: invite.StatusError, Q: "a b", Login: "l", Name: "n", Email: "e", Phone: "7905", Sort: invite.Sort{Key: invite.SortLogin, Desc: true}}
	rejected := invite.NewReason(invite.ReasonDeliveryRejected, "550 no such mailbox")
	u := invite.User{ID: 5, Login: "ann" + evil, FirstName: evil, LastName: "Lee", Email: "ann@example.com", Phone: "+79051111111",
		Locale: "ru", Role: invite.RoleUser, InviteStatus: invite.StatusInvited, InvitedAt: &at, CreatedAt: at}
	failed := u
	failed.ID, failed.InviteStatus, failed.InviteError, failed.InvitedAt = 6, invite.StatusError, rejected, nil
	var users []invite.User
	for _, s := range []invite.Status{invite.StatusNotInvited, invite.StatusWaiting, invite.StatusInvited, invite.StatusError} {
		x := u
		x.InviteStatus = s
		users = append(users, x)
	}
	users = append(users, failed)
	var history []invite.Invitation
	for i, s := range []invite.AttemptStatus{invite.AttemptWaiting, invite.AttemptSent, invite.AttemptFailed, invite.AttemptRejected, invite.AttemptSuperseded} {
		h := invite.Invitation{ID: int64(i + 1), UserID: 5, Status: s, Channel: invite.ChannelEmail, Destination: "ann@example.com",
			RequestedBy: &adminID, RequestedByLogin: "root", Attempts: i, CreatedAt: at}
		switch s {
		case invite.AttemptSent:
			h.Channel, h.Destination, h.DeliveredAt, h.ExpiresAt = invite.ChannelSMS, "+79051111111", &at, &at
			h.Reports = []invite.Receipt{{Status: invite.ReceiptAccepted, At: at}, {Status: invite.ReceiptDelivered, At: at, Detail: "delivered to the handset"}}
		case invite.AttemptFailed:
			h.Error, h.ProviderMessage = rejected, "550 5.1.1 "+evil
			h.DeliveredAt = &at // a bounce after delivery
			h.Reports = []invite.Receipt{{Status: invite.ReceiptDelayed, At: at, Detail: "4.4.1 timed out"},
				{Status: invite.ReceiptBounced, At: at, Detail: "550 5.1.1 " + evil}}
		case invite.AttemptRejected:
			h.Channel, h.Destination, h.Error, h.RequestedBy, h.RequestedByLogin = "", "", invite.NewReason(invite.ReasonNoContact, ""), nil, ""
		}
		history = append(history, h)
	}
	var refused []invite.RefusalCount
	for i, code := range []string{invite.ReasonNoContact, invite.ReasonNoEmail, invite.ReasonInvalidEmail, invite.ReasonInvalidPhone,
		invite.ReasonPhoneWithoutCountry, invite.ReasonDeliveryRejected, invite.ReasonDeliveryFailed, invite.ReasonAdminAccount} {
		refused = append(refused, invite.RefusalCount{Reason: *invite.NewReason(code, ""), Count: i + 1})
	}
	var warnings []invite.Warning
	for _, code := range []string{invite.ReasonInvalidEmail, invite.ReasonPhoneWithoutCountry, invite.ReasonNoContact, "unknown_code"} {
		warnings = append(warnings, invite.Warning{Field: "email", Code: code, Message: evil})
	}
	usersPage := func(ss *invite.Session, n int, batch int64) usersPage {
		p := usersPage{base: b(ss, "users.title", "users"), Query: q, Columns: columns(lang, q), Users: users[:n], Total: n * 1001,
			PrevHref: "/users?before=x", NextHref: "/users?after=y", Batch: batch, Add: invite.NewUser{Login: "new", Locale: "ru"},
			AddError: "refused", ExportEnabled: batch > 0, ExportHref: "/users/export?status=error"}
		for _, s := range []invite.Status{"", invite.StatusInvited, invite.StatusNotInvited, invite.StatusWaiting, invite.StatusError} {
			p.Facets = append(p.Facets, facet{Value: s, Label: translate(lang, "status."+string(s)), Count: 1234, Href: "/users?status=" + string(s), Active: s == q.Status})
		}
		return p
	}
	imports := importSamples(b, super, admin, at)
	preview := invite.Preview{Method: invite.MethodEmailOnly, Selected: 42, Email: 2, SMS: 1, Kept: 3, Refused: refused}
	return map[string][]any{
		"login": {
			loginPage{base: b(nil, "login.title", ""), Next: "/users/5", Login: evil, Error: evil},
			loginPage{base: b(nil, "login.title", "")},
		},
		"password": {
			passwordPage{base: b(temporary, "password.title", ""), Temporary: true, Error: "weak", Field: "new_password", New: evil, Confirm: evil, MinChars: 10},
			passwordPage{base: b(admin, "password.title", ""), Field: "old_password", MinChars: 10},
		},
		"account": {accountPage{base: b(user, "account.title", "")}, accountPage{base: b(user, "account.title", ""), PlatformURL: "https://learn.example.com/"}},
		"error": {
			errorPage{base: b(nil, "error.title", ""), Heading: "Not found", Message: evil},
			errorPage{base: b(admin, "error.title", ""), Heading: "Not allowed", Message: "no"},
		},
		"users": {usersPage(super, len(users), 7), usersPage(admin, 0, 0), usersPage(admin, 1, 0)},
		"user": {
			cardPage{base: b(super, "", "users"), User: u, History: history, Warnings: warnings},
			cardPage{base: b(admin, "", "users"), User: failed},
			cardPage{base: b(admin, "", "users"), User: invite.User{ID: 1, Login: "root", Role: invite.RoleSuperAdmin, InviteStatus: invite.StatusNotInvited}},
		},
		"confirm": {
			confirmPage{base: b(admin, "confirm.title", "users"), selection: selection{Query: q, AllMatching: true}, Preview: preview, Method: preview.Method, Back: "/users?status=error"},
			confirmPage{base: b(admin, "confirm.title", "users"), selection: selection{UserIDs: []int64{1, 2}}, Preview: invite.Preview{Method: invite.MethodPhoneOnly, Selected: 2, Email: 1}, Method: invite.MethodPhoneOnly, Back: "/users/1"},
			confirmPage{base: b(super, "confirm.title", "users"), selection: selection{UserIDs: []int64{1}}, Preview: invite.Preview{Method: invite.MethodEmailOrPhone, Selected: 1, Kept: 1}, Method: invite.MethodEmailOrPhone, Back: "/users"},
			newConfirmPage(b(admin, "confirm.title", "users"), selection{UserIDs: []int64{1, 2, 3}},
				invite.Previews{
					SendAgain:   invite.Preview{Method: invite.MethodEmailOrPhone, Selected: 3, Email: 2, AlreadyInvited: 2, SendAgain: 2, Admins: 1, Refused: refused[:1]},
					SkipInvited: invite.Preview{Method: invite.MethodEmailOrPhone, Selected: 3, AlreadyInvited: 2, Skipped: 2, Admins: 1}}, "/users"),
		},
		"refused": {
			refusedPage{base: b(admin, "refused.title", "users"), Back: "/users?status=error", Total: 600,
				Rows: []refusedRow{{User: users[0], Reason: invite.NewReason(invite.ReasonPhoneWithoutCountry, "")}}},
			refusedPage{base: b(super, "refused.title", "users"), Back: "/users"},
		},
		"import":    imports["import"],
		"importjob": imports["importjob"],
		"settings": {settingsPage{base: b(super, "settings.title", "settings"), Method: invite.MethodPhoneOnly,
			Methods: []invite.VerificationMethod{invite.MethodEmailOrPhone, invite.MethodEmailOnly, invite.MethodPhoneOnly}}},
	}
}

// importSamples are the import pages: the form, a running import, a check
// with its report, an import that invited, one that could not, and a
// failed one.
func importSamples(b func(*invite.Session, string, string) base, super, admin *invite.Session, at time.Time) map[string][]any {
	issues := []userimport.Issue{
		{Line: 2, Column: "email", Header: evil, Severity: userimport.SeverityWarning, Code: invite.ReasonInvalidEmail, Message: evil},
		{Line: 3, Column: "first_name", Severity: userimport.SeverityError, Code: "required", Message: evil},
		{Line: 4, Severity: userimport.SeverityError, Code: "unknown_code", Message: evil},
	}
	report := func(dryRun bool) *userimport.Report {
		return &userimport.Report{DryRun: dryRun, Format: "csv", Charset: "windows-1251", Delimiter: ";", Rows: 1234, Created: 1000,
			Updated: 100, Unchanged: 100, Failed: 34, Warned: 12, Issues: issues, IssuesTruncated: true}
	}
	opts := userimport.Options{SendInvitation: true, UpdateExisting: true, Charset: "windows-1251", FileName: evil + ".csv", Size: 5 << 20}
	job := func(state userimport.JobState, dryRun bool) userimport.Job {
		o := opts
		o.DryRun = dryRun
		return userimport.Job{ID: 9, RequestedBy: 2, State: state, Options: o, CreatedAt: at, UpdatedAt: at,
			Progress: userimport.Progress{Phase: userimport.PhaseSaving, BytesRead: 1 << 20, BytesTotal: 5 << 20, RowsRead: 1234}}
	}
	running := job(userimport.JobRunning, false)
	queued := job(userimport.JobQueued, true)
	queued.Progress = userimport.Progress{}
	checked := job(userimport.JobDone, true)
	checked.Report = report(true)
	invited := job(userimport.JobDone, false)
	invited.Report = report(false)
	invited.Report.Invitations = &invite.BatchResult{BatchID: 77, Queued: 1000, Rejected: 34}
	notInvited := job(userimport.JobDone, false)
	notInvited.Report = report(false)
	notInvited.Report.InvitationError = &invite.Reason{Code: "unknown_code", Message: evil}
	failed := job(userimport.JobFailed, false)
	failed.Error = &invite.Reason{Code: "interrupted", Message: evil}
	page := func(j userimport.Job) jobPage {
		p := jobPage{base: b(admin, "import.title", "import"), Job: j, Report: j.Report, Failure: j.Error, MaxBytes: 10 << 20,
			Running: j.State == userimport.JobQueued || j.State == userimport.JobRunning}
		if j.Report != nil && j.Report.Invitations != nil {
			p.Batch = j.Report.Invitations.BatchID
		}
		return p
	}
	return map[string][]any{
		"import": {
			importPage{base: b(super, "import.title", "import"), MaxBytes: 10 << 20, MaxRows: 100000},
			importPage{base: b(admin, "import.title", "import"), MaxBytes: 512, MaxRows: 10, Options: opts, Error: evil},
		},
		"importjob": {page(running), page(queued), page(checked), page(invited), page(notInvited), page(failed)},
	}
}

// untranslatedRE finds a catalog key left in a page: translate shows a
// missing key as itself.
func untranslatedRE() *regexp.Regexp {
	var ns []string
	seen := map[string]bool{}
	for key := range catalog["en"] {
		n, _, _ := strings.Cut(key, ".")
		if !seen[n] && n != "app" { // app.css and app.js are files
			seen[n] = true
			ns = append(ns, n)
		}
	}
	return regexp.MustCompile(`\b(` + strings.Join(ns, "|") + `)\.[a-z_]+\b|\bapp\.name\b`)
}

func TestEveryPageRenders(t *testing.T) {
	t.Parallel()
	ui := New(Deps{Log: slog.New(slog.DiscardHandler), Monitoring: http.NotFoundHandler(), MonitoringReadOnly: http.NotFoundHandler()})
	missing := untranslatedRE()
	for _, lang := range languages {
		samples := samplePages(ui, lang)
		for _, name := range pageNames {
			if len(samples[name]) == 0 {
				t.Errorf("page %q has no sample data in render_test.go: add some", name)
			}
			for i, data := range samples[name] {
				var buf bytes.Buffer
				if err := ui.pages.sets[lang][name].ExecuteTemplate(&buf, "layout", data); err != nil {
					t.Errorf("%s %s #%d: %v", lang, name, i, err)
					continue
				}
				out := buf.String()
				if m := missing.FindString(out); m != "" {
					t.Errorf("%s %s #%d shows the key %q:\n%s", lang, name, i, m, out)
				}
				if n := strings.Count(out, "<script"); n != 1 {
					t.Errorf("%s %s #%d has %d script elements, want the layout's one:\n%s", lang, name, i, n, out)
				}
				if strings.Contains(out, "%!") {
					t.Errorf("%s %s #%d has a bad format verb:\n%s", lang, name, i, out)
				}
				if !strings.Contains(out, `<html lang="`+lang+`">`) || !strings.HasSuffix(strings.TrimSpace(out), "</html>") {
					t.Errorf("%s %s #%d is not a whole page in its language", lang, name, i)
				}
			}
		}
	}
}

// TestRenderFailureIsClean answers a template error with a bare 500 and no
// half page.
func TestRenderFailureIsClean(t *testing.T) {
	t.Parallel()
	ui := New(Deps{Log: slog.New(slog.DiscardHandler)})
	w := httptest.NewRecorder()
	ui.render(w, httptest.NewRequest("GET", "/", nil), http.StatusOK, "users", struct{}{})
	if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "<html") {
		t.Errorf("%d %q", w.Code, w.Body.String())
	}
}

// TestTemplatesKeepToTheCSP: the pages' Content-Security-Policy allows
// scripts and styles only from files, so inline ones would silently not run.
func TestTemplatesKeepToTheCSP(t *testing.T) {
	t.Parallel()
	inline := regexp.MustCompile(`(?i)\sstyle=|\son[a-z]+=|<script(\s[^>]*)?>[^<]|<style|javascript:`)
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, path)
		if err != nil {
			return err
		}
		if m := inline.FindString(string(b)); m != "" {
			t.Errorf("%s has inline code %q, which the CSP blocks", path, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSecurityHeadersAndStatic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client(t)
	for _, path := range []string{"/login", "/users", "/no/such/page"} {
		r := c.get(path)
		h := r.header
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: headers %v", path, h)
		}
	}
	for path, ctype := range map[string]string{"/static/app.css": "text/css", "/static/app.js": "javascript"} {
		r := c.get(path)
		if r.status != http.StatusOK || !strings.Contains(r.header.Get("Content-Type"), ctype) || len(r.body) < 100 {
			t.Errorf("%s: %d %q (%d bytes)", path, r.status, r.header.Get("Content-Type"), len(r.body))
		}
	}
	want(t, c.get("/static/nothing.js"), http.StatusNotFound)
}
