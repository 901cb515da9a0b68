package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/userimport"
)

var _ userimport.JobStore = (*Store)(nil)

// jobOptions is the options column: what the admin chose, not the file.
type jobOptions struct {
	SendInvitation bool   `json:"send_invitation"`
	UpdateExisting bool   `json:"update_existing"`
	DryRun         bool   `json:"dry_run"`
	Charset        string `json:"charset,omitempty"`
	FileName       string `json:"file_name,omitempty"`
}

// CreateImportJob records a background import, queued.
func (s *Store) CreateImportJob(ctx context.Context, o userimport.Options) (userimport.Job, error) {
	opts, err := json.Marshal(jobOptions{SendInvitation: o.SendInvitation, UpdateExisting: o.UpdateExisting,
		DryRun: o.DryRun, Charset: o.Charset, FileName: o.FileName})
	if err != nil {
		return userimport.Job{}, fmt.Errorf("postgres: create import: %w", err)
	}
	var id int64
	err = s.db.GetContext(ctx, &id, `
		INSERT INTO user_imports (requested_by, options, bytes_total) VALUES ($1, $2, $3) RETURNING id`,
		sql.NullInt64{Int64: o.RequestedBy, Valid: o.RequestedBy > 0}, string(opts), o.Size)
	if err != nil {
		return userimport.Job{}, translate("create import", err)
	}
	return s.ImportJob(ctx, id)
}

// UpdateImportJob records progress of an import that has not ended.
func (s *Store) UpdateImportJob(ctx context.Context, id int64, state userimport.JobState, p userimport.Progress) error {
	_, err := s.db.ExecContext(ctx, `
		UPDATE user_imports SET state = $2, phase = $3, bytes_read = $4, rows_read = $5, updated_at = now()
		WHERE id = $1 AND state IN ('queued', 'running')`,
		id, string(state), string(p.Phase), p.BytesRead, p.RowsRead)
	return translate("update import", err)
}

// FinishImportJob records the end of an import: done with its report, or
// failed with the reason.
func (s *Store) FinishImportJob(ctx context.Context, id int64, rep *userimport.Report, failure *invite.Reason) error {
	state, phase := userimport.JobDone, userimport.PhaseDone
	var code, msg, report sql.NullString // JSON goes as text: lib/pq sends []byte as bytea
	if failure != nil {
		state, phase = userimport.JobFailed, ""
		code, msg = nullString(failure.Code), nullString(failure.Message)
	}
	if rep != nil {
		b, err := json.Marshal(rep)
		if err != nil {
			return fmt.Errorf("postgres: finish import %d: %w", id, err)
		}
		report = sql.NullString{String: string(b), Valid: true}
	}
	_, err := s.db.ExecContext(ctx, `
		UPDATE user_imports SET state = $2, phase = $3, report = $4, error_code = $5, error_message = $6,
		       rows_read = CASE WHEN $4::jsonb IS NULL THEN rows_read ELSE ($4::jsonb ->> 'rows')::integer END,
		       bytes_read = CASE WHEN $4::jsonb IS NULL THEN bytes_read ELSE bytes_total END,
		       updated_at = now(), finished_at = now()
		WHERE id = $1`, id, string(state), string(phase), report, code, msg)
	return translate(fmt.Sprintf("finish import %d", id), err)
}

type importJobRow struct {
	ID           int64          `db:"id"`
	RequestedBy  sql.NullInt64  `db:"requested_by"`
	State        string         `db:"state"`
	Options      []byte         `db:"options"`
	Phase        string         `db:"phase"`
	BytesRead    int64          `db:"bytes_read"`
	BytesTotal   int64          `db:"bytes_total"`
	RowsRead     int            `db:"rows_read"`
	Report       []byte         `db:"report"`
	ErrorCode    sql.NullString `db:"error_code"`
	ErrorMessage sql.NullString `db:"error_message"`
	CreatedAt    time.Time      `db:"created_at"`
	UpdatedAt    time.Time      `db:"updated_at"`
	FinishedAt   *time.Time     `db:"finished_at"`
}

// ImportJob returns a background import.
func (s *Store) ImportJob(ctx context.Context, id int64) (userimport.Job, error) {
	var r importJobRow
	err := s.db.GetContext(ctx, &r, `
		SELECT id, requested_by, state, options, phase, bytes_read, bytes_total, rows_read, report,
		       error_code, error_message, created_at, updated_at, finished_at
		FROM user_imports WHERE id = $1`, id)
	if err != nil {
		return userimport.Job{}, translate(fmt.Sprintf("get import %d", id), err)
	}
	var o jobOptions
	if err := json.Unmarshal(r.Options, &o); err != nil {
		return userimport.Job{}, fmt.Errorf("postgres: import %d options: %w", id, err)
	}
	j := userimport.Job{
		ID: r.ID, RequestedBy: r.RequestedBy.Int64, State: userimport.JobState(r.State),
		Options: userimport.Options{SendInvitation: o.SendInvitation, UpdateExisting: o.UpdateExisting, DryRun: o.DryRun,
			Charset: o.Charset, FileName: o.FileName, Size: r.BytesTotal, RequestedBy: r.RequestedBy.Int64},
		Progress:  userimport.Progress{Phase: userimport.Phase(r.Phase), BytesRead: r.BytesRead, BytesTotal: r.BytesTotal, RowsRead: r.RowsRead},
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, FinishedAt: r.FinishedAt,
	}
	if r.Report != nil {
		j.Report = &userimport.Report{}
		if err := json.Unmarshal(r.Report, j.Report); err != nil {
			return userimport.Job{}, fmt.Errorf("postgres: import %d report: %w", id, err)
		}
	}
	if r.ErrorCode.Valid {
		j.Error = &invite.Reason{Code: r.ErrorCode.String, Message: r.ErrorMessage.String}
	}
	return j, nil
}
