package postgres_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/testenv"
)

// oldCandidates is how candidates were read before a send learnt who can
// still sign in (the credentials check of hasCredentials): the baseline
// of the same rows, in the same run.
const oldCandidates = `
SELECT u.id, u.email, u.phone, u.role,
       i.id AS waiting_id, i.channel AS waiting_channel, i.destination AS waiting_destination
FROM users u
JOIN invite_states s ON s.user_id = u.id
LEFT JOIN invitations i ON i.id = s.current_invitation_id AND i.status = 'waiting'
ORDER BY u.id`

// BenchmarkPreviewAllMatching100k times the confirmation of "select all
// matching" over 100,000 users, 60% of them invited (the issue's case),
// with and without skip_invited, against reading the same candidates the
// way the preview did before it checked credentials, and reports the
// ratio.
func BenchmarkPreviewAllMatching100k(b *testing.B) {
	const n = 100_000
	ctx := b.Context()
	db := testenv.NewDatabase(b)
	s := postgres.NewStore(db.DB)
	in := invite.NewInviter(s, nil, slog.New(slog.DiscardHandler))
	if _, err := db.DB.ExecContext(ctx, `
		INSERT INTO users (login, first_name, last_name, email)
		SELECT 'user' || g, 'First', 'Last', 'user' || g || '@example.com' FROM generate_series(1, $1) g`, n); err != nil {
		b.Fatal(err)
	}
	// 60% invited by a delivered attempt whose password still works.
	if _, err := db.DB.ExecContext(ctx, `
		WITH inv AS (
		    INSERT INTO invitations (user_id, status, channel, destination, delivered_at, expires_at, finished_at)
		    SELECT id, 'sent', 'email', email, now(), now() + interval '3 days', now() FROM users WHERE id % 10 < 6
		    RETURNING id, user_id)
		UPDATE invite_states s SET status = 'invited', invited_at = now(), current_invitation_id = inv.id
		FROM inv WHERE s.user_id = inv.user_id`); err != nil {
		b.Fatal(err)
	}
	if _, err := db.DB.ExecContext(ctx, `VACUUM (ANALYZE) users, invitations, invite_states`); err != nil {
		b.Fatal(err)
	}
	for _, skip := range []bool{false, true} {
		name := "send-again"
		if skip {
			name = "skip-invited"
		}
		b.Run(name, func(b *testing.B) {
			sel := invite.Selection{Filter: &invite.UserFilter{}, SkipInvited: skip}
			var preview, baseline time.Duration
			for b.Loop() {
				start := time.Now()
				rows, err := db.DB.QueryxContext(ctx, oldCandidates)
				if err != nil {
					b.Fatal(err)
				}
				read := 0
				for rows.Next() {
					var c struct {
						ID, WaitingID                  *int64
						Email, Phone, Role, Chan, Dest *string
					}
					if err := rows.Scan(&c.ID, &c.Email, &c.Phone, &c.Role, &c.WaitingID, &c.Chan, &c.Dest); err != nil {
						b.Fatal(err)
					}
					read++
				}
				rows.Close()
				baseline += time.Since(start)
				start = time.Now()
				p, err := in.Preview(ctx, sel)
				preview += time.Since(start)
				if err != nil || read != n || p.Selected != n || p.AlreadyInvited != n*6/10 {
					b.Fatalf("preview %+v (baseline read %d): %v", p, read, err)
				}
			}
			b.ReportMetric(float64(preview.Microseconds())/float64(b.N)/1000, "preview-ms/op")
			b.ReportMetric(float64(baseline.Microseconds())/float64(b.N)/1000, "old-read-ms/op")
			b.ReportMetric(preview.Seconds()/baseline.Seconds(), "preview/old-read")
		})
	}
}
