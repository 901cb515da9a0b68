package testenv

import (
	"sync"
	"testing"

	"github.com/inviter/inviter/pkg/auth"
)

// passwordHashes memoises PasswordHash: argon2id takes tens of
// milliseconds by design, and tests hash the same few passwords many times.
var passwordHashes sync.Map // password -> argon2id hash

// PasswordHash returns an argon2id hash of pw, as a user's chosen password
// is stored, computing it once per test binary.
func PasswordHash(t testing.TB, pw string) string {
	t.Helper()
	if h, ok := passwordHashes.Load(pw); ok {
		return h.(string)
	}
	h, err := auth.HashPassword(pw)
	if err != nil {
		t.Fatalf("testenv: hash password: %v", err)
	}
	passwordHashes.Store(pw, h)
	return h
}
