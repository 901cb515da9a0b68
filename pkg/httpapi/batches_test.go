package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
)

type batchBody struct {
	BatchID  int64 `json:"batch_id"`
	Queued   int   `json:"queued"`
	Rejected int   `json:"rejected"`
}

type progressBody struct {
	BatchID          int64     `json:"batch_id"`
	RequestedBy      *int64    `json:"requested_by"`
	RequestedByLogin *string   `json:"requested_by_login"`
	CreatedAt        time.Time `json:"created_at"`
	Selected         int       `json:"selected"`
	Queued           int       `json:"queued"`
	Kept             int       `json:"kept"`
	Refused          int       `json:"refused"`
	NotFound         int       `json:"not_found"`
	Skipped          int       `json:"skipped"`
	Admins           int       `json:"admins"`
	Total            int       `json:"total"`
	Waiting          int       `json:"waiting"`
	Invited          int       `json:"invited"`
	Failed           int       `json:"failed"`
	Superseded       int       `json:"superseded"`
	Done             bool      `json:"done"`
}

// moving is the part of a progress that changes as attempts end.
type moving struct{ Waiting, Invited, Failed, Superseded int }

func (p progressBody) moving() moving { return moving{p.Waiting, p.Invited, p.Failed, p.Superseded} }

type previewBody struct {
	VerificationMethod string `json:"verification_method"`
	Selected           int    `json:"selected"`
	Queued             int    `json:"queued"`
	Rejected           int    `json:"rejected"`
	Email              int    `json:"email"`
	SMS                int    `json:"sms"`
	Kept               int    `json:"kept"`
	Replaced           int    `json:"replaced"`
	Refused            int    `json:"refused"`
	Refusals           []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Count   int    `json:"count"`
	} `json:"refusals"`
	NotFound       int `json:"not_found"`
	AlreadyInvited int `json:"already_invited"`
	SendAgain      int `json:"send_again"`
	Skipped        int `json:"skipped"`
	Admins         int `json:"admins"`
}

func (e *env) progress(t *testing.T, batchID int64) progressBody {
	t.Helper()
	r := e.do(t, "GET", "/api/v1/invitations/batches/"+strconv.FormatInt(batchID, 10), e.adminToken, nil)
	want(t, r, http.StatusOK)
	return decode[progressBody](t, r)
}

func (e *env) sendBatch(t *testing.T, body any) batchBody {
	t.Helper()
	r := e.do(t, "POST", "/api/v1/invitations", e.adminToken, body)
	want(t, r, http.StatusAccepted)
	b := decode[batchBody](t, r)
	if b.BatchID <= 0 {
		t.Fatalf("%v: no batch_id", r)
	}
	return b
}

func (e *env) setMethod(t *testing.T, m invite.VerificationMethod) {
	t.Helper()
	want(t, e.do(t, "PUT", "/api/v1/settings/auth", e.rootToken, map[string]string{"verification_method": string(m)}), http.StatusOK)
}

func TestBatchProgressFollowsTheAttempts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := inviteFixture(t, e)
	const unknown = 987654

	b := e.sendBatch(t, map[string]any{"user_ids": []int64{ids["email"], ids["phone"], ids["no_contact"], unknown}})
	p := e.progress(t, b.BatchID)
	if p.BatchID != b.BatchID || p.RequestedBy == nil || *p.RequestedBy != e.adminID || str(p.RequestedByLogin) != adminLogin ||
		p.CreatedAt.IsZero() {
		t.Errorf("progress header %+v; want batch %d asked by %s", p, b.BatchID, adminLogin)
	}
	if p.Selected != 3 || p.Queued != 2 || p.Kept != 0 || p.Refused != 1 || p.NotFound != 1 || p.Total != 3 {
		t.Errorf("request-time counts %+v; want 3 selected, 2 queued, 1 refused, 1 not found, total 3", p)
	}
	if p.moving() != (moving{Waiting: 2}) || p.Done {
		t.Errorf("fresh batch %+v; want 2 waiting, not done", p)
	}
	// The 202 and the progress agree: queued and rejected as the 202 counts them.
	if b.Queued != p.Queued+p.Kept || b.Rejected != p.Refused+p.NotFound {
		t.Errorf("202 %+v against progress %+v", b, p)
	}

	// The worker records the attempts' ends; the progress follows.
	e.deliver(t, e.currentInvitation(t, ids["email"]), time.Hour)
	if p := e.progress(t, b.BatchID); p.moving() != (moving{Waiting: 1, Invited: 1}) || p.Done {
		t.Errorf("after one delivery: %+v", p)
	}
	reason := invite.NewReason(invite.ReasonDeliveryFailed, "throttled for good")
	if err := e.store.MarkFailed(t.Context(), e.currentInvitation(t, ids["phone"]), *reason, "throttled for good"); err != nil {
		t.Fatal(err)
	}
	if p := e.progress(t, b.BatchID); p.moving() != (moving{Invited: 1, Failed: 1}) || !p.Done {
		t.Errorf("after a delivery and a failure: %+v; want done", p)
	}

	// Every request is a batch of its own, even one that changes nothing.
	again := e.sendBatch(t, map[string]any{"user_ids": []int64{ids["no_contact"]}})
	if p := e.progress(t, again.BatchID); again.BatchID == b.BatchID || p.Refused != 1 || !p.Done {
		t.Errorf("second request: batch %d (first %d), %+v", again.BatchID, b.BatchID, p)
	}
}

func TestBatchProgressCountsKeptAndSuperseded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := inviteFixture(t, e) // "email" has a valid phone too

	first := e.sendBatch(t, map[string]any{"user_ids": []int64{ids["email"], ids["phone"]}})
	// A double click: both users are already waiting on the same route.
	repeat := e.sendBatch(t, map[string]any{"user_ids": []int64{ids["email"], ids["phone"]}})
	if p := e.progress(t, repeat.BatchID); p.Kept != 2 || p.Queued != 0 || p.Total != 0 || !p.Done {
		t.Errorf("repeat: %+v; want 2 kept, nothing of its own, done", p)
	}
	// The setting changes and the admin sends again: the e-mail attempt is
	// replaced by an SMS one; the phone user's SMS attempt is kept.
	e.setMethod(t, invite.MethodPhoneOnly)
	second := e.sendBatch(t, map[string]any{"user_ids": []int64{ids["email"], ids["phone"]}})
	if p := e.progress(t, first.BatchID); p.moving() != (moving{Waiting: 1, Superseded: 1}) || p.Done {
		t.Errorf("first batch after the resend: %+v; want 1 waiting (kept by the resend), 1 superseded", p)
	}
	if p := e.progress(t, second.BatchID); p.Queued != 1 || p.Kept != 1 || p.moving() != (moving{Waiting: 1}) {
		t.Errorf("second batch: %+v; want 1 queued, 1 kept, 1 waiting", p)
	}
}

func TestBatchProgressErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	wantError(t, e.do(t, "GET", "/api/v1/invitations/batches/424242", e.adminToken, nil), http.StatusNotFound, "not_found", "")
	for _, id := range []string{"0", "-1", "abc", "1.5", "99999999999999999999"} {
		wantError(t, e.do(t, "GET", "/api/v1/invitations/batches/"+id, e.adminToken, nil), http.StatusBadRequest, "invalid_id", "id")
	}
	wantError(t, e.do(t, "POST", "/api/v1/invitations/batches/1", e.adminToken, "{}"), http.StatusMethodNotAllowed, "method_not_allowed", "")
	wantError(t, e.do(t, "GET", "/api/v1/invitations/preview", e.adminToken, nil), http.StatusMethodNotAllowed, "method_not_allowed", "")

	// Admins only.
	employee := e.session(t, e.createAccount(t, "employee", "employee-Password-1", invite.RoleUser))
	b := e.sendBatch(t, map[string]any{"filter": map[string]any{}})
	for _, token := range []string{"", employee} {
		status, code := http.StatusForbidden, "forbidden"
		if token == "" {
			status, code = http.StatusUnauthorized, "unauthorized"
		}
		wantError(t, e.do(t, "GET", "/api/v1/invitations/batches/"+strconv.FormatInt(b.BatchID, 10), token, nil), status, code, "")
		wantError(t, e.do(t, "POST", "/api/v1/invitations/preview", token, `{"user_ids": [1]}`), status, code, "")
	}
}

func TestPreviewCountsAndWritesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := inviteFixture(t, e)
	kept := e.createUser(t, map[string]any{"login": "kept", "first_name": "K", "last_name": "P", "email": "kept@example.com"}).ID
	e.inviteIDs(t, kept)
	all := []int64{kept, e.adminID, 987654}
	for _, id := range ids {
		all = append(all, id)
	}
	body := map[string]any{"user_ids": all}
	before := e.tableState(t)

	r := e.do(t, "POST", "/api/v1/invitations/preview", e.adminToken, body)
	want(t, r, http.StatusOK)
	p := decode[previewBody](t, r)
	// email and phone by their channels; kept; four contact refusals; the
	// admin left alone.
	if p.VerificationMethod != "email_or_phone" || p.Selected != 8 || p.Email != 1 || p.SMS != 1 || p.Kept != 1 ||
		p.Replaced != 0 || p.Refused != 4 || p.NotFound != 1 || p.Queued != 3 || p.Rejected != 5 || p.Admins != 1 {
		t.Errorf("preview %+v", p)
	}
	wantRefusals := map[string]int{"no_contact": 1, "invalid_email": 1, "invalid_phone": 1,
		"phone_without_country_code": 1}
	if len(p.Refusals) != len(wantRefusals) {
		t.Errorf("refusals %+v; want %v", p.Refusals, wantRefusals)
	}
	for _, rc := range p.Refusals {
		if rc.Count != wantRefusals[rc.Code] || rc.Message == "" {
			t.Errorf("refusal %+v; want count %d with a message", rc, wantRefusals[rc.Code])
		}
	}
	// Counts only, whatever the size of the selection.
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &raw); err != nil {
		t.Fatal(err)
	}
	if _, ok := raw["results"]; ok {
		t.Errorf("the preview lists users: %s", r.Body)
	}
	if after := e.tableState(t); after != before {
		t.Errorf("the preview changed something:\nbefore %s\nafter  %s", before, after)
	}

	// Another method, another answer, from the same users.
	e.setMethod(t, invite.MethodEmailOnly)
	p = decode[previewBody](t, e.do(t, "POST", "/api/v1/invitations/preview", e.adminToken, body))
	if p.VerificationMethod != "email_only" || p.Email != 1 || p.SMS != 0 || p.Kept != 1 || p.Refused != 5 {
		t.Errorf("email_only preview %+v", p)
	}

	// What the preview says is what the send then does.
	e.setMethod(t, invite.MethodEmailOrPhone)
	p = decode[previewBody](t, e.do(t, "POST", "/api/v1/invitations/preview", e.adminToken, body))
	sent := e.sendBatch(t, body)
	if sent.Queued != p.Queued || sent.Rejected != p.Rejected {
		t.Errorf("send %+v after preview %+v", sent, p)
	}
}

// tableState summarizes what a preview must leave as it was: every user's
// status and history, and the queue.
func (e *env) tableState(t *testing.T) string {
	t.Helper()
	list := decode[userListBody](t, e.do(t, "GET", "/api/v1/users?limit=1000", e.rootToken, nil))
	state := "tasks " + strconv.Itoa(len(e.pendingTasks(t)))
	for _, u := range list.Items {
		full := e.getUser(t, u.ID)
		state += " " + u.Login + ":" + u.InviteStatus + ":" + strconv.Itoa(len(full.Invitations))
	}
	return state
}

func TestPreviewRefusesBadInputLikeTheSend(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, body := range []string{
		`{}`, `{"user_ids": []}`, `{"user_ids": null, "filter": null}`, `{"user_ids": [0]}`, `{"user_ids": [1, -3]}`,
		`{"user_ids": ["1"]}`, `{"user_ids": 1}`, `{"filter": {"invite_status": "sent"}}`,
		`{"filter": {"invite_status": 1}}`, `{"user_ids": [1,`, ``, `{"user_ids": [1]} {}`,
	} {
		send := e.do(t, "POST", "/api/v1/invitations", e.adminToken, body)
		preview := e.do(t, "POST", "/api/v1/invitations/preview", e.adminToken, body)
		if send.Status != http.StatusBadRequest || preview.Status != send.Status || string(preview.Body) != string(send.Body) {
			t.Errorf("body %q:\n send    %v\n preview %v\nwant the same 400", body, send, preview)
		}
	}
	wantError(t, e.do(t, "POST", "/api/v1/invitations/preview", e.adminToken, `{"user_ids": [0]}`),
		http.StatusBadRequest, "invalid_id", "user_ids")
}
