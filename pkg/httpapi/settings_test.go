package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
)

type authSettingsBody struct {
	VerificationMethod string `json:"verification_method"`
}

func TestAuthSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	phoneOnly := e.createUser(t, map[string]any{"login": "sms", "first_name": "S", "last_name": "P", "phone": "79051111111"}).ID
	withEmail := e.createUser(t, map[string]any{"login": "mail", "first_name": "M", "last_name": "P",
		"email": "m@example.com", "phone": "79052222222"}).ID

	get := func(token string) string {
		t.Helper()
		r := e.do(t, "GET", "/api/v1/settings/auth", token, nil)
		want(t, r, http.StatusOK)
		return decode[authSettingsBody](t, r).VerificationMethod
	}
	if m := get(e.rootToken); m != "email_or_phone" {
		t.Errorf("default verification_method %q, want email_or_phone", m)
	}

	put := func(token, body string) reply {
		t.Helper()
		return e.do(t, "PUT", "/api/v1/settings/auth", token, body)
	}
	wantError(t, put(e.adminToken, `{"verification_method": "email_only"}`), http.StatusForbidden, "forbidden", "")
	for _, body := range []string{`{"verification_method": "sms_only"}`, `{"verification_method": ""}`, `{}`,
		`{"verification_method": "EMAIL_ONLY"}`} {
		wantError(t, put(e.rootToken, body), http.StatusBadRequest, "invalid_verification_method", "verification_method")
	}
	wantError(t, put(e.rootToken, `{"verification_method": 1}`), http.StatusBadRequest, "invalid_type", "verification_method")
	wantError(t, put(e.rootToken, `{"verification_method":`), http.StatusBadRequest, "invalid_json", "")
	r := e.doRaw(t, "PUT", "/api/v1/settings/auth", e.rootToken, "text/plain", strings.NewReader(`{"verification_method": "email_only"}`))
	wantError(t, r, http.StatusBadRequest, "unsupported_media_type", "")
	if m := get(e.rootToken); m != "email_or_phone" {
		t.Errorf("after refused changes verification_method is %q", m)
	}

	r = put(e.rootToken, `{"verification_method": "email_only"}`)
	want(t, r, http.StatusOK)
	if m := decode[authSettingsBody](t, r).VerificationMethod; m != "email_only" {
		t.Errorf("PUT answered %q, want email_only", m)
	}
	if m := get(e.adminToken); m != "email_only" {
		t.Errorf("a plain admin reads %q, want email_only", m)
	}

	res := e.inviteIDs(t, phoneOnly, withEmail)
	got := res.byUser(t)
	if r := got[phoneOnly]; str(r.InviteStatus) != "error" || r.Error == nil || r.Error.Code != "no_email" {
		t.Errorf("phone-only user under email_only: %+v; want error no_email", r)
	}
	if r := got[withEmail]; str(r.InviteStatus) != "waiting" || str(r.Channel) != "email" {
		t.Errorf("user with an e-mail under email_only: %+v; want waiting by email", r)
	}

	// Back to either channel: the phone-only user is reached by SMS.
	want(t, put(e.rootToken, `{"verification_method": "email_or_phone"}`), http.StatusOK)
	if r := e.inviteIDs(t, phoneOnly).byUser(t)[phoneOnly]; str(r.InviteStatus) != "waiting" || str(r.Channel) != "sms" {
		t.Errorf("phone-only user under email_or_phone: %+v; want waiting by sms", r)
	}
}
