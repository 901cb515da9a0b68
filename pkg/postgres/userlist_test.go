package postgres_test

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
)

// tableUser is a row of the user table fixture.
type tableUser struct {
	login, first, last, email, phone string // "" is NULL for email and phone
	status                           invite.Status
}

// tableFixture is full of ties: the same name in any case, e-mails equal
// but for case, missing e-mails and phones, shared phone numbers, and
// creation times shared within each of its three INSERT statements.
func tableFixture() [][]tableUser {
	return [][]tableUser{{
		{"bob", "Anna", "Smith", "b@example.com", "+79051111111", invite.StatusInvited},
		{"Alice", "anna", "smith", "", "", invite.StatusWaiting},
		{"carol", "Anna", "Smith", "B@example.com", "+79051111111", invite.StatusError},
		{"dave", "Zed", "Adams", "", "8 905 222-22-22", invite.StatusInvited},
		{"eve", "Eve", "adams", "eve@corp.example.org", "", invite.StatusNotInvited},
	}, {
		{"Frank", "Frank", "Young", "frank@example.com", "+14155552671", invite.StatusWaiting},
		{"grace", "Grace", "Smith", "", "+79053333333", invite.StatusNotInvited},
		{"heidi", "Anna", "Smithson", "heidi@example.com", "", invite.StatusError},
		{"ivan", "Ivan", "Petrov", "ivan@example.com", "+7 905 444 44 44", invite.StatusInvited},
	}, {
		{"judy", "Judy", "Smith", "judy@example.com", "+79051111111", invite.StatusNotInvited},
		{"ken", "Anna", "Smith", "", "", invite.StatusWaiting},
	}}
}

// seedTable inserts tableFixture() (an INSERT per group, so that each group
// shares one created_at) and returns the users by login.
func seedTable(t *testing.T) (*postgres.Store, map[string]invite.User) {
	t.Helper()
	ctx := t.Context()
	s, db := newStore(t)
	for _, group := range tableFixture() {
		var (
			values []string
			args   []any
		)
		for _, u := range group {
			n := len(args)
			values = append(values, fmt.Sprintf("($%d, $%d, $%d, nullif($%d, ''), nullif($%d, ''))", n+1, n+2, n+3, n+4, n+5))
			args = append(args, u.login, u.first, u.last, u.email, u.phone)
		}
		q := `INSERT INTO users (login, first_name, last_name, email, phone) VALUES ` + strings.Join(values, ", ")
		if _, err := db.DB.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
		for _, u := range group {
			if _, err := db.DB.ExecContext(ctx, `UPDATE invite_states SET status = $1
				WHERE user_id = (SELECT id FROM users WHERE login = $2)`, string(u.status), u.login); err != nil {
				t.Fatal(err)
			}
		}
	}
	page, err := s.ListUsers(ctx, invite.UserFilter{Limit: 100})
	if err != nil || len(page.Items) != 11 {
		t.Fatalf("fixture: %d users (%v), want 11", len(page.Items), err)
	}
	byLogin := map[string]invite.User{}
	for _, u := range page.Items {
		byLogin[u.Login] = u
	}
	return s, byLogin
}

// compareBy orders users the way the table promises: by the key's values,
// text case-insensitively by code point, missing as "", ties by id.
func compareBy(k invite.SortKey) func(a, b invite.User) int {
	low := strings.ToLower
	return func(a, b invite.User) int {
		var c int
		switch k {
		case invite.SortLogin:
			c = cmp.Compare(low(a.Login), low(b.Login))
		case invite.SortName:
			c = cmp.Or(cmp.Compare(low(a.LastName), low(b.LastName)), cmp.Compare(low(a.FirstName), low(b.FirstName)))
		case invite.SortEmail:
			c = cmp.Compare(low(a.Email), low(b.Email))
		case invite.SortPhone:
			c = cmp.Compare(a.Phone, b.Phone)
		case invite.SortStatus:
			c = cmp.Compare(a.InviteStatus, b.InviteStatus)
		case invite.SortCreated:
			c = a.CreatedAt.Compare(b.CreatedAt)
		}
		return cmp.Or(c, cmp.Compare(a.ID, b.ID))
	}
}

func logins(us []invite.User) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.Login
	}
	return out
}

// walk pages through f from the first page to the last, then back to the
// first with PrevCursor, and returns the pages of each way.
func walk(t *testing.T, s *postgres.Store, f invite.UserFilter) (forward, back [][]string) {
	t.Helper()
	var page invite.UserPage
	for {
		var err error
		if page, err = s.ListUsers(t.Context(), f); err != nil {
			t.Fatal(err)
		}
		if page.HasPrev() != (len(forward) > 0) {
			t.Fatalf("page %d: HasPrev %v", len(forward), page.HasPrev())
		}
		forward = append(forward, logins(page.Items))
		if !page.HasNext() {
			break
		}
		if len(forward) > 20 {
			t.Fatal("more than 20 pages: the cursor does not advance")
		}
		f.After, f.Before = page.NextCursor, ""
	}
	back = append(back, logins(page.Items))
	for page.HasPrev() {
		if len(back) > 20 {
			t.Fatal("more than 20 pages back: the cursor does not move")
		}
		f.After, f.Before = "", page.PrevCursor
		var err error
		if page, err = s.ListUsers(t.Context(), f); err != nil {
			t.Fatal(err)
		}
		if !page.HasNext() {
			t.Fatalf("a previous page without a next one: %v", logins(page.Items))
		}
		back = append(back, logins(page.Items))
	}
	slices.Reverse(back)
	return forward, back
}

func TestListUsersEverySortBothWays(t *testing.T) {
	t.Parallel()
	s, byLogin := seedTable(t)
	users := slices.Collect(maps.Values(byLogin))
	for _, key := range invite.SortKeys() {
		for _, desc := range []bool{false, true} {
			want := slices.Clone(users)
			slices.SortFunc(want, compareBy(key))
			if desc {
				slices.Reverse(want)
			}
			for _, limit := range []int{1, 3, 4, 11, 12} {
				srt := invite.Sort{Key: key, Desc: desc}
				t.Run(fmt.Sprintf("%s/limit=%d", srt, limit), func(t *testing.T) {
					forward, back := walk(t, s, invite.UserFilter{Sort: srt, Limit: limit})
					if got := slices.Concat(forward...); !slices.Equal(got, logins(want)) {
						t.Errorf("forward: %v\nwant      %v", got, logins(want))
					}
					if !slices.EqualFunc(forward, back, slices.Equal) {
						t.Errorf("pages forward %v, back %v", forward, back)
					}
					for i, p := range forward {
						if len(p) != limit && (i < len(forward)-1 || len(p) == 0 && len(want) > 0) {
							t.Errorf("page %d of %d holds %d users, limit %d", i, len(forward), len(p), limit)
						}
					}
				})
			}
		}
	}
}

func TestListUsersSortedWithFilters(t *testing.T) {
	t.Parallel()
	s, _ := seedTable(t)
	f := invite.UserFilter{Status: invite.StatusWaiting, Name: "smith", Sort: invite.Sort{Key: invite.SortEmail, Desc: true}, Limit: 1}
	forward, back := walk(t, s, f)
	// Alice and ken have no e-mail (""), so they come last, in descending id order.
	want := [][]string{{"ken"}, {"Alice"}}
	if !slices.EqualFunc(forward, want, slices.Equal) || !slices.EqualFunc(back, want, slices.Equal) {
		t.Errorf("waiting Smiths by e-mail, descending: forward %v, back %v; want %v", forward, back, want)
	}
	page, err := s.ListUsers(t.Context(), f)
	if err != nil || page.Total != 2 {
		t.Errorf("total %d (%v), want 2", page.Total, err)
	}
}

func TestListUsersCursorEdges(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, byLogin := seedTable(t)
	byName := invite.Sort{Key: invite.SortName}
	var all []invite.User
	for _, u := range byLogin {
		all = append(all, u)
	}
	slices.SortFunc(all, compareBy(invite.SortName))

	// A cursor not on a page boundary, fewer than a page from the start:
	// the previous page is the first page, full.
	page, err := s.ListUsers(ctx, invite.UserFilter{Sort: byName, Limit: 4, Before: invite.CursorAt(invite.SortName, all[2])})
	if err != nil || !slices.Equal(logins(page.Items), logins(all[:4])) || page.HasPrev() || !page.HasNext() {
		t.Errorf("page before the third user: %v prev %q next %q (%v); want the first page %v",
			logins(page.Items), page.PrevCursor, page.NextCursor, err, logins(all[:4]))
	}

	// Past the last user (users were deleted): the last page.
	last := invite.CursorAt(invite.SortName, all[len(all)-1])
	page, err = s.ListUsers(ctx, invite.UserFilter{Sort: byName, Limit: 4, After: last})
	if want := logins(all[len(all)-4:]); err != nil || !slices.Equal(logins(page.Items), want) || page.HasNext() || !page.HasPrev() {
		t.Errorf("page after the last user: %v prev %q next %q (%v); want the last page %v",
			logins(page.Items), page.PrevCursor, page.NextCursor, err, want)
	}

	// Nothing matches: an empty page, neither before nor after.
	page, err = s.ListUsers(ctx, invite.UserFilter{Sort: byName, Query: "nobody", Limit: 4, After: last})
	if err != nil || len(page.Items) != 0 || page.HasNext() || page.HasPrev() || page.Total != 0 {
		t.Errorf("no match: %+v (%v)", page, err)
	}

	// A cursor of another sort, of another key, or both ways at once.
	for _, f := range []invite.UserFilter{
		{Sort: byName, After: invite.CursorAt(invite.SortLogin, all[0])},
		{Sort: byName, Before: "12"},
		{After: invite.CursorAt(invite.SortName, all[0])},
		{Sort: byName, After: "not-base64!"},
		{Sort: invite.Sort{Key: invite.SortCreated}, After: invite.CursorAt(invite.SortLogin, all[0])},
		{After: "1", Before: "2"},
		{Sort: invite.Sort{Key: "bogus"}, After: "1"},
		{Sort: invite.Sort{Key: "bogus"}},
	} {
		_, err := s.ListUsers(ctx, f)
		if invite.KindOf(err) != invite.KindInvalid {
			t.Errorf("%+v: err %v, want invalid", f, err)
		}
	}
}

func TestListUsersColumnSearch(t *testing.T) {
	t.Parallel()
	s, _ := seedTable(t)
	tests := []struct {
		name string
		f    invite.UserFilter
		want []string // logins, in id order
	}{
		{"login", invite.UserFilter{Login: "ALI"}, []string{"Alice"}},
		{"login letter", invite.UserFilter{Login: "e"}, []string{"Alice", "dave", "eve", "grace", "heidi", "ken"}},
		{"login is not the name", invite.UserFilter{Login: "anna"}, nil},
		{"login wildcard", invite.UserFilter{Login: "%"}, nil},
		{"login underscore", invite.UserFilter{Login: "_"}, nil},
		{"first name", invite.UserFilter{Name: "anna"}, []string{"bob", "Alice", "carol", "heidi", "ken"}},
		{"last name", invite.UserFilter{Name: "SMITH"}, []string{"bob", "Alice", "carol", "grace", "heidi", "judy", "ken"}},
		{"first last", invite.UserFilter{Name: "  Anna   smith "}, []string{"bob", "Alice", "carol", "heidi", "ken"}},
		{"first last, whole", invite.UserFilter{Name: "zed adams"}, []string{"dave"}},
		{"name is not the login", invite.UserFilter{Name: "bob"}, nil},
		{"name is not the e-mail", invite.UserFilter{Name: "example"}, nil},
		{"e-mail", invite.UserFilter{Email: "B@EXAMPLE"}, []string{"bob", "carol"}},
		{"e-mail domain", invite.UserFilter{Email: "example.com"}, []string{"bob", "carol", "Frank", "heidi", "ivan", "judy"}},
		{"e-mail is not the name", invite.UserFilter{Email: "smith"}, nil},
		{"phone digits", invite.UserFilter{Phone: "905 111"}, []string{"bob", "carol", "judy"}},
		{"phone with a plus", invite.UserFilter{Phone: "+7905111"}, []string{"bob", "carol", "judy"}},
		{"phone typed with dashes", invite.UserFilter{Phone: "905222"}, []string{"dave"}},
		{"phone typed with spaces", invite.UserFilter{Phone: "7905-4444"}, []string{"ivan"}},
		{"phone of another country", invite.UserFilter{Phone: "1 415"}, []string{"Frank"}},
		{"phone without digits", invite.UserFilter{Phone: "+"}, []string{"bob", "carol", "Frank", "grace", "ivan", "judy"}},
		{"phone is not the login", invite.UserFilter{Phone: "ivan"}, nil},
		{"columns combine", invite.UserFilter{Name: "anna", Email: "example"}, []string{"bob", "carol", "heidi"}},
		{"with q", invite.UserFilter{Query: "smith", Phone: "1111"}, []string{"bob", "carol", "judy"}},
		{"with a status", invite.UserFilter{Status: invite.StatusWaiting, Name: "anna"}, []string{"Alice", "ken"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.f.Limit = 100
			page, err := s.ListUsers(t.Context(), tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := logins(page.Items); !slices.Equal(got, tt.want) || page.Total != len(tt.want) {
				t.Errorf("%+v: %v (total %d), want %v", tt.f, got, page.Total, tt.want)
			}
		})
	}
}

func TestCountUsersByStatus(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := seedTable(t)
	all := map[invite.Status]int{invite.StatusNotInvited: 3, invite.StatusWaiting: 3, invite.StatusInvited: 3, invite.StatusError: 2}
	smiths := map[invite.Status]int{invite.StatusNotInvited: 2, invite.StatusWaiting: 2, invite.StatusInvited: 1, invite.StatusError: 2}
	none := map[invite.Status]int{invite.StatusNotInvited: 0, invite.StatusWaiting: 0, invite.StatusInvited: 0, invite.StatusError: 0}
	for _, tt := range []struct {
		f    invite.UserFilter
		want map[invite.Status]int
	}{
		{invite.UserFilter{}, all},
		{invite.UserFilter{Status: invite.StatusError, Sort: invite.Sort{Key: invite.SortName}, Limit: 1}, all}, // status and page ignored
		{invite.UserFilter{Name: "smith"}, smiths},
		{invite.UserFilter{Name: "smith", Status: invite.StatusInvited}, smiths},
		{invite.UserFilter{Query: "nobody"}, none},
	} {
		got, err := s.CountUsersByStatus(ctx, tt.f)
		if err != nil || !maps.Equal(got, tt.want) {
			t.Errorf("%+v: %v (%v), want %v", tt.f, got, err, tt.want)
		}
		// A page that asks for the counts has them, and its total agrees.
		tt.f.CountByStatus = true
		page, err := s.ListUsers(ctx, tt.f)
		if err != nil || !maps.Equal(page.Counts, tt.want) {
			t.Errorf("page of %+v: counts %v (%v), want %v", tt.f, page.Counts, err, tt.want)
		}
		tt.f.CountByStatus = false
		plain, err := s.ListUsers(ctx, tt.f)
		if err != nil || plain.Total != page.Total || plain.Counts != nil {
			t.Errorf("%+v: total %d with counts, %d without (%v); counts %v when not asked", tt.f, page.Total, plain.Total, err, plain.Counts)
		}
		// A reader walking every page asks for no count; the page is the same.
		tt.f.SkipTotal = true
		bare, err := s.ListUsers(ctx, tt.f)
		if err != nil || bare.Total != 0 || bare.Counts != nil || !slices.Equal(logins(bare.Items), logins(plain.Items)) {
			t.Errorf("%+v: without a total: %d, %v, %v (%v)", tt.f, bare.Total, bare.Counts, logins(bare.Items), err)
		}
	}
}

func TestCreateInvitationsByColumnSearch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, byLogin := seedTable(t)
	// Sorting and paging are no part of a selection.
	f := invite.UserFilter{Name: "smith", Email: "example", Sort: invite.Sort{Key: invite.SortLogin, Desc: true},
		Limit: 1, After: invite.CursorAt(invite.SortLogin, byLogin["judy"])}
	out, err := s.CreateInvitations(ctx, invite.Selection{Filter: &f}, 0, decideWith(invite.MethodEmailOnly))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range out {
		for login, u := range byLogin {
			if u.ID == o.UserID {
				got = append(got, login)
			}
		}
	}
	slices.Sort(got)
	if want := []string{"bob", "carol", "heidi", "judy"}; !slices.Equal(got, want) {
		t.Errorf("invited %v, want %v", got, want)
	}
	page, err := s.ListUsers(ctx, invite.UserFilter{Status: invite.StatusWaiting, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"bob", "Alice", "carol", "Frank", "heidi", "judy", "ken"}; !slices.Equal(logins(page.Items), want) {
		t.Errorf("waiting: %v, want %v", logins(page.Items), want)
	}
}
