package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// PoolOptions size and bound a process's connection pool.
type PoolOptions struct {
	// MaxConns is the most open connections (DB_MAX_CONNS): every api and
	// worker replica opens up to this many, and together they must stay
	// under the server's max_connections (100 by default).
	MaxConns int
	// StatementTimeout ends any statement that runs longer (0: none), so
	// that a runaway query cannot hold a connection and its locks forever.
	StatementTimeout time.Duration
	// StartTimeout is how long OpenPool waits for a server that does not
	// answer yet (pods start before their database), retrying with a
	// backoff that doubles up to maxStartPause.
	StartTimeout time.Duration
	Log          *slog.Logger
}

// maxStartPause caps the pause between two tries to reach the database.
const maxStartPause = 5 * time.Second

// OpenPool is Open with the pool's size and statement timeout, waiting up
// to StartTimeout for a server that cannot be reached yet. Errors that are
// not about reaching the server (a wrong password, a bad URL) end the wait
// at once: waiting would not fix them.
func OpenPool(ctx context.Context, dsn string, o PoolOptions) (*sqlx.DB, error) {
	dsn = withStatementTimeout(dsn, o.StatementTimeout)
	deadline := time.Now().Add(o.StartTimeout)
	pause := 100 * time.Millisecond
	for try := 1; ; try++ {
		db, err := Open(ctx, dsn)
		if err == nil {
			if o.MaxConns > 0 {
				db.SetMaxOpenConns(o.MaxConns)
				db.SetMaxIdleConns(o.MaxConns)
			}
			return db, nil
		}
		if unavailableError(err) == nil {
			return nil, err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return nil, fmt.Errorf("postgres: not reachable after %s (DB_START_TIMEOUT): %w", o.StartTimeout, err)
		}
		wait := min(pause/2+time.Duration(rand.Int64N(int64(pause/2)+1)), left)
		if o.Log != nil {
			o.Log.WarnContext(ctx, "waiting for PostgreSQL", "try", try, "retry_in", wait.Round(time.Millisecond), "err", err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("postgres: waiting for the database: %w", ctx.Err())
		case <-t.C:
		}
		pause = min(pause*2, maxStartPause)
	}
}

// withStatementTimeout adds statement_timeout (in milliseconds) to a DSN,
// URL or key=value form; lib/pq passes it to the server as a run-time
// parameter of every connection. A DSN that sets it already keeps its own.
func withStatementTimeout(dsn string, d time.Duration) string {
	if d <= 0 || strings.Contains(dsn, "statement_timeout") {
		return dsn
	}
	ms := strconv.FormatInt(d.Milliseconds(), 10)
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("statement_timeout", ms)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " statement_timeout=" + ms
}
