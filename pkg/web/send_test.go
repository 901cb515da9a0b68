package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/inviter/inviter/pkg/invite"
)

func ids(us ...int64) url.Values {
	v := url.Values{}
	for _, id := range us {
		v.Add("user_id", strconv.FormatInt(id, 10))
	}
	return v
}

func historyOf(t *testing.T, e *env, id int64) []invite.Invitation {
	t.Helper()
	h, err := e.store.Invitations(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// The confirmation splits first invitations from sends again, and its box
// decides skip_invited: unticked for all matching and for a mix, ticked
// when every ticked row is invited already.
func TestConfirmationSplitAndSendAgainBox(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.as(t, e.rootID)
	done := e.createUser(t, invite.NewUser{Login: "done", Email: "done@example.com"})
	fresh := e.createUser(t, invite.NewUser{Login: "fresh", Email: "fresh@example.com"})
	bad := e.createUser(t, invite.NewUser{Login: "bad", Phone: "9051111111"})
	e.deliver(t, done.ID)

	mixed := root.submit("/users/invite", ids(done.ID, fresh.ID))
	want(t, mixed, http.StatusOK)
	wantContains(t, mixed.body, `>1 invitation will be sent.</p>`, `<strong data-count="first">1</strong>`,
		`<strong data-count="again" data-with="1" data-without="0">0</strong>`, `data-channel="email" data-with="2" data-without="1">1</strong>`,
		"Their current password keeps working until the new message is delivered.",
		`<input type="checkbox" name="send_again" value="1" id="send-again" aria-describedby="send-again-hint">`,
		"Also send again to the 1 already invited", `data-with="2" data-without="1"`)

	again := root.submit("/users/invite", ids(done.ID))
	wantContains(t, again.body, `id="send-again" checked`, `>1 invitation will be sent.</p>`, `data-with="1" data-without="0"`,
		`<strong data-count="again" data-with="1" data-without="0">1</strong>`)

	all := url.Values{"all_matching": {"1"}}
	r := root.submit("/users/invite", all)
	// root is an administrator: left out, not counted as refused.
	wantContains(t, r.body, `id="send-again" aria-describedby`, "Administrators left out: 1.", "1 cannot be sent",
		`>1 invitation will be sent.</p>`)
	if strings.Contains(r.body, `id="send-again" checked`) {
		t.Errorf("select all matching starts with the send again box ticked")
	}
	ru := root.do("POST", "/users/invite", url.Values{"all_matching": {"1"}, csrfField: {root.token()}}, http.Header{"Accept-Language": {"ru"}})
	wantContains(t, ru.body, "Первые приглашения", "Повторно — уже приглашённым", "Отправить повторно и уже приглашённым (1)",
		"Администраторы не затронуты: 1.")

	// Sent as confirmed, box unticked: the invited user is left as they are.
	all.Set("expected_selected", "4")
	batchOf(t, root.submit("/users/invite/send", all), url.Values{})
	if h := historyOf(t, e, done.ID); len(h) != 1 {
		t.Errorf("the invited user was sent again with the box unticked: %+v", h)
	}
	if u, _ := e.store.User(t.Context(), fresh.ID); u.InviteStatus != invite.StatusWaiting {
		t.Errorf("fresh user %s, want waiting", u.InviteStatus)
	}
	if u, _ := e.store.User(t.Context(), bad.ID); u.InviteStatus != invite.StatusError {
		t.Errorf("bad user %s, want error", u.InviteStatus)
	}
	// Ticked: sent again.
	f := ids(done.ID)
	f.Set("send_again", "1")
	batchOf(t, root.submit("/users/invite/send", f), url.Values{})
	if h := historyOf(t, e, done.ID); len(h) != 2 || h[0].Status != invite.AttemptWaiting {
		t.Errorf("send again with the box ticked: %+v", h)
	}
}

// The confirmation's refusals link to exactly the users they count.
func TestRefusedUsersList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.as(t, e.rootID)
	good := e.createUser(t, invite.NewUser{Login: "good", Email: "good@example.com"})
	noCode := e.createUser(t, invite.NewUser{Login: "nocode", Phone: "9051111111"})
	none := e.createUser(t, invite.NewUser{Login: "nobody"})

	r := root.submit("/users/invite", url.Values{"all_matching": {"1"}})
	want(t, r, http.StatusOK)
	wantContains(t, r.body, `href="/users/invite/refused?all_matching=1&amp;code=phone_without_country_code"`,
		`id="refused-link"`)
	list := root.get("/users/invite/refused?all_matching=1")
	want(t, list, http.StatusOK)
	wantContains(t, list.body, "2 selected users cannot be sent an invitation.", `data-user-id="`+strconv.FormatInt(noCode.ID, 10)+`"`,
		`data-user-id="`+strconv.FormatInt(none.ID, 10)+`"`, "The phone number has no country code")
	for _, not := range []int64{good.ID, e.rootID} {
		if strings.Contains(list.body, `data-user-id="`+strconv.FormatInt(not, 10)+`"`) {
			t.Errorf("user %d is listed as refused", not)
		}
	}
	one := root.get("/users/invite/refused?all_matching=1&code=no_contact")
	wantContains(t, one.body, "1 selected user cannot be sent an invitation.", `data-user-id="`+strconv.FormatInt(none.ID, 10)+`"`)
	byID := root.get("/users/invite/refused?" + ids(good.ID, noCode.ID).Encode())
	wantContains(t, byID.body, "1 selected user cannot be sent an invitation.", `data-user-id="`+strconv.FormatInt(noCode.ID, 10)+`"`)
	ru := root.do("GET", "/users/invite/refused?all_matching=1", nil, http.Header{"Accept-Language": {"ru"}})
	wantContains(t, ru.body, "Кому нельзя отправить приглашение", "В номере телефона нет кода страны")
	want(t, root.get("/users/invite/refused"), http.StatusBadRequest)
}

// Administrators cannot be ticked, and "select all matching" counts only
// the users who can be invited.
func TestTableLeavesAdministratorsAlone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.as(t, e.rootID)
	for _, l := range []string{"a", "b", "c"} {
		e.createUser(t, invite.NewUser{Login: l, Email: l + "@example.com"})
	}
	adm := e.createAccount(t, "adm", "adm-Password-1234", invite.RoleAdmin)
	r := root.get("/users")
	want(t, r, http.StatusOK)
	wantContains(t, r.body, "Select all 3 users matching the filter", `id="admin-note"`,
		`title="An administrator: never invited, signs in with their own password." aria-describedby="admin-note"><input type="checkbox" disabled data-locked`)
	if strings.Contains(r.body, `name="user_id" value="`+strconv.FormatInt(adm, 10)+`"`) ||
		strings.Contains(r.body, `name="user_id" value="`+strconv.FormatInt(e.rootID, 10)+`"`) {
		t.Errorf("an administrator can be ticked:\n%s", r.body)
	}
	wantContains(t, root.get("/users?q=adm").body, "Select all 0 users matching the filter")
}

// A super admin changes a role from the card; nobody else, never their own.
func TestCardRoleControl(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.as(t, e.rootID)
	u := e.createUser(t, invite.NewUser{Login: "olga", Email: "olga@example.com"})
	adm := e.createAccount(t, "adm", "adm-Password-1234", invite.RoleAdmin)

	card := root.get(userPath(u.ID))
	wantContains(t, card.body, `id="role-form"`, `action="/users/`+strconv.FormatInt(u.ID, 10)+`/role"`)
	if strings.Contains(root.get(userPath(e.rootID)).body, `id="role-form"`) {
		t.Error("a super admin is offered to change their own role")
	}
	if strings.Contains(e.as(t, adm).get(userPath(u.ID)).body, `id="role-form"`) {
		t.Error("a plain admin is offered to change a role")
	}
	r := root.submit(userPath(u.ID)+"/role", url.Values{"role": {"admin"}})
	wantRedirect(t, r, userPath(u.ID)+"?role=1")
	if got, _ := e.store.User(t.Context(), u.ID); got.Role != invite.RoleAdmin {
		t.Errorf("role %s, want admin", got.Role)
	}
	wantContains(t, root.get(userPath(u.ID)+"?role=1").body, "Role changed.", `<option value="admin" selected>`)
	want(t, e.as(t, adm).submit(userPath(u.ID)+"/role", url.Values{"role": {"user"}}), http.StatusForbidden)
	want(t, root.submit(userPath(e.rootID)+"/role", url.Values{"role": {"user"}}), http.StatusForbidden)
	want(t, root.submit(userPath(u.ID)+"/role", url.Values{"role": {"super_admin"}}), http.StatusBadRequest)
	if got, _ := e.store.User(t.Context(), e.rootID); got.Role != invite.RoleSuperAdmin {
		t.Errorf("root's role is %s", got.Role)
	}
}

// A failed send again leaves the user invited, and says so on the row and
// the card, in both languages.
func TestLastSendFailedIsShown(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.as(t, e.rootID)
	u := e.createUser(t, invite.NewUser{Login: "sms", Phone: "+79051111111"})
	e.deliver(t, u.ID)
	if err := e.store.SetVerificationMethod(t.Context(), invite.MethodEmailOnly, e.rootID); err != nil {
		t.Fatal(err)
	}
	batch := batchOf(t, root.submit("/users/invite/send", func() url.Values { v := ids(u.ID); v.Set("send_again", "1"); return v }()), url.Values{})

	// The table gives the reason's short label, the card its full text.
	for path, reason := range map[string]string{"/users": "No e-mail", userPath(u.ID): "The user has no e-mail address"} {
		r := root.get(path)
		wantContains(t, r.body, "Last send failed: "+reason, `badge-invited`)
		ru := root.do("GET", path, nil, http.Header{"Accept-Language": {"ru"}})
		wantContains(t, ru.body, "Последняя отправка не удалась: ")
	}
	wantContains(t, root.get(userPath(u.ID)).body, `id="user-invited"`)

	// The progress bar's link lists the users the batch refused.
	table := root.get("/users?batch=" + batch)
	wantContains(t, table.body, `href="/users?in_batch=`+batch+`&amp;outcome=refused"`, `href="/users?in_batch=`+batch+`&amp;outcome=failed"`)
	refused := root.get("/users?in_batch=" + batch + "&outcome=refused")
	wantContains(t, refused.body, `id="batch-filter"`, "Users of this send refused before sending", `data-user-id="`+strconv.FormatInt(u.ID, 10)+`"`,
		`name="f_in_batch" value="`+batch+`"`)
	if strings.Contains(refused.body, `data-user-id="`+strconv.FormatInt(e.rootID, 10)+`"`) {
		t.Error("the batch's refused users list someone else")
	}
	if strings.Contains(root.get("/users?in_batch="+batch+"&outcome=failed").body, `data-user-id="`) {
		t.Error("the batch's failed users list someone")
	}
}

// Every count of the confirmation is right with the box ticked and
// unticked: unticked, an invited user the current method would refuse is
// left alone, not counted (nor listed) as refused.
func TestConfirmationRefusalsFollowTheSendAgainBox(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.as(t, e.rootID)
	fresh := e.createUser(t, invite.NewUser{Login: "fresh", Email: "fresh@example.com"})
	mailed := e.createUser(t, invite.NewUser{Login: "mailed", Email: "mailed@example.com"})
	texted := e.createUser(t, invite.NewUser{Login: "texted", Phone: "+79051111111"})
	phoneOnly := e.createUser(t, invite.NewUser{Login: "phoneonly", Phone: "+79052222222"})
	e.deliver(t, mailed.ID)
	e.deliver(t, texted.ID)
	// Now texted, invited by SMS, has no e-mail to be sent again to.
	if err := e.store.SetVerificationMethod(t.Context(), invite.MethodEmailOnly, 0); err != nil {
		t.Fatal(err)
	}

	sel := ids(fresh.ID, mailed.ID, texted.ID, phoneOnly.ID)
	mixed := root.submit("/users/invite", sel)
	want(t, mixed, http.StatusOK)
	users := strings.ReplaceAll(sel.Encode(), "&", "&amp;")
	href := "/users/invite/refused?code=no_email&amp;" + users
	// A mix starts unticked: the page as rendered shows that state.
	wantContains(t, mixed.body,
		`data-with="2 invitations will be sent." data-without="1 invitation will be sent.">1 invitation will be sent.</p>`,
		`<strong data-count="first">1</strong>`,
		`<strong data-count="again" data-with="1" data-without="0">0</strong>`,
		`data-channel="email" data-with="2" data-without="1">1</strong>`,
		`<div id="confirm-refusals" data-show-with="1" data-show-without="1">`,
		`data-with="2 cannot be sent" data-without="1 cannot be sent">1 cannot be sent</h2>`,
		`<li data-code="no_email" data-show-with="1" data-show-without="1">`,
		`<strong data-with="2" data-without="1">1</strong>`,
		`<a href="`+href+`" data-href-with="/users/invite/refused?code=no_email&amp;send_again=1&amp;`+users+`" data-href-without="`+href+`">`,
		`id="confirm-send" data-with="2" data-without="1">`)
	if strings.Contains(mixed.body, `data-channel="sms"`) {
		t.Errorf("an SMS count under e-mail only")
	}
	// The links list what each state counts.
	wantContains(t, root.get("/users/invite/refused?code=no_email&"+sel.Encode()).body,
		"1 selected user cannot be sent an invitation.", `data-user-id="`+strconv.FormatInt(phoneOnly.ID, 10)+`"`)
	ticked := root.get("/users/invite/refused?send_again=1&" + sel.Encode())
	wantContains(t, ticked.body, "2 selected users cannot be sent an invitation.",
		`data-user-id="`+strconv.FormatInt(texted.ID, 10)+`"`, `data-user-id="`+strconv.FormatInt(phoneOnly.ID, 10)+`"`)

	// Only invited users: the box starts ticked, and unticked nothing is
	// refused (the refusals are hidden then).
	invited := root.submit("/users/invite", ids(mailed.ID, texted.ID))
	wantContains(t, invited.body, `id="send-again" checked`,
		`data-with="1 invitation will be sent." data-without="No invitation can be sent to the selected users.">1 invitation will be sent.</p>`,
		`<div id="confirm-refusals" data-show-with="1" data-show-without="">`,
		`data-with="1 cannot be sent" data-without="0 cannot be sent">1 cannot be sent</h2>`,
		`<li data-code="no_email" data-show-with="1" data-show-without="">`,
		`<strong data-with="1" data-without="0">1</strong>`,
		`id="confirm-send" data-with="1" data-without="0">`)

	// A mix whose only refusal is the invited one: unticked, it is hidden
	// from the start, without a script.
	hidden := root.submit("/users/invite", ids(fresh.ID, texted.ID))
	wantContains(t, hidden.body, `<div id="confirm-refusals" data-show-with="1" data-show-without="" hidden>`,
		`data-with="1 cannot be sent" data-without="0 cannot be sent">0 cannot be sent</h2>`,
		`<li data-code="no_email" data-show-with="1" data-show-without="" hidden>`)
}
