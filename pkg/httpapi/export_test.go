package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/inviter/inviter/pkg/userimport"
)

// download GETs a file; the export answers CSV or XLSX, not JSON, so it
// does not go through e.send (which checks for JSON).
func download(t *testing.T, e *env, path, token string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", e.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	e.checkNoSecrets(t, reply{Method: "GET", Path: path, Status: resp.StatusCode, Body: b})
	return resp, b
}

var exportHeader = []string{"id", "login", "first_name", "last_name", "email", "phone", "locale", "role",
	"invite_status", "user_invited", "invite_error_code", "invite_error_message", "invited_at", "created_at"}

// hostile creates users whose cells a spreadsheet would run as formulas.
func hostile(t *testing.T, e *env) {
	t.Helper()
	e.createUser(t, map[string]any{"login": "formula", "first_name": `=HYPERLINK("http://evil.example","click")`,
		"last_name": "+1+1", "email": "@SUM(A1)", "phone": "+7 905 111-11-11"})
	e.createUser(t, map[string]any{"login": "-minus", "first_name": "\tTab", "last_name": "Кириллица, \"кавычки\"; и точка с запятой"})
}

// wantNeutralised checks a hostile user's row in an export.
func wantNeutralised(t *testing.T, rows [][]string) {
	t.Helper()
	col := func(name string) int { return slices.Index(exportHeader, name) }
	found := 0
	for _, r := range rows[1:] {
		for _, c := range r {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				t.Errorf("cell %q starts a formula (row %v)", c, r)
			}
		}
		switch r[col("login")] {
		case "formula":
			found++
			want := []string{`'=HYPERLINK("http://evil.example","click")`, "'+1+1", "'@SUM(A1)", "'+79051111111"}
			got := []string{r[col("first_name")], r[col("last_name")], r[col("email")], r[col("phone")]}
			if !slices.Equal(got, want) {
				t.Errorf("formula row %q, want %q", got, want)
			}
		case "'-minus":
			found++
			if r[col("first_name")] != "Tab" && r[col("first_name")] != "'\tTab" {
				t.Errorf("tab row %q", r)
			}
			if r[col("last_name")] != "Кириллица, \"кавычки\"; и точка с запятой" {
				t.Errorf("last name %q", r[col("last_name")])
			}
		}
	}
	if found != 2 {
		t.Errorf("found %d of the 2 hostile rows in %v", found, rows)
	}
}

func TestExportCSV(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	hostile(t, e)
	// More users than one page of the export, to cross pages.
	for i := range 1100 {
		e.createUser(t, map[string]any{"login": fmt.Sprintf("bulk%04d", i), "first_name": "Bulk", "last_name": "User",
			"email": fmt.Sprintf("bulk%d@example.com", i)})
	}

	resp, body := download(t, e, "/api/v1/users/export", e.adminToken)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="users-`) {
		t.Fatalf("GET export: %d %v", resp.StatusCode, resp.Header)
	}
	if !bytes.HasPrefix(body, []byte("\xEF\xBB\xBF")) {
		t.Error("the CSV has no byte order mark; Excel would misread the Cyrillic")
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], exportHeader) {
		t.Errorf("header %q", rows[0])
	}
	if len(rows) != 1+1100+2+2 { // header, bulk, hostile, root and admin
		t.Errorf("%d rows, want %d", len(rows), 1+1100+2+2)
	}
	ids := map[string]bool{}
	prev := int64(0)
	for _, r := range rows[1:] {
		id, err := strconv.ParseInt(r[0], 10, 64)
		if err != nil || id <= prev || ids[r[0]] {
			t.Fatalf("row %q after id %d: ids must rise, once each", r, prev)
		}
		ids[r[0]], prev = true, id
	}
	wantNeutralised(t, rows)

	// The list's filters apply, and the semicolon for Russian Excel.
	_, body = download(t, e, "/api/v1/users/export?q=bulk00&delimiter=semicolon", e.adminToken)
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\xEF\xBB\xBF"))))
	r.Comma = ';'
	rows, err = r.ReadAll()
	if err != nil || len(rows) != 1+100 {
		t.Errorf("filtered export: %d rows, %v; want the 100 users bulk00xx", len(rows), err)
	}
}

func TestExportXLSX(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	hostile(t, e)
	resp, body := download(t, e, "/api/v1/users/export?format=xlsx&sort=login", e.adminToken)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("GET export: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || !slices.Equal(rows[0], exportHeader) {
		t.Fatalf("rows %q", rows)
	}
	for i := range rows[1:] { // spreadsheets drop trailing empty cells
		rows[i+1] = append(rows[i+1], make([]string, len(exportHeader)-len(rows[i+1]))...)
	}
	wantNeutralised(t, rows)
	// No cell is a formula.
	for r := 1; r <= len(rows); r++ {
		for c := 1; c <= len(exportHeader); c++ {
			cell, _ := excelize.CoordinatesToCellName(c, r)
			if fm, _ := f.GetCellFormula(f.GetSheetList()[0], cell); fm != "" {
				t.Errorf("cell %s holds the formula %q", cell, fm)
			}
		}
	}
}

func TestExportRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, c := range []struct{ query, code, field string }{
		{"format=pdf", "invalid_format", "format"},
		{"delimiter=tab", "invalid_delimiter", "delimiter"},
		{"invite_status=maybe", "invalid_invite_status", "invite_status"},
	} {
		wantError(t, e.do(t, "GET", "/api/v1/users/export?"+c.query, e.adminToken, nil), 400, c.code, c.field)
	}
	wantError(t, e.do(t, "GET", "/api/v1/users/export", "", nil), 401, "unauthorized", "")
	wantError(t, e.do(t, "POST", "/api/v1/users/export", e.adminToken, "{}"), 405, "method_not_allowed", "")
}

// An exported file imports again as it is: every user unchanged, the
// neutralised cells read back, the extra columns quietly ignored.
func TestExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t, userimport.Limits{})
	hostile(t, e)
	e.createUser(t, map[string]any{"login": "olga", "first_name": "Ольга", "last_name": "Петрова", "phone": "9051111111"})
	for _, format := range []string{"csv", "xlsx"} {
		_, file := download(t, e, "/api/v1/users/export?format="+format+"&invite_status=not_invited", e.adminToken)
		r := e.doRaw(t, "POST", "/api/v1/users/import?update_existing=1", e.adminToken, "", bytes.NewReader(file))
		want(t, r, http.StatusOK)
		rep := decode[importReportBody](t, r)
		// root and admin are administrators: unchanged as well.
		if rep.Rows != 5 || rep.Unchanged != 5 || rep.Created+rep.Updated+rep.Failed != 0 {
			t.Errorf("%s round trip: %s", format, r.Body)
		}
		for _, is := range rep.Issues {
			if is.Code == "unknown_column" {
				t.Errorf("%s round trip: the export's own column %q is reported unknown", format, is.Header)
			}
		}
	}
}
