package postgres_test

import (
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/testenv"
)

// BenchmarkReadLockedPage reads one page of a batch (5,000 users of
// 100,000, each with a waiting invitation: a send again) by range, the way
// a dense page is read, beside reading it by id in the same loop, and
// reports the ratio.
func BenchmarkReadLockedPage(b *testing.B) {
	const users, page = 100_000, 5_000
	ctx := b.Context()
	db := testenv.NewDatabase(b)
	if _, err := db.DB.ExecContext(ctx, `
		INSERT INTO users (login, first_name, last_name, email)
		SELECT 'user' || g, 'First', 'Last', 'user' || g || '@example.com' FROM generate_series(1, $1) g`, users); err != nil {
		b.Fatal(err)
	}
	if _, err := postgres.NewStore(db.DB).CreateBatch(ctx, invite.Selection{Filter: &invite.UserFilter{}}, 0,
		decideWith(invite.MethodEmailOrPhone), invite.BatchOptions{Results: invite.ResultsNone}); err != nil {
		b.Fatal(err)
	}
	if _, err := db.DB.ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	var ids []int64
	// Every user of the middle page but one in ten: a filter's page.
	if err := db.DB.SelectContext(ctx, &ids, `SELECT id FROM users WHERE id % 10 <> 3 ORDER BY id OFFSET $1 LIMIT $2`,
		users/2, page); err != nil {
		b.Fatal(err)
	}
	tx, err := db.DB.BeginTxx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // read only
	var byRange, byID time.Duration
	for b.Loop() {
		for _, r := range []bool{true, false} {
			start := time.Now()
			n, err := postgres.ReadLockedBy(ctx, tx, ids, r)
			if err != nil || n != len(ids) {
				b.Fatalf("read %d of %d users: %v", n, len(ids), err)
			}
			if r {
				byRange += time.Since(start)
			} else {
				byID += time.Since(start)
			}
		}
	}
	b.ReportMetric(float64(byRange.Microseconds())/float64(b.N)/1000, "range-ms/op")
	b.ReportMetric(float64(byID.Microseconds())/float64(b.N)/1000, "by-id-ms/op")
	b.ReportMetric(byRange.Seconds()/byID.Seconds(), "range/by-id")
}
