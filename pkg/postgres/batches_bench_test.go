package postgres_test

import (
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/testenv"
)

// BenchmarkBatchProgress100k times the progress of a batch of 100,000
// invitations, the admin UI's poll every second or two, beside the
// cheapest read the API makes (one user by id) in the same loop, and
// reports the ratio. "fresh" is right after the workers' writes, before any
// vacuum (the index-only scan still visits the heap); "vacuumed" is after
// autovacuum has been by.
func BenchmarkBatchProgress100k(b *testing.B) {
	const n = 100_000
	ctx := b.Context()
	db := testenv.NewDatabase(b)
	s := postgres.NewStore(db.DB)
	if _, err := db.DB.ExecContext(ctx, `
		INSERT INTO users (login, first_name, last_name, email)
		SELECT 'user' || g, 'First', 'Last', 'user' || g || '@example.com' FROM generate_series(1, $1) g`, n); err != nil {
		b.Fatal(err)
	}
	batch, err := s.CreateBatch(ctx, invite.Selection{Filter: &invite.UserFilter{}}, 0, decideWith(invite.MethodEmailOrPhone), invite.BatchOptions{Results: invite.ResultsAll})
	if err != nil || len(batch.Outcomes) != n {
		b.Fatalf("batch of %d: %v", len(batch.Outcomes), err)
	}
	// Half way through: 40% delivered, 10% failed, the rest waiting.
	if _, err := db.DB.ExecContext(ctx, `
		UPDATE invitations SET status = CASE WHEN id % 10 < 4 THEN 'sent' ELSE 'failed' END
		WHERE batch_id = $1 AND id % 10 < 5`, batch.ID); err != nil {
		b.Fatal(err)
	}
	userID := batch.Outcomes[n/2].UserID

	for _, state := range []struct{ name, prepare string }{
		{"fresh", `ANALYZE invitations`},
		{"vacuumed", `VACUUM (ANALYZE) invitations`},
	} {
		b.Run(state.name, func(b *testing.B) {
			if _, err := db.DB.ExecContext(ctx, state.prepare); err != nil {
				b.Fatal(err)
			}
			var progress, baseline time.Duration
			for b.Loop() {
				start := time.Now()
				if _, err := s.User(ctx, userID); err != nil {
					b.Fatal(err)
				}
				baseline += time.Since(start)
				start = time.Now()
				p, err := s.BatchProgress(ctx, batch.ID)
				progress += time.Since(start)
				if err != nil || p.Waiting != n/2 || p.Invited != n*2/5 || p.Failed != n/10 {
					b.Fatalf("progress %+v %v", p, err)
				}
			}
			b.ReportMetric(float64(progress.Microseconds())/float64(b.N)/1000, "progress-ms/op")
			b.ReportMetric(float64(baseline.Microseconds())/float64(b.N)/1000, "user-ms/op")
			b.ReportMetric(progress.Seconds()/baseline.Seconds(), "progress/user")
		})
	}
}
