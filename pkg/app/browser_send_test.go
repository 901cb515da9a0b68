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

// The pages of issue 8's sending items: the confirmation's split and its
// "send again" box, the list of refused users, administrators left alone in
// the table, a progress bar that tells refusals from failures and links to
// the failed users, "last send failed" on a user who stays invited, and the
// card's role control. Screenshots in both languages at 1440x900 and
// 390x844.
func TestBrowserSendNeverSurprises(t *testing.T) {
	t.Parallel()
	s := startService(t, options{Env: map[string]string{"RETRY_BASE_DELAY": "1h", "MAX_RETRIES": "5"}})
	logsOnFailure(t, s)
	tok := adminToken(t, s)
	api := s.API + "/api/v1"
	add := func(body map[string]string) user { return createUser(t, api, tok, body) }
	ann := add(map[string]string{"login": "ann", "first_name": "Ann", "last_name": "Arden", "email": "ann@example.com"})
	ben := add(map[string]string{"login": "ben", "first_name": "Ben", "last_name": "Brook", "email": "ben@example.com"})
	cat := add(map[string]string{"login": "cat", "first_name": "Cat", "last_name": "Cole", "phone": "9051111111"})
	dan := add(map[string]string{"login": "dan", "first_name": "Dan", "last_name": "Dale", "email": "dan@nowhere.example.com"})
	boss := add(map[string]string{"login": "boss", "first_name": "Bella", "last_name": "Boss", "email": "boss@example.com"})
	call(t, "PUT", fmt.Sprintf("%s/users/%d/role", api, boss.ID), tok, map[string]string{"role": "admin"}, nil, http.StatusOK)
	s.SMTP.FailRcpt("dan@nowhere.example.com", 550, "5.1.1", "no such mailbox", -1)
	// ben is invited already.
	call(t, "POST", api+"/invitations", tok, map[string]any{"user_ids": []int64{ben.ID}}, nil, http.StatusAccepted)
	history := func(id int64) []map[string]any {
		var u struct {
			user
			Invitations []map[string]any `json:"invitations"`
		}
		call(t, "GET", fmt.Sprintf("%s/users/%d", api, id), tok, nil, &u, http.StatusOK)
		return u.Invitations
	}
	status := func(id int64) user {
		var u user
		call(t, "GET", fmt.Sprintf("%s/users/%d", api, id), tok, nil, &u, http.StatusOK)
		return u
	}
	eventually(t, 60*time.Second, "ben invited", func() bool { return status(ben.ID).InviteStatus == "invited" })

	b := newBrowser(t, s.API, 1440, 900)
	b.signIn("admin", adminPassword, "/users")
	row := func(id int64) string { return fmt.Sprintf(`tr[data-user-id="%d"]`, id) }

	// Administrators cannot be ticked; "select all" counts the others.
	b.waitFor("the table", fmt.Sprintf(`document.querySelector('%s input[data-locked]') !== null`, row(boss.ID)), 10*time.Second)
	if n := eval[int](b, fmt.Sprintf(`document.querySelectorAll('input[name=user_id][value="%d"]').length`, boss.ID)); n != 0 {
		t.Fatalf("boss, an administrator, can be ticked")
	}
	if got := eval[string](b, fmt.Sprintf(`document.querySelector('%s .locked').title`, row(boss.ID))); !strings.Contains(got, "never invited") {
		t.Fatalf("the locked box says %q", got)
	}
	if got := b.text(`.toolbar label.choice`); !strings.Contains(got, "Select all 4 users") {
		t.Fatalf("select all says %q; want 4 (ann, ben, cat, dan), administrators aside", got)
	}
	b.screenshot("send-users-en-1440")

	// Select all matching: the split, the box unticked.
	openConfirmAll := func() {
		b.open("/users")
		b.do("select all matching", chromedp.Click(chromedp.ID("all-matching")), chromedp.Click(chromedp.ID("send-invitation")))
		b.waitPage("/users/invite")
	}
	openConfirmAll()
	if got := b.text("#confirm-summary"); got != "2 invitations will be sent." {
		t.Fatalf("confirmation says %q", got)
	}
	if first := b.text(`[data-count=first]`); first != "2" {
		t.Fatalf("first invitations %s; want 2 (ann, dan)", first)
	}
	if eval[bool](b, `document.getElementById('send-again').checked`) {
		t.Fatal("the send again box starts ticked for select all matching")
	}
	if got := b.text("#confirm-admins"); !strings.Contains(got, "Administrators left out: 2") {
		t.Fatalf("administrators: %q", got)
	}
	if e, again := b.text(`[data-channel=email]`), b.text(`[data-count=again]`); e != "2" || again != "0" {
		t.Fatalf("box unticked: by e-mail %s, sent again %s; want 2 and 0", e, again)
	}
	b.do("tick send again", chromedp.Click(chromedp.ID("send-again")))
	if got := b.text("#confirm-summary"); got != "3 invitations will be sent." {
		t.Fatalf("with the box ticked the confirmation says %q", got)
	}
	if e, again := b.text(`[data-channel=email]`), b.text(`[data-count=again]`); e != "3" || again != "1" {
		t.Fatalf("box ticked: by e-mail %s, sent again %s; want 3 and 1", e, again)
	}
	b.do("untick send again", chromedp.Click(chromedp.ID("send-again")))
	b.screenshot("send-confirm-en-1440")

	// The refusals' link lists exactly the refused users.
	refusedPath := eval[string](b, `(u => u.pathname + u.search)(new URL(document.getElementById('refused-link').href))`)
	b.open(refusedPath)
	if got := b.texts("#refused-users tbody td:first-child"); !slices.Equal(got, []string{"cat"}) {
		t.Fatalf("refused users %v; want cat", got)
	}
	b.screenshot("send-refused-en-1440")

	// Send with the box unticked: ben is left as he is.
	openConfirmAll()
	b.do("confirm", chromedp.Click(chromedp.ID("confirm-send")))
	b.waitPage("/users?batch=")
	batch := eval[string](b, `new URLSearchParams(location.search).get('batch')`)
	b.waitFor("the batch to end", `document.getElementById('batch-progress').classList.contains('done')`, 60*time.Second)
	counts := map[string]string{}
	for _, k := range []string{"total", "waiting", "invited", "failed", "refused"} {
		counts[k] = b.text(fmt.Sprintf(`#batch-progress [data-count=%q]`, k))
	}
	if counts["total"] != "2" || counts["waiting"] != "0" || counts["invited"] != "1" || counts["failed"] != "1" || counts["refused"] != "1" {
		t.Fatalf("progress %v; want 2 queued, 1 invited (ann), 1 failed (dan), 1 refused (cat)", counts)
	}
	if got := b.text("#batch-end"); !strings.Contains(got, "Done: 1 of 2 invited.") || !strings.Contains(got, "Show the users whose invitation failed") {
		t.Fatalf("end of the batch says %q", got)
	}
	if n := len(history(ben.ID)); n != 1 {
		t.Fatalf("ben, already invited, has %d attempts after a send with the box unticked", n)
	}
	b.screenshot("send-progress-en-1440")
	b.do("show the failed users", chromedp.Click(chromedp.ID("batch-failed-link")))
	b.waitPage("/users?in_batch=" + batch)
	if got := b.texts("table.users tbody td:nth-child(2)"); !slices.Equal(got, []string{"dan"}) {
		t.Fatalf("the batch's failed users: %v; want dan", got)
	}
	if got := b.text("#batch-filter"); !strings.Contains(got, "whose invitation failed") {
		t.Fatalf("batch filter says %q", got)
	}
	b.screenshot("send-failed-en-1440")

	// A send again that fails leaves ben invited, and says so.
	s.SMTP.FailRcpt("ben@example.com", 550, "5.1.1", "mailbox disabled", -1)
	b.open("/users?q=ben")
	b.do("tick ben", chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=user_id][value="%d"]`, ben.ID))),
		chromedp.Click(chromedp.ID("send-invitation")))
	b.waitPage("/users/invite")
	if !eval[bool](b, `document.getElementById('send-again').checked`) || b.text("#confirm-summary") != "1 invitation will be sent." {
		t.Fatalf("a deliberate send again: box %v, %q", eval[bool](b, `document.getElementById('send-again').checked`), b.text("#confirm-summary"))
	}
	b.do("confirm", chromedp.Click(chromedp.ID("confirm-send")))
	b.waitPage("/users?")
	b.waitFor("the batch to end", `document.getElementById('batch-progress').classList.contains('done')`, 60*time.Second)
	if got := b.text(row(ben.ID) + " .badge"); got != "Invited" {
		t.Fatalf("ben after a failed send again: %q", got)
	}
	// The row gives the reason's short label; the card, below, its full text
	// with the server's own words.
	if got := b.text(row(ben.ID) + " .reason"); !strings.Contains(got, "Last send failed") {
		t.Fatalf("ben's row says %q", got)
	}
	if u := status(ben.ID); u.InviteStatus != "invited" || !u.UserInvited {
		t.Fatalf("ben through the API: %+v", u)
	}
	benCard := "/users/" + strconv.FormatInt(ben.ID, 10)
	b.open(benCard)
	if got := b.text("#card-reason"); !strings.Contains(got, "Last send failed") || !strings.Contains(got, "mailbox disabled") {
		t.Fatalf("ben's card says %q", got)
	}
	b.text("#user-invited")
	b.screenshot("send-card-en-1440")

	// The super admin makes ann an administrator from her card.
	annCard := "/users/" + strconv.FormatInt(ann.ID, 10)
	b.open(annCard)
	b.do("make ann an administrator", chromedp.SetValue(chromedp.ID("role-select"), "admin"),
		chromedp.Click(chromedp.CSS("#role-form button[type=submit]")))
	b.waitPage(annCard + "?role=1")
	if got := b.text(".flash"); got != "Role changed." {
		t.Fatalf("flash %q", got)
	}
	b.open("/users?q=ann")
	b.waitFor("ann locked", fmt.Sprintf(`document.querySelector('%s input[data-locked]') !== null`, row(ann.ID)), 10*time.Second)

	// The same pages in Russian and on a phone.
	for _, v := range []struct {
		lang string
		w, h int
	}{{"en", 390, 844}, {"ru", 1440, 900}, {"ru", 390, 844}} {
		tag := fmt.Sprintf("%s-%d", v.lang, v.w)
		b.do("viewport "+tag, chromedp.EmulateViewport(int64(v.w), int64(v.h)))
		b.open("/users?lang=" + v.lang)
		b.screenshot("send-users-" + tag)
		openConfirmAll()
		if v.lang == "ru" && !strings.Contains(b.text("#confirm-split"), "Первые приглашения") {
			t.Fatalf("%s: the confirmation is not in Russian: %q", tag, b.text("#confirm-split"))
		}
		if w := eval[int](b, `document.documentElement.scrollWidth`); w > v.w {
			t.Fatalf("%s: the confirmation is %dpx wide", tag, w)
		}
		b.screenshot("send-confirm-" + tag)
		b.open(refusedPath)
		b.screenshot("send-refused-" + tag)
		b.open("/users?batch=" + batch)
		b.waitFor("the batch's end", `document.getElementById('batch-progress').classList.contains('done')`, 30*time.Second)
		b.screenshot("send-progress-" + tag)
		b.open("/users?in_batch=" + batch + "&outcome=failed")
		b.screenshot("send-failed-" + tag)
		b.open(benCard)
		if v.lang == "ru" && !strings.Contains(b.text("#card-reason"), "Последняя отправка не удалась") {
			t.Fatalf("%s: ben's card says %q", tag, b.text("#card-reason"))
		}
		b.screenshot("send-card-" + tag)
	}

	// Confirmation by phone only: ben, invited with no phone, is refused
	// only if sent again. The box switches the refusals, and their link,
	// without a reload.
	call(t, "PUT", api+"/settings/auth", tok, map[string]string{"verification_method": "phone_only"}, nil, http.StatusOK)
	openConfirmAll()
	refused := func() int {
		return eval[int](b, `Array.from(document.querySelectorAll('.refusals li:not([hidden]) strong')).reduce((n, s) => n + Number(s.textContent), 0)`)
	}
	heading := func() string { return b.text("#confirm-refused") }
	if n, h := refused(), heading(); n != 2 || !strings.Contains(h, "2") {
		t.Fatalf("box unticked: %d refused (%q); want 2 (cat, dan)", n, h)
	}
	b.do("tick send again", chromedp.Click(chromedp.ID("send-again")))
	if n, h := refused(), heading(); n != 3 || !strings.Contains(h, "3") {
		t.Fatalf("box ticked: %d refused (%q); want 3 (ben, cat, dan)", n, h)
	}
	b.open(eval[string](b, `(u => u.pathname + u.search)(new URL(document.getElementById('refused-link').href))`))
	if got := b.texts("#refused-users tbody td:first-child"); !slices.Equal(got, []string{"ben", "cat", "dan"}) {
		t.Fatalf("refused users with the box ticked %v; want ben, cat, dan", got)
	}
	_, _ = cat, dan
}
