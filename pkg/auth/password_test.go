package auth

import (
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/inviter/inviter/pkg/invite"
)

// cheap keeps the tests fast under -race; the parameters travel in the
// string, so VerifyPassword is exercised the same way.
var cheap = argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashPasswordDefaults(t *testing.T) {
	enc, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=65536,t=3,p=4$") {
		t.Errorf("HashPassword = %q, want the RFC 9106 parameters in PHC format", enc)
	}
	ok, err := VerifyPassword(enc, "correct horse battery staple")
	if err != nil || !ok {
		t.Errorf("VerifyPassword(right password) = %v, %v; want true, nil", ok, err)
	}
	if NeedsRehash(enc) {
		t.Error("NeedsRehash of a fresh hash = true")
	}
}

func TestVerifyPassword(t *testing.T) {
	enc, err := hashPassword(rand.Reader, "s3cret-passw0rd", cheap)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := hashPassword(rand.Reader, "s3cret-passw0rd", cheap)
	if enc == other {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	if !NeedsRehash(enc) {
		t.Error("NeedsRehash of a hash with non-default parameters = false")
	}
	parts := strings.Split(enc, "$")
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	tests := []struct {
		name      string
		encoded   string
		pw        string
		want      bool
		malformed bool
	}{
		{"right password", enc, "s3cret-passw0rd", true, false},
		{"other salt", other, "s3cret-passw0rd", true, false},
		{"wrong password", enc, "s3cret-passw0rD", false, false},
		{"empty password", enc, "", false, false},
		{"empty hash", "", "s3cret-passw0rd", false, true},
		{"bcrypt hash", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", "x", false, true},
		{"argon2i", with(1, "argon2i"), "s3cret-passw0rd", false, true},
		{"old version", with(2, "v=16"), "s3cret-passw0rd", false, true},
		{"padded version", with(2, "v=019"), "s3cret-passw0rd", false, true},
		{"garbled params", with(3, "m=64,t=1"), "s3cret-passw0rd", false, true},
		{"huge memory", with(3, "m=4194304,t=1,p=1"), "s3cret-passw0rd", false, true},
		{"zero time", with(3, "m=64,t=0,p=1"), "s3cret-passw0rd", false, true},
		{"too many threads", with(3, "m=65536,t=1,p=256"), "s3cret-passw0rd", false, true},
		{"params with junk", with(3, "m=64,t=1,p=1,x"), "s3cret-passw0rd", false, true},
		{"bad salt", with(4, "!!"), "s3cret-passw0rd", false, true},
		{"short salt", with(4, "AAAA"), "s3cret-passw0rd", false, true},
		{"bad hash", with(5, "@@@"), "s3cret-passw0rd", false, true},
		{"extra field", enc + "$x", "s3cret-passw0rd", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := VerifyPassword(tt.encoded, tt.pw)
			if got != tt.want {
				t.Errorf("VerifyPassword = %v, want %v", got, tt.want)
			}
			if errors.Is(err, ErrMalformedHash) != tt.malformed || (err != nil && !tt.malformed) {
				t.Errorf("err = %v, malformed %v", err, tt.malformed)
			}
		})
	}
}

// TestVerifyPasswordReadsParams checks that a hash made with other parameters
// (as after a future change of the defaults) still verifies.
func TestVerifyPasswordReadsParams(t *testing.T) {
	for _, p := range []argon2Params{
		{Memory: 32, Time: 2, Threads: 2, SaltLen: 8, KeyLen: 16},
		{Memory: 256, Time: 1, Threads: 4, SaltLen: 32, KeyLen: 64},
	} {
		enc, err := hashPassword(rand.Reader, "pässwörd-ünïcode", p)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := VerifyPassword(enc, "pässwörd-ünïcode"); !ok || err != nil {
			t.Errorf("VerifyPassword(%q) = %v, %v; want true, nil", enc, ok, err)
		}
	}
}

func TestValidateNewPassword(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		ok   bool
	}{
		{"ten ascii", "abcdefghij", true},
		{"ten cyrillic letters (20 bytes)", "пароль1234", true},
		{"nine", "abcdefghi", false},
		{"empty", "", false},
		{"nine runes in more bytes", "ёёёёёёёёa", false},
		{"all same", "aaaaaaaaaaaa", false},
		{"all same rune", "ёёёёёёёёёёёё", false},
		{"256 bytes", strings.Repeat("ab", 128), true},
		{"257 bytes", strings.Repeat("ab", 128) + "c", false},
		{"invalid utf-8", "abcdefghij\xff", false},
		{"spaces count", "correct horse", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateNewPassword(tt.pw)
			if tt.ok {
				if err != nil {
					t.Errorf("ValidateNewPassword(%q) = %v, want nil", tt.pw, err)
				}
				return
			}
			var e *invite.Error
			if !errors.As(err, &e) {
				t.Fatalf("ValidateNewPassword(%q) = %v, want an *invite.Error", tt.pw, err)
			}
			if e.Kind != invite.KindInvalid || e.Code != "weak_password" || e.Field != "new_password" || e.Message == "" {
				t.Errorf("error = %+v, want kind invalid, code weak_password, field new_password", e)
			}
		})
	}
}
