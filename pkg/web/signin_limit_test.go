package web

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/account"
	"github.com/inviter/inviter/pkg/signinlimit"
	"github.com/inviter/inviter/pkg/testenv"
)

// The sign-in page has the same limits as the API: over the account's
// limit, the right password gets a 429 page with Retry-After, and the
// message says to wait.
func TestSignInPageIsLimited(t *testing.T) {
	e := newEnv(t)
	logs := &testenv.LogBuffer{}
	accounts := account.New(e.store, e.hasher, 0).Guarded(account.Guard{
		Limiter: signinlimit.New(testenv.NewRedis(t).Client, signinlimit.Limits{PerAccount: 2, Window: time.Hour}),
		Log:     slog.New(slog.NewJSONHandler(logs, nil))})
	e.srv.Close()
	e.srv = httptest.NewServer(New(Deps{Store: e.store, Inviter: e.inviter, Accounts: accounts, Log: slog.New(slog.DiscardHandler)}))
	t.Cleanup(e.srv.Close)

	c := e.client(t)
	for range 2 {
		want(t, c.signIn(rootLogin, "wrong-password-1", ""), http.StatusUnauthorized)
	}
	r := c.signIn(rootLogin, rootPassword, "")
	want(t, r, http.StatusTooManyRequests)
	if r.header.Get("Retry-After") == "" {
		t.Error("no Retry-After on the 429 page")
	}
	wantContains(t, r.body, "Too many sign-in attempts")
	if !strings.Contains(logs.String(), `"outcome":"limited"`) || strings.Contains(logs.String(), rootPassword) {
		t.Errorf("sign-in log:\n%s", logs.String())
	}
}
