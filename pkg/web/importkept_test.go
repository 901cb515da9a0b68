package web

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/userimport"
)

// importEnv is an env whose UI imports files and keeps checked ones.
func importEnv(t *testing.T, keepMax int) *env {
	t.Helper()
	return newEnvWith(t, func(d *Deps) {
		im := userimport.New(userimport.Config{Store: d.Store.(userimport.Store), Jobs: d.Store.(userimport.JobStore), Inviter: d.Inviter.(userimport.Inviter)})
		t.Cleanup(func() { im.Shutdown(t.Context()) })
		d.Imports, d.Uploads, d.UploadTTL, d.UploadMax = im, d.Store.(UploadStore), time.Hour, keepMax
	})
}

// upload posts the import form with a file, as the page does.
func (c *client) upload(fields map[string]string, name, content string) response {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField(csrfField, c.token()) //nolint:errcheck // a bytes.Buffer
	for k, v := range fields {
		mw.WriteField(k, v) //nolint:errcheck // a bytes.Buffer
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		c.t.Fatal(err)
	}
	fw.Write([]byte(content)) //nolint:errcheck // a bytes.Buffer
	mw.Close()                //nolint:errcheck // a bytes.Buffer
	req, err := http.NewRequestWithContext(c.t.Context(), "POST", c.e.srv.URL+"/import", &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

// waitReport polls an import's page until it shows its report.
func (c *client) waitReport(path string) response {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := c.get(path)
		if strings.Contains(r.body, `id="import-report"`) {
			return r
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("no report at %s:\n%s", path, r.body)
		}
		time.Sleep(50 * time.Millisecond) // poll interval
	}
}

// TestImportThisFileAfterACheck: a dry run keeps the file; "Import this
// file" imports it without a second upload, once, and only for the admin
// who uploaded it; a forgotten file asks for the file again. The report
// speaks the page's language and names columns as the pages do.
func TestImportThisFileAfterACheck(t *testing.T) {
	t.Parallel()
	e := importEnv(t, 2)
	root := e.as(t, e.rootID)
	csv := "login,first_name,last_name,email\r\nanna,Anna,Ivanova,anna@example.com\r\nboris,Boris,,boris@example.com\r\n"
	r := root.upload(map[string]string{"mode": "dry_run"}, "staff.csv", csv)
	want(t, r, http.StatusSeeOther)
	m := regexp.MustCompile(`^/import/(\d+)\?kept=(\d+)$`).FindStringSubmatch(r.location())
	if m == nil {
		t.Fatalf("the check leads to %q, not to its job with the kept file", r.location())
	}
	kept := m[2]
	job := root.waitReport(r.location() + "&lang=ru")
	wantContains(t, job.body, `name="kept" value="`+kept+`"`, "Импортировать этот файл", "staff.csv", "Не указана фамилия.")
	for _, internal := range []string{"last_name is required", "with update_existing", "is required."} {
		if strings.Contains(job.body, internal) {
			t.Errorf("the Russian report shows %q", internal)
		}
	}
	if e.userCount(t) != 1 {
		t.Fatal("the check imported users")
	}

	// Another admin cannot use the file.
	adam := e.as(t, e.createAccount(t, "adam", "adam-Password-1234", invite.RoleAdmin))
	want(t, adam.submit("/import", mapValues("mode", "import", "kept", kept)), http.StatusGone)

	r = root.submit("/import", mapValues("mode", "import", "kept", kept))
	want(t, r, http.StatusSeeOther)
	done := root.waitReport(r.location())
	wantContains(t, done.body, `data-report="created">1<`)
	if n := e.userCount(t); n != 3 { // root, adam, anna
		t.Fatalf("%d users after the import, want 3", n)
	}
	// Imported, the file is forgotten.
	r = root.submit("/import", mapValues("mode", "import", "kept", kept))
	want(t, r, http.StatusGone)
	wantContains(t, r.body, "больше не хранится") // the page remembers the language

	// At most two files are kept: the oldest goes; an expired one too.
	for range 3 {
		want(t, root.upload(map[string]string{"mode": "dry_run"}, "staff.csv", csv), http.StatusSeeOther)
	}
	var n int
	if err := e.db.Get(&n, `SELECT count(*) FROM kept_import_files`); err != nil || n != 2 {
		t.Fatalf("%d kept files (%v), want 2", n, err)
	}
	var newest string
	if err := e.db.Get(&newest, `UPDATE kept_import_files SET expires_at = now() - interval '1 second'
		WHERE id = (SELECT max(id) FROM kept_import_files) RETURNING id::text`); err != nil {
		t.Fatal(err)
	}
	want(t, root.submit("/import", mapValues("mode", "import", "kept", newest)), http.StatusGone)
}

func mapValues(kv ...string) map[string][]string {
	out := map[string][]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = []string{kv[i+1]}
	}
	return out
}
