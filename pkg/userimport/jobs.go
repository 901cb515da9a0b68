package userimport

import (
	"context"
	"time"

	"github.com/inviter/inviter/pkg/invite"
)

// JobState is where a background import is.
type JobState string

// The states. A job that stops sending heartbeats (its replica died) reads
// as failed with the code "interrupted".
const (
	JobQueued  JobState = "queued" // waiting for a free slot on its replica
	JobRunning JobState = "running"
	JobDone    JobState = "done"
	JobFailed  JobState = "failed"
)

// Job is a background import as the admin follows it.
type Job struct {
	ID          int64
	RequestedBy int64
	State       JobState
	Options     Options
	Progress    Progress
	Report      *Report        // when done
	Error       *invite.Reason // when failed: why (nothing was imported)
	CreatedAt   time.Time
	UpdatedAt   time.Time // the last heartbeat while queued or running
	FinishedAt  *time.Time
}

// VisibleTo reports whether a user may follow the job: the admin who
// started it, and super admins.
func (j Job) VisibleTo(userID int64, role invite.Role) bool {
	return j.RequestedBy == userID || role == invite.RoleSuperAdmin
}

// JobStore keeps background imports in PostgreSQL, so that any replica can
// tell how one is going.
type JobStore interface {
	CreateImportJob(ctx context.Context, opts Options) (Job, error)
	// UpdateImportJob records the state and progress, and is the
	// heartbeat: it sets UpdatedAt.
	UpdateImportJob(ctx context.Context, id int64, state JobState, p Progress) error
	// FinishImportJob records the end: a report, or the reason it failed.
	FinishImportJob(ctx context.Context, id int64, rep *Report, failure *invite.Reason) error
	ImportJob(ctx context.Context, id int64) (Job, error)
}

// Heartbeats: a queued or running job writes at least every heartbeatEvery,
// and one silent for staleAfter is taken for dead.
const (
	heartbeatEvery = 5 * time.Second
	staleAfter     = time.Minute
	progressWrite  = 500 * time.Millisecond // at most this often
)

// Job returns the background import id. A job whose replica stopped without
// recording its end reads as failed: its transaction was rolled back with
// the connection, so nothing of it was imported, unless it had reached the
// invitations, which come after the commit.
func (im *Importer) Job(ctx context.Context, id int64) (Job, error) {
	if im.jobs == nil {
		return Job{}, errNoJobs
	}
	j, err := im.jobs.ImportJob(ctx, id)
	if err != nil {
		return j, err
	}
	if (j.State == JobQueued || j.State == JobRunning) && time.Since(j.UpdatedAt) > staleAfter {
		j.State = JobFailed
		j.Error = &invite.Reason{Code: "interrupted",
			Message: "The import stopped when its server did; nothing of it was imported. Import the file again."}
		if j.Progress.Phase == PhaseInviting {
			// The users were committed before the invitations began.
			j.Error.Message = "The import's server stopped while it was sending the invitations: the users are imported, " +
				"but some may not be invited. Select them in the user table and send the invitation."
		}
	}
	return j, nil
}

var errNoJobs = invite.Errorf(invite.KindUnavailable, "unavailable", "background imports are not available here")
