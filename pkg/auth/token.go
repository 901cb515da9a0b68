package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

const tokenBytes = 32

// NewToken returns a new bearer token (32 random bytes, base64url without
// padding: 43 characters) and its SHA-256 hash. Give the token to the client
// and store only the hash: a leaked table then opens no session. A plain hash
// is enough because the token has 256 bits of entropy.
func NewToken() (token string, hash []byte, err error) {
	b, err := randomBytes(rand.Reader, tokenBytes)
	if err != nil {
		return "", nil, fmt.Errorf("auth: new token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken returns the SHA-256 of a token as presented by a client, to look
// the session up by.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}
