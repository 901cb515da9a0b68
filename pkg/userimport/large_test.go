package userimport_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/userimport"
)

const largeRows = 100_000

// generated is a CSV file of n users written as it is read, so that the
// test holds no copy of it: Russian headers, semicolons, Cyrillic names.
type generated struct {
	n, next int
	buf     bytes.Buffer
	size    int64 // bytes handed out so far
}

func (g *generated) Read(p []byte) (int, error) {
	for g.buf.Len() < len(p) && g.next <= g.n {
		if g.next == 0 {
			g.buf.WriteString("Логин;Имя;Фамилия;Почта\r\n")
		} else {
			fmt.Fprintf(&g.buf, "user%d;Иван;Иванов %d;user%d@example.com\r\n", g.next, g.next, g.next)
		}
		g.next++
	}
	if g.buf.Len() == 0 {
		return 0, io.EOF
	}
	n, _ := g.buf.Read(p)
	g.size += int64(n)
	return n, nil
}

func TestImport100kRows(t *testing.T) {
	t.Parallel()
	f := newFixture(t, userimport.Limits{}, false)
	src := &generated{n: largeRows}
	var (
		reports     int
		firstRowsAt int64 = -1 // bytes read when rows were first reported
	)
	rep, err := f.im.Import(t.Context(), src, "text/csv", userimport.Options{RequestedBy: f.admin}, func(p userimport.Progress) {
		reports++
		if p.RowsRead > 0 && firstRowsAt < 0 {
			firstRowsAt = p.BytesRead
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, rep, largeRows, 0, 0, 0)
	if n := f.count(t, "users"); n != largeRows+1 { // and the admin
		t.Errorf("%d users, want %d", n, largeRows+1)
	}
	if n := f.count(t, "invite_states"); n != largeRows+1 {
		t.Errorf("%d invite_states rows, want %d", n, largeRows+1)
	}
	// The file streamed: rows were read (and copied) when a small part of
	// it had been read.
	if firstRowsAt < 0 || firstRowsAt > src.size/10 || reports < largeRows/1000 {
		t.Errorf("first progress with rows at byte %d of %d, %d reports; want rows long before the end", firstRowsAt, src.size, reports)
	}
}

// BenchmarkImport100k imports 100,000 rows from CSV into an empty user
// table and, in the same run, COPYs the same rows straight into it, the
// fastest way PostgreSQL takes them in; it reports both rates and their
// ratio (import/copy, the fraction of COPY's speed the import reaches).
func BenchmarkImport100k(b *testing.B) {
	f := newBenchFixture(b)
	var file bytes.Buffer
	if _, err := io.Copy(&file, &generated{n: largeRows}); err != nil {
		b.Fatal(err)
	}
	var importTime, copyTime time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		f.truncate(b)
		start := time.Now()
		f.plainCopy(b, largeRows)
		copyTime += time.Since(start)
		f.truncate(b)
		b.StartTimer()

		start = time.Now()
		rep, err := f.im.Import(context.Background(), bytes.NewReader(file.Bytes()), "text/csv", userimport.Options{}, nil)
		importTime += time.Since(start)

		b.StopTimer()
		if err != nil || rep.Created != largeRows {
			b.Fatalf("import: created %d: %v", rep.Created, err)
		}
		b.StartTimer()
	}
	b.StopTimer()
	importRate := float64(largeRows*b.N) / importTime.Seconds()
	copyRate := float64(largeRows*b.N) / copyTime.Seconds()
	b.ReportMetric(importRate, "import-rows/s")
	b.ReportMetric(copyRate, "copy-rows/s")
	b.ReportMetric(importRate/copyRate, "import/copy")
}

type benchFixture struct {
	*fixture
}

func newBenchFixture(b *testing.B) benchFixture {
	return benchFixture{newFixture(b, userimport.Limits{}, false)}
}

func (f benchFixture) truncate(b *testing.B) {
	if _, err := f.db.DB.Exec(`TRUNCATE users RESTART IDENTITY CASCADE`); err != nil {
		b.Fatal(err)
	}
}

// plainCopy is the baseline: the same rows, already split and checked,
// COPYed into users in one transaction.
func (f benchFixture) plainCopy(b *testing.B, n int) {
	tx, err := f.db.DB.Begin()
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	stmt, err := tx.Prepare(`COPY users (login, first_name, last_name, email) FROM STDIN`)
	if err != nil {
		b.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if _, err := stmt.Exec(fmt.Sprintf("user%d", i), "Иван", fmt.Sprintf("Иванов %d", i), fmt.Sprintf("user%d@example.com", i)); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := stmt.Exec(); err != nil {
		b.Fatal(err)
	}
	if err := stmt.Close(); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}
