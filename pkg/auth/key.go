package auth

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

const secretKeyBytes = 32

// DecodeSecretKey decodes the SECRET_KEY setting: hex, or base64 in the
// standard or URL alphabet with or without padding, of at least
// MinSecretKeyBytes bytes. Hex is tried first (a 64-digit hex string is also
// valid base64). Errors never quote the key.
func DecodeSecretKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("auth: secret key is empty")
	}
	key, ok := decodeKey(s)
	if !ok {
		return nil, errors.New("auth: secret key is neither hex nor base64")
	}
	if len(key) < MinSecretKeyBytes {
		return nil, fmt.Errorf("auth: secret key is %d bytes, need at least %d (e.g. 64 hex digits)", len(key), MinSecretKeyBytes)
	}
	return key, nil
}

func decodeKey(s string) ([]byte, bool) {
	if b, err := hex.DecodeString(s); err == nil {
		return b, true
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.Strict().DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}
