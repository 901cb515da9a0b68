package app_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserImport: an HR file is checked (dry run), then imported with
// "Send invitation"; the report names the bad rows, and the invitations
// are followed to the end. The table exports what it shows.
func TestBrowserImport(t *testing.T) {
	t.Parallel()
	s := startService(t, options{})
	logsOnFailure(t, s)
	// Russian headers, semicolons, a quoted field with the delimiter, a row
	// that cannot be imported and one whose phone has no country code.
	csv := "\ufeffЛогин;Имя;Фамилия;Почта;Телефон\r\n" +
		"ivanov;Иван;Иванов;ivanov@example.com;\r\n" +
		"petrova;\"Анна; Мария\";Петрова;;+7 905 222-33-44\r\n" +
		";Без;Логина;;\r\n" +
		"sidorov;Пётр;Сидоров;;9051111111\r\n"
	file := filepath.Join(t.TempDir(), "staff.csv")
	if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, s.API, 1280, 900)
	b.signIn("admin", adminPassword, "/users")
	b.do("open import", chromedp.Click(chromedp.CSS(`nav a[href="/import"]`)))
	b.waitPage("/import")
	b.do("check the file",
		chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{file}),
		chromedp.Click(chromedp.ID("send-invitation-box")),
		chromedp.Click(chromedp.ID("import-check")))
	b.waitFor("the check's report", `document.getElementById('import-report') !== null`, 60*time.Second)
	b.screenshot("15-import-check")
	report := func() map[string]string {
		out := map[string]string{}
		for _, k := range []string{"rows", "created", "failed", "warned"} {
			out[k] = b.text(`[data-report="` + k + `"]`)
		}
		return out
	}
	if got := report(); got["rows"] != "4" || got["created"] != "3" || got["failed"] != "1" || got["warned"] != "1" {
		t.Fatalf("check report %v", got)
	}
	// The row without a login fails on its line; the phone without a
	// country code is a warning on the last line.
	lines := b.texts("table.issues tbody td:first-child")
	kinds := b.texts("table.issues tbody td:nth-child(3)")
	reasons := b.texts("table.issues tbody td:nth-child(4)")
	if !slices.Equal(lines, []string{"4", "5"}) || !slices.Equal(kinds, []string{"Not imported", "Warning"}) ||
		!strings.Contains(reasons[1], "no country code") {
		t.Fatalf("issues: lines %v, kinds %v, reasons %v", lines, kinds, reasons)
	}
	var before int
	if err := s.DB.DB.Get(&before, `SELECT count(*) FROM users`); err != nil || before != 1 {
		t.Fatalf("the check wrote users: %d (%v)", before, err)
	}
	// The form below the check keeps its choices and the checked file:
	// "Import this file" imports it without choosing it again.
	if !eval[bool](b, `document.getElementById('send-invitation-box').checked`) {
		t.Fatal(`"Send invitation" was not kept for the import`)
	}
	if got := b.text("#import-run"); got != "Import this file" || !strings.Contains(b.text("#kept-file"), "staff.csv") {
		t.Fatalf("the check does not offer its file: button %q", got)
	}
	b.do("import", chromedp.Click(chromedp.ID("import-run")))
	b.waitFor("the import's report", `document.getElementById('import-report') !== null && document.getElementById('dry-run-note') === null`, 60*time.Second)
	b.screenshot("16-import-done")
	if got := report(); got["created"] != "3" || got["failed"] != "1" {
		t.Fatalf("import report %v", got)
	}
	if got := b.text("#import-invitations"); !strings.Contains(got, "2 queued, 1 refused") {
		t.Fatalf("invitations: %q", got)
	}
	b.do("follow the invitations", chromedp.Click(chromedp.CSS(`#import-invitations a`)))
	b.waitPage("/users?batch=")
	b.waitFor("the batch to end", `document.getElementById('batch-progress').classList.contains('done')`, 60*time.Second)
	if got := b.text(`[data-count="invited"]`); got != "2" {
		t.Fatalf("invited %s", got)
	}

	// The export button downloads the table as filtered.
	b.open("/users?status=invited")
	href := eval[string](b, `document.getElementById('export-csv').getAttribute('href')`)
	if !strings.Contains(href, "invite_status=invited") || !strings.Contains(href, "format=csv") {
		t.Fatalf("export link %q", href)
	}
	if st := b.fetchStatus("GET", href); st != 200 {
		t.Fatalf("export answered %d", st)
	}
	csvOut := b.fetchText(href)
	if !strings.Contains(csvOut, "ivanov@example.com") || !strings.Contains(csvOut, "petrova") || strings.Contains(csvOut, "sidorov") {
		t.Fatalf("the export of invited users:\n%s", csvOut)
	}
}
