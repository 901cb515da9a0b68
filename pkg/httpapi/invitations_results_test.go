package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"
)

// "results" bounds the 202 of a selection by filter: "refused" lists only
// the refusals, "none" nothing; the counts and what is recorded stay.
func TestInviteResults(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := inviteFixture(t, e)

	res := e.invite(t, e.adminToken, map[string]any{"filter": map[string]any{"invite_status": "not_invited"}, "results": "refused"})
	// Listed: the four users refused for bad contact data, and the two
	// administrators the send left alone (admins, not rejected).
	if res.Queued != 2 || res.Rejected != 4 || res.Admins != 2 || len(res.Results) != 6 {
		t.Fatalf("results=refused: %+v; want 2 queued, 4 rejected, 2 admins, 6 results", res)
	}
	for _, r := range res.Results {
		if r.Error == nil || (str(r.InviteStatus) != "error" && !r.Skipped) {
			t.Errorf("results=refused lists %+v, neither a refusal nor an administrator left alone", r)
		}
	}
	if n := len(e.pendingTasks(t)); n != 2 {
		t.Errorf("%d pending tasks, want 2", n)
	}

	r := e.do(t, "POST", "/api/v1/invitations", e.adminToken, map[string]any{"filter": map[string]any{"invite_status": "waiting"}, "results": "none"})
	want(t, r, http.StatusAccepted)
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &raw); err != nil {
		t.Fatal(err)
	}
	if string(raw["results"]) != "[]" || string(raw["queued"]) != "2" || raw["batch_id"] == nil {
		t.Errorf("results=none: %s; want queued 2, a batch_id and results []", r.Body)
	}
	if u := e.getUser(t, ids["email"]); u.InviteStatus != "waiting" {
		t.Errorf("after results=none the user is %s", u.InviteStatus)
	}

	all := e.invite(t, e.adminToken, map[string]any{"user_ids": []int64{ids["email"], ids["no_contact"]}, "results": "all"})
	if len(all.Results) != 2 {
		t.Errorf("results=all: %+v", all)
	}
	wantError(t, e.do(t, "POST", "/api/v1/invitations", e.adminToken, map[string]any{"user_ids": []int64{ids["email"]}, "results": "some"}),
		http.StatusBadRequest, "invalid_results", "results")
}
