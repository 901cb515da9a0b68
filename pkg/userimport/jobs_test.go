package userimport_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/userimport"
)

// waitJob polls a background import until it ends.
func waitJob(t *testing.T, f *fixture, id int64) userimport.Job {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		j, err := f.im.Job(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == userimport.JobDone || j.State == userimport.JobFailed {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("import %d still %s after a minute: %+v", id, j.State, j.Progress)
		}
		<-tick.C
	}
}

func TestBackgroundImport(t *testing.T) {
	t.Parallel()
	f := newFixture(t, userimport.Limits{MaxBytes: 10_000}, false)
	file := cp1251(t, csvFile(t, ';', people(true)...))
	job, err := f.im.Start(t.Context(), bytes.NewReader(file), "text/csv",
		userimport.Options{RequestedBy: f.admin, FileName: "сотрудники.csv"})
	if err != nil {
		t.Fatal(err)
	}
	if job.ID == 0 || job.State != userimport.JobQueued || job.Options.Size != int64(len(file)) {
		t.Errorf("started %+v", job)
	}
	done := waitJob(t, f, job.ID)
	if done.State != userimport.JobDone || done.Report == nil || done.Error != nil || done.FinishedAt == nil {
		t.Fatalf("import ended %+v", done)
	}
	if done.Report.Created != 3 || done.Report.Charset != "windows-1251" || done.Options.FileName != "сотрудники.csv" {
		t.Errorf("report %+v options %+v", done.Report, done.Options)
	}
	if p := done.Progress; p.Phase != userimport.PhaseDone || p.RowsRead != 3 || p.BytesRead != int64(len(file)) || p.BytesTotal != int64(len(file)) {
		t.Errorf("final progress %+v", p)
	}
	if !done.VisibleTo(f.admin, invite.RoleAdmin) || done.VisibleTo(f.admin+1, invite.RoleAdmin) || !done.VisibleTo(f.admin+1, invite.RoleSuperAdmin) {
		t.Error("an import is visible to its admin and to super admins only")
	}
	if len(f.users(t)) != 3 {
		t.Errorf("users after the import: %v", keys(f.users(t)))
	}
}

func TestBackgroundImportFailures(t *testing.T) {
	t.Parallel()
	f := newFixture(t, userimport.Limits{MaxBytes: 1000}, false)

	// Over the size limit: refused before a job exists.
	big := bytes.Repeat([]byte("x"), 1001)
	if _, err := f.im.Start(t.Context(), bytes.NewReader(big), "text/csv", userimport.Options{RequestedBy: f.admin}); invite.KindOf(err) != invite.KindTooLarge {
		t.Errorf("oversized upload: %v", err)
	}
	if n := f.count(t, "user_imports"); n != 0 {
		t.Errorf("%d imports recorded for a refused upload", n)
	}

	// A file that turns out malformed: the job fails with the reason.
	job, err := f.im.Start(t.Context(), bytes.NewReader([]byte("login,first_name,last_name\r\nivan,\"Ivan,X\r\n")), "text/csv",
		userimport.Options{RequestedBy: f.admin})
	if err != nil {
		t.Fatal(err)
	}
	failed := waitJob(t, f, job.ID)
	if failed.State != userimport.JobFailed || failed.Error == nil || failed.Error.Code != "malformed_file" || failed.Report != nil {
		t.Errorf("malformed file: %+v, error %+v", failed, failed.Error)
	}
	if len(f.users(t)) != 0 {
		t.Error("a failed import left users")
	}

	// A job whose replica died (no heartbeat for long) reads as failed.
	var id int64
	if err := f.db.DB.Get(&id, `INSERT INTO user_imports (requested_by, state, options, updated_at)
		VALUES ($1, 'running', '{}', now() - interval '10 minutes') RETURNING id`, f.admin); err != nil {
		t.Fatal(err)
	}
	stale, err := f.im.Job(t.Context(), id)
	if err != nil || stale.State != userimport.JobFailed || stale.Error == nil || stale.Error.Code != "interrupted" {
		t.Errorf("stale job: %+v %v", stale, err)
	}
	if !strings.Contains(stale.Error.Message, "nothing of it was imported") {
		t.Errorf("stale job before its invitations: %q", stale.Error.Message)
	}
	// One that died while inviting had committed its users: it says so.
	if err := f.db.DB.Get(&id, `INSERT INTO user_imports (requested_by, state, phase, options, updated_at)
		VALUES ($1, 'running', 'inviting', '{}', now() - interval '10 minutes') RETURNING id`, f.admin); err != nil {
		t.Fatal(err)
	}
	inviting, err := f.im.Job(t.Context(), id)
	if err != nil || inviting.Error == nil || !strings.Contains(inviting.Error.Message, "the users are imported") {
		t.Errorf("stale job in its invitations: %+v %v", inviting.Error, err)
	}
	if _, err := f.im.Job(t.Context(), id+100); invite.KindOf(err) != invite.KindNotFound {
		t.Errorf("unknown job: %v", err)
	}
}
