package postgres_test

import (
	"errors"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/testenv"
)

// The store turns an input-caused database error into an invalid-input
// error even when no check ran before it: a NUL in a search or a new user
// is the caller's mistake, not an internal error.
func TestStoreMapsInputErrorsToInvalid(t *testing.T) {
	t.Parallel()
	store := postgres.NewStore(testenv.NewDatabase(t).DB)
	_, err := store.ListUsers(t.Context(), invite.UserFilter{Query: "a\x00b", Limit: 10})
	if invite.KindOf(err) != invite.KindInvalid || !errors.Is(err, invite.ErrInvalidText) {
		t.Fatalf("ListUsers with a NUL: %v, want invalid_text", err)
	}
	_, err = store.CreateUser(t.Context(), invite.NewUser{Login: "x\x00", FirstName: "A", LastName: "B", Role: invite.RoleUser})
	if invite.KindOf(err) != invite.KindInvalid {
		t.Fatalf("CreateUser with a NUL: %v, want invalid", err)
	}
}

// A database that cannot be reached is "unavailable", not an internal
// error: the API answers 503 and the worker does not count it against a
// delivery's retries.
func TestStoreMapsAnUnreachableDatabaseToUnavailable(t *testing.T) {
	t.Parallel()
	db, err := sqlx.Open("postgres", "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = postgres.NewStore(db).ListUsers(t.Context(), invite.UserFilter{Limit: 10})
	if invite.KindOf(err) != invite.KindUnavailable || !errors.Is(err, postgres.ErrDatabaseUnavailable) {
		t.Fatalf("ListUsers with the database unreachable: %v, want database_unavailable", err)
	}
}
