package invite_test

import (
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
)

func TestParseSort(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want invite.Sort
	}{
		{"", invite.Sort{Key: invite.SortID}},
		{"id", invite.Sort{Key: invite.SortID}},
		{"-id", invite.Sort{Key: invite.SortID, Desc: true}},
		{"login", invite.Sort{Key: invite.SortLogin}},
		{"-name", invite.Sort{Key: invite.SortName, Desc: true}},
		{"created", invite.Sort{Key: invite.SortCreated}},
	} {
		got, err := invite.ParseSort(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseSort(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
		if tt.in != "" && got.String() != tt.in {
			t.Errorf("ParseSort(%q).String() = %q", tt.in, got.String())
		}
	}
	for _, in := range []string{"-", "--login", "Login", "bogus", " login", "login,name"} {
		_, err := invite.ParseSort(in)
		var e *invite.Error
		if !errors.As(err, &e) || e.Kind != invite.KindInvalid || e.Field != "sort" || e.Code != "invalid_sort" {
			t.Errorf("ParseSort(%q): %v, want invalid_sort on sort", in, err)
		}
	}
}

func TestCursorRoundTrip(t *testing.T) {
	u := invite.User{ID: 42, Login: "Ivan.P", FirstName: "Иван", LastName: "O'Neil, Jr.", Email: "",
		Phone: "+79051111111", InviteStatus: invite.StatusError,
		CreatedAt: time.Date(2025, 3, 1, 12, 0, 0, 123456000, time.FixedZone("MSK", 3*3600))}
	want := map[invite.SortKey][]string{
		invite.SortID:      nil,
		invite.SortLogin:   {"Ivan.P"},
		invite.SortName:    {"O'Neil, Jr.", "Иван"},
		invite.SortEmail:   {""},
		invite.SortPhone:   {"+79051111111"},
		invite.SortStatus:  {"error"},
		invite.SortCreated: {"2025-03-01T09:00:00.123456Z"},
	}
	for _, k := range invite.SortKeys() {
		s := invite.CursorAt(k, u)
		c, err := invite.ParseCursor(k, s, "cursor")
		if err != nil || c.ID != 42 || c.Key != k || !slices.Equal(c.Values, want[k]) {
			t.Errorf("%s: %q parses to %+v, %v", k, s, c, err)
		}
		if k == invite.SortID && s != "42" {
			t.Errorf("the id cursor is %q, want the id", s)
		}
		if strings.ContainsAny(s, "+/=%&? ") {
			t.Errorf("%s: %q needs escaping in a URL", k, s)
		}
		for _, other := range invite.SortKeys() {
			if other != k {
				if _, err := invite.ParseCursor(other, s, "before"); invite.KindOf(err) != invite.KindInvalid {
					t.Errorf("a %s cursor accepted under %s", k, other)
				}
			}
		}
	}
}

func TestParseCursorRefuses(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, tt := range []struct {
		key invite.SortKey
		in  string
	}{
		{invite.SortID, "abc"},
		{invite.SortID, "-5"},
		{invite.SortID, "1.5"},
		{invite.SortLogin, "12"},
		{invite.SortLogin, "not base64!"},
		{invite.SortLogin, enc(`{"k":"login","i":1}`)},               // no value
		{invite.SortLogin, enc(`{"k":"login","i":-1,"v":["a"]}`)},    // negative id
		{invite.SortName, enc(`{"k":"name","i":1,"v":["a"]}`)},       // one name of two
		{invite.SortCreated, enc(`{"k":"created","i":1,"v":["x"]}`)}, // not a time
		{invite.SortLogin, enc(`{"k":"login","i":1,"v":["` + strings.Repeat("a", 16<<10) + `"]}`)},
		{"bogus", enc(`{"k":"bogus","i":1,"v":[]}`)},
	} {
		_, err := invite.ParseCursor(tt.key, tt.in, "before")
		var e *invite.Error
		if !errors.As(err, &e) || e.Code != "invalid_cursor" || e.Field != "before" {
			t.Errorf("ParseCursor(%s, %.40q): %v, want invalid_cursor on before", tt.key, tt.in, err)
		}
	}
}

func TestPageCursors(t *testing.T) {
	f := invite.UserFilter{Sort: invite.Sort{Key: invite.SortLogin}, After: invite.CursorAt(invite.SortLogin, invite.User{ID: 7, Login: "x"})}
	after, before, err := f.PageCursors()
	if err != nil || after == nil || after.ID != 7 || before != nil {
		t.Errorf("after: %+v %+v %v", after, before, err)
	}
	f.Before, f.After = f.After, ""
	if after, before, err = f.PageCursors(); err != nil || after != nil || before == nil || before.ID != 7 {
		t.Errorf("before: %+v %+v %v", after, before, err)
	}
	f.After = f.Before
	if _, _, err := f.PageCursors(); invite.KindOf(err) != invite.KindInvalid {
		t.Errorf("both: %v, want invalid", err)
	}
	if a, b, err := (invite.UserFilter{}).PageCursors(); a != nil || b != nil || err != nil {
		t.Errorf("neither: %v %v %v", a, b, err)
	}
}
