package auth

import (
	_ "embed"
	"slices"
	"strings"
	"unicode"

	"github.com/inviter/inviter/pkg/invite"
)

//go:generate go run ./internal/commonpw/gen -o common_passwords.txt

// commonPasswordFile is the list of common passwords (see package
// commonpw: generated from the patterns people follow, sorted, lower case).
//
//go:embed common_passwords.txt
var commonPasswordFile string

// commonPasswords is the list as a sorted slice, read once; never written.
var commonPasswords = strings.Fields(commonPasswordFile)

// IsCommonPassword reports whether pw, whatever its case, is on the list.
func IsCommonPassword(pw string) bool {
	_, found := slices.BinarySearch(commonPasswords, strings.ToLower(pw))
	return found
}

// ValidateChosenPassword checks a password a user chooses for their
// account: ValidateNewPassword's rules, and not a common password, and not
// the user's login dressed up with digits or symbols (NIST SP 800-63B asks
// for both).
func ValidateChosenPassword(pw, login string) error {
	if err := ValidateNewPassword(pw); err != nil {
		return err
	}
	if builtOnLogin(pw, login) {
		return invite.Errorf(invite.KindInvalid, "password_contains_login",
			"password must not contain the login").WithField("new_password")
	}
	if IsCommonPassword(pw) {
		return invite.Errorf(invite.KindInvalid, "common_password",
			"password is one of the most common passwords; choose another").WithField("new_password")
	}
	return nil
}

// builtOnLogin reports whether pw is the login (whatever the case) with at
// most digits and symbols around or inside it: "Ivan.Petrov1987" for
// ivan.petrov. A password that adds words of its own is not.
func builtOnLogin(pw, login string) bool {
	l := strings.ToLower(strings.TrimSpace(login))
	p := strings.ToLower(pw)
	if len([]rune(l)) < 3 || !strings.Contains(p, l) {
		return false
	}
	return !strings.ContainsFunc(strings.ReplaceAll(p, l, ""), unicode.IsLetter)
}
