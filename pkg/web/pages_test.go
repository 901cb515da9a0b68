package web

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/inviter/inviter/pkg/invite"
)

// escapeHTML is s as html/template writes it in text or a quoted attribute.
func escapeHTML(t *testing.T, s string) string {
	t.Helper()
	var b strings.Builder
	if err := template.Must(template.New("").Parse(`{{.}}`)).Execute(&b, s); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// wantNoMarkupFromData requires that the only script element of a page is
// the layout's and that no element came from a user's data.
func wantNoMarkupFromData(t *testing.T, where, body string) {
	t.Helper()
	if n := strings.Count(body, "<script"); n != 1 {
		t.Errorf("%s: %d script elements, want the layout's one:\n%s", where, n, body)
	}
	for _, raw := range []string{"<img", "<b>"} {
		if strings.Contains(body, raw) {
			t.Errorf("%s: raw %q from data:\n%s", where, raw, body)
		}
	}
}

func TestUserDataIsEscaped(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.as(t, e.rootID)
	hostile := invite.NewUser{
		Login:     `<script>alert("l'x")&</script>`,
		FirstName: `<script>alert('f')</script> "F" & 'G'`,
		LastName:  `<b>"Last"</b> & 'co'`,
		Email:     `"<script>"@x&y`,
		Phone:     `<img src=x onerror=alert(1)>`,
	}
	r := root.submit("/users", url.Values{"login": {hostile.Login}, "first_name": {hostile.FirstName},
		"last_name": {hostile.LastName}, "email": {hostile.Email}, "phone": {hostile.Phone}, "locale": {"en"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("add user: %d\n%s", r.status, r.body)
	}
	card := root.get(r.location())
	want(t, card, http.StatusOK)

	// A delivery refused with a provider's answer full of markup.
	dora := e.createUser(t, invite.NewUser{Login: "dora", Email: "dora@example.com"})
	if _, err := e.inviter.Invite(t.Context(), e.rootID, invite.Selection{UserIDs: []int64{dora.ID}}); err != nil {
		t.Fatal(err)
	}
	id := e.currentInvitation(t, dora.ID)
	if _, err := e.store.ClaimAttempt(t.Context(), id, e.hasher.Hash(id, "unused")); err != nil {
		t.Fatal(err)
	}
	if err := e.store.MarkFailed(t.Context(), id, *invite.NewReason(invite.ReasonDeliveryRejected, `550 <script>x</script>`),
		`<script>provider</script> & "quoted"`); err != nil {
		t.Fatal(err)
	}

	table := root.get("/users")
	want(t, table, http.StatusOK)
	doraCard := root.get(userPath(dora.ID))
	want(t, doraCard, http.StatusOK)
	search := root.get("/users?q=" + url.QueryEscape(`"><script>alert(1)</script>`) + "&login=" + url.QueryEscape(`'"><b>`))
	want(t, search, http.StatusOK)
	confirm := root.submit("/users/invite", url.Values{"all_matching": {"1"}, "f_q": {`"><script>alert(1)</script>`},
		"f_login": {hostile.Login}, "back": {`/users?q="><script>alert(1)</script>`}})
	want(t, confirm, http.StatusOK)
	hostileOnly := root.submit("/users/invite", url.Values{"all_matching": {"1"}, "f_login": {hostile.Login}})
	want(t, hostileOnly, http.StatusOK)
	wantContains(t, hostileOnly.body, `<h2 id="confirm-refused" data-with="1 cannot be sent" data-without="1 cannot be sent">1 cannot be sent</h2>`, `name="f_login" value="`+escapeHTML(t, hostile.Login)+`"`)
	login := e.client(t).signIn(`"><script>alert(1)</script>`, "not-the-password", `/users?q="><b>`)
	want(t, login, http.StatusUnauthorized)

	for name, body := range map[string]string{"table": table.body, "card": card.body, "refused card": doraCard.body,
		"search": search.body, "confirmation": confirm.body, "hostile's confirmation": hostileOnly.body, "sign-in": login.body} {
		wantNoMarkupFromData(t, name, body)
	}
	for _, s := range []string{hostile.Login, hostile.FirstName, hostile.LastName, hostile.Email, hostile.Phone} {
		esc := escapeHTML(t, s)
		wantContains(t, table.body, esc)
		wantContains(t, card.body, esc)
	}
	wantContains(t, card.body, "<title>"+escapeHTML(t, hostile.Login)+" ·", "User "+escapeHTML(t, hostile.Login)+" added.")
	wantContains(t, doraCard.body, "550 &lt;script&gt;x&lt;/script&gt;", "&lt;script&gt;provider&lt;/script&gt; &amp; &#34;quoted&#34;")
	wantContains(t, confirm.body, `name="f_q" value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`)
}

func TestAddUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.as(t, e.rootID)
	form := func(login, first, last, email, phone string) url.Values {
		return url.Values{"login": {login}, "first_name": {first}, "last_name": {last}, "email": {email}, "phone": {phone}, "locale": {"ru"}}
	}

	for _, c := range []struct {
		name string
		form url.Values
		msg  string
	}{
		{"no first name", form("anna", "", "Smith", "anna@example.com", "+7 905 111-11-11"), "Enter the first name."},
		{"no last name", form("anna", "Anna", " ", "anna@example.com", ""), "Enter the last name."},
		{"space in login", form("an na", "Anna", "Smith", "anna@example.com", ""), "A login must not contain spaces."},
		{"no login to be had", form("", "Anna", "Smith", "", ""), "Enter a login (or an e-mail or phone to serve as one)."},
		{"too long", form(strings.Repeat("a", 129), "Anna", "Smith", "", ""), "A field is too long."},
	} {
		r := root.submit("/users", c.form)
		want(t, r, http.StatusBadRequest)
		wantContains(t, r.body, `<p class="form-error" role="alert" id="add-user-error">`+c.msg+"</p>")
		for _, k := range []string{"login", "first_name", "last_name", "email", "phone"} {
			if v := c.form.Get(k); v != "" && !regexp.MustCompile(`name="`+k+`"[^>]* value="`+regexp.QuoteMeta(escapeHTML(t, v))+`"`).MatchString(r.body) {
				t.Errorf("%s: the form lost %s=%q:\n%s", c.name, k, v, r.body)
			}
		}
		wantContains(t, r.body, `<option value="ru" selected>`)
	}
	r := root.do("POST", "/users", url.Values{"login": {"anna"}, "last_name": {"Smith"}, csrfField: {root.token()}},
		http.Header{"Accept-Language": {"ru-RU,ru;q=0.9"}})
	want(t, r, http.StatusBadRequest)
	wantContains(t, r.body, "Введите имя.")
	if n := e.userCount(t); n != 1 {
		t.Fatalf("%d users after refused forms, want 1", n)
	}

	r = root.submit("/users", form("anna", "Anna", "Smith", " Anna@Example.COM ", "+7 905 111-11-11"))
	if r.status != http.StatusSeeOther || !strings.HasSuffix(r.location(), "?added=1") {
		t.Fatalf("add user: %d to %q\n%s", r.status, r.location(), r.body)
	}
	id, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(r.location(), "/users/"), "?added=1"), 10, 64)
	if err != nil {
		t.Fatalf("location %q: %v", r.location(), err)
	}
	u, err := e.store.User(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if u.Login != "anna" || u.Email != "Anna@example.com" || u.Phone != "+79051111111" || u.Locale != "ru" || u.Role != invite.RoleUser {
		t.Errorf("stored %+v", u)
	}
	card := root.get(r.location())
	want(t, card, http.StatusOK)
	wantContains(t, card.body, `<div class="flash ok" role="status">User anna added.</div>`)
	if strings.Contains(card.body, "contact-warnings") {
		t.Error("warnings shown for good contact data")
	}

	r = root.submit("/users", form("ANNA", "Other", "Anna", "other@example.com", ""))
	want(t, r, http.StatusConflict)
	wantContains(t, r.body, "A user with this login already exists.", `value="ANNA"`, `value="other@example.com"`)

	// Bad contact data is kept, and the card says what an invitation
	// would refuse.
	for login, c := range map[string]struct{ email, phone, warning string }{
		"dan":  {"", "9051111111", "The phone number has no country code"},
		"eli":  {"not-an-email", "", "The e-mail address is not valid."},
		"finn": {"", "", "The user has neither an e-mail address nor a phone number"},
	} {
		r := root.submit("/users", form(login, "F", "L", c.email, c.phone))
		if r.status != http.StatusSeeOther {
			t.Fatalf("add %s: %d\n%s", login, r.status, r.body)
		}
		card := root.get(r.location())
		wantContains(t, card.body, `<ul class="warnings" id="contact-warnings"><li>`+c.warning)
	}
	if n := e.userCount(t); n != 5 {
		t.Errorf("%d users, want 5", n)
	}
}

func TestUserCardNotFound(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.as(t, e.rootID)
	for _, path := range []string{"/users/99999", "/users/abc", "/users/0", "/users/-1", "/users/99999999999999999999", "/no/such/page"} {
		r := root.get(path)
		want(t, r, http.StatusNotFound)
		wantContains(t, r.body, "There is no such page.")
	}
}

func TestConfirmAndSend(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.as(t, e.rootID)
	ids := []int64{
		e.createUser(t, invite.NewUser{Login: "a", Email: "a@example.com"}).ID,
		e.createUser(t, invite.NewUser{Login: "b", Email: "b@example.com"}).ID,
		e.createUser(t, invite.NewUser{Login: "c", Phone: "+79051111111"}).ID,
		e.createUser(t, invite.NewUser{Login: "d", Phone: "9051111111"}).ID,
		e.createUser(t, invite.NewUser{Login: "e"}).ID,
		e.createAccount(t, "adm", "adm-Password-1234", invite.RoleAdmin),
	}
	picked := url.Values{}
	for _, id := range ids {
		picked.Add("user_id", strconv.FormatInt(id, 10))
	}

	r := root.submit("/users/invite", picked)
	want(t, r, http.StatusOK)
	// The administrator is left out, never refused.
	wantContains(t, r.body, `>3 invitations will be sent.</p>`, `<strong data-count="first">3</strong>`,
		`<strong data-channel="email" data-with="2" data-without="2">2</strong>`, `<strong data-channel="sms" data-with="1" data-without="1">1</strong>`, "2 cannot be sent",
		"The phone number has no country code", "The user has neither an e-mail address nor a phone number",
		"Administrators left out: 1.", "Confirm by e-mail or phone", `<button type="submit" class="primary" id="confirm-send" data-with="3" data-without="3">`)
	for _, id := range ids {
		wantContains(t, r.body, `<input type="hidden" name="user_id" value="`+strconv.FormatInt(id, 10)+`">`)
	}
	if strings.Count(r.body, `— <strong data-with="1" data-without="1">1</strong>`) != 2 {
		t.Errorf("want two refusals of one user each:\n%s", r.body)
	}
	ru := root.do("POST", "/users/invite", url.Values{"user_id": picked["user_id"], csrfField: {root.token()}},
		http.Header{"Accept-Language": {"ru"}})
	want(t, ru, http.StatusOK)
	wantContains(t, ru.body, "Будет отправлено 3 приглашения.", "Нельзя отправить: 2", "Администраторы не затронуты: 1.")
	if _, err := e.store.BatchProgress(t.Context(), 1); invite.KindOf(err) != invite.KindNotFound {
		t.Fatalf("the confirmation sent something: %v", err)
	}

	r = root.submit("/users/invite/send", picked)
	batch := batchOf(t, r, url.Values{})
	p := root.get("/users/batches/" + batch)
	want(t, p, http.StatusOK)
	if ct := p.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("progress Content-Type %q", ct)
	}
	// The bar starts at 0 of the 3 queued; the refusals are apart.
	wantProgress(t, p.body, progressJSON{Total: 3, Waiting: 3, Refused: 2, Admins: 1})

	// One delivery later.
	inv := e.currentInvitation(t, ids[0])
	if _, err := e.store.ClaimAttempt(t.Context(), inv, e.hasher.Hash(inv, "unused")); err != nil {
		t.Fatal(err)
	}
	if err := e.store.MarkDelivered(t.Context(), inv, 0); err != nil {
		t.Fatal(err)
	}
	wantProgress(t, root.get("/users/batches/"+batch).body, progressJSON{Total: 3, Waiting: 2, Invited: 1, Refused: 2, Admins: 1})

	table := root.get("/users?batch=" + batch)
	want(t, table, http.StatusOK)
	wantContains(t, table.body, `data-batch-url="/users/batches/`+batch+`"`)
	for _, path := range []string{"/users/batches/999999", "/users/batches/abc", "/users/batches/0"} {
		want(t, root.get(path), http.StatusNotFound)
	}

	// b is waiting already: confirming b again sends nothing new.
	r = root.submit("/users/invite", url.Values{"user_id": {strconv.FormatInt(ids[1], 10)}})
	want(t, r, http.StatusOK)
	wantContains(t, r.body, "No invitation can be sent to the selected users.", "1 already waiting for the same invitation",
		`id="confirm-send" data-with="0" data-without="0" disabled`)

	// Everyone matching a filter, which the table comes back to.
	zed := e.createUser(t, invite.NewUser{Login: "zed", Email: "zed@example.com"})
	all := url.Values{"all_matching": {"1"}, "f_status": {"not_invited"}, "f_q": {"zed"}, "user_id": {"1"}}
	r = root.submit("/users/invite", all)
	want(t, r, http.StatusOK)
	wantContains(t, r.body, "1 invitation will be sent.", `name="all_matching" value="1"`, `name="f_q" value="zed"`,
		`href="/users?q=zed&amp;status=not_invited"`)
	wantContains(t, r.body, `name="expected_selected" value="1"`)
	all.Set("expected_selected", "1") // the send carries the count the admin confirmed
	r = root.submit("/users/invite/send", all)
	batchOf(t, r, url.Values{"q": {"zed"}, "status": {"not_invited"}})
	if u, err := e.store.User(t.Context(), zed.ID); err != nil || u.InviteStatus != invite.StatusWaiting {
		t.Errorf("zed %+v %v", u, err)
	}

	// Nothing picked, or a forged id.
	for _, bad := range []url.Values{{}, {"user_id": {"x"}}, {"user_id": {"-4"}}} {
		for _, path := range []string{"/users/invite", "/users/invite/send"} {
			r := root.submit(path, bad)
			want(t, r, http.StatusBadRequest)
		}
	}
	wantContains(t, root.submit("/users/invite", url.Values{}).body, "Select users first, or select all users matching the filter.")
}

// batchOf requires the redirect after a send: the table with the same
// filter and the batch; it returns the batch id.
func batchOf(t *testing.T, r response, filter url.Values) string {
	t.Helper()
	u, err := url.Parse(r.location())
	if r.status != http.StatusSeeOther || err != nil || u.Path != "/users" {
		t.Fatalf("send: %d to %q\n%s", r.status, r.location(), r.body)
	}
	q := u.Query()
	batch := q.Get("batch")
	if id, err := strconv.ParseInt(batch, 10, 64); err != nil || id <= 0 {
		t.Fatalf("send: no batch in %q", r.location())
	}
	q.Del("batch")
	if q.Encode() != filter.Encode() {
		t.Errorf("send: back to the table with %q, want %q", q.Encode(), filter.Encode())
	}
	return batch
}

func wantProgress(t *testing.T, body string, want progressJSON) {
	t.Helper()
	var got progressJSON
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("progress %q: %v", body, err)
	}
	if got != want {
		t.Errorf("progress %+v, want %+v", got, want)
	}
}

func TestUserTableQueries(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.as(t, e.rootID)
	for i := range 55 {
		e.createUser(t, invite.NewUser{Login: "u" + strconv.Itoa(100+i), Email: "u" + strconv.Itoa(100+i) + "@example.com"})
	}
	r := root.get("/users?sort=login")
	want(t, r, http.StatusOK)
	if n := strings.Count(r.body, "<tr data-user-id="); n != defaultPageSize {
		t.Errorf("%d rows, want %d", n, defaultPageSize)
	}
	wantContains(t, r.body, `aria-sort="ascending"`, `href="/users?sort=-login"`, `rel="next"`, "50 shown of 56")
	m := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no next page link:\n%s", r.body)
	}
	next, err := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
	if err != nil {
		t.Fatal(err)
	}
	r = root.get(next.RequestURI())
	want(t, r, http.StatusOK)
	wantContains(t, r.body, "6 shown of 56", `rel="prev"`, "u154")

	// Addresses the table cannot use fall back to its defaults; so does a
	// cursor of another order.
	for _, path := range []string{"/users?status=nonsense", "/users?sort=nonsense", "/users?after=garbage",
		"/users?sort=email&after=" + url.QueryEscape(next.Query().Get("after"))} {
		want(t, root.get(path), http.StatusOK)
	}
	r = root.get("/users?status=invited")
	wantContains(t, r.body, "No users match.", `data-status="invited" aria-current="true"`)
}
