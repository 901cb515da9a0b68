package auth

import (
	"errors"
	"strings"
	"testing"

	"github.com/inviter/inviter/pkg/auth/internal/commonpw"
	"github.com/inviter/inviter/pkg/invite"
)

// The embedded list is what the generator makes (run go generate
// ./pkg/auth after changing it), and holds at least 10,000 passwords that
// the length rules alone would let through.
func TestCommonPasswordListIsGenerated(t *testing.T) {
	want := commonpw.Generate()
	if strings.Join(want, "\n")+"\n" != commonPasswordFile {
		t.Fatal("common_passwords.txt is not the generator's output: run go generate ./pkg/auth")
	}
	passing := 0
	for _, pw := range commonPasswords {
		if ValidateNewPassword(pw) == nil {
			passing++
		}
	}
	if passing < 10_000 {
		t.Errorf("%d common passwords pass the length rules, want at least 10,000", passing)
	}
}

func TestValidateChosenPassword(t *testing.T) {
	for _, tc := range []struct {
		pw, login, code string
	}{
		{"Password2024", "ivan", "common_password"},
		{"QWERTYUIOP", "ivan", "common_password"},
		{"1q2w3e4r5t6y", "ivan", "common_password"},
		{"iloveyou123", "ivan", "common_password"},
		{"0987654321", "ivan", "common_password"},
		{"Ivan.Petrov-1987", "ivan.petrov", "password_contains_login"},
		{"IVAN-2024-!!", "Ivan", "password_contains_login"},
		{"Ivan-chosen-Password-9", "ivan", ""},
		{"short", "ivan", "weak_password"},
		{"correct horse battery staple", "ivan", ""},
		{"tO9#kq-Lm2!vzr", "ivan", ""},
		{"admin-Password-5678", "admin2", ""},
	} {
		err := ValidateChosenPassword(tc.pw, tc.login)
		var e *invite.Error
		switch {
		case tc.code == "" && err != nil:
			t.Errorf("%q (login %q): %v, want accepted", tc.pw, tc.login, err)
		case tc.code != "" && (!errors.As(err, &e) || e.Code != tc.code || e.Field != "new_password"):
			t.Errorf("%q (login %q): %v, want %s", tc.pw, tc.login, err, tc.code)
		}
	}
}
