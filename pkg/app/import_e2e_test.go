package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// postFile posts a file as the raw body and decodes the JSON answer.
func postFile(t *testing.T, url, token, contentType string, body []byte, out any, want int) {
	t.Helper()
	req, err := http.NewRequest("POST", url, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("POST %s: status %d, want %d: %s", url, resp.StatusCode, want, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("POST %s: %s: %v", url, raw, err)
	}
}

// An HR file in Russian Excel's CSV, imported with "Send invitation" into
// the real api: the users wait, then the real worker invites them by
// e-mail or SMS, or they end in error; the configured size limit holds.
func TestImportSendsInvitations(t *testing.T) {
	t.Parallel()
	s := startService(t, options{Env: map[string]string{"IMPORT_MAX_BYTES": "4KiB"}})
	tok := adminToken(t, s)
	api := s.API + "/api/v1"
	file, err := charmap.Windows1251.NewEncoder().String(strings.Join([]string{
		"Фамилия;Имя;Логин;Почта;Телефон",
		"Иванов;Иван;ivanov;ivan@example.com;",
		"Петрова;Ольга;petrova;;+7 905 222-22-22",
		"Сидоров;Пётр;sidorov;sidorov@localhost;",
	}, "\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Created     int `json:"created"`
		Invitations struct {
			Queued   int `json:"queued"`
			Rejected int `json:"rejected"`
			Results  []struct {
				UserID       int64   `json:"user_id"`
				InviteStatus *string `json:"invite_status"`
			} `json:"results"`
		} `json:"invitations"`
	}
	postFile(t, api+"/users/import?send_invitation=1", tok, "text/csv", []byte(file), &rep, http.StatusOK)
	if rep.Created != 3 || rep.Invitations.Queued != 2 || rep.Invitations.Rejected != 1 || len(rep.Invitations.Results) != 3 {
		t.Fatalf("report %+v", rep)
	}
	for _, r := range rep.Invitations.Results {
		var u user
		call(t, "GET", api+"/users/"+itoa(r.UserID), tok, nil, &u, http.StatusOK)
		if u.Login == "sidorov" {
			waitStatus(t, api, tok, r.UserID, "error")
			continue
		}
		if *r.InviteStatus != "waiting" {
			t.Errorf("%s: %s right after the import, want waiting", u.Login, *r.InviteStatus)
		}
		waitStatus(t, api, tok, r.UserID, "invited")
	}
	if msgs := s.SMTP.WaitMessages(t, 1, 20*time.Second); len(msgs) != 1 {
		t.Errorf("%d e-mails, want 1", len(msgs))
	}

	// IMPORT_MAX_BYTES reached the api.
	var refused struct {
		Error struct{ Code, Field string } `json:"error"`
	}
	postFile(t, api+"/users/import", tok, "text/csv", []byte(strings.Repeat("x", 5000)), &refused, http.StatusRequestEntityTooLarge)
	if refused.Error.Code != "file_too_large" || refused.Error.Field != "file" {
		t.Errorf("oversized file: %+v", refused)
	}
}
