package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"
)

// statusFixture creates one user in each invitation status and returns
// their ids by status; root and admin are not_invited too.
func statusFixture(t *testing.T, e *env) map[string]int64 {
	t.Helper()
	ids := map[string]int64{
		"not_invited": e.createUser(t, map[string]any{"login": "fresh", "first_name": "F", "last_name": "N", "email": "fresh@example.com"}).ID,
		"waiting":     e.createUser(t, map[string]any{"login": "queued", "first_name": "Q", "last_name": "W", "email": "queued@example.com"}).ID,
		"invited":     e.createUser(t, map[string]any{"login": "done", "first_name": "D", "last_name": "I", "phone": "79051111111"}).ID,
		"error":       e.createUser(t, map[string]any{"login": "broken", "first_name": "B", "last_name": "E", "phone": "9051111111"}).ID,
	}
	res := e.inviteIDs(t, ids["waiting"], ids["invited"], ids["error"])
	if res.Queued != 2 || res.Rejected != 1 {
		t.Fatalf("invite fixture: %+v", res)
	}
	e.deliver(t, e.currentInvitation(t, ids["invited"]), time.Hour)
	return ids
}

func listIDs(t *testing.T, e *env, query string) ([]int64, userListBody) {
	t.Helper()
	r := e.do(t, "GET", "/api/v1/users?"+query, e.adminToken, nil)
	want(t, r, http.StatusOK)
	var raw struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(r.Body, &raw); err != nil || raw.Items == nil {
		t.Fatalf("%v: want an items array", r)
	}
	for _, it := range raw.Items {
		wantUserKeys(t, it)
	}
	list := decode[userListBody](t, r)
	ids := make([]int64, len(list.Items))
	for i, u := range list.Items {
		ids[i] = u.ID
	}
	return ids, list
}

func TestListUsersByInviteStatus(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := statusFixture(t, e)
	all := []int64{e.rootID, e.adminID, ids["not_invited"], ids["waiting"], ids["invited"], ids["error"]}
	slices.Sort(all)

	tests := []struct {
		status string
		want   []int64
	}{
		{"", all},
		{"all", all},
		{"not_invited", []int64{e.rootID, e.adminID, ids["not_invited"]}},
		{"waiting", []int64{ids["waiting"]}},
		{"invited", []int64{ids["invited"]}},
		{"error", []int64{ids["error"]}},
	}
	for _, tt := range tests {
		t.Run("invite_status="+tt.status, func(t *testing.T) {
			got, list := listIDs(t, e, "invite_status="+tt.status)
			if !slices.Equal(got, tt.want) || list.Total != len(tt.want) || list.NextCursor != nil {
				t.Errorf("got ids %v total %d next %s; want ids %v total %d, no next page", got, list.Total,
					str(list.NextCursor), tt.want, len(tt.want))
			}
			for _, u := range list.Items {
				if tt.status != "" && tt.status != "all" && u.InviteStatus != tt.status {
					t.Errorf("user %d has status %q in the %q list", u.ID, u.InviteStatus, tt.status)
				}
			}
		})
	}

	// The rows carry what the statuses mean.
	_, list := listIDs(t, e, "")
	for _, u := range list.Items {
		switch u.ID {
		case ids["invited"]:
			if !u.UserInvited || u.InvitedAt == nil || u.InviteError != nil {
				t.Errorf("invited user: %+v", u)
			}
		case ids["error"]:
			if u.UserInvited || u.InviteError == nil || u.InviteError.Code != "phone_without_country_code" || u.InviteError.Message == "" {
				t.Errorf("user in error: %+v", u)
			}
		default:
			if u.UserInvited || u.InviteError != nil || u.InvitedAt != nil {
				t.Errorf("user %d (%s): %+v", u.ID, u.InviteStatus, u)
			}
		}
	}

	for _, bad := range []string{"bogus", "INVITED", "not invited"} {
		r := e.do(t, "GET", "/api/v1/users?invite_status="+url.QueryEscape(bad), e.adminToken, nil)
		wantError(t, r, http.StatusBadRequest, "invalid_invite_status", "invite_status")
	}
}

func TestListUsersSearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ivan := e.createUser(t, map[string]any{"login": "ivan.p", "first_name": "Ivan", "last_name": "Petrov",
		"email": "ivan@example.com", "phone": "+7 905 111-11-11"}).ID
	maria := e.createUser(t, map[string]any{"login": "msid", "first_name": "Maria", "last_name": "Sidorova",
		"email": "maria.s@corp.example.org"}).ID
	john := e.createUser(t, map[string]any{"login": "jsmith", "first_name": "John", "last_name": "Smith",
		"phone": "14155552671"}).ID

	tests := []struct {
		q    string
		want []int64
	}{
		{"Ivan", []int64{ivan}},
		{"petrov", []int64{ivan}},        // last name, any case
		{"SIDOR", []int64{maria}},        // part of a name
		{"corp.example", []int64{maria}}, // e-mail domain
		{"maria.s@", []int64{maria}},     // e-mail
		{"jsmith", []int64{john}},        // login
		{"9051111", []int64{ivan}},       // phone digits
		{"4155552671", []int64{john}},    // phone digits
		{"+7905", []int64{ivan}},         // phone as stored
		{"example", []int64{ivan, maria}},
		{"  smith  ", []int64{john}}, // trimmed
		{"nobody-matches", []int64{}},
		{"%", []int64{}}, // LIKE wildcards are literal
		{"_", []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			got, list := listIDs(t, e, "q="+url.QueryEscape(tt.q))
			if !slices.Equal(got, tt.want) || list.Total != len(tt.want) {
				t.Errorf("q=%q: ids %v total %d; want %v", tt.q, got, list.Total, tt.want)
			}
		})
	}

	// q and invite_status combine.
	e.inviteIDs(t, ivan)
	if got, _ := listIDs(t, e, "q=example&invite_status=waiting"); !slices.Equal(got, []int64{ivan}) {
		t.Errorf("q=example&invite_status=waiting: %v, want [%d]", got, ivan)
	}
	if got, _ := listIDs(t, e, "q=example&invite_status=not_invited"); !slices.Equal(got, []int64{maria}) {
		t.Errorf("q=example&invite_status=not_invited: %v, want [%d]", got, maria)
	}
}

func TestListUsersPagination(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var created []int64
	for i := range 5 {
		created = append(created, e.createUser(t, map[string]any{"login": "pager" + strconv.Itoa(i),
			"first_name": "Pager", "last_name": strconv.Itoa(i), "email": "pager" + strconv.Itoa(i) + "@example.com"}).ID)
	}

	walk := func(t *testing.T, query string, limit, total int) ([]int64, []int) {
		t.Helper()
		var (
			seen   []int64
			sizes  []int
			cursor string
		)
		for page := 0; ; page++ {
			if page > 10 {
				t.Fatalf("more than 10 pages of %d: the cursor does not advance", limit)
			}
			q := query + "&limit=" + strconv.Itoa(limit)
			if cursor != "" {
				q += "&cursor=" + url.QueryEscape(cursor)
			}
			ids, list := listIDs(t, e, q)
			if list.Total != total {
				t.Errorf("page %d of %q: total %d, want %d", page, q, list.Total, total)
			}
			seen = append(seen, ids...)
			sizes = append(sizes, len(ids))
			if list.NextCursor == nil {
				return seen, sizes
			}
			if len(ids) != limit {
				t.Errorf("page %d of %q has %d items and a next cursor", page, q, len(ids))
			}
			cursor = *list.NextCursor
		}
	}

	seen, sizes := walk(t, "q=pager", 2, 5)
	if !slices.Equal(seen, created) || !slices.Equal(sizes, []int{2, 2, 1}) {
		t.Errorf("q=pager, limit 2: pages of %v holding %v; want [2 2 1] holding %v", sizes, seen, created)
	}
	seen, sizes = walk(t, "q=pager", 5, 5)
	if !slices.Equal(seen, created) || !slices.Equal(sizes, []int{5}) {
		t.Errorf("q=pager, limit 5: pages of %v holding %v; want one page of 5", sizes, seen)
	}
	seen, _ = walk(t, "", 3, 7)
	all := append([]int64{e.rootID, e.adminID}, created...)
	slices.Sort(all)
	if !slices.Equal(seen, all) {
		t.Errorf("every user, limit 3: %v; want %v", seen, all)
	}

	for _, q := range []string{"limit=0", "limit=-1", "limit=abc", "limit=1001", "limit=2.5"} {
		wantError(t, e.do(t, "GET", "/api/v1/users?"+q, e.adminToken, nil), http.StatusBadRequest, "invalid_limit", "limit")
	}
	for _, q := range []string{"cursor=abc", "cursor=-5"} {
		wantError(t, e.do(t, "GET", "/api/v1/users?"+q, e.adminToken, nil), http.StatusBadRequest, "invalid_cursor", "cursor")
	}
}
