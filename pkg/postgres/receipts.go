package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/lib/pq"

	"github.com/inviter/inviter/pkg/invite"
)

// reportTarget locks the state row of the attempt's user, then the attempt
// (the lock order of attempts.go), and reads what deciding needs.
const (
	lockReportState = `
SELECT s.current_invitation_id FROM invite_states s
WHERE s.user_id = (SELECT user_id FROM invitations WHERE id = $1)
FOR UPDATE OF s`
	lockReportAttempt = `
SELECT i.user_id, i.status, coalesce(i.channel, '') AS channel,
       ARRAY(SELECT r.ref FROM invitation_provider_refs r WHERE r.invitation_id = i.id) AS provider_refs
FROM invitations i WHERE i.id = $1 FOR UPDATE OF i`
	insertReport = `
INSERT INTO delivery_receipts (invitation_id, status, kind, source, code, detail, reporter, effect, reported_at, dedupe_key)
VALUES ($1, $2, $3, $4, NULLIF($5, ''), $6, NULLIF($7, ''), $8, $9, $10)
ON CONFLICT (invitation_id, dedupe_key) DO NOTHING
RETURNING id`
	// A bounced attempt's password stops working (its hashes go) and its
	// user leaves Invited for Error; invited_at goes with the mark.
	failBouncedAttempt = `
UPDATE invitations
SET status = 'failed', error_code = $2, provider_message = $3, password_hashes = '{}',
    expires_at = least(coalesce(expires_at, now()), now()), finished_at = coalesce(finished_at, now()), updated_at = now()
WHERE id = $1 AND status = 'sent'`
	failBouncedUser = `
UPDATE invite_states
SET status = 'error', error_code = $3, error_message = $4, invited_at = NULL, updated_at = now()
WHERE user_id = $1 AND current_invitation_id = $2`
)

// ApplyReport records a bounce, an automatic reply or a delivery receipt and
// does what it means, in one transaction: a permanent failure of the user's
// current delivered attempt puts the user in error; anything else, and any
// report about an attempt a newer one replaced, is history only. The same
// report twice (its dedupe key) changes nothing. A report about no attempt,
// about one of another channel, or naming a message id the attempt was not
// given is invite.ErrUnknownAttempt.
func (s *Store) ApplyReport(ctx context.Context, r invite.DeliveryReport) (invite.ReportResult, error) {
	op := fmt.Sprintf("apply delivery report for attempt %d", r.InvitationID)
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return invite.ReportResult{}, translate(op, err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit

	var current sql.NullInt64
	if err := tx.GetContext(ctx, &current, lockReportState, r.InvitationID); errors.Is(err, sql.ErrNoRows) {
		return invite.ReportResult{}, fmt.Errorf("postgres: %s: %w", op, invite.ErrUnknownAttempt)
	} else if err != nil {
		return invite.ReportResult{}, translate(op, err)
	}
	var a struct {
		UserID  int64          `db:"user_id"`
		Status  string         `db:"status"`
		Channel string         `db:"channel"`
		Refs    pq.StringArray `db:"provider_refs"`
	}
	if err := tx.GetContext(ctx, &a, lockReportAttempt, r.InvitationID); err != nil {
		return invite.ReportResult{}, translate(op, err)
	}
	if invite.Channel(a.Channel) != r.Channel ||
		(r.ProviderRef != "" && len(a.Refs) > 0 && !slices.Contains(a.Refs, r.ProviderRef)) {
		return invite.ReportResult{}, fmt.Errorf("postgres: %s: %w", op, invite.ErrUnknownAttempt)
	}

	isCurrent := current.Valid && current.Int64 == r.InvitationID
	if isCurrent && r.Reason != "" && a.Status == "waiting" {
		return invite.ReportResult{}, fmt.Errorf("postgres: %s: %w", op, invite.ErrNotYetDelivered)
	}
	effect := invite.EffectHistory
	switch {
	case !isCurrent:
		effect = invite.EffectSuperseded
	case r.Reason != "" && a.Status == "sent":
		effect = invite.EffectUserFailed
	}
	var id int64
	err = tx.GetContext(ctx, &id, insertReport, r.InvitationID, string(r.Status), r.Kind, r.Source, r.Code,
		r.Detail, r.Reporter, effect, r.At, r.DedupeKey)
	if errors.Is(err, sql.ErrNoRows) {
		return invite.ReportResult{Effect: invite.EffectHistory, Duplicate: true}, nil
	}
	if err != nil {
		return invite.ReportResult{}, translate(op, err)
	}
	if effect == invite.EffectUserFailed {
		reason := invite.NewReason(r.Reason, r.Detail)
		if _, err := tx.ExecContext(ctx, failBouncedAttempt, r.InvitationID, r.Reason, nullString(r.Detail)); err != nil {
			return invite.ReportResult{}, translate(op, err)
		}
		if _, err := tx.ExecContext(ctx, failBouncedUser, a.UserID, r.InvitationID, r.Reason, reason.Message); err != nil {
			return invite.ReportResult{}, translate(op, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return invite.ReportResult{}, translate(op, err)
	}
	return invite.ReportResult{Effect: effect}, nil
}

// AttemptByProviderRef finds the attempt Vonage gave a message id, for a
// receipt that came without client-ref.
func (s *Store) AttemptByProviderRef(ctx context.Context, ref string) (int64, error) {
	var id int64
	err := s.db.GetContext(ctx, &id,
		`SELECT invitation_id FROM invitation_provider_refs WHERE ref = $1 ORDER BY invitation_id DESC LIMIT 1`, ref)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("postgres: attempt of message %q: %w", ref, invite.ErrUnknownAttempt)
	}
	return id, translate("find attempt by message id", err)
}

// RecordProviderRefs keeps the message ids Vonage gave an attempt's SMS. It
// runs during the send, while the attempt's row is share-locked (GuardSend):
// an insert into a table of its own, which that lock does not hold up.
func (s *Store) RecordProviderRefs(ctx context.Context, invitationID int64, refs []string) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO invitation_provider_refs (invitation_id, ref)
		SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, invitationID, pq.Array(refs))
	return translate(fmt.Sprintf("record message ids of attempt %d", invitationID), err)
}

// attachReports adds to each attempt of a user's history the reports that
// came back about it, oldest first.
func (s *Store) attachReports(ctx context.Context, userID int64, history []invite.Invitation) error {
	if len(history) == 0 {
		return nil
	}
	var rows []struct {
		InvitationID int64          `db:"invitation_id"`
		Status       string         `db:"status"`
		At           sql.NullTime   `db:"reported_at"`
		Code         sql.NullString `db:"code"`
		Detail       string         `db:"detail"`
		Kind         string         `db:"kind"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT r.invitation_id, r.status, r.reported_at, r.code, r.detail, r.kind
		FROM delivery_receipts r JOIN invitations i ON i.id = r.invitation_id
		WHERE i.user_id = $1 ORDER BY r.reported_at, r.id`, userID)
	if err != nil {
		return translate(fmt.Sprintf("list delivery reports of user %d", userID), err)
	}
	at := make(map[int64]int, len(history))
	for i, inv := range history {
		at[inv.ID] = i
	}
	for _, r := range rows {
		i, ok := at[r.InvitationID]
		if !ok {
			continue
		}
		history[i].Reports = append(history[i].Reports, invite.Receipt{
			Status: invite.ReceiptStatus(r.Status), At: r.At.Time, Detail: reportDetail(r.Kind, r.Code.String, r.Detail),
		})
	}
	return nil
}

// reportDetail is the detail a history shows: the status code before the
// diagnostic unless the diagnostic already says it.
func reportDetail(kind, code, detail string) string {
	switch {
	case kind == invite.ReportAutoReply && detail == "":
		return "automatic reply"
	case code == "" || strings.Contains(detail, code):
		return detail
	case detail == "":
		return code
	}
	return code + " " + detail
}
