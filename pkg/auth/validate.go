package auth

import (
	"strings"
	"unicode/utf8"

	"github.com/inviter/inviter/pkg/invite"
)

// Limits on a chosen password. The upper bound is in bytes because that is
// what the hash reads; it keeps a login request from feeding argon2 megabytes.
const (
	MinPasswordChars = 10
	MaxPasswordBytes = 256
)

// ValidateNewPassword checks a password a person chooses: at least
// MinPasswordChars characters, at most MaxPasswordBytes bytes of UTF-8, and
// not one character repeated. It returns an *invite.Error of kind invalid,
// code "weak_password", field "new_password".
func ValidateNewPassword(pw string) error {
	weak := func(format string, args ...any) error {
		return invite.Errorf(invite.KindInvalid, "weak_password", format, args...).WithField("new_password")
	}
	switch {
	case !utf8.ValidString(pw):
		return weak("password must be valid UTF-8 text")
	case utf8.RuneCountInString(pw) < MinPasswordChars:
		return weak("password must be at least %d characters long", MinPasswordChars)
	case len(pw) > MaxPasswordBytes:
		return weak("password must be at most %d bytes long", MaxPasswordBytes)
	case allSame(pw):
		return weak("password must not be one character repeated")
	}
	return nil
}

func allSame(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	return strings.Trim(s, string(first)) == ""
}
