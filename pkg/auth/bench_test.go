package auth

import (
	"bytes"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// BenchmarkHash compares, per hash of one password, the schemes this package
// could use: the keyed HMAC for temporary passwords, argon2id with the
// defaults for chosen passwords, and bcrypt cost 10 as the usual baseline.
// go test -run '^$' -bench Hash -benchmem ./pkg/auth/
func BenchmarkHash(b *testing.B) {
	const pw = "Abc23456789defgh"
	b.Run("hmac-sha256", func(b *testing.B) {
		h, err := NewTemporaryHasher(bytes.Repeat([]byte{1}, 32))
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; b.Loop(); i++ {
			h.Hash(int64(i), pw)
		}
	})
	b.Run("argon2id-m64MiB-t3-p4", func(b *testing.B) {
		for b.Loop() {
			if _, err := HashPassword(pw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bcrypt-cost10", func(b *testing.B) {
		for b.Loop() {
			if _, err := bcrypt.GenerateFromPassword([]byte(pw), 10); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkNewTemporaryPassword(b *testing.B) {
	for b.Loop() {
		if _, err := NewTemporaryPassword(); err != nil {
			b.Fatal(err)
		}
	}
}
