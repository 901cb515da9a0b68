package auth

import (
	_ "embed"
	"slices"
	"strings"

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
// built on the user's login (NIST SP 800-63B asks for both).
func ValidateChosenPassword(pw, login string) error {
	if err := ValidateNewPassword(pw); err != nil {
		return err
	}
	if l := strings.ToLower(strings.TrimSpace(login)); len([]rune(l)) >= 3 && strings.Contains(strings.ToLower(pw), l) {
		return invite.Errorf(invite.KindInvalid, "password_contains_login",
			"password must not contain the login").WithField("new_password")
	}
	if IsCommonPassword(pw) {
		return invite.Errorf(invite.KindInvalid, "common_password",
			"password is one of the most common passwords; choose another").WithField("new_password")
	}
	return nil
}
