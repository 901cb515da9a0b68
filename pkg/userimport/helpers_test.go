package userimport_test

import (
	"bytes"
	"encoding/csv"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/tasks"
	"github.com/inviter/inviter/pkg/testenv"
	"github.com/inviter/inviter/pkg/userimport"
)

// fixture is an Importer over a test's own database.
type fixture struct {
	im    *userimport.Importer
	store *postgres.Store
	db    *testenv.Database
	admin int64
}

// newFixture builds an Importer the way pkg/app does; with invitations it
// enqueues into a test Redis database.
func newFixture(t testing.TB, limits userimport.Limits, invitations bool) *fixture {
	t.Helper()
	db := testenv.NewDatabase(t)
	store := postgres.NewStore(db.DB)
	log := slog.New(slog.DiscardHandler)
	var inviter userimport.Inviter
	if invitations {
		r := testenv.NewRedis(t)
		rc := redis.NewClient(&redis.Options{Addr: r.Addr, DB: r.DB})
		t.Cleanup(func() { rc.Close() })
		inviter = invite.NewInviter(store, tasks.NewEnqueuer(rc, tasks.Options{MaxRetry: 3, Timeout: time.Minute}, 4), log)
	}
	admin, err := store.CreateUser(t.Context(), invite.NewUser{Login: "boss", FirstName: "Big", LastName: "Boss", Role: invite.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	im := userimport.New(userimport.Config{Store: store, Jobs: store, Inviter: inviter, Limits: limits, Log: log, TempDir: t.TempDir()})
	t.Cleanup(func() { im.Shutdown(t.Context()) })
	return &fixture{im: im, store: store, db: db, admin: admin.ID}
}

// run imports a file and fails the test on an error.
func (f *fixture) run(t *testing.T, file []byte, opts userimport.Options) userimport.Report {
	t.Helper()
	opts.RequestedBy = f.admin
	rep, err := f.im.Import(t.Context(), bytes.NewReader(file), "", opts, nil)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return rep
}

// users returns the stored non-admin users by login.
func (f *fixture) users(t *testing.T) map[string]invite.User {
	t.Helper()
	page, err := f.store.ListUsers(t.Context(), invite.UserFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]invite.User{}
	for _, u := range page.Items {
		if u.Role == invite.RoleUser {
			out[u.Login] = u
		}
	}
	return out
}

// count returns the number of rows of a table.
func (f *fixture) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := f.db.DB.Get(&n, "SELECT count(*) FROM "+table); err != nil {
		t.Fatal(err)
	}
	return n
}

// csvFile writes rows as CSV with a delimiter, as Excel would.
func csvFile(t testing.TB, delim rune, rows ...[]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma = delim
	w.UseCRLF = true
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withBOM prefixes the UTF-8 byte order mark (Excel's "CSV UTF-8").
func withBOM(b []byte) []byte { return append([]byte("\xEF\xBB\xBF"), b...) }

// cp1251 encodes UTF-8 text as Windows-1251 (Russian Excel's plain "CSV").
func cp1251(t testing.TB, b []byte) []byte {
	t.Helper()
	out, err := charmap.Windows1251.NewEncoder().Bytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// xlsxFile writes rows to the first sheet of a workbook; cells that parse
// as whole numbers are written as numbers, as a typed phone number would be.
func xlsxFile(t testing.TB, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// issue finds the issue of a line with a code.
func issue(rep userimport.Report, line int, code string) (userimport.Issue, bool) {
	for _, is := range rep.Issues {
		if is.Line == line && is.Code == code {
			return is, true
		}
	}
	return userimport.Issue{}, false
}

// wantCounts checks the counters of a report.
func wantCounts(t *testing.T, rep userimport.Report, created, updated, unchanged, failed int) {
	t.Helper()
	if rep.Created != created || rep.Updated != updated || rep.Unchanged != unchanged || rep.Failed != failed {
		t.Errorf("created %d updated %d unchanged %d failed %d; want %d %d %d %d\nissues: %s",
			rep.Created, rep.Updated, rep.Unchanged, rep.Failed, created, updated, unchanged, failed, issues(rep))
	}
}

func issues(rep userimport.Report) string {
	var b strings.Builder
	for _, is := range rep.Issues {
		b.WriteString("\n  ")
		b.WriteString(strings.Join([]string{strconv.Itoa(is.Line), is.Column, string(is.Severity), is.Code, is.Message}, " | "))
	}
	return b.String()
}
