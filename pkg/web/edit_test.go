package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/inviter/inviter/pkg/invite"
)

func cardPath(id int64) string { return "/users/" + strconv.FormatInt(id, 10) }

// The card of a user refused for "no country code" says it once, offers no
// send that is sure to be refused, and offers the fix; one click applies it.
func TestCardOffersTheFixNotASend(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.as(t, e.rootID)
	u := e.createUser(t, invite.NewUser{Login: "olga", Phone: "9051112234"})
	for range 2 { // two refused sends: two history rows
		if _, err := e.inviter.Invite(t.Context(), e.rootID, invite.Selection{UserIDs: []int64{u.ID}}); err != nil {
			t.Fatal(err)
		}
	}
	card := root.get(cardPath(u.ID))
	want(t, card, http.StatusOK)
	full := "The phone number has no country code"
	if n := strings.Count(card.body, full); n != 1 {
		t.Errorf("the full reason appears %d times, want once:\n%s", n, card.body)
	}
	wantContains(t, card.body, `id="card-reason"`, `id="send-blocked"`, "No country code",
		`<button type="submit" class="primary">Use &#43;7 905 111-22-34</button>`, `name="phone" value="&#43;79051112234"`)
	if strings.Contains(card.body, "Send invitation again") || strings.Contains(card.body, `action="/users/invite"`) {
		t.Errorf("the card offers a send that is sure to be refused:\n%s", card.body)
	}

	r := root.submit(cardPath(u.ID)+"/edit", url.Values{"phone": {"+79051112234"}})
	wantRedirect(t, r, cardPath(u.ID)+"?saved=1")
	got, err := e.store.User(t.Context(), u.ID)
	if err != nil || got.Phone != "+79051112234" {
		t.Fatalf("after the fix: %+v, %v", got, err)
	}
	card = root.get(r.location())
	wantContains(t, card.body, "Changes saved.", `id="changes"`, "9051112234", "&#43;79051112234", `action="/users/invite"`)
	if strings.Contains(card.body, `id="fixes"`) {
		t.Error("the fix is still offered after it was applied")
	}

	ru := root.do("GET", cardPath(u.ID), nil, http.Header{"Accept-Language": {"ru"}})
	wantContains(t, ru.body, "Изменения", "Изменить", "Сохранить изменения")
}

// A refused edit shows the error next to its field and keeps what was
// typed; a taken login is a 409; nothing is written.
func TestEditFormErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.as(t, e.rootID)
	u := e.createUser(t, invite.NewUser{Login: "ivan", Email: "ivan@example.com"})
	e.createUser(t, invite.NewUser{Login: "taken"})
	form := url.Values{"login": {"ivan"}, "first_name": {" "}, "last_name": {"Petrov"},
		"email": {"typed@example.com"}, "phone": {"+7 905"}, "locale": {"ru"}}
	r := root.submit(cardPath(u.ID)+"/edit", form)
	want(t, r, http.StatusBadRequest)
	wantContains(t, r.body, `<details open>`, `id="edit-first" name="first_name" type="text" value=" " aria-invalid="true"`,
		`<p class="field-error" id="edit-first-error" role="alert">Enter the first name.</p>`,
		`value="typed@example.com"`, `value="&#43;7 905"`, `value="Petrov"`)
	form.Set("first_name", "Ivan")
	form.Set("login", "TAKEN")
	r = root.submit(cardPath(u.ID)+"/edit", form)
	want(t, r, http.StatusConflict)
	wantContains(t, r.body, `id="edit-login-error" role="alert">A user with this login already exists.</p>`, `value="TAKEN"`)
	ru := root.do("POST", cardPath(u.ID)+"/edit", url.Values{"first_name": {""}, csrfField: {root.token()}},
		http.Header{"Accept-Language": {"ru"}})
	want(t, ru, http.StatusBadRequest)
	wantContains(t, ru.body, "Введите имя.")
	got, _ := e.store.User(t.Context(), u.ID)
	if got.Login != "ivan" || got.Email != "ivan@example.com" {
		t.Fatalf("a refused edit changed the user: %+v", got)
	}
	if ch, _ := e.store.UserChanges(t.Context(), u.ID); len(ch) != 0 {
		t.Fatalf("a refused edit was logged: %+v", ch)
	}
}

// Another user with the same e-mail: a notice on the card, in both languages.
func TestCardWarnsOfDuplicates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.as(t, e.rootID)
	e.createUser(t, invite.NewUser{Login: "a", Email: "team@example.com"})
	r := root.submit("/users", url.Values{"login": {"b"}, "first_name": {"B"}, "last_name": {"B"}, "email": {"team@example.com"}, "locale": {"en"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("add: %d\n%s", r.status, r.body)
	}
	card := root.get(r.location())
	wantContains(t, card.body, `id="contact-warnings"`, "Another user already has this e-mail address.")
	ru := root.do("GET", r.location(), nil, http.Header{"Accept-Language": {"ru"}})
	wantContains(t, ru.body, "Этот e-mail уже есть у другого пользователя.")
}

// The table shows short labels, the reasons under Error with counts and
// links, since when users wait, and a banner when invitations wait too long.
func TestUsersPageReasonsAndWaiting(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.as(t, e.rootID)
	var ids []int64
	for _, n := range []invite.NewUser{
		{Login: "p1", Phone: "9051111111"}, {Login: "p2", Phone: "9052222222"},
		{Login: "m1", Email: "m1@"}, {Login: "w1", Email: "w1@example.com"},
	} {
		ids = append(ids, e.createUser(t, n).ID)
	}
	if _, err := e.inviter.Invite(t.Context(), e.rootID, invite.Selection{UserIDs: ids}); err != nil {
		t.Fatal(err)
	}
	page := root.get("/users")
	want(t, page, http.StatusOK)
	wantContains(t, page.body, `id="error-reasons"`,
		`href="/users?error_code=phone_without_country_code&amp;status=error" data-error-code="phone_without_country_code">`,
		`<span>No country code</span> <span class="count">2</span>`, `<span>Invalid e-mail</span> <span class="count">1</span>`,
		`class="hint waiting-since">waiting since`)
	if strings.Contains(page.body, "has no country code: write it") {
		t.Error("the table shows the full sentence instead of the short label")
	}
	if strings.Contains(page.body, `id="waiting-banner"`) {
		t.Error("a banner for an invitation that has waited a moment")
	}
	list := root.get("/users?status=error&error_code=phone_without_country_code")
	wantContains(t, list.body, `>p1</a>`, `>p2</a>`, `data-error-code="phone_without_country_code" aria-current="true"`,
		`name="f_error_code" value="phone_without_country_code"`, "Select all 2 users matching the filter")
	if strings.Contains(list.body, ">m1</a>") {
		t.Error("error_code=phone_without_country_code lists m1")
	}

	// The worker is down: the invitation has waited 10 minutes.
	if _, err := e.db.ExecContext(t.Context(), `UPDATE invitations SET created_at = now() - interval '10 minutes' WHERE status = 'waiting'`); err != nil {
		t.Fatal(err)
	}
	page = root.get("/users")
	wantContains(t, page.body, `id="waiting-banner"`, "more than 5 min", `<a href="/monitoring/">Open the queue dashboard</a>`)
	ru := root.do("GET", "/users", nil, http.Header{"Accept-Language": {"ru"}})
	wantContains(t, ru.body, "дольше 5 мин", "Нет кода страны", "Открыть панель очереди")
	// The dates in the banner and the rows are markup (<time>), not its
	// escaped text.
	for _, body := range []string{page.body, ru.body, root.get(userPath(ids[0])).body} {
		if strings.Contains(body, "&lt;time") {
			t.Fatal("a date inside a sentence shows as escaped markup")
		}
	}
	wantContains(t, page.body, `waiting since <time datetime=`, `Invitations have been waiting since <time datetime=`)
	adminID := e.createAccount(t, "plain", "plain-Password-1234", invite.RoleAdmin)
	plain := e.as(t, adminID).get("/users")
	wantContains(t, plain.body, `id="waiting-banner"`)
	if strings.Contains(plain.body, `href="/monitoring/">Open the queue`) {
		t.Error("a plain admin is sent to the queue dashboard")
	}
}

// Every reason a user can be in error for has a short label in both
// languages, and the Russian one is not left in English.
func TestEveryReasonHasAShortLabel(t *testing.T) {
	t.Parallel()
	for _, code := range invite.ReasonCodes() {
		en, okEn := lookup("en", "label."+code)
		ru, okRu := lookup("ru", "label."+code)
		if !okEn || !okRu || en == ru || len(en) > 30 {
			t.Errorf("label.%s: en %q (%v), ru %q (%v)", code, en, okEn, ru, okRu)
		}
	}
}

// The Edit form keeps a language the select does not list, so saving
// another field does not erase it.
func TestEditFormKeepsAnUnlistedLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.createUser(t, invite.NewUser{Login: "kurt", Email: "kurt@example.com", Locale: "de"})
	card := e.as(t, e.rootID).get(cardPath(u.ID))
	wantContains(t, card.body, `<option value="de" selected>de</option>`)
}

// Changing the e-mail of a user waiting for an invitation reroutes it, and
// the card says so.
func TestEditReroutesWaitingInvitation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.as(t, e.rootID)
	u := e.createUser(t, invite.NewUser{Login: "moved", Email: "old@example.com"})
	if _, err := e.inviter.Invite(t.Context(), e.rootID, invite.Selection{UserIDs: []int64{u.ID}}); err != nil {
		t.Fatal(err)
	}
	r := root.submit(cardPath(u.ID)+"/edit", url.Values{"email": {"new@example.com"}})
	wantRedirect(t, r, cardPath(u.ID)+"?saved=1&rerouted=1")
	card := root.get(r.location())
	wantContains(t, card.body, "The waiting invitation was cancelled before it went out", "new@example.com")
	ru := root.do("GET", r.location(), nil, http.Header{"Accept-Language": {"ru"}})
	wantContains(t, ru.body, "Ожидавшее приглашение отменено до отправки")
	h, err := e.store.Invitations(t.Context(), u.ID)
	if err != nil || len(h) != 2 || h[0].Destination != "new@example.com" || h[1].Status != invite.AttemptSuperseded {
		t.Fatalf("history %+v, %v", h, err)
	}
}
