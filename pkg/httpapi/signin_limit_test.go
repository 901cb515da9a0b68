package httpapi_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/account"
	"github.com/inviter/inviter/pkg/clientaddr"
	"github.com/inviter/inviter/pkg/httpapi"
	"github.com/inviter/inviter/pkg/signinlimit"
	"github.com/inviter/inviter/pkg/testenv"
)

// guardedReplica is one more api replica over e's database and a shared
// Redis, with the sign-in guard as the binary wires it; loopback is a
// trusted proxy when trustLoopback.
func guardedReplica(t *testing.T, e *env, r *testenv.Redis, limits signinlimit.Limits, trustLoopback bool, logs *testenv.LogBuffer) string {
	t.Helper()
	log := slog.New(slog.NewJSONHandler(logs, nil))
	accounts := account.New(e.store, e.hasher, 0).Guarded(account.Guard{
		Limiter: signinlimit.New(r.Client, limits), Log: log})
	var trusted []netip.Prefix
	if trustLoopback {
		trusted = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	}
	srv := httptest.NewServer(clientaddr.Middleware(trusted, httpapi.NewServer(httpapi.Deps{
		Store: e.store, Temporary: e.hasher, Accounts: accounts, Log: log})))
	t.Cleanup(srv.Close)
	return srv.URL
}

func signIn(t *testing.T, base, login, password, forwardedFor string) *http.Response {
	t.Helper()
	req, err := http.NewRequest("POST", base+"/api/v1/auth/login",
		strings.NewReader(`{"login":"`+login+`","password":"`+password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// The account limit holds across replicas: guesses on one replica count on
// the other, and once over it the right password gets the same 429 (with
// Retry-After) as a wrong one. Another account is not affected.
func TestSignInLimitPerAccountAcrossReplicas(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := testenv.NewRedis(t)
	logs := &testenv.LogBuffer{}
	limits := signinlimit.Limits{PerAccount: 3, PerAddress: 1000, Window: time.Hour}
	a := guardedReplica(t, e, r, limits, false, logs)
	b := guardedReplica(t, e, r, limits, false, logs)

	for i, base := range []string{a, b, a} {
		if resp := signIn(t, base, adminLogin, "wrong-guess-"+strconv.Itoa(i), ""); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d, want 401", i, resp.StatusCode)
		}
	}
	for _, pw := range []string{adminPassword, "wrong-guess-9"} {
		for _, base := range []string{a, b} {
			resp := signIn(t, base, adminLogin, pw, "")
			if resp.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("over the limit: %d, want 429", resp.StatusCode)
			}
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 {
				t.Errorf("Retry-After = %q", resp.Header.Get("Retry-After"))
			}
		}
	}
	if resp := signIn(t, b, rootLogin, rootPassword, ""); resp.StatusCode != http.StatusOK {
		t.Errorf("another account: %d, want 200", resp.StatusCode)
	}
	out := logs.String()
	for _, want := range []string{`"msg":"sign-in"`, `"login":"admin"`, `"address":"127.0.0.1"`, `"outcome":"wrong_credentials"`, `"outcome":"limited"`, `"outcome":"ok"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the sign-in log lacks %s:\n%s", want, out)
		}
	}
	for _, secret := range []string{adminPassword, rootPassword, "wrong-guess"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds a password: %s", secret)
		}
	}
}

// The address limit counts by client address: X-Forwarded-For from a
// trusted proxy names the client; from anyone else it is ignored.
func TestSignInLimitPerAddress(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	limits := signinlimit.Limits{PerAccount: 1000, PerAddress: 2, Window: time.Hour}

	proxied := guardedReplica(t, e, testenv.NewRedis(t), limits, true, &testenv.LogBuffer{})
	for i := range 2 {
		if resp := signIn(t, proxied, "nobody"+strconv.Itoa(i), "guess", "198.51.100.1"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, resp.StatusCode)
		}
	}
	if resp := signIn(t, proxied, rootLogin, rootPassword, "198.51.100.1"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("third attempt from 198.51.100.1: %d, want 429", resp.StatusCode)
	}
	if resp := signIn(t, proxied, rootLogin, rootPassword, "198.51.100.2"); resp.StatusCode != http.StatusOK {
		t.Errorf("another client behind the proxy: %d, want 200", resp.StatusCode)
	}

	direct := guardedReplica(t, e, testenv.NewRedis(t), limits, false, &testenv.LogBuffer{})
	for i := range 2 {
		signIn(t, direct, "nobody", "guess", "203.0.113."+strconv.Itoa(i)) // a forged header each time
	}
	if resp := signIn(t, direct, rootLogin, rootPassword, "203.0.113.99"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("forged X-Forwarded-For escaped the address limit: %d, want 429", resp.StatusCode)
	}
}
