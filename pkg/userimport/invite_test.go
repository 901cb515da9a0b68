package userimport_test

import (
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/userimport"
)

func TestSendInvitation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, userimport.Limits{}, true)
	file := csvFile(t, ';',
		[]string{"логин", "имя", "фамилия", "почта", "телефон"},
		[]string{"mail", "Ivan", "Ivanov", "ivan@example.com", ""},
		[]string{"sms", "Olga", "Petrova", "", "+7 905 222-22-22"},
		[]string{"badmail", "Bad", "Mail", "ivan@localhost", ""},
		[]string{"nobody", "No", "Contact", "", ""},
		[]string{"", "", "", "", ""},
	)
	rep := f.run(t, file, userimport.Options{SendInvitation: true})
	wantCounts(t, rep, 4, 0, 0, 0)
	inv := rep.Invitations
	if inv == nil || rep.InvitationError != nil {
		t.Fatalf("invitations %+v, error %+v", inv, rep.InvitationError)
	}
	if inv.Queued != 2 || inv.Rejected != 2 || len(inv.Outcomes) != 4 {
		t.Errorf("queued %d rejected %d outcomes %d; want 2 2 4", inv.Queued, inv.Rejected, len(inv.Outcomes))
	}
	users := f.users(t)
	byID := map[int64]invite.Outcome{}
	for _, o := range inv.Outcomes {
		byID[o.UserID] = o
	}
	for login, want := range map[string]struct {
		status invite.Status
		reason string
	}{
		"mail": {invite.StatusWaiting, ""}, "sms": {invite.StatusWaiting, ""},
		"badmail": {invite.StatusError, invite.ReasonInvalidEmail}, "nobody": {invite.StatusError, invite.ReasonNoContact},
	} {
		u := users[login]
		o := byID[u.ID]
		reason := ""
		if u.InviteError != nil {
			reason = u.InviteError.Code
		}
		if u.InviteStatus != want.status || reason != want.reason || o.Status != want.status {
			t.Errorf("%s: status %s (%s), outcome %+v; want %s %s", login, u.InviteStatus, reason, o, want.status, want.reason)
		}
	}

	// The waiting users' invitations are delivered (what a worker does).
	for _, login := range []string{"mail", "sms"} {
		u := users[login]
		o := byID[u.ID]
		if _, err := f.store.ClaimAttempt(t.Context(), o.InvitationID, []byte("hash-of-a-password")); err != nil {
			t.Fatal(err)
		}
		if err := f.store.MarkDelivered(t.Context(), o.InvitationID, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	users = f.users(t)
	if users["mail"].InviteStatus != invite.StatusInvited || users["sms"].InviteStatus != invite.StatusInvited {
		t.Errorf("after delivery: mail %s, sms %s; want invited", users["mail"].InviteStatus, users["sms"].InviteStatus)
	}

	// The same file again: the invited users get no second password; those
	// in error are tried again (and refused again).
	again := f.run(t, file, userimport.Options{SendInvitation: true})
	wantCounts(t, again, 0, 0, 4, 0)
	if again.Invitations == nil || len(again.Invitations.Outcomes) != 2 || again.Invitations.Queued != 0 {
		t.Fatalf("second import invited %+v; want the two users in error only", again.Invitations)
	}
	for _, o := range again.Invitations.Outcomes {
		if o.UserID == users["mail"].ID || o.UserID == users["sms"].ID {
			t.Errorf("an invited user was invited again: %+v", o)
		}
	}
}
