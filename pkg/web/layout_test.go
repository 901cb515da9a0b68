package web

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/inviter/inviter/pkg/invite"
)

// TestUserTableForALongDay: newest users first unless another order is
// chosen; 25/50/100/500 rows a page; the card's "← Users" leads back to
// the same filter, search and page; Add user sits above the table.
func TestUserTableForALongDay(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.as(t, e.rootID)
	var last invite.User
	for i := range 60 {
		last = e.createUser(t, invite.NewUser{Login: "u" + strconv.Itoa(100+i), Email: "u" + strconv.Itoa(100+i) + "@example.com"})
	}
	rowRE := regexp.MustCompile(`<tr data-user-id="(\d+)">`)
	r := root.get("/users")
	want(t, r, http.StatusOK)
	rows := rowRE.FindAllStringSubmatch(r.body, -1)
	if len(rows) != 50 || rows[0][1] != strconv.FormatInt(last.ID, 10) {
		t.Fatalf("default page: %d rows, first %v; want 50, newest (%d) first", len(rows), rows[0], last.ID)
	}
	if strings.Index(r.body, `id="add-user"`) > strings.Index(r.body, `<table class="users">`) {
		t.Error("Add user is below the table")
	}
	wantContains(t, r.body, `id="action-bar"`, `class="table-wrap" tabindex="0" role="region"`)
	for size, n := range map[string]int{"25": 25, "100": 61, "500": 61, "7": 50, "x": 50} {
		r := root.get("/users?size=" + size)
		if got := len(rowRE.FindAllString(r.body, -1)); got != n {
			t.Errorf("size=%s: %d rows, want %d", size, got, n)
		}
	}
	r = root.get("/users?sort=id")
	if rows := rowRE.FindAllStringSubmatch(r.body, -1); rows[0][1] == strconv.FormatInt(last.ID, 10) {
		t.Error("sort=id does not put the oldest first")
	}

	// A filtered, searched second page of 25: its rows lead to cards whose
	// back link returns to exactly that page.
	r = root.get("/users?size=25&q=u1&status=not_invited")
	next := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(r.body)
	if next == nil {
		t.Fatalf("no next page:\n%s", r.body)
	}
	page2 := html.UnescapeString(next[1])
	r = root.get(page2)
	link := regexp.MustCompile(`<a href="(/users/\d+\?back=[^"]+)">`).FindStringSubmatch(r.body)
	if link == nil {
		t.Fatalf("rows do not carry the way back:\n%s", r.body)
	}
	card := root.get(html.UnescapeString(link[1]))
	want(t, card, http.StatusOK)
	back := regexp.MustCompile(`<a href="([^"]+)" id="back-to-users">`).FindStringSubmatch(card.body)
	if back == nil {
		t.Fatalf("no back link on the card")
	}
	gotBack, _ := url.Parse(html.UnescapeString(back[1]))
	wantBack, _ := url.Parse(page2)
	if gotBack.Path != "/users" || gotBack.Query().Encode() != wantBack.Query().Encode() {
		t.Errorf("back link %s, want %s", gotBack, wantBack)
	}
	// A back address off the table is not followed.
	for _, evil := range []string{"//evil.example.com/users", "https://evil.example.com/users", "/login", "javascript:alert(1)"} {
		card := root.get(userPath(last.ID) + "?back=" + url.QueryEscape(evil))
		wantContains(t, card.body, `<a href="/users" id="back-to-users">`)
	}
}

// TestSystemMenu: the queue dashboard is under "System" for super admins
// only; a plain admin's menu does not offer it.
func TestSystemMenu(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.as(t, e.rootID)
	r := root.get("/users?lang=ru")
	wantContains(t, r.body, `id="system-menu"`, `<summary>Система</summary>`, `href="/settings"`, `href="/monitoring/" id="nav-queue"`)
	admin := e.as(t, e.createAccount(t, "adam", "adam-Password-1234", invite.RoleAdmin))
	r = admin.get("/users")
	if strings.Contains(r.body, "/monitoring/") || strings.Contains(r.body, "system-menu") {
		t.Error("a plain admin's menu offers the queue dashboard")
	}
}

// TestCardNamesTheLanguage: the card names a user's language in words,
// not by its code.
func TestCardNamesTheLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.createUser(t, invite.NewUser{Login: "olga", Email: "olga@example.com", Locale: "ru"})
	root := e.as(t, e.rootID)
	wantContains(t, root.get(userPath(u.ID)+"?lang=ru").body, "<dd>Русский</dd>")
	wantContains(t, root.get(userPath(u.ID)+"?lang=en").body, "<dd>Russian</dd>")
}
