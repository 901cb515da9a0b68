package httpapi_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
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

// pageBody is a page of GET /api/v1/users with what the user table added.
type pageBody struct {
	userListBody
	PrevCursor *string         `json:"prev_cursor"`
	Counts     *map[string]int `json:"counts"`
}

func listPage(t *testing.T, e *env, query string) ([]string, pageBody) {
	t.Helper()
	r := e.do(t, "GET", "/api/v1/users?"+query, e.adminToken, nil)
	want(t, r, http.StatusOK)
	p := decode[pageBody](t, r)
	logins := make([]string, len(p.Items))
	for i, u := range p.Items {
		logins[i] = u.Login
	}
	return logins, p
}

// orlovs creates users whose names tie (in any case) and some without an
// e-mail; with root ("First root" "Last root") and admin they make eight.
func orlovs(t *testing.T, e *env) {
	t.Helper()
	for _, u := range []map[string]any{
		{"login": "o1", "first_name": "Ann", "last_name": "Orlov", "email": "ann@example.com"},
		{"login": "o2", "first_name": "ann", "last_name": "orlov", "phone": "+7 905 123 45 67"},
		{"login": "o3", "first_name": "Boris", "last_name": "Orlov", "email": "boris@example.com"},
		{"login": "o4", "first_name": "Vera", "last_name": "Orlova", "email": "vera@corp.example.org", "phone": "79057654321"},
		{"login": "o5", "first_name": "Sam", "last_name": "Lee", "phone": "+14155552671"},
		{"login": "o6", "first_name": "Ann", "last_name": "Orlov", "email": "ann2@example.com"},
	} {
		e.createUser(t, u)
	}
}

// walkAPI pages through GET /api/v1/users?query forward with cursor, then
// back with before, and returns the logins of the pages each way.
func walkAPI(t *testing.T, e *env, query string) (forward, back [][]string) {
	t.Helper()
	logins, p := listPage(t, e, query)
	for {
		if (p.PrevCursor != nil) != (len(forward) > 0) {
			t.Fatalf("%s: page %d has prev_cursor %s", query, len(forward), str(p.PrevCursor))
		}
		forward = append(forward, logins)
		if p.NextCursor == nil {
			break
		}
		if len(forward) > 20 {
			t.Fatalf("%s: more than 20 pages", query)
		}
		logins, p = listPage(t, e, query+"&cursor="+url.QueryEscape(*p.NextCursor))
	}
	back = append(back, logins)
	for p.PrevCursor != nil {
		if len(back) > 20 {
			t.Fatalf("%s: more than 20 pages back", query)
		}
		logins, p = listPage(t, e, query+"&before="+url.QueryEscape(*p.PrevCursor))
		if p.NextCursor == nil {
			t.Fatalf("%s: a previous page without next_cursor", query)
		}
		back = append(back, logins)
	}
	slices.Reverse(back)
	return forward, back
}

func TestListUsersSortedPagesBothWays(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	orlovs(t, e)
	// Super Admin (root), Last admin, Lee, then the Orlovs: Ann, ann and
	// Ann by id, Boris; Orlova last.
	byName := []string{rootLogin, adminLogin, "o5", "o1", "o2", "o6", "o3", "o4"}
	// No e-mail first, by id; "ann2@" before "ann@" ('2' < '@').
	byEmail := []string{rootLogin, adminLogin, "o2", "o5", "o6", "o1", "o3", "o4"}
	tests := []struct {
		sort string
		want []string
	}{
		{"name", byName},
		{"-name", reversed(byName)},
		{"email", byEmail},
		{"-email", reversed(byEmail)},
		{"-login", []string{rootLogin, "o6", "o5", "o4", "o3", "o2", "o1", adminLogin}},
		{"-id", []string{"o6", "o5", "o4", "o3", "o2", "o1", adminLogin, rootLogin}},
	}
	for _, tt := range tests {
		for _, limit := range []int{2, 3} {
			query := "sort=" + url.QueryEscape(tt.sort) + "&limit=" + strconv.Itoa(limit)
			forward, back := walkAPI(t, e, query)
			if got := slices.Concat(forward...); !slices.Equal(got, tt.want) {
				t.Errorf("%s: %v, want %v", query, got, tt.want)
			}
			if !slices.EqualFunc(forward, back, slices.Equal) {
				t.Errorf("%s: pages forward %v, back %v", query, forward, back)
			}
		}
	}

	// The id order keeps its numeric cursors, descending too.
	for _, q := range []string{"limit=2", "sort=id&limit=2", "sort=-id&limit=2"} {
		_, p := listPage(t, e, q)
		if _, err := strconv.ParseInt(str(p.NextCursor), 10, 64); err != nil {
			t.Errorf("%s: next_cursor %s, want a user id", q, str(p.NextCursor))
		}
	}
}

func reversed(s []string) []string {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}

func TestListUsersColumnSearchParameters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	orlovs(t, e)
	e.inviteIDs(t, e.createUser(t, map[string]any{"login": "o7", "first_name": "Olga", "last_name": "Orlova",
		"email": "olga@example.com"}).ID)
	tests := []struct {
		query string
		want  []string
	}{
		{"login=O1", []string{"o1"}},
		{"name=ann+orlov", []string{"o1", "o2", "o6"}},
		{"name=orlova", []string{"o4", "o7"}},
		{"name=orlova&invite_status=waiting", []string{"o7"}},
		{"email=EXAMPLE.COM", []string{"o1", "o3", "o6", "o7"}},
		{"phone=905+123", []string{"o2"}},
		{"phone=%2B7+(905)+765", []string{"o4"}},
		{"name=orlov&email=corp&sort=-login", []string{"o4"}},
		{"q=example&name=ann", []string{"o1", "o6"}},
		{"name=root", nil}, // a login, not a name
	}
	for _, tt := range tests {
		got, p := listPage(t, e, tt.query)
		if !slices.Equal(got, tt.want) || p.Total != len(tt.want) {
			t.Errorf("%s: %v (total %d), want %v", tt.query, got, p.Total, tt.want)
		}
	}
}

func TestListUsersCounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	statusFixture(t, e)
	// Without counts=1 there is no counts key at all.
	r := e.do(t, "GET", "/api/v1/users", e.adminToken, nil)
	want(t, r, http.StatusOK)
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &raw); err != nil {
		t.Fatal(err)
	}
	if _, ok := raw["counts"]; ok {
		t.Errorf("counts without counts=1: %s", r.Body)
	}
	if string(raw["prev_cursor"]) != "null" {
		t.Errorf("first page: prev_cursor %s, want null", raw["prev_cursor"])
	}
	tests := []struct {
		query string
		total int
		want  map[string]int
	}{
		// root and admin are not invited.
		{"counts=1", 6, map[string]int{"all": 6, "not_invited": 3, "waiting": 1, "invited": 1, "error": 1}},
		{"counts=true&invite_status=waiting", 1, map[string]int{"all": 6, "not_invited": 3, "waiting": 1, "invited": 1, "error": 1}},
		{"counts=1&q=example.com", 2, map[string]int{"all": 2, "not_invited": 1, "waiting": 1, "invited": 0, "error": 0}},
		// Logins with an o: root, done, broken.
		{"counts=1&login=o&invite_status=not_invited", 1, map[string]int{"all": 3, "not_invited": 1, "waiting": 0, "invited": 1, "error": 1}},
	}
	for _, tt := range tests {
		_, p := listPage(t, e, tt.query)
		if p.Counts == nil || !maps.Equal(*p.Counts, tt.want) || p.Total != tt.total {
			got := map[string]int(nil)
			if p.Counts != nil {
				got = *p.Counts
			}
			t.Errorf("%s: counts %v total %d; want %v total %d", tt.query, got, p.Total, tt.want, tt.total)
		}
	}
}

func TestListUsersParameterValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, byLogin := listPage(t, e, "sort=login&limit=1")
	loginCursor := url.QueryEscape(str(byLogin.NextCursor))
	long := url.QueryEscape(strings.Repeat("я", 257))
	tests := []struct {
		query, code, field string
	}{
		{"sort=bogus", "invalid_sort", "sort"},
		{"sort=Login", "invalid_sort", "sort"},
		{"sort=-", "invalid_sort", "sort"},
		{"sort=--login", "invalid_sort", "sort"},
		{"sort=name&cursor=" + loginCursor, "invalid_cursor", "cursor"}, // a cursor of another sort
		{"cursor=" + loginCursor, "invalid_cursor", "cursor"},
		{"sort=login&cursor=1", "invalid_cursor", "cursor"},
		{"sort=login&cursor=" + loginCursor + "x", "invalid_cursor", "cursor"},
		{"before=abc", "invalid_cursor", "before"},
		{"before=-1", "invalid_cursor", "before"},
		{"cursor=1&before=2", "invalid_cursor", "before"},
		{"login=" + long, "too_long", "login"},
		{"name=" + long, "too_long", "name"},
		{"email=" + long, "too_long", "email"},
		{"phone=" + long, "too_long", "phone"},
		{"counts=maybe", "invalid_counts", "counts"},
	}
	for _, tt := range tests {
		wantError(t, e.do(t, "GET", "/api/v1/users?"+tt.query, e.adminToken, nil), http.StatusBadRequest, tt.code, tt.field)
	}
	// The longest accepted search is a search like any other.
	if got, _ := listIDs(t, e, "name="+url.QueryEscape(strings.Repeat("я", 256))); len(got) != 0 {
		t.Errorf("a 256-letter name matched %v", got)
	}
}

func TestInviteByColumnFilter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	orlovs(t, e)
	res := e.invite(t, e.adminToken, map[string]any{"filter": map[string]any{"name": "ann orlov", "email": "example"}})
	if res.Queued != 2 || res.Rejected != 0 {
		t.Fatalf("filter name=ann orlov, email=example: %+v, want 2 queued", res)
	}
	got, _ := listPage(t, e, "invite_status=waiting")
	if want := []string{"o1", "o6"}; !slices.Equal(got, want) {
		t.Errorf("waiting: %v, want %v", got, want)
	}
	r := e.do(t, "POST", "/api/v1/invitations", e.adminToken,
		map[string]any{"filter": map[string]any{"phone": strings.Repeat("1", 257)}})
	wantError(t, r, http.StatusBadRequest, "too_long", "filter.phone")
	if got, _ := listPage(t, e, "invite_status=waiting"); len(got) != 2 {
		t.Errorf("a refused request changed statuses: waiting %v", got)
	}
}
