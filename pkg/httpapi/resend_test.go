package httpapi_test

import (
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
)

// "Select all matching" with skip_invited leaves the invited as they are;
// the preview says how many are invited and how many are administrators.
func TestSkipInvitedAndThePreviewSplit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	done, _ := e.invitedUser(t, "done", time.Hour)
	fresh := e.createUser(t, map[string]any{"login": "fresh", "first_name": "F", "last_name": "P", "email": "fresh@example.com"})
	all := map[string]any{"filter": map[string]any{}}

	r := e.do(t, "POST", "/api/v1/invitations/preview", e.adminToken, all)
	want(t, r, http.StatusOK)
	p := decode[previewBody](t, r)
	// root and admin are administrators: left alone, never refused.
	if p.Selected != 4 || p.AlreadyInvited != 1 || p.SendAgain != 1 || p.Admins != 2 || p.Skipped != 0 ||
		p.Email != 2 || p.Refused != 0 || p.Queued != 2 {
		t.Errorf("preview of all: %+v; want 4 selected, 1 invited sent again, 2 admins, 2 by e-mail", p)
	}
	skip := map[string]any{"filter": map[string]any{}, "skip_invited": true}
	p = decode[previewBody](t, e.do(t, "POST", "/api/v1/invitations/preview", e.adminToken, skip))
	if p.AlreadyInvited != 1 || p.Skipped != 1 || p.SendAgain != 0 || p.Email != 1 || p.Admins != 2 {
		t.Errorf("preview with skip_invited: %+v; want 1 skipped, 1 by e-mail", p)
	}

	before := e.getUser(t, done.ID)
	res := e.invite(t, e.adminToken, skip)
	got := res.byUser(t)
	if res.Queued != 1 || res.Skipped != 1 || res.Admins != 2 || res.Rejected != 0 {
		t.Errorf("202 %+v; want queued 1, skipped 1, admins 2", res)
	}
	if d := got[done.ID]; !d.Skipped || str(d.InviteStatus) != "invited" || d.Error != nil {
		t.Errorf("invited user in the results: %+v; want skipped, invited", d)
	}
	if a := got[e.adminID]; !a.Skipped || a.Error == nil || a.Error.Code != invite.ReasonAdminAccount {
		t.Errorf("admin in the results: %+v; want skipped with admin_account", a)
	}
	if f := got[fresh.ID]; str(f.InviteStatus) != "waiting" {
		t.Errorf("fresh user: %+v", f)
	}
	after := e.getUser(t, done.ID)
	if after.InviteStatus != "invited" || len(after.Invitations) != len(before.Invitations) || !after.InvitedAt.Equal(*before.InvitedAt) {
		t.Errorf("skipped user changed: %+v, was %+v", after, before)
	}
	// A repeat: the fresh user's attempt is kept.
	pr := e.progress(t, e.sendBatch(t, skip).BatchID)
	if pr.Skipped != 1 || pr.Admins != 2 || pr.Queued != 0 || pr.Kept != 1 || pr.Selected != 4 {
		t.Errorf("progress of a repeat: %+v; want skipped 1, admins 2, kept 1", pr)
	}

	// The default (no skip_invited) is today's: the invited are sent again.
	res = e.invite(t, e.adminToken, map[string]any{"user_ids": []int64{done.ID}})
	if res.Queued != 1 || res.Skipped != 0 || str(res.byUser(t)[done.ID].InviteStatus) != "waiting" {
		t.Errorf("send again by default: %+v", res)
	}
}

// A refused send again leaves a user whose password works invited, with
// the refusal on the user and in the history.
func TestRefusedSendAgainKeepsInvitedThroughTheAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.createUser(t, map[string]any{"login": "sms", "first_name": "S", "last_name": "P", "phone": "79051111111"})
	e.inviteIDs(t, u.ID)
	e.deliver(t, e.currentInvitation(t, u.ID), time.Hour)
	e.setMethod(t, invite.MethodEmailOnly)

	res := e.inviteIDs(t, u.ID)
	o := res.byUser(t)[u.ID]
	if str(o.InviteStatus) != "invited" || o.Error == nil || o.Error.Code != invite.ReasonNoEmail || res.Rejected != 1 {
		t.Errorf("refused send again: %+v; want invited with no_email, counted as rejected", o)
	}
	got := e.getUser(t, u.ID)
	if got.InviteStatus != "invited" || !got.UserInvited || got.InviteError == nil || got.InviteError.Code != invite.ReasonNoEmail {
		t.Errorf("user after a refused send again: %+v; want invited, the refusal kept", got)
	}
	if len(got.Invitations) != 2 || got.Invitations[0].Status != "rejected" {
		t.Errorf("history %+v; want the refusal recorded", got.Invitations)
	}
}

func TestSetRole(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.createUser(t, map[string]any{"login": "olga", "first_name": "O", "last_name": "S", "email": "olga@example.com"})
	path := "/api/v1/users/" + strconv.FormatInt(u.ID, 10) + "/role"

	// A waiting invitation of a user made administrator is withdrawn.
	e.inviteIDs(t, u.ID)
	r := e.do(t, "PUT", path, e.rootToken, map[string]any{"role": "admin"})
	want(t, r, http.StatusOK)
	if got := decode[userBody](t, r); got.Role != "admin" || got.InviteStatus != "not_invited" {
		t.Errorf("made admin: %+v; want admin, not invited", got)
	}
	if h := e.getUser(t, u.ID).Invitations; len(h) != 1 || h[0].Status != "superseded" {
		t.Errorf("history of the new admin: %+v; want the waiting invitation superseded", h)
	}
	res := e.inviteIDs(t, u.ID)
	if o := res.byUser(t)[u.ID]; !o.Skipped || o.Error == nil || o.Error.Code != invite.ReasonAdminAccount || res.Admins != 1 {
		t.Errorf("inviting the new admin: %+v", res)
	}
	r = e.do(t, "PUT", path, e.rootToken, map[string]any{"role": "user"})
	want(t, r, http.StatusOK)
	if got := decode[userBody](t, r); got.Role != "user" {
		t.Errorf("made user again: %+v", got)
	}

	for _, c := range []struct {
		name, path, token string
		body              any
		status            int
		code, field       string
	}{
		{"plain admin", path, e.adminToken, map[string]any{"role": "admin"}, http.StatusForbidden, "forbidden", ""},
		{"own role", "/api/v1/users/" + strconv.FormatInt(e.rootID, 10) + "/role", e.rootToken, map[string]any{"role": "user"}, http.StatusForbidden, "own_role", ""},
		{"unknown role", path, e.rootToken, map[string]any{"role": "super_admin"}, http.StatusBadRequest, "invalid_role", "role"},
		{"no role", path, e.rootToken, map[string]any{}, http.StatusBadRequest, "invalid_role", "role"},
		{"no such user", "/api/v1/users/987654/role", e.rootToken, map[string]any{"role": "admin"}, http.StatusNotFound, "not_found", ""},
		{"bad id", "/api/v1/users/x/role", e.rootToken, map[string]any{"role": "admin"}, http.StatusBadRequest, "invalid_id", "id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, e.do(t, "PUT", c.path, c.token, c.body), c.status, c.code, c.field)
		})
	}
	// Another super admin's role is not changed here.
	other := e.createAccount(t, "root2", "root2-Password-1", invite.RoleSuperAdmin)
	wantError(t, e.do(t, "PUT", "/api/v1/users/"+strconv.FormatInt(other, 10)+"/role", e.rootToken, map[string]any{"role": "user"}),
		http.StatusForbidden, "super_admin", "")
}

// The user list narrows to one batch's users by outcome: the link from the
// progress bar to the users refused or failed.
func TestUserListByBatchAndOutcome(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	good := e.createUser(t, map[string]any{"login": "good", "first_name": "G", "last_name": "P", "email": "good@example.com"})
	bad := e.createUser(t, map[string]any{"login": "bad", "first_name": "B", "last_name": "P", "phone": "9051111111"})
	b := e.sendBatch(t, map[string]any{"user_ids": []int64{good.ID, bad.ID, e.adminID}})
	id := strconv.FormatInt(b.BatchID, 10)
	for q, wantIDs := range map[string][]int64{
		"batch=" + id:                      {good.ID, bad.ID},
		"batch=" + id + "&outcome=refused": {bad.ID},
		"batch=" + id + "&outcome=waiting": {good.ID},
		"batch=" + id + "&outcome=failed":  nil,
	} {
		got, _ := listIDs(t, e, q)
		if !slices.Equal(got, wantIDs) {
			t.Errorf("%s: %v; want %v", q, got, wantIDs)
		}
	}
	wantError(t, e.do(t, "GET", "/api/v1/users?batch="+id+"&outcome=lost", e.adminToken, nil), http.StatusBadRequest, "invalid_outcome", "outcome")
	wantError(t, e.do(t, "GET", "/api/v1/users?batch=-1", e.adminToken, nil), http.StatusBadRequest, "invalid_batch", "batch")
	wantError(t, e.do(t, "GET", "/api/v1/users?outcome=failed", e.adminToken, nil), http.StatusBadRequest, "invalid_outcome", "outcome")
}
