package postgres_test

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/testenv"
)

// The pool has DB_MAX_CONNS connections and DB_STATEMENT_TIMEOUT per
// statement; a statement over it is ended, as an unavailable database.
func TestPoolSizeAndStatementTimeout(t *testing.T) {
	t.Parallel()
	d := testenv.NewDatabase(t)
	db, err := postgres.OpenPool(t.Context(), d.URL, postgres.PoolOptions{MaxConns: 3, StatementTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := db.Stats().MaxOpenConnections; n != 3 {
		t.Errorf("max open connections %d, want 3", n)
	}
	var timeout string
	if err := db.GetContext(t.Context(), &timeout, `SHOW statement_timeout`); err != nil || timeout != "300ms" {
		t.Errorf("statement_timeout = %q (%v), want 300ms", timeout, err)
	}
	_, err = postgres.NewStore(db).ListUsers(t.Context(), invite.UserFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(t.Context(), `SELECT pg_sleep(2)`)
	if err == nil || !strings.Contains(err.Error(), "statement timeout") {
		t.Errorf("a 2 s statement under a 300 ms timeout: %v", err)
	}
}

// A start waits for PostgreSQL with bounded backoff: a server that comes
// up after a while is reached; one that never does is given up on after
// DB_START_TIMEOUT.
func TestOpenPoolWaitsForTheDatabase(t *testing.T) {
	t.Parallel()
	d := testenv.NewDatabase(t)
	u, err := url.Parse(d.URL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nobody listens for now: connections are refused
	target := u.Host
	u.Host = addr

	logs := &testenv.LogBuffer{}
	done := make(chan error, 1)
	go func() {
		db, err := postgres.OpenPool(t.Context(), u.String(), postgres.PoolOptions{StartTimeout: 20 * time.Second,
			Log: slog.New(slog.NewJSONHandler(logs, nil))})
		if err == nil {
			db.Close()
		}
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for logs.Count("waiting for PostgreSQL") < 2 {
		if time.Now().After(deadline) {
			t.Fatal("OpenPool did not retry")
		}
		time.Sleep(20 * time.Millisecond)
	}
	proxy(t, addr, target) // the database comes up
	if err := <-done; err != nil {
		t.Fatalf("OpenPool after the database came up: %v", err)
	}

	start := time.Now()
	_, err = postgres.OpenPool(t.Context(), "postgres://postgres@127.0.0.1:1/none?sslmode=disable",
		postgres.PoolOptions{StartTimeout: 500 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "DB_START_TIMEOUT") || time.Since(start) > 5*time.Second {
		t.Errorf("an unreachable database: %v after %v", err, time.Since(start))
	}
	// A wrong password is not waited for.
	bad := *u
	bad.Host = target
	bad.User = url.UserPassword("no_such_role_i9", "x")
	start = time.Now()
	if _, err := postgres.OpenPool(t.Context(), bad.String(), postgres.PoolOptions{StartTimeout: 20 * time.Second}); err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("a refused role: %v after %v", err, time.Since(start))
	}
}

// proxy forwards connections on addr to target until the test ends.
func proxy(t *testing.T, addr, target string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if errors.Is(err, net.ErrClosed) || err != nil {
				return
			}
			go func() {
				defer c.Close()
				s, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer s.Close()
				go io.Copy(s, c) //nolint:errcheck // ends with either side
				io.Copy(c, s)    //nolint:errcheck // ends with either side
			}()
		}
	}()
}
