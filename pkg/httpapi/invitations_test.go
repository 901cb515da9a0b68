package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/inviter/inviter/pkg/tasks"
)

// inviteFixture creates one user for every way an invitation can go.
func inviteFixture(t *testing.T, e *env) map[string]int64 {
	t.Helper()
	users := map[string]map[string]any{
		"email":         {"login": "mail", "email": "ivan@example.com", "phone": "79051111111"},
		"phone":         {"login": "sms", "phone": "+7 905 222-22-22"},
		"no_contact":    {"login": "nobody"},
		"invalid_email": {"login": "badmail", "email": "ivan@localhost"},
		"invalid_phone": {"login": "badphone", "phone": "12345"},
		"no_country":    {"login": "national", "phone": "9051111111"},
	}
	ids := make(map[string]int64, len(users))
	for name, fields := range users {
		fields["first_name"], fields["last_name"] = "First", "Last"
		ids[name] = e.createUser(t, fields).ID
	}
	return ids
}

func TestInviteByIDs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := inviteFixture(t, e)
	const unknown = 987654

	r := e.do(t, "POST", "/api/v1/invitations", e.adminToken, map[string]any{"user_ids": []int64{ids["email"],
		ids["phone"], ids["no_contact"], ids["invalid_email"], ids["invalid_phone"], ids["no_country"], unknown}})
	want(t, r, http.StatusAccepted)
	res := decode[inviteBody](t, r)
	if res.Queued != 2 || res.Rejected != 5 || len(res.Results) != 7 {
		t.Errorf("queued %d rejected %d results %d; want 2, 5 (4 refusals and the unknown id), 7",
			res.Queued, res.Rejected, len(res.Results))
	}
	got := res.byUser(t)
	for name, channel := range map[string]string{"email": "email", "phone": "sms"} {
		r := got[ids[name]]
		if str(r.InviteStatus) != "waiting" || str(r.Channel) != channel || r.Error != nil {
			t.Errorf("%s user: %+v; want waiting by %s, no error", name, r, channel)
		}
	}
	for name, code := range map[string]string{"no_contact": "no_contact", "invalid_email": "invalid_email",
		"invalid_phone": "invalid_phone", "no_country": "phone_without_country_code"} {
		r := got[ids[name]]
		if str(r.InviteStatus) != "error" || r.Error == nil || r.Error.Code != code || r.Error.Message == "" {
			t.Errorf("%s user: %+v; want invite_status error, error.code %s with a message", name, r, code)
		}
		u := e.getUser(t, ids[name])
		if u.InviteStatus != "error" || u.InviteError == nil || u.InviteError.Code != code {
			t.Errorf("%s user after the refusal: %+v", name, u)
		}
	}
	if r, ok := got[unknown]; !ok || r.InviteStatus != nil || r.Error == nil || r.Error.Code != "not_found" {
		t.Errorf("unknown id: %+v; want invite_status null, error.code not_found", r)
	}
	// The contract's shape: invite_status and error are present, null or not.
	var raw struct {
		Results []map[string]json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(r.Body, &raw); err != nil {
		t.Fatal(err)
	}
	for _, r := range raw.Results {
		for _, k := range []string{"user_id", "invite_status", "error"} {
			if _, ok := r[k]; !ok {
				t.Errorf("result %v has no %q", r, k)
			}
		}
	}

	// The waiting users' attempts are tasks in Redis, carrying only their id.
	pending := e.pendingTasks(t)
	if len(pending) != res.Queued {
		t.Errorf("%d pending tasks, want %d (queued)", len(pending), res.Queued)
	}
	for name, typ := range map[string]string{"email": tasks.TypeEmail, "phone": tasks.TypeSMS} {
		u := e.getUser(t, ids[name])
		if u.InviteStatus != "waiting" || len(u.Invitations) != 1 {
			t.Fatalf("%s user after the invitation: %+v", name, u)
		}
		invID := u.Invitations[0].ID
		info, err := e.inspector.GetTaskInfo(tasks.Queue, tasks.TaskID(invID))
		if err != nil {
			t.Fatalf("%s user: task of invitation %d: %v", name, invID, err)
		}
		if info.State != asynq.TaskStatePending || info.Type != typ || info.MaxRetry != 3 {
			t.Errorf("%s user: task %+v; want pending %s with 3 retries", name, info, typ)
		}
		var payload map[string]any
		if err := json.Unmarshal(info.Payload, &payload); err != nil {
			t.Fatalf("payload %q: %v", info.Payload, err)
		}
		// Ids only: the worker reads everything else from PostgreSQL.
		if len(payload) != 1 || payload["invitation_id"] != float64(invID) {
			t.Errorf("%s user: payload %s; want exactly {\"invitation_id\": %d}", name, info.Payload, invID)
		}
	}
	for _, ti := range pending {
		for _, secret := range []string{"password", "ivan@example.com", "+7905"} {
			if bytes.Contains(ti.Payload, []byte(secret)) {
				t.Errorf("task %s payload %s contains %q", ti.ID, ti.Payload, secret)
			}
		}
	}
}

func TestInviteTwiceQueuesNothingNew(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := inviteFixture(t, e)

	first := e.inviteIDs(t, ids["email"], ids["phone"])
	if first.Queued != 2 {
		t.Fatalf("first click: %+v", first)
	}
	before := e.pendingTasks(t)
	invEmail := e.currentInvitation(t, ids["email"])

	// A double click: two identical requests at once, then a third.
	body := map[string]any{"user_ids": []int64{ids["email"], ids["phone"]}}
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg     sync.WaitGroup
		status [2]int
		bodies [2][]byte
		errs   [2]error
	)
	for i := range 2 { // no t.Fatal off the test goroutine
		wg.Go(func() {
			req, err := http.NewRequestWithContext(t.Context(), "POST", e.srv.URL+"/api/v1/invitations", bytes.NewReader(raw))
			if err != nil {
				errs[i] = err
				return
			}
			req.Header.Set("Authorization", "Bearer "+e.adminToken)
			req.Header.Set("Content-Type", "application/json")
			resp, err := e.srv.Client().Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			status[i] = resp.StatusCode
			bodies[i], errs[i] = io.ReadAll(resp.Body)
		})
	}
	wg.Wait()
	var results []inviteBody
	for i := range 2 {
		if errs[i] != nil || status[i] != http.StatusAccepted {
			t.Fatalf("concurrent repeat %d: %d %s %v", i, status[i], bodies[i], errs[i])
		}
		results = append(results, decode[inviteBody](t, reply{Body: bodies[i]}))
	}
	results = append(results, e.invite(t, e.adminToken, body))
	for i, res := range results {
		got := res.byUser(t)
		if res.Queued != 2 || res.Rejected != 0 || str(got[ids["email"]].InviteStatus) != "waiting" ||
			str(got[ids["phone"]].InviteStatus) != "waiting" {
			t.Errorf("repeat %d: %+v; want both users still waiting", i, res)
		}
	}
	if after := e.pendingTasks(t); len(after) != len(before) {
		t.Errorf("%d pending tasks after the repeats, %d before: a repeat enqueued again", len(after), len(before))
	}
	for _, name := range []string{"email", "phone"} {
		u := e.getUser(t, ids[name])
		if len(u.Invitations) != 1 || u.Invitations[0].Status != "waiting" {
			t.Errorf("%s user history %+v; want the one waiting attempt", name, u.Invitations)
		}
	}
	if got := e.currentInvitation(t, ids["email"]); got != invEmail {
		t.Errorf("current invitation %d, want %d kept", got, invEmail)
	}
}

func TestInviteByFilter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := inviteFixture(t, e)
	extra := e.createUser(t, map[string]any{"login": "anna", "first_name": "Anna", "last_name": "Findme",
		"email": "anna@example.com"}).ID
	other := e.createUser(t, map[string]any{"login": "boris", "first_name": "Boris", "last_name": "Findme",
		"phone": "+44 20 7946 0958"}).ID

	// By search string: only the matching users.
	res := e.invite(t, e.adminToken, map[string]any{"filter": map[string]any{"q": "FINDME"}})
	got := res.byUser(t)
	if res.Queued != 2 || res.Rejected != 0 || len(got) != 2 ||
		str(got[extra].Channel) != "email" || str(got[other].Channel) != "sms" {
		t.Errorf("filter q=FINDME: %+v; want anna by e-mail and boris by sms", res)
	}
	if n := len(e.pendingTasks(t)); n != 2 {
		t.Errorf("%d pending tasks, want 2", n)
	}

	// By status: the filter selects what the user list shows for it.
	ids["queued"] = e.createUser(t, map[string]any{"login": "queued", "first_name": "Q", "last_name": "W",
		"email": "queued@example.com"}).ID
	e.inviteIDs(t, ids["queued"])
	wantIDs, _ := listIDs(t, e, "invite_status=not_invited&limit=1000")
	if slices.Contains(wantIDs, ids["queued"]) || slices.Contains(wantIDs, extra) || !slices.Contains(wantIDs, ids["email"]) {
		t.Fatalf("not_invited list %v", wantIDs)
	}
	res = e.invite(t, e.adminToken, map[string]any{"filter": map[string]any{"invite_status": "not_invited"}})
	var gotIDs []int64
	for _, r := range res.Results {
		gotIDs = append(gotIDs, r.UserID)
	}
	slices.Sort(gotIDs)
	if !slices.Equal(gotIDs, wantIDs) {
		t.Errorf("filter not_invited selected %v; the not_invited list is %v", gotIDs, wantIDs)
	}
	got = res.byUser(t)
	waiting := 0
	for _, r := range res.Results {
		if str(r.InviteStatus) == "waiting" {
			waiting++
		}
	}
	if res.Queued != waiting || res.Rejected != len(res.Results)-waiting-res.Admins {
		t.Errorf("queued %d rejected %d; %d of %d results are waiting", res.Queued, res.Rejected, waiting, len(res.Results))
	}
	if str(got[ids["email"]].InviteStatus) != "waiting" || str(got[ids["phone"]].InviteStatus) != "waiting" ||
		got[ids["no_country"]].Error == nil || got[ids["no_country"]].Error.Code != "phone_without_country_code" {
		t.Errorf("filter not_invited: %+v", res)
	}
	if n := len(e.pendingTasks(t)); n != 2+1+2 {
		t.Errorf("%d pending tasks, want 5 (2 by q, 1 by id, 2 by status)", n)
	}
	// Only the administrators are left as they were.
	if left, _ := listIDs(t, e, "invite_status=not_invited"); !slices.Equal(left, []int64{e.rootID, e.adminID}) {
		t.Errorf("users still not invited after inviting all of them: %v; want the administrators %d, %d", left, e.rootID, e.adminID)
	}

	// Status and search string together.
	res = e.invite(t, e.adminToken, map[string]any{"filter": map[string]any{"invite_status": "error", "q": "national"}})
	if len(res.Results) != 1 || res.Results[0].UserID != ids["no_country"] || res.Rejected != 1 {
		t.Errorf("filter error+national: %+v; want only the user without a country code", res)
	}
}

func TestInviteRefusesBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.createUser(t, map[string]any{"login": "ivan", "first_name": "I", "last_name": "P", "email": "ivan@example.com"}).ID

	tests := []struct {
		name, body  string
		code, field string
	}{
		{"empty object", `{}`, "required", "user_ids"},
		{"empty list", `{"user_ids": []}`, "required", "user_ids"},
		{"null filter", `{"user_ids": null, "filter": null}`, "required", "user_ids"},
		{"zero id", `{"user_ids": [0]}`, "invalid_id", "user_ids"},
		{"negative id", `{"user_ids": [1, -3]}`, "invalid_id", "user_ids"},
		{"ids as strings", `{"user_ids": ["1"]}`, "invalid_type", "user_ids"},
		{"ids not a list", `{"user_ids": 1}`, "invalid_type", "user_ids"},
		{"bad filter status", `{"filter": {"invite_status": "sent"}}`, "invalid_invite_status", "filter.invite_status"},
		{"filter status of wrong type", `{"filter": {"invite_status": 1}}`, "invalid_type", "filter.invite_status"},
		{"bad JSON", `{"user_ids": [1,`, "invalid_json", ""},
		{"empty body", ``, "invalid_json", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, e.do(t, "POST", "/api/v1/invitations", e.adminToken, tt.body), http.StatusBadRequest, tt.code, tt.field)
		})
	}
	r := e.doRaw(t, "POST", "/api/v1/invitations", e.adminToken, "text/plain", strings.NewReader(`{"user_ids": [1]}`))
	wantError(t, r, http.StatusBadRequest, "unsupported_media_type", "")

	if n := len(e.pendingTasks(t)); n != 0 {
		t.Errorf("refused requests queued %d tasks", n)
	}
	if u := e.getUser(t, id); u.InviteStatus != "not_invited" || len(u.Invitations) != 0 {
		t.Errorf("refused requests changed the user: %+v", u)
	}
}

func TestInviteByFilterMatchingNobody(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser(t, map[string]any{"login": "ivan", "first_name": "I", "last_name": "P", "email": "ivan@example.com"})
	r := e.do(t, "POST", "/api/v1/invitations", e.adminToken, map[string]any{"filter": map[string]any{"q": "no-such-user"}})
	want(t, r, http.StatusAccepted)
	if !strings.Contains(string(r.Body), `"results":[]`) {
		t.Errorf("%v: want \"results\": [] (an empty list, not null)", r)
	}
	if b := decode[inviteBody](t, r); b.Queued != 0 || b.Rejected != 0 || len(b.Results) != 0 {
		t.Errorf("%v: want nothing queued or rejected", r)
	}
	if n := len(e.pendingTasks(t)); n != 0 {
		t.Errorf("%d pending tasks, want 0", n)
	}
}
