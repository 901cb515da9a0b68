package auth

import (
	"crypto/rand"
	"fmt"
	"io"
)

// randomBytes returns n bytes read from r.
func randomBytes(r io.Reader, n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("auth: read random bytes: %w", err)
	}
	return b, nil
}

// randomString returns n characters drawn uniformly from alphabet (at most
// 256 characters) using bytes from r. A byte is used only when it is below
// the largest multiple of len(alphabet) that fits in a byte, so that the
// modulo does not favour the first characters (rejection sampling).
func randomString(r io.Reader, alphabet string, n int) (string, error) {
	size := len(alphabet)
	if size == 0 || size > 256 {
		return "", fmt.Errorf("auth: alphabet of %d characters", size)
	}
	limit := 256 - 256%size // bytes >= limit are rejected
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/2)
	for len(out) < n {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", fmt.Errorf("auth: read random bytes: %w", err)
		}
		for _, b := range buf {
			if int(b) < limit {
				out = append(out, alphabet[int(b)%size])
				if len(out) == n {
					break
				}
			}
		}
	}
	return string(out), nil
}

// NewSecretKey returns a new random 32-byte key, for SECRET_KEY.
func NewSecretKey() ([]byte, error) {
	return randomBytes(rand.Reader, secretKeyBytes)
}
