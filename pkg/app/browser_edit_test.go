package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserEditUser: the table reads at a glance (short labels, the
// reasons under Error with counts, since when users wait, the banner of
// invitations waiting too long), the card offers the fix instead of a send
// sure to be refused, the Edit form shows errors by their fields and keeps
// what was typed, and one click applies the suggested phone number. Every
// page in English and Russian, at 1440x900 and 390x844.
func TestBrowserEditUser(t *testing.T) {
	t.Parallel()
	// No worker: the invitation stays waiting, as when the workers are down.
	s := startService(t, options{NoWorker: true, Env: map[string]string{"DEFAULT_REGION": "RU", "WAITING_ALERT_AFTER": "2m"}})
	logsOnFailure(t, s)
	tok := adminToken(t, s)
	api := s.API + "/api/v1"
	add := func(body map[string]string) user { return createUser(t, api, tok, body) }
	dave := add(map[string]string{"login": "dave", "first_name": "Dave", "last_name": "Dyer", "phone": "9051112234"})
	mia := add(map[string]string{"login": "mia", "first_name": "Mia", "last_name": "Moss", "email": "mia@"})
	wes := add(map[string]string{"login": "wes", "first_name": "Wes", "last_name": "West", "email": "team@example.com"})
	leo := add(map[string]string{"login": "leo", "first_name": "Leo", "last_name": "Lane", "email": "team@example.com"})
	call(t, "POST", api+"/invitations", tok, map[string]any{"user_ids": []int64{dave.ID, mia.ID, wes.ID}}, nil, http.StatusAccepted)
	// wes has waited ten minutes.
	for _, q := range []string{
		`UPDATE invitations SET created_at = now() - interval '10 minutes' WHERE status = 'waiting'`,
		`UPDATE invite_states SET updated_at = now() - interval '10 minutes' WHERE status = 'waiting'`,
	} {
		if _, err := s.DB.DB.Exec(q); err != nil {
			t.Fatal(err)
		}
	}

	texts := map[string]map[string]string{
		"en": {"label": "No country code", "fix": "Use +7 905 111-22-34", "banner": "more than 2 min", "first": "Enter the first name.",
			"dup": "Another user already has this e-mail address.", "saved": "Changes saved."},
		"ru": {"label": "Нет кода страны", "fix": "Исправить на +7 905 111-22-34", "banner": "дольше 2 мин", "first": "Введите имя.",
			"dup": "Этот e-mail уже есть у другого пользователя.", "saved": "Изменения сохранены."},
	}
	card := func(id int64) string { return fmt.Sprintf("/users/%d", id) }
	for _, size := range []struct{ w, h int }{{1440, 900}, {390, 844}} {
		b := newBrowser(t, s.API, size.w, size.h)
		b.signIn("admin", adminPassword, "/users")
		for _, lang := range []string{"en", "ru"} {
			tx := texts[lang]
			shot := func(name string) { b.screenshot(fmt.Sprintf("i8b-%s-%s-%d", name, lang, size.w)) }

			b.open("/users?lang=" + lang)
			if got := b.text("#waiting-banner"); !strings.Contains(got, tx["banner"]) {
				t.Fatalf("%s banner %q", lang, got)
			}
			if n := eval[int](b, `document.querySelectorAll('#waiting-banner a[href="/monitoring/"]').length`); n != 1 {
				t.Fatalf("%s: the super admin's banner has %d links to the queue", lang, n)
			}
			if got := b.text(`tr[data-user-id="` + itoa(dave.ID) + `"] .reason`); got != tx["label"] {
				t.Fatalf("%s: dave's row says %q, want the short label %q", lang, got, tx["label"])
			}
			if got := b.text(`tr[data-user-id="` + itoa(wes.ID) + `"] .waiting-since`); got == "" {
				t.Fatalf("%s: wes's row does not say since when he waits", lang)
			}
			shot("users")

			b.do("filter by reason", chromedp.Click(chromedp.CSS(`#error-reasons a[data-error-code="phone_without_country_code"]`)))
			b.waitPage("/users?error_code=phone_without_country_code")
			if rows := b.texts("table.users tbody tr td:nth-child(2)"); len(rows) != 1 || rows[0] != "dave" {
				t.Fatalf("%s: rows for no country code: %v", lang, rows)
			}
			shot("users-error-code")

			b.open(card(dave.ID))
			if got := b.text("#fixes button"); got != tx["fix"] {
				t.Fatalf("%s: fix button %q, want %q", lang, got, tx["fix"])
			}
			if n := eval[int](b, `document.querySelectorAll('form[action="/users/invite"]').length`); n != 0 {
				t.Fatalf("%s: dave's card offers a send sure to be refused", lang)
			}
			if n := eval[int](b, `(document.body.innerText.match(/9051111111 rather than|79051111111, а не/g) || []).length`); n != 1 {
				t.Fatalf("%s: the full reason is said %d times on the card", lang, n)
			}
			shot("card-fix")

			// A refused edit: the error by its field, what was typed kept.
			b.open(card(leo.ID))
			if got := b.text("#contact-warnings"); !strings.Contains(got, tx["dup"]) {
				t.Fatalf("%s: leo's card does not warn of the duplicate e-mail: %q", lang, got)
			}
			b.do("open the Edit form", chromedp.Click(chromedp.CSS("#edit summary")))
			eval[bool](b, `(() => { document.getElementById('edit-first').value = '';
				document.getElementById('edit-email').value = 'leo@example.com'; return true })()`)
			b.do("save", chromedp.Click(chromedp.ID("edit-save")))
			b.waitFor("the field's error", `document.getElementById('edit-first-error') !== null`, 30*time.Second)
			if got := b.text("#edit-first-error"); got != tx["first"] {
				t.Fatalf("%s: error %q", lang, got)
			}
			if got := eval[string](b, `document.getElementById('edit-email').value`); got != "leo@example.com" {
				t.Fatalf("%s: the typed e-mail was lost: %q", lang, got)
			}
			shot("card-edit-error")
		}
	}

	// One click applies the fix; the change is logged on the card.
	b := newBrowser(t, s.API, 1440, 900)
	b.signIn("admin", adminPassword, "/users")
	for _, lang := range []string{"en", "ru"} {
		b.open(card(dave.ID) + "?lang=" + lang)
		if lang == "en" {
			b.do("apply the fix", chromedp.Click(chromedp.CSS("#fixes button")))
			b.waitPage(card(dave.ID) + "?saved=1")
			if got := b.text(".flash"); got != texts[lang]["saved"] {
				t.Fatalf("flash %q", got)
			}
		}
		if got := b.text("#changes tbody tr"); !strings.Contains(got, "9051112234") || !strings.Contains(got, "+79051112234") {
			t.Fatalf("%s: change log %q", lang, got)
		}
		if n := eval[int](b, `document.querySelectorAll('form[action="/users/invite"]').length`); n != 1 {
			t.Fatalf("%s: no send offered after the fix", lang)
		}
		// The fixed card at both sizes, like every other page here.
		b.screenshot("i8b-card-fixed-" + lang + "-1440")
		b.do("viewport 390x844", chromedp.EmulateViewport(390, 844))
		b.screenshot("i8b-card-fixed-" + lang + "-390")
		b.do("viewport 1440x900", chromedp.EmulateViewport(1440, 900))
	}
	var phone string
	if err := s.DB.DB.Get(&phone, `SELECT phone FROM users WHERE id = $1`, dave.ID); err != nil || phone != "+79051112234" {
		t.Fatalf("dave's phone %q, %v", phone, err)
	}
}
