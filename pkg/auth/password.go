package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argon2Params are the cost parameters of an argon2id hash.
type argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over memory
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// defaultArgon2Params returns the parameters of new hashes: the second
// recommended option of RFC 9106 (section 4) for machines without 2 GiB to
// spare per hash, 64 MiB, 3 passes, 4 lanes, with a 16-byte salt and a
// 32-byte hash. Chosen passwords are hashed only when an admin sets or checks
// one, so the cost (see BenchmarkHash) is paid rarely; the login handler
// should still limit concurrent logins, each taking 64 MiB.
func defaultArgon2Params() argon2Params {
	return argon2Params{Memory: 64 * 1024, Time: 3, Threads: 4, SaltLen: 16, KeyLen: 32}
}

// Bounds on parameters read back from a stored hash, so that a corrupt or
// hostile row cannot make VerifyPassword allocate gigabytes or spin.
const (
	maxArgon2Memory = 1 << 20 // 1 GiB in KiB
	maxArgon2Time   = 64
	maxArgon2KeyLen = 1024
)

// ErrMalformedHash is returned by VerifyPassword for a string that is not an
// argon2id hash in PHC format with acceptable parameters.
var ErrMalformedHash = errors.New("auth: malformed argon2id hash")

// HashPassword hashes a chosen password with argon2id (64 MiB, t=3, p=4) and
// returns it in PHC string format, salt and hash in base64 without padding:
// $argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>.
func HashPassword(pw string) (string, error) {
	return hashPassword(rand.Reader, pw, defaultArgon2Params())
}

func hashPassword(random io.Reader, pw string, p argon2Params) (string, error) {
	salt, err := randomBytes(random, int(p.SaltLen))
	if err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	key := argon2Key([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches the encoded hash. The parameters
// come from the string, so hashes made with older parameters keep verifying
// after the defaults change. A wrong password is (false, nil); an error
// means the stored hash itself is unusable and wraps ErrMalformedHash.
func VerifyPassword(encoded, pw string) (bool, error) {
	p, salt, want, err := parseArgon2(encoded)
	if err != nil {
		return false, err
	}
	got := argon2Key([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NeedsRehash reports whether encoded was made with parameters other than
// the current defaults (or cannot be read), so that a caller who has just
// verified the password may store a fresh hash of it.
func NeedsRehash(encoded string) bool {
	p, _, _, err := parseArgon2(encoded)
	return err != nil || p != defaultArgon2Params()
}

func parseArgon2(encoded string) (p argon2Params, salt, key []byte, err error) {
	malformed := func(why string) (argon2Params, []byte, []byte, error) {
		return argon2Params{}, nil, nil, fmt.Errorf("%w: %s", ErrMalformedHash, why)
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return malformed("not $argon2id$v=..$m=..,t=..,p=..$salt$hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || parts[2] != fmt.Sprintf("v=%d", version) {
		return malformed("bad version field")
	}
	if version != argon2.Version {
		return malformed(fmt.Sprintf("version %d, want %d", version, argon2.Version))
	}
	var threads uint32
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &threads); err != nil ||
		parts[3] != fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, threads) {
		return malformed("bad parameter field")
	}
	if p.Time < 1 || p.Time > maxArgon2Time || threads < 1 || threads > 255 ||
		p.Memory < 8*threads || p.Memory > maxArgon2Memory {
		return malformed(fmt.Sprintf("parameters out of range: %s", parts[3]))
	}
	p.Threads = uint8(threads)
	if salt, err = base64.RawStdEncoding.Strict().DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return malformed("bad salt")
	}
	if key, err = base64.RawStdEncoding.Strict().DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > maxArgon2KeyLen {
		return malformed("bad hash")
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}
