package app_test

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser tests drive the admin pages in a real headless Chromium
// against the real api and worker, with PostgreSQL, Redis, an SMTP server
// and the Vonage API on loopback. Screenshots of each page land in
// test-output/screenshots.

// seeded are the users of the admin-flow test, by login.
type seeded map[string]user

// seedBrowserUsers creates, through the JSON API, users of every kind the table
// shows: reachable by e-mail or SMS, refused at once, refused by the mail
// server, stuck behind a temporary mail failure, and filler for paging.
func seedBrowserUsers(t *testing.T, s *service, tok string) seeded {
	t.Helper()
	api := s.API + "/api/v1"
	out := seeded{}
	add := func(body map[string]string) user {
		var u user
		call(t, "POST", api+"/users", tok, body, &u, http.StatusCreated)
		out[u.Login] = u
		return u
	}
	add(map[string]string{"login": "alice", "first_name": "Alice", "last_name": "Archer", "email": "alice@example.com"})
	add(map[string]string{"login": "bob", "first_name": "Bob", "last_name": "Baker", "phone": "+7 905 111-11-11"})
	add(map[string]string{"login": "carol", "first_name": "Carol", "last_name": "Cooper", "email": "carol@nowhere.example.com"})
	add(map[string]string{"login": "dave", "first_name": "Dave", "last_name": "Dyer", "phone": "9051111111"})
	add(map[string]string{"login": "eve", "first_name": "Eve", "last_name": "Evans", "email": "eve@slow.example.com"})
	add(map[string]string{"login": "frank", "first_name": "<script>alert(1)</script>", "last_name": "Fox", "email": "frank@example.com"})
	for i := range 60 {
		add(map[string]string{"login": fmt.Sprintf("user%02d", i), "first_name": "Filler", "last_name": fmt.Sprintf("Number%02d", i),
			"email": fmt.Sprintf("user%02d@example.com", i)})
	}
	// carol's mail server refuses her for good; eve's defers her, so her
	// invitation waits for a retry far beyond the test.
	s.SMTP.FailRcpt("carol@nowhere.example.com", 550, "5.1.1", "no such mailbox", -1)
	s.SMTP.FailRcpt("eve@slow.example.com", 451, "4.3.0", "try again later", -1)
	call(t, "POST", api+"/invitations", tok, map[string]any{"user_ids": []int64{out["eve"].ID}}, nil, http.StatusAccepted)
	return out
}

func TestBrowserAdminInvitesUsers(t *testing.T) {
	t.Parallel()
	s := startService(t, options{Env: map[string]string{"RETRY_BASE_DELAY": "1h", "MAX_RETRIES": "5"}})
	logsOnFailure(t, s)
	tok := adminToken(t, s)
	users := seedBrowserUsers(t, s, tok)
	b := newBrowser(t, s.API, 1280, 900)

	// Anonymous visitors are sent to the sign-in page, which brings them
	// back afterwards.
	b.open("/users/" + strconv.FormatInt(users["alice"].ID, 10))
	b.waitPage("/login")
	b.screenshot("01-login")
	b.do("wrong password",
		chromedp.SetValue(chromedp.ID("login"), "admin"),
		chromedp.SetValue(chromedp.ID("password"), "not-the-password"),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)))
	b.waitFor("the refusal", `document.querySelector('.form-error') !== null`, 10*time.Second)
	if got := b.text(".form-error"); got != "Wrong login or password." {
		t.Fatalf("refusal %q", got)
	}
	b.signIn("admin", adminPassword, "/users")
	b.waitFor("the table", `document.querySelectorAll('table.users tbody tr').length === 50`, 10*time.Second)

	// Every user-supplied string is text: the <script> name shows as typed
	// and no script element came from it.
	frank := fmt.Sprintf(`tr[data-user-id="%d"] td:nth-child(3)`, users["frank"].ID)
	b.open("/users?q=frank")
	b.waitFor("frank's row", fmt.Sprintf("document.querySelector(%q) !== null", frank), 10*time.Second)
	if got := b.text(frank); !strings.Contains(got, "<script>alert(1)</script>") {
		t.Fatalf("frank's name shows as %q", got)
	}
	if n := eval[int](b, `document.querySelectorAll('main script').length`); n != 0 {
		t.Fatalf("%d script elements in the page body", n)
	}

	// Search across columns and per column.
	b.open("/users")
	b.do("search all columns", chromedp.SetValue(chromedp.ID("q"), "archer"), chromedp.Submit(chromedp.ID("q")))
	b.waitPage("/users?")
	b.waitFor("alice alone", `document.querySelectorAll('table.users tbody tr[data-user-id]').length === 1`, 10*time.Second)
	if got := b.texts("table.users tbody td:nth-child(2)"); !slices.Equal(got, []string{"alice"}) {
		t.Fatalf("search archer: %v", got)
	}
	b.open("/users?email=nowhere.example")
	if got := b.texts("table.users tbody td:nth-child(2)"); !slices.Equal(got, []string{"carol"}) {
		t.Fatalf("e-mail column search: %v", got)
	}
	b.open("/users?phone=905") // newest first, the table's default order
	if got := b.texts("table.users tbody td:nth-child(2)"); !slices.Equal(got, []string{"dave", "bob"}) {
		t.Fatalf("phone column search: %v", got)
	}

	// Sort by login, descending, and page through.
	b.open("/users?sort=-login")
	if got := b.texts("table.users tbody td:nth-child(2)")[:2]; !slices.Equal(got, []string{"user59", "user58"}) {
		t.Fatalf("descending logins start %v", got)
	}
	b.do("next page", chromedp.Click(chromedp.CSS(`a[rel=next]`)))
	b.waitPage("/users?after=")
	page2 := b.texts("table.users tbody td:nth-child(2)")
	// 60 fillers, six named users and the super admin: 67.
	if len(page2) != 17 || page2[len(page2)-1] != "admin" {
		t.Fatalf("second page: %v", page2)
	}
	b.do("previous page", chromedp.Click(chromedp.CSS(`a[rel=prev]`)))
	b.waitPage("/users?before=")
	if got := b.texts("table.users tbody td:nth-child(2)")[:1]; got[0] != "user59" {
		t.Fatalf("back on the first page: %v", got)
	}

	// Select alice, bob, carol and dave, send, confirm, watch the batch end.
	b.open("/users?q=e&sort=login")
	for _, login := range []string{"alice", "bob", "carol", "dave"} {
		b.do("tick "+login, chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=user_id][value="%d"]`, users[login].ID))))
	}
	b.waitFor("the count of ticked rows", `document.getElementById('selected-count').textContent === '4 selected'`, 5*time.Second)
	b.screenshot("02-users-selected")
	b.do("send invitation", chromedp.Click(chromedp.ID("send-invitation")))
	b.waitPage("/users/invite")
	b.screenshot("03-confirm")
	if got := b.text("#confirm-summary"); got != "3 invitations will be sent." {
		t.Fatalf("confirmation says %q", got)
	}
	if e, sms := b.text(`[data-channel=email]`), b.text(`[data-channel=sms]`); e != "2" || sms != "1" {
		t.Fatalf("by e-mail %s, by SMS %s; want 2 and 1", e, sms)
	}
	if got := b.text(".refusals"); !strings.Contains(got, "no country code") {
		t.Fatalf("refusals: %q", got)
	}
	b.do("confirm", chromedp.Click(chromedp.ID("confirm-send")))
	b.waitPage("/users?")
	if loc := b.location(); !strings.Contains(loc, "q=e") || !strings.Contains(loc, "sort=login") {
		t.Fatalf("after sending, the table lost its search or order: %s", loc)
	}
	b.waitFor("the batch to end", `document.getElementById('batch-progress').classList.contains('done')`, 60*time.Second)
	b.screenshot("04-progress-done")
	counts := map[string]string{}
	for _, k := range []string{"waiting", "invited", "failed", "refused"} {
		counts[k] = b.text(fmt.Sprintf(`[data-count=%q]`, k))
	}
	// dave was refused at once: said apart from carol's delivery failure.
	if counts["waiting"] != "0" || counts["invited"] != "2" || counts["failed"] != "1" || counts["refused"] != "1" {
		t.Fatalf("final progress %v; want 0 waiting, 2 invited (alice, bob), 1 failed (carol), 1 refused (dave)", counts)
	}
	if v := eval[float64](b, `document.getElementById('batch-bar').value / document.getElementById('batch-bar').max`); v != 1 {
		t.Fatalf("progress bar at %v", v)
	}
	// The rows and the counts beside the filters follow without a reload.
	for login, want := range map[string]string{"alice": "Invited", "bob": "Invited", "carol": "Error", "dave": "Error"} {
		row := fmt.Sprintf(`tr[data-user-id="%d"] .badge`, users[login].ID)
		if got := b.text(row); got != want {
			t.Fatalf("%s's row shows %q after the batch, want %q", login, got, want)
		}
	}
	if got := b.text(`.facets a[data-status="invited"] .count`); got != "2" {
		t.Fatalf("invited count %s after the batch", got)
	}

	// Each status filter shows its users and its count.
	want := map[string][]string{"invited": {"alice", "bob"}, "error": {"carol", "dave"}, "waiting": {"eve"}}
	for _, st := range []string{"invited", "error", "waiting", "not_invited", ""} {
		b.open("/users?sort=login")
		b.do("filter "+st, chromedp.Click(chromedp.CSS(fmt.Sprintf(`.facets a[data-status=%q]`, st))))
		// The facet is a link: wait for the whole new page, not only its
		// facets, which are parsed before the table.
		b.waitFor("filter "+st+" active", fmt.Sprintf(
			`document.readyState === 'complete' && document.querySelector('.facets a.active').dataset.status === %q`, st), 10*time.Second)
		logins := b.texts("table.users tbody td:nth-child(2)")
		count := b.text(fmt.Sprintf(`.facets a[data-status=%q] .count`, st))
		switch st {
		case "not_invited":
			if count != "62" || len(logins) != 50 {
				t.Fatalf("not invited: count %s, %d rows", count, len(logins))
			}
			b.screenshot("05-filter-not-invited")
		case "":
			if count != "67" {
				t.Fatalf("all: count %s", count)
			}
		default:
			if !slices.Equal(logins, want[st]) || count != strconv.Itoa(len(want[st])) {
				t.Fatalf("filter %s: %v (count %s), want %v", st, logins, count, want[st])
			}
		}
		if st == "error" {
			reasons := b.texts("table.users tbody .reason")
			// The table gives each reason's short label; the card the full text.
			if len(reasons) != 2 || reasons[0] != "Address does not exist" || reasons[1] != "No country code" {
				t.Fatalf("error reasons %v", reasons)
			}
			b.screenshot("06-filter-error")
		}
	}

	// The user card: the mark, the status and the history.
	b.open("/users?status=invited")
	b.do("open alice", chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href^="/users/%d?back="]`, users["alice"].ID))))
	b.waitPage("/users/" + strconv.FormatInt(users["alice"].ID, 10))
	if got := b.text("#user-invited"); !strings.Contains(got, "User invited") {
		t.Fatalf("mark %q", got)
	}
	history := b.texts("table.history tbody tr")
	if len(history) != 1 || !strings.Contains(history[0], "admin") || !strings.Contains(history[0], "alice@example.com") ||
		!strings.Contains(history[0], "Sent") || !strings.Contains(history[0], "E-mail") {
		t.Fatalf("history %q", history)
	}
	b.screenshot("07-user-card")
	b.open("/users/" + strconv.FormatInt(users["carol"].ID, 10))
	if got := b.text("table.history tbody tr"); !strings.Contains(got, "no such mailbox") {
		t.Fatalf("carol's history lacks the provider's message: %q", got)
	}

	// "Select all matching": every not-invited user, in one confirmation;
	// the super admin among them is left out.
	b.open("/users?status=not_invited")
	b.do("select all matching", chromedp.Click(chromedp.ID("all-matching")), chromedp.Click(chromedp.ID("send-invitation")))
	b.waitPage("/users/invite")
	if got := b.text("#confirm-summary"); got != "61 invitations will be sent." {
		t.Fatalf("all matching: %q", got)
	}

	// Russian, status names and reasons included.
	b.open("/users?status=error&sort=login&lang=ru")
	if got := b.text("h1"); got != "Пользователи" {
		t.Fatalf("Russian heading %q", got)
	}
	if got := b.texts("table.users tbody .badge"); len(got) != 2 || got[0] != "Ошибка" {
		t.Fatalf("Russian badges %v", got)
	}
	if got := b.texts("table.users tbody .reason"); got[1] != "Нет кода страны" {
		t.Fatalf("Russian reason %v", got)
	}
	b.screenshot("08-users-ru")
	b.open("/users?lang=en")

	// The queue dashboard, behind the same sign-in.
	b.open("/monitoring/")
	b.waitFor("asynqmon's page", `document.body.innerText.includes('invitations')`, 30*time.Second)
	b.screenshot("09-monitoring")

	// A phone-sized screen.
	b.do("phone viewport", chromedp.EmulateViewport(390, 844))
	b.open("/users")
	b.screenshot("10-users-phone")
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		wide := eval[[]string](b, `Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 391).slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)`)
		t.Fatalf("the page is %dpx wide on a 390px screen; too wide: %v", w, wide)
	}
}
