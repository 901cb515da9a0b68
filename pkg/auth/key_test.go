package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

func TestNewSecretKey(t *testing.T) {
	a, err := NewSecretKey()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewSecretKey()
	if len(a) != 32 || bytes.Equal(a, b) {
		t.Fatalf("NewSecretKey: %d bytes, equal to the next one: %v", len(a), bytes.Equal(a, b))
	}
}

func TestDecodeSecretKey(t *testing.T) {
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i*37 + 250) // includes bytes that need '+', '/', '-', '_'
	}
	long := bytes.Repeat([]byte{0xfb}, 48)
	tests := []struct {
		name string
		in   string
		want []byte // nil: an error
	}{
		{"hex", hex.EncodeToString(key), key},
		{"upper hex", strings.ToUpper(hex.EncodeToString(key)), key},
		{"hex with newline", hex.EncodeToString(key) + "\n", key},
		{"base64", base64.StdEncoding.EncodeToString(key), key},
		{"raw base64", base64.RawStdEncoding.EncodeToString(key), key},
		{"base64url", base64.URLEncoding.EncodeToString(key), key},
		{"raw base64url", base64.RawURLEncoding.EncodeToString(key), key},
		{"48 bytes base64", base64.StdEncoding.EncodeToString(long), long},
		{"empty", "", nil},
		{"31 bytes hex", hex.EncodeToString(key[:31]), nil},
		{"31 bytes base64", base64.StdEncoding.EncodeToString(key[:31]), nil},
		{"passphrase", "this is not a key but a sentence!!", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeSecretKey(tt.in)
			if tt.want == nil {
				if err == nil {
					t.Fatalf("DecodeSecretKey(%q) = %x, want an error", tt.in, got)
				}
				if tt.in != "" && strings.Contains(err.Error(), strings.TrimSpace(tt.in)) {
					t.Errorf("error %q quotes the key", err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tt.want) {
				t.Errorf("DecodeSecretKey(%q) = %x, %v; want %x", tt.in, got, err, tt.want)
			}
		})
	}
}
