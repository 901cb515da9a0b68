package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/testenv"
)

// seedUsers fills the user table with 1,000,000 users in one statement:
// names from short lists (so sorting by name meets long runs of ties), one
// e-mail in ten missing, one phone in three missing and one in ten typed
// with spaces, and one creation time per second. The statuses are mixed:
// 40% invited, 10% waiting, 5% error, 45% not invited.
const (
	seedUsers = `
INSERT INTO users (login, first_name, last_name, email, phone, created_at)
SELECT 'user' || g,
       (ARRAY['Anna','Boris','Clara','Dmitry','Elena','Fedor','Galina','Igor','Olga','Pavel'])[1 + g % 10],
       (ARRAY['Ivanov','Petrov','Sidorov','Smirnov','Kuznetsov','Popov','Vasiliev','Sokolov','Mikhailov','Novikov',
              'Fedorov','Morozov','Volkov','Alekseev','Lebedev','Semenov','Egorov','Pavlov','Kozlov','Stepanov'])[1 + (g / 10) % 20]
           || CASE WHEN g % 7 = 0 THEN '' ELSE (g % 997)::text END,
       CASE WHEN g % 10 = 3 THEN NULL
            ELSE 'user' || g || '@' || (ARRAY['example.com','corp.example.org','mail.example.net'])[1 + g % 3] END,
       CASE WHEN g % 3 = 0 THEN NULL
            WHEN g % 10 = 1 THEN '8 905 ' || lpad((g % 10000000)::text, 7, '0')
            ELSE '+7905' || lpad((g % 10000000)::text, 7, '0') END,
       timestamptz '2024-01-01' + g * interval '1 second'
FROM generate_series(1, 1000000) AS g`
	seedStatuses = `
UPDATE invite_states
SET status = CASE WHEN user_id % 20 < 8 THEN 'invited' WHEN user_id % 20 < 10 THEN 'waiting' ELSE 'error' END,
    error_code = CASE WHEN user_id % 20 = 10 THEN 'no_contact' END
WHERE user_id % 20 < 11`
)

// tableCase is a view of the user table, with the same order and filter
// in SQL: the benchmark finds its deep user with OFFSET, and times that
// OFFSET page as what the keyset pages avoid.
type tableCase struct {
	name  string
	f     invite.UserFilter
	where string // the filter in SQL ("" for none)
	order string // the ORDER BY of f.Sort
}

func tableCases() []tableCase {
	const (
		login = `lower(u.login) COLLATE "C", u.id`
		name  = `lower(u.last_name) COLLATE "C" DESC, lower(u.first_name) COLLATE "C" DESC, u.id DESC`
		email = `coalesce(lower(u.email), '') COLLATE "C", u.id`
	)
	sortBy := func(k invite.SortKey, desc bool) invite.Sort { return invite.Sort{Key: k, Desc: desc} }
	return []tableCase{
		{"id", invite.UserFilter{}, "", "u.id"},
		{"login", invite.UserFilter{Sort: sortBy(invite.SortLogin, false)}, "", login},
		{"-name", invite.UserFilter{Sort: sortBy(invite.SortName, true)}, "", name},
		{"email", invite.UserFilter{Sort: sortBy(invite.SortEmail, false)}, "", email},
		{"-created", invite.UserFilter{Sort: sortBy(invite.SortCreated, true)}, "", "u.created_at DESC, u.id DESC"},
		{"status", invite.UserFilter{Sort: sortBy(invite.SortStatus, false)}, "", "s.status, s.user_id"},
		{"error,login", invite.UserFilter{Status: invite.StatusError, Sort: sortBy(invite.SortLogin, false)},
			"s.status = 'error'", login},
		// A third of the users: the search the trigram index narrows least.
		{"email~example.com,id", invite.UserFilter{Email: "example.com"},
			`u.search LIKE '%example.com%' AND lower(u.email) LIKE '%example.com%'`, "u.id"},
		{"name~petrov1,-name", invite.UserFilter{Name: "petrov1", Sort: sortBy(invite.SortName, true)},
			`u.search LIKE '%petrov1%' AND lower(u.first_name || ' ' || u.last_name) LIKE '%petrov1%'`, name},
	}
}

// BenchmarkUserTable1M pages through 1,000,000 users: for each view, the
// first page and a page in the middle of the view (the 500,000th user of
// the whole table) with its total, as the API asks for them, and the same
// middle page with OFFSET as the baseline. Seeding takes about a minute.
//
//	go test -run '^$' -bench UserTable1M -benchtime 20x ./pkg/postgres/
func BenchmarkUserTable1M(b *testing.B) {
	ctx := context.Background()
	db := testenv.NewDatabase(b)
	start := time.Now()
	for _, q := range []string{seedUsers, seedStatuses, `VACUUM ANALYZE users`, `VACUUM ANALYZE invite_states`} {
		if _, err := db.DB.ExecContext(ctx, q); err != nil {
			b.Fatalf("seed: %v", err)
		}
	}
	b.Logf("seeded 1,000,000 users in %s", time.Since(start).Round(time.Second))
	s := postgres.NewStore(db.DB)
	const limit = 50

	for _, c := range tableCases() {
		c.f.Limit = limit
		from := ` FROM users u JOIN invite_states s ON s.user_id = u.id`
		if c.where != "" {
			from += " WHERE " + c.where
		}
		var matches int
		if err := db.DB.GetContext(ctx, &matches, `SELECT count(*)`+from); err != nil {
			b.Fatal(err)
		}
		var id int64
		if err := db.DB.GetContext(ctx, &id, `SELECT u.id`+from+` ORDER BY `+c.order+` OFFSET $1 LIMIT 1`, matches/2); err != nil {
			b.Fatal(err)
		}
		u, err := s.User(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		deep := c.f
		deep.After = invite.CursorAt(c.f.Sort.Key, u)
		offsetPage := `SELECT u.id, u.login` + from + ` ORDER BY ` + c.order + fmt.Sprintf(` OFFSET %d LIMIT %d`, matches/2+1, limit)

		b.Run(c.name, func(b *testing.B) {
			var first, middle, offset time.Duration
			for range b.N {
				first += timeList(b, s, c.f, limit)
				middle += timeList(b, s, deep, limit)
				t0 := time.Now()
				rows, err := db.DB.QueryContext(ctx, offsetPage)
				if err != nil {
					b.Fatal(err)
				}
				for rows.Next() { // read the page as ListUsers does
				}
				if err := rows.Err(); err != nil {
					b.Fatal(err)
				}
				rows.Close()
				offset += time.Since(t0)
			}
			n := float64(b.N)
			b.ReportMetric(ms(first)/n, "first-ms/op")
			b.ReportMetric(ms(middle)/n, "deep-ms/op")
			b.ReportMetric(ms(offset)/n, "offset-ms/op")
			b.ReportMetric(middle.Seconds()/first.Seconds(), "deep/first")
			b.ReportMetric(float64(matches), "matches")
		})
	}

	// The counts beside the status filters, against the first page of the
	// same view without them (which counts the total alone).
	for _, c := range []tableCase{
		{name: "counts", f: invite.UserFilter{Limit: limit}},
		{name: "counts,name~petrov1", f: invite.UserFilter{Name: "petrov1", Limit: limit}},
		{name: "counts,email~example.com", f: invite.UserFilter{Email: "example.com", Limit: limit}},
	} {
		b.Run(c.name, func(b *testing.B) {
			var counts, page time.Duration
			for range b.N {
				page += timeList(b, s, c.f, -1)
				t0 := time.Now()
				if _, err := s.CountUsersByStatus(ctx, c.f); err != nil {
					b.Fatal(err)
				}
				counts += time.Since(t0)
			}
			n := float64(b.N)
			b.ReportMetric(ms(counts)/n, "counts-ms/op")
			b.ReportMetric(ms(page)/n, "page-ms/op")
			b.ReportMetric(counts.Seconds()/page.Seconds(), "counts/page")
		})
	}
}

// timeList times one ListUsers and checks it gave a full page (want < 0:
// any page).
func timeList(b *testing.B, s *postgres.Store, f invite.UserFilter, want int) time.Duration {
	b.Helper()
	t0 := time.Now()
	page, err := s.ListUsers(context.Background(), f)
	d := time.Since(t0)
	if err != nil {
		b.Fatal(err)
	}
	if want >= 0 && len(page.Items) != want {
		b.Fatalf("%+v: %d users, want %d", f, len(page.Items), want)
	}
	return d
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
