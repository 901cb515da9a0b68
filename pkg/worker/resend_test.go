package worker_test

import (
	"testing"

	"github.com/inviter/inviter/pkg/invite"
)

// A send again that the mail server refuses leaves an invited user, whose
// first password still works, invited: the refusal is the last send's,
// recorded on the user and in the history. The first try's message is in
// the mailbox; the second never arrives.
func TestFailedSendAgainKeepsTheUserInvited(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMaxRetry(3))
	u := e.newUser(invite.NewUser{FirstName: "Ann", LastName: "Again", Email: "ann@example.com"})
	e.start()
	e.enqueue(e.invite(invite.MethodEmailOrPhone, u))
	first := e.waitStatus(u.ID, invite.StatusInvited)

	e.smtp.FailRcpt("ann@example.com", 550, "5.1.1", "Mailbox disabled", -1)
	qs := e.invite(invite.MethodEmailOrPhone, u)
	e.enqueue(qs)
	eventually(t, waitTimeout, func() bool { return e.attempt(u.ID, qs[0].InvitationID).Status == invite.AttemptFailed },
		"the send again to fail")
	got := e.user(u.ID)
	if got.InviteStatus != invite.StatusInvited || got.InviteError == nil || got.InviteError.Code != invite.ReasonDeliveryRejected ||
		!got.InvitedAt.Equal(*first.InvitedAt) {
		t.Errorf("after a failed send again: %+v; want still invited (since %v), the refusal recorded", got, first.InvitedAt)
	}
	if a := e.attempt(u.ID, qs[0].InvitationID); a.ProviderMessage == "" {
		t.Errorf("the failed attempt keeps no provider message: %+v", a)
	}
}
