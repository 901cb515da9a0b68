package httpapi_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// jsonKeys returns every object key in a JSON document, at any depth.
func jsonKeys(t *testing.T, body []byte) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	var keys []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				keys = append(keys, k)
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return keys
}

func TestResponsesCarryNoSecrets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var replies []reply
	keep := func(r reply) reply {
		t.Helper()
		replies = append(replies, r)
		return r
	}

	// A user who was invited, received a temporary password, signed in with
	// it and chose a password; then invited again and delivered again.
	u := e.createUser(t, map[string]any{"login": "ivan", "first_name": "Ivan", "last_name": "Petrov",
		"email": "ivan@example.com", "phone": "79051111111"})
	keep(e.do(t, "POST", "/api/v1/invitations", e.adminToken, map[string]any{"user_ids": []int64{u.ID}}))
	first := e.currentInvitation(t, u.ID)
	temp := e.deliver(t, first, time.Hour)
	r := keep(e.do(t, "POST", "/api/v1/auth/login", "", map[string]string{"login": "ivan", "password": temp}))
	want(t, r, http.StatusOK)
	token := decode[loginBody](t, r).Token
	const chosen = "Ivan-chosen-Password-9"
	e.addSecret(chosen)
	keep(e.do(t, "POST", "/api/v1/auth/password", token, map[string]string{"old_password": temp, "new_password": chosen}))
	keep(e.do(t, "POST", "/api/v1/auth/login", "", map[string]string{"login": "ivan", "password": chosen}))
	keep(e.do(t, "POST", "/api/v1/auth/login", "", map[string]string{"login": "ivan", "password": temp}))
	keep(e.do(t, "POST", "/api/v1/invitations", e.rootToken, map[string]any{"user_ids": []int64{u.ID}}))
	second := e.currentInvitation(t, u.ID)
	temp2 := e.deliver(t, second, time.Hour)
	keep(e.do(t, "POST", "/api/v1/auth/login", "", map[string]string{"login": "ivan", "password": temp2}))
	keep(e.do(t, "POST", "/api/v1/invitations", e.rootToken, map[string]any{"filter": map[string]any{"q": "ivan"}}))
	keep(e.do(t, "GET", "/api/v1/users/"+strconv.FormatInt(u.ID, 10), e.adminToken, nil))
	keep(e.do(t, "GET", "/api/v1/users", e.adminToken, nil))
	keep(e.do(t, "GET", "/api/v1/users?q=ivan&invite_status=waiting", e.adminToken, nil))
	keep(e.do(t, "GET", "/api/v1/users/"+strconv.FormatInt(e.rootID, 10), e.rootToken, nil))
	keep(e.do(t, "GET", "/api/v1/settings/auth", e.rootToken, nil))

	// What the database holds and the API must never show.
	c, err := e.store.LoginCandidate(t.Context(), "ivan")
	if err != nil {
		t.Fatal(err)
	}
	root, err := e.store.LoginCandidate(t.Context(), rootLogin)
	if err != nil {
		t.Fatal(err)
	}
	if c.PasswordHash == "" || root.PasswordHash == "" || len(c.PasswordHashes) == 0 {
		t.Fatalf("the fixture has no hashes to look for: %+v", c)
	}
	secrets := []string{temp, temp2, chosen, rootPassword, adminPassword, c.PasswordHash, root.PasswordHash, "$argon2id$"}
	for _, h := range append(c.PasswordHashes, e.hasher.Hash(first, temp)) {
		secrets = append(secrets, hex.EncodeToString(h), base64.StdEncoding.EncodeToString(h),
			base64.RawURLEncoding.EncodeToString(h), `\\x`+hex.EncodeToString(h))
	}

	for _, r := range replies {
		if r.Status >= 500 {
			t.Errorf("%v: server error", r)
		}
		for _, s := range secrets {
			if bytes.Contains(r.Body, []byte(s)) {
				t.Errorf("%s %s answered with a secret (%q):\n%s", r.Method, r.Path, s, r.Body)
			}
		}
		if len(r.Body) == 0 {
			continue
		}
		for _, k := range jsonKeys(t, r.Body) {
			lk := strings.ToLower(k)
			if (strings.Contains(lk, "password") && k != "must_change_password") || strings.Contains(lk, "hash") ||
				strings.Contains(lk, "secret") {
				t.Errorf("%s %s: a response field named %q:\n%s", r.Method, r.Path, k, r.Body)
			}
		}
	}
}
