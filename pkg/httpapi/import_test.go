package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/inviter/inviter/pkg/httpapi"
	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/tasks"
	"github.com/inviter/inviter/pkg/testenv"
	"github.com/inviter/inviter/pkg/userimport"
)

// newImportEnv is newEnv with imports: the same database and accounts,
// served by a server that also has an Importer with limits.
func newImportEnv(t *testing.T, limits userimport.Limits) *env {
	t.Helper()
	e := newEnv(t)
	log := slog.New(slog.DiscardHandler)
	r := testenv.NewRedis(t)
	rc := redis.NewClient(&redis.Options{Addr: r.Addr, DB: r.DB})
	t.Cleanup(func() { rc.Close() })
	inviter := invite.NewInviter(e.store, tasks.NewEnqueuer(rc, tasks.Options{MaxRetry: 3, Timeout: time.Minute}, 4), log)
	im := userimport.New(userimport.Config{Store: e.store, Jobs: e.store, Inviter: inviter, Limits: limits, Log: log, TempDir: t.TempDir()})
	srv := httptest.NewServer(httpapi.NewServer(httpapi.Deps{Store: e.store, Inviter: inviter, Temporary: e.hasher,
		Log: log, Imports: im}))
	t.Cleanup(func() { im.Shutdown(t.Context()) })
	t.Cleanup(srv.Close)
	e.srv = srv
	return e
}

// form is a multipart body: option fields, then the file.
func form(t *testing.T, fields map[string]string, fileName, fileType string, file []byte) (string, io.Reader) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if file != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="file"; filename="`+fileName+`"`)
		h.Set("Content-Type", fileType)
		p, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		p.Write(file)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), &b
}

func csvBytes(t *testing.T, delim rune, rows ...[]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma, w.UseCRLF = delim, true
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type importReportBody struct {
	DryRun    bool   `json:"dry_run"`
	Format    string `json:"format"`
	Charset   string `json:"charset"`
	Delimiter string `json:"delimiter"`
	Rows      int    `json:"rows"`
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	Failed    int    `json:"failed"`
	Warned    int    `json:"warned"`
	Issues    []struct {
		Line     int    `json:"line"`
		Column   string `json:"column"`
		Header   string `json:"header"`
		Severity string `json:"severity"`
		Code     string `json:"code"`
		Message  string `json:"message"`
	} `json:"issues"`
	Invitations *inviteBody `json:"invitations"`
}

func TestImportMultipartSendInvitation(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t, userimport.Limits{})
	file, err := charmap.Windows1251.NewEncoder().Bytes(csvBytes(t, ';',
		[]string{"Фамилия", "Имя", "Логин", "Почта", "Телефон", "Отдел"},
		[]string{"Иванов", "Иван", "ivanov", "ivan@example.com", ""},
		[]string{"Петрова", "Ольга", "petrova", "", "+7 905 222-22-22"},
		[]string{"Сидоров", "Пётр", "sidorov", "sidorov@localhost", "", "склад"},
		[]string{"Без", "Логина", "", "", ""},
	))
	if err != nil {
		t.Fatal(err)
	}
	ct, body := form(t, map[string]string{"send_invitation": "on"}, "сотрудники.csv", "application/vnd.ms-excel", file)
	r := e.doRaw(t, "POST", "/api/v1/users/import", e.adminToken, ct, body)
	want(t, r, http.StatusOK)
	rep := decode[importReportBody](t, r)
	if rep.Format != "csv" || rep.Charset != "windows-1251" || rep.Delimiter != ";" || rep.Created != 3 || rep.Failed != 1 || rep.Warned != 1 {
		t.Errorf("report %s", r.Body)
	}
	var sawUnknown, sawRequired bool
	for _, is := range rep.Issues {
		sawUnknown = sawUnknown || (is.Code == "unknown_column" && is.Line == 1 && is.Header == "Отдел")
		sawRequired = sawRequired || (is.Code == "required" && is.Line == 5 && is.Column == "login" && is.Severity == "error")
	}
	if !sawUnknown || !sawRequired {
		t.Errorf("issues %+v", rep.Issues)
	}
	inv := rep.Invitations
	if inv == nil || inv.Queued != 2 || inv.Rejected != 1 || len(inv.Results) != 3 {
		t.Fatalf("invitations %s", r.Body)
	}
	// The invitations have the shape of POST /api/v1/invitations' answer.
	var raw struct {
		Invitations struct {
			BatchID json.RawMessage              `json:"batch_id"`
			Results []map[string]json.RawMessage `json:"results"`
		} `json:"invitations"`
	}
	if err := json.Unmarshal(r.Body, &raw); err != nil || raw.Invitations.BatchID == nil {
		t.Fatalf("invitations without batch_id: %s", r.Body)
	}
	for _, res := range raw.Invitations.Results {
		for _, k := range []string{"user_id", "invite_status", "channel", "error"} {
			if _, ok := res[k]; !ok {
				t.Errorf("an invitation result lacks %s: %s", k, r.Body)
			}
		}
	}
	// Waiting, then invited once delivered; the bad address is in error.
	for _, res := range inv.Results {
		u := e.getUser(t, res.UserID)
		switch u.Login {
		case "ivanov", "petrova":
			if u.InviteStatus != "waiting" || str(res.InviteStatus) != "waiting" {
				t.Errorf("%s: %s, result %+v; want waiting", u.Login, u.InviteStatus, res)
			}
			e.deliver(t, u.Invitations[0].ID, time.Hour)
			if u = e.getUser(t, res.UserID); u.InviteStatus != "invited" || !u.UserInvited {
				t.Errorf("%s after delivery: %s", u.Login, u.InviteStatus)
			}
		case "sidorov":
			if u.InviteStatus != "error" || u.InviteError == nil || u.InviteError.Code != "invalid_email" {
				t.Errorf("sidorov: %+v", u)
			}
		default:
			t.Errorf("an invitation for %q", u.Login)
		}
	}
}

func TestImportRawXLSXUpdateExisting(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t, userimport.Limits{})
	old := e.createUser(t, map[string]any{"login": "anna", "first_name": "Anna", "last_name": "Old", "email": "anna@example.com"})
	f := excelize.NewFile()
	for i, row := range [][]any{
		{"Login", "First Name", "Last Name", "E-mail", "Phone"},
		{"anna", "Anna", "New", "", 79051111111},
		{"boris", "Boris", "B", "boris@example.com", ""},
	} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var file bytes.Buffer
	if err := f.Write(&file); err != nil {
		t.Fatal(err)
	}
	const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

	// A dry run first: the report, and nothing changed.
	r := e.doRaw(t, "POST", "/api/v1/users/import?update_existing=1&dry_run=true", e.adminToken, xlsx, bytes.NewReader(file.Bytes()))
	want(t, r, http.StatusOK)
	if rep := decode[importReportBody](t, r); !rep.DryRun || rep.Created != 1 || rep.Updated != 1 || rep.Format != "xlsx" {
		t.Errorf("dry run %s", r.Body)
	}
	if u := e.getUser(t, old.ID); u.LastName != "Old" {
		t.Errorf("the dry run changed anna: %+v", u)
	}

	r = e.doRaw(t, "POST", "/api/v1/users/import?update_existing=1", e.adminToken, xlsx, bytes.NewReader(file.Bytes()))
	want(t, r, http.StatusOK)
	if rep := decode[importReportBody](t, r); rep.DryRun || rep.Created != 1 || rep.Updated != 1 || rep.Invitations != nil {
		t.Errorf("import %s", r.Body)
	}
	u := e.getUser(t, old.ID)
	if u.LastName != "New" || str(u.Phone) != "+79051111111" || str(u.Email) != "anna@example.com" {
		t.Errorf("anna after the update: %+v", u)
	}
}

func TestImportRefusals(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t, userimport.Limits{MaxBytes: 2000, MaxRows: 5})
	valid := "login,first_name,last_name\r\nivan,Ivan,Ivanov\r\n"
	users := func() int {
		r := e.do(t, "GET", "/api/v1/users?limit=1", e.adminToken, nil)
		want(t, r, http.StatusOK)
		return decode[userListBody](t, r).Total
	}
	before := users()
	for _, c := range []struct {
		name, query, contentType, body string
		status                         int
		code, field                    string
	}{
		{"malformed CSV", "", "text/csv", valid + "bad,\"Ivan,X\r\n", 400, "malformed_file", "file"},
		{"no usable header", "", "text/csv", "a;b\r\n1;2\r\n", 400, "missing_column", "file"},
		{"JSON", "", "application/json", `{"file": "x"}`, 400, "unsupported_media_type", "file"},
		{"too large", "", "text/csv", valid + strings.Repeat("x", 2000), 413, "file_too_large", "file"},
		{"too many rows", "", "text/csv", valid + strings.Repeat("u,U,U\r\n", 5), 413, "too_many_rows", "file"},
		{"bad flag", "?dry_run=maybe", "text/csv", valid, 400, "invalid_dry_run", "dry_run"},
		{"bad charset", "?charset=koi8-r", "text/csv", valid, 400, "invalid_charset", "charset"},
		{"empty", "", "text/csv", "", 400, "empty_file", "file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.doRaw(t, "POST", "/api/v1/users/import"+c.query, e.adminToken, c.contentType, strings.NewReader(c.body))
			wantError(t, r, c.status, c.code, c.field)
		})
	}
	t.Run("multipart without a file", func(t *testing.T) {
		ct, body := form(t, map[string]string{"dry_run": "1"}, "", "", nil)
		wantError(t, e.doRaw(t, "POST", "/api/v1/users/import", e.adminToken, ct, body), 400, "required", "file")
	})
	t.Run("multipart too large", func(t *testing.T) {
		ct, body := form(t, nil, "big.csv", "text/csv", []byte(valid+strings.Repeat("x", 2000)))
		wantError(t, e.doRaw(t, "POST", "/api/v1/users/import", e.adminToken, ct, body), 413, "file_too_large", "file")
	})
	t.Run("not signed in", func(t *testing.T) {
		wantError(t, e.doRaw(t, "POST", "/api/v1/users/import", "", "text/csv", strings.NewReader(valid)), 401, "unauthorized", "")
	})
	if n := users(); n != before {
		t.Errorf("%d users after refused imports, want %d", n, before)
	}
}

type importJobBody struct {
	ID         int64             `json:"import_id"`
	URL        string            `json:"url"`
	State      string            `json:"state"`
	Phase      string            `json:"phase"`
	FileName   *string           `json:"file_name"`
	BytesRead  int64             `json:"bytes_read"`
	BytesTotal int64             `json:"bytes_total"`
	RowsRead   int               `json:"rows_read"`
	Report     *importReportBody `json:"report"`
	Error      *reasonBody       `json:"error"`
}

func TestImportAsync(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t, userimport.Limits{})
	var file strings.Builder
	file.WriteString("login;first_name;last_name;email\r\n")
	for i := range 3000 {
		file.WriteString("user" + strconv.Itoa(i) + ";First;Last;user" + strconv.Itoa(i) + "@example.com\r\n")
	}
	ct, body := form(t, map[string]string{"async": "1"}, "staff.csv", "text/csv", []byte(file.String()))
	r := e.doRaw(t, "POST", "/api/v1/users/import", e.adminToken, ct, body)
	want(t, r, http.StatusAccepted)
	job := decode[importJobBody](t, r)
	if job.ID == 0 || r.Header.Get("Location") != job.URL || job.URL != "/api/v1/users/imports/"+strconv.FormatInt(job.ID, 10) ||
		job.State != "queued" || str(job.FileName) != "staff.csv" || job.BytesTotal != int64(file.Len()) {
		t.Fatalf("202 %s (Location %q)", r.Body, r.Header.Get("Location"))
	}
	deadline := time.Now().Add(time.Minute)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for job.State == "queued" || job.State == "running" {
		if time.Now().After(deadline) {
			t.Fatalf("import still %s after a minute", job.State)
		}
		<-tick.C
		r = e.do(t, "GET", job.URL, e.adminToken, nil)
		want(t, r, http.StatusOK)
		job = decode[importJobBody](t, r)
		if job.BytesRead > job.BytesTotal || job.RowsRead > 3000 {
			t.Errorf("progress past the end: %s", r.Body)
		}
	}
	if job.State != "done" || job.Report == nil || job.Report.Created != 3000 || job.RowsRead != 3000 || job.Error != nil || job.Phase != "done" {
		t.Fatalf("import ended %s", r.Body)
	}
	// Only its admin and super admins follow it.
	other := e.createAccount(t, "other-admin", "other-Password-1234", invite.RoleAdmin)
	wantError(t, e.do(t, "GET", job.URL, e.session(t, other), nil), 404, "not_found", "")
	want(t, e.do(t, "GET", job.URL, e.rootToken, nil), http.StatusOK)
	wantError(t, e.do(t, "GET", "/api/v1/users/imports/0", e.adminToken, nil), 400, "invalid_id", "id")
	wantError(t, e.do(t, "GET", "/api/v1/users/imports/99999", e.adminToken, nil), 404, "not_found", "")
}
