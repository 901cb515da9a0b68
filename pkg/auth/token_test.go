package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"testing"
)

func TestNewToken(t *testing.T) {
	token, hash, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != 32 {
		t.Fatalf("token %q decodes to %d bytes (%v), want 32", token, len(raw), err)
	}
	sum := sha256.Sum256([]byte(token))
	if !bytes.Equal(hash, sum[:]) || !bytes.Equal(HashToken(token), hash) {
		t.Error("hash is not the SHA-256 of the token")
	}
	other, _, _ := NewToken()
	if other == token {
		t.Error("two tokens are equal")
	}
	if bytes.Equal(HashToken(token+"x"), hash) {
		t.Error("HashToken ignores a changed token")
	}
}
