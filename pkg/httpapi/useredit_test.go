package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"
)

type suggestionBody struct {
	Field   string `json:"field"`
	Value   string `json:"value"`
	Display string `json:"display"`
}

type editWarningBody struct {
	Field      string          `json:"field"`
	Code       string          `json:"code"`
	Suggestion *suggestionBody `json:"suggestion"`
}

type changeBody struct {
	Field          string    `json:"field"`
	OldValue       *string   `json:"old_value"`
	NewValue       *string   `json:"new_value"`
	ChangedByLogin *string   `json:"changed_by_login"`
	ChangedAt      time.Time `json:"changed_at"`
}

type editedUserBody struct {
	ID              int64             `json:"id"`
	Login           string            `json:"login"`
	FirstName       string            `json:"first_name"`
	Email           *string           `json:"email"`
	Phone           *string           `json:"phone"`
	InviteStatus    string            `json:"invite_status"`
	InviteError     *reasonBody       `json:"invite_error"`
	WaitingSince    *time.Time        `json:"waiting_since"`
	Warnings        []editWarningBody `json:"warnings"`
	Changes         []changeBody      `json:"changes"`
	ContactProblems []editWarningBody `json:"contact_problems"`
	Rerouted        bool              `json:"rerouted"`
	Invitations     []invitationBody  `json:"invitations"`
}

func (e *env) patchUser(t *testing.T, id int64, fields map[string]any) reply {
	t.Helper()
	return e.do(t, "PATCH", "/api/v1/users/"+strconv.FormatInt(id, 10), e.adminToken, fields)
}

func (e *env) userDetail(t *testing.T, id int64) editedUserBody {
	t.Helper()
	r := e.do(t, "GET", "/api/v1/users/"+strconv.FormatInt(id, 10), e.adminToken, nil)
	want(t, r, http.StatusOK)
	return decode[editedUserBody](t, r)
}

func warningCodes(ws []editWarningBody) map[string]editWarningBody {
	m := map[string]editWarningBody{}
	for _, w := range ws {
		m[w.Field+":"+w.Code] = w
	}
	return m
}

func TestPatchUserFixesPhoneWithSuggestion(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do(t, "POST", "/api/v1/users", e.adminToken,
		map[string]any{"login": "olga", "first_name": "Olga", "last_name": "S", "phone": "9051112234"})
	want(t, r, http.StatusCreated)
	created := decode[editedUserBody](t, r)
	w, ok := warningCodes(created.Warnings)["phone:phone_without_country_code"]
	if !ok || w.Suggestion == nil || w.Suggestion.Value != "+79051112234" || w.Suggestion.Display != "+7 905 111-22-34" {
		t.Fatalf("create warnings %s: want a suggestion of +7 905 111-22-34", r.Body)
	}
	// The number itself is not changed silently.
	if str(created.Phone) != "9051112234" {
		t.Fatalf("phone stored as %q", str(created.Phone))
	}
	card := e.userDetail(t, created.ID)
	if p := warningCodes(card.ContactProblems)["phone:phone_without_country_code"]; p.Suggestion == nil || p.Suggestion.Value != "+79051112234" {
		t.Fatalf("contact_problems %+v: want the suggestion", card.ContactProblems)
	}

	r = e.patchUser(t, created.ID, map[string]any{"phone": w.Suggestion.Value})
	want(t, r, http.StatusOK)
	got := decode[editedUserBody](t, r)
	wantUserKeys(t, r.Body)
	if str(got.Phone) != "+79051112234" || len(got.Warnings) != 0 || got.Warnings == nil || got.Rerouted {
		t.Fatalf("patched %s", r.Body)
	}
	if len(got.Changes) != 1 || got.Changes[0].Field != "phone" || str(got.Changes[0].OldValue) != "9051112234" ||
		str(got.Changes[0].NewValue) != "+79051112234" {
		t.Fatalf("changes %+v", got.Changes)
	}
	card = e.userDetail(t, created.ID)
	if len(card.ContactProblems) != 0 || len(card.Changes) != 1 || str(card.Changes[0].ChangedByLogin) != adminLogin ||
		time.Since(card.Changes[0].ChangedAt) > time.Hour {
		t.Fatalf("card after the fix: problems %+v, changes %+v", card.ContactProblems, card.Changes)
	}
	// Now the invitation goes.
	if res := e.inviteIDs(t, created.ID); res.Queued != 1 {
		t.Fatalf("invite after the fix: %+v", res)
	}
}

func TestPatchUserValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.createUser(t, map[string]any{"login": "ivan", "first_name": "Ivan", "last_name": "P", "email": "ivan@example.com"})
	e.createUser(t, map[string]any{"login": "taken", "first_name": "T", "last_name": "T", "email": "taken@example.com"})

	wantError(t, e.patchUser(t, u.ID, map[string]any{"first_name": "  "}), http.StatusBadRequest, "required", "first_name")
	wantError(t, e.patchUser(t, u.ID, map[string]any{"login": "a b"}), http.StatusBadRequest, "invalid_login", "login")
	wantError(t, e.patchUser(t, u.ID, map[string]any{"login": "TAKEN"}), http.StatusConflict, "conflict", "login")
	wantError(t, e.patchUser(t, u.ID, map[string]any{"first_name": 5}), http.StatusBadRequest, "invalid_type", "first_name")
	wantError(t, e.patchUser(t, u.ID, map[string]any{}), http.StatusBadRequest, "required", "")
	wantError(t, e.patchUser(t, 999999, map[string]any{"first_name": "X"}), http.StatusNotFound, "not_found", "")
	r := e.do(t, "PATCH", "/api/v1/users/"+strconv.FormatInt(u.ID, 10), "", map[string]any{"first_name": "X"})
	want(t, r, http.StatusUnauthorized)

	// Nothing of the refused edits was written: one transaction each.
	card := e.userDetail(t, u.ID)
	if card.Login != "ivan" || card.FirstName != "Ivan" || len(card.Changes) != 0 {
		t.Fatalf("after refused edits: %+v", card)
	}
	// An edit that changes nothing records nothing.
	r = e.patchUser(t, u.ID, map[string]any{"first_name": "Ivan"})
	want(t, r, http.StatusOK)
	if got := decode[editedUserBody](t, r); len(got.Changes) != 0 {
		t.Fatalf("no-op edit recorded %+v", got.Changes)
	}
	// Invalid contact data is stored with the warnings of POST.
	r = e.patchUser(t, u.ID, map[string]any{"email": "ivan@", "login": "ivan2"})
	want(t, r, http.StatusOK)
	got := decode[editedUserBody](t, r)
	if _, ok := warningCodes(got.Warnings)["email:invalid_email"]; !ok || got.Login != "ivan2" || len(got.Changes) != 2 {
		t.Fatalf("edit with a bad e-mail: %s", r.Body)
	}
}

func TestDuplicateContactWarnings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.createUser(t, map[string]any{"login": "a", "first_name": "A", "last_name": "A", "email": "team@example.com", "phone": "+79051110000"})
	r := e.do(t, "POST", "/api/v1/users", e.adminToken,
		map[string]any{"login": "b", "first_name": "B", "last_name": "B", "email": "TEAM@example.com"})
	want(t, r, http.StatusCreated)
	b := decode[editedUserBody](t, r)
	if _, ok := warningCodes(b.Warnings)["email:duplicate_email"]; !ok || len(b.Warnings) != 1 {
		t.Fatalf("create with a taken e-mail: %s", r.Body)
	}
	r = e.patchUser(t, b.ID, map[string]any{"phone": "7 905 111-00-00"})
	want(t, r, http.StatusOK)
	got := decode[editedUserBody](t, r)
	ws := warningCodes(got.Warnings)
	if _, ok := ws["phone:duplicate_phone"]; !ok {
		t.Fatalf("edit to a taken phone: %s", r.Body)
	}
	// A user is never a duplicate of themselves.
	r = e.patchUser(t, a.ID, map[string]any{"first_name": "Anna"})
	want(t, r, http.StatusOK)
	if got := decode[editedUserBody](t, r); len(got.Warnings) != 2 {
		t.Fatalf("edit of a: warnings %+v, want the two duplicates of b's data", got.Warnings)
	}
}

func TestPatchContactReroutesWaitingInvitation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.createUser(t, map[string]any{"login": "mail", "first_name": "M", "last_name": "M", "email": "old@example.com"})
	e.inviteIDs(t, u.ID)
	before := e.userDetail(t, u.ID)
	if before.InviteStatus != "waiting" || before.WaitingSince == nil || len(before.Invitations) != 1 {
		t.Fatalf("before: %+v", before)
	}
	oldID := before.Invitations[0].ID

	r := e.patchUser(t, u.ID, map[string]any{"email": "new@example.com"})
	want(t, r, http.StatusOK)
	got := decode[editedUserBody](t, r)
	if !got.Rerouted || got.InviteStatus != "waiting" {
		t.Fatalf("patch: %s", r.Body)
	}
	after := e.userDetail(t, u.ID)
	if len(after.Invitations) != 2 {
		t.Fatalf("history %+v", after.Invitations)
	}
	newest, old := after.Invitations[0], after.Invitations[1]
	if old.ID != oldID || old.Status != "superseded" || newest.Status != "waiting" || str(newest.Destination) != "new@example.com" {
		t.Fatalf("history after the edit: %+v", after.Invitations)
	}
	// The new attempt is in the queue (the old task finds its attempt superseded).
	found := false
	for _, ti := range e.pendingTasks(t) {
		var p struct {
			InvitationID int64 `json:"invitation_id"`
		}
		if json.Unmarshal(ti.Payload, &p) == nil && p.InvitationID == newest.ID {
			found = true
		}
	}
	if !found {
		t.Fatalf("no task for the new attempt %d", newest.ID)
	}
	// Editing the name only leaves the waiting attempt alone.
	want(t, e.patchUser(t, u.ID, map[string]any{"first_name": "Maria"}), http.StatusOK)
	if h := e.userDetail(t, u.ID).Invitations; len(h) != 2 || h[0].Status != "waiting" {
		t.Fatalf("a name edit touched the attempt: %+v", h)
	}
	// New contact data that is refused puts the user in error; nothing waits.
	r = e.patchUser(t, u.ID, map[string]any{"email": "", "phone": "9051112234"})
	want(t, r, http.StatusOK)
	got = decode[editedUserBody](t, r)
	if !got.Rerouted || got.InviteStatus != "error" || got.InviteError == nil || got.InviteError.Code != "phone_without_country_code" {
		t.Fatalf("edit to refused data: %s", r.Body)
	}
	if h := e.userDetail(t, u.ID).Invitations; h[1].Status != "superseded" || h[0].Status != "rejected" {
		t.Fatalf("history: %+v", h)
	}
}

func TestListUsersByErrorCode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := statusFixture(t, e) // "error" is phone_without_country_code
	badMail := e.createUser(t, map[string]any{"login": "bm", "first_name": "B", "last_name": "M", "email": "bm@"}).ID
	e.inviteIDs(t, badMail)

	got, _ := listIDs(t, e, "error_code=phone_without_country_code")
	if len(got) != 1 || got[0] != ids["error"] {
		t.Fatalf("error_code=phone_without_country_code: %v, want [%d]", got, ids["error"])
	}
	if _, body := listIDs(t, e, "error_code=phone_without_country_code&counts=1"); body.Total != 1 {
		t.Fatalf("total of error_code=phone_without_country_code: %d, want 1", body.Total)
	}
	got, _ = listIDs(t, e, "error_code=invalid_email&invite_status=error")
	if len(got) != 1 || got[0] != badMail {
		t.Fatalf("error_code=invalid_email: %v", got)
	}
	wantError(t, e.do(t, "GET", "/api/v1/users?error_code=nope", e.adminToken, nil), http.StatusBadRequest, "invalid_error_code", "error_code")

	r := e.do(t, "GET", "/api/v1/users?counts=1", e.adminToken, nil)
	want(t, r, http.StatusOK)
	var body struct {
		ErrorCounts        map[string]int `json:"error_counts"`
		OldestWaitingSince *time.Time     `json:"oldest_waiting_since"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.ErrorCounts["phone_without_country_code"] != 1 || body.ErrorCounts["invalid_email"] != 1 || len(body.ErrorCounts) != 2 {
		t.Fatalf("error_counts %v", body.ErrorCounts)
	}
	if body.OldestWaitingSince == nil || time.Since(*body.OldestWaitingSince) > time.Hour {
		t.Fatalf("oldest_waiting_since %v", body.OldestWaitingSince)
	}
	if w := e.userDetail(t, ids["waiting"]); w.WaitingSince == nil {
		t.Fatal("a waiting user has no waiting_since")
	}
	if w := e.userDetail(t, ids["invited"]); w.WaitingSince != nil {
		t.Fatal("an invited user has a waiting_since")
	}

	// The filter of "Send invitation" and of its preview takes it too.
	r = e.do(t, "POST", "/api/v1/invitations/preview", e.adminToken,
		map[string]any{"filter": map[string]any{"error_code": "invalid_email"}})
	want(t, r, http.StatusOK)
	var pv struct {
		Selected int `json:"selected"`
	}
	if err := json.Unmarshal(r.Body, &pv); err != nil || pv.Selected != 1 {
		t.Fatalf("preview of error_code=invalid_email: %s", r.Body)
	}
	res := e.invite(t, e.adminToken, map[string]any{"filter": map[string]any{"error_code": "phone_without_country_code"}})
	if len(res.Results) != 1 || res.Results[0].UserID != ids["error"] {
		t.Fatalf("invite by error_code: %+v", res)
	}
	wantError(t, e.do(t, "POST", "/api/v1/invitations", e.adminToken,
		map[string]any{"filter": map[string]any{"error_code": "x"}}), http.StatusBadRequest, "invalid_error_code", "filter.error_code")
}
