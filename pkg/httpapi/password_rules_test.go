package httpapi_test

import (
	"net/http"
	"testing"
	"time"
)

// A chosen password may be neither a common one nor built on the login.
func TestChosenPasswordIsNotCommonNorTheLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, temp := e.invitedUser(t, "ivan.petrov", time.Hour)
	s := e.login(t, "ivan.petrov", temp)
	change := func(pw string) reply {
		return e.do(t, "POST", "/api/v1/auth/password", s.Token, map[string]string{"old_password": temp, "new_password": pw})
	}
	wantError(t, change("Password2024!"), http.StatusBadRequest, "common_password", "new_password")
	wantError(t, change("qwertyuiop123"), http.StatusBadRequest, "common_password", "new_password")
	wantError(t, change("Ivan.Petrov.1990"), http.StatusBadRequest, "password_contains_login", "new_password")
	want(t, change("Lantern-Orbit-Quiet-47"), http.StatusNoContent)
}
