package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/inviter/inviter/pkg/postgres"
)

// DefaultPostgresURL is the server tests use unless TEST_DATABASE_URL names
// another; the database part is replaced by a fresh one per test.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Database is a test's own PostgreSQL database, migrated.
type Database struct {
	DB  *sqlx.DB
	URL string // for code that connects by itself, e.g. a binary's run()
}

// NewDatabase creates a fresh database named after a random id, applies the
// migrations and drops it when the test ends.
func NewDatabase(t testing.TB) *Database {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		base = DefaultPostgresURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := sqlx.ConnectContext(ctx, "postgres", base)
	if err != nil {
		t.Fatalf("testenv: PostgreSQL is not reachable at %s (start it, see .ci/run): %v", base, err)
	}
	defer admin.Close()
	name := "inviter_test_" + randomHex(t, 6)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name)); err != nil {
		t.Fatalf("testenv: create database: %v", err)
	}
	t.Cleanup(func() { dropDatabase(t, base, name) })

	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("testenv: parse %s: %v", base, err)
	}
	u.Path = "/" + name
	db, err := postgres.Open(ctx, u.String())
	if err != nil {
		t.Fatalf("testenv: open test database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	// A test's own pool stays small: tests run side by side against one
	// PostgreSQL, which allows 100 connections by default.
	db.SetMaxOpenConns(testPoolSize)
	db.SetMaxIdleConns(testPoolSize)
	if err := postgres.Migrate(ctx, db, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatalf("testenv: migrate: %v", err)
	}
	return &Database{DB: db, URL: u.String()}
}

// testPoolSize is the most connections a test's database pool opens.
const testPoolSize = 10

func dropDatabase(t testing.TB, base, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := sqlx.ConnectContext(ctx, "postgres", base)
	if err != nil {
		t.Errorf("testenv: drop database %s: %v", name, err)
		return
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(name)+" WITH (FORCE)"); err != nil {
		t.Errorf("testenv: drop database %s: %v", name, err)
	}
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("testenv: random: %v", err)
	}
	return hex.EncodeToString(b)
}
