package app_test

import (
	"net/http"
	"strings"
	"testing"
)

// Without DEV_OUTBOX=1 a channel with no provider is unavailable, never the
// outbox: with SMTP configured and no Vonage key, a user reachable only by
// SMS is refused at request time (sms_unavailable), nothing holds their
// password, and GET /api/v1/dev/outbox does not exist.
func TestChannelWithoutProviderIsUnavailable(t *testing.T) {
	t.Parallel()
	s := startService(t, options{Env: map[string]string{"VONAGE_API_KEY": "", "VONAGE_API_SECRET": ""}})
	api := s.API + "/api/v1"
	tok := adminToken(t, s)
	var mail, phone, both user
	call(t, "POST", api+"/users", tok, map[string]string{"first_name": "Mail", "last_name": "Only", "email": "mail@example.com"}, &mail, http.StatusCreated)
	call(t, "POST", api+"/users", tok, map[string]string{"login": "smsonly", "first_name": "Sms", "last_name": "Only", "phone": "+44 20 7946 0958"}, &phone, http.StatusCreated)
	call(t, "POST", api+"/users", tok, map[string]string{"login": "both", "first_name": "B", "last_name": "Oth", "email": "both@example.com", "phone": "+44 20 7946 0959"}, &both, http.StatusCreated)

	var preview struct {
		Refusals []struct{ Code string } `json:"refusals"`
		Email    int                     `json:"email"`
		SMS      int                     `json:"sms"`
	}
	call(t, "POST", api+"/invitations/preview", tok, map[string]any{"user_ids": []int64{mail.ID, phone.ID, both.ID}}, &preview, http.StatusOK)
	if preview.Email != 2 || preview.SMS != 0 || len(preview.Refusals) != 1 || preview.Refusals[0].Code != "sms_unavailable" {
		t.Errorf("preview %+v, want 2 by e-mail and sms_unavailable", preview)
	}
	var res struct {
		Results []struct {
			UserID int64 `json:"user_id"`
			Error  *struct{ Code string }
		}
	}
	call(t, "POST", api+"/invitations", tok, map[string]any{"user_ids": []int64{mail.ID, phone.ID, both.ID}}, &res, http.StatusAccepted)
	for _, r := range res.Results {
		refused := r.Error != nil && r.Error.Code == "sms_unavailable"
		if refused != (r.UserID == phone.ID) {
			t.Errorf("result %+v", r)
		}
	}
	waitStatus(t, api, tok, mail.ID, "invited")
	waitStatus(t, api, tok, both.ID, "invited")
	call(t, "GET", api+"/dev/outbox", tok, nil, nil, http.StatusNotFound)
	if strings.Contains(s.Logs.String(), "DEVELOPMENT OUTBOX") {
		t.Error("the programs announced a development outbox that was not asked for")
	}
	if !strings.Contains(s.Logs.String(), "sms_unavailable") {
		t.Error("the programs did not say that SMS invitations are refused")
	}
}
