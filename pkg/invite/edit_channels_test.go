package invite_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/tasks"
	"github.com/inviter/inviter/pkg/testenv"
)

// An edit that moves a waiting invitation to a channel with no provider
// refuses it as a send would (sms_unavailable), rather than queueing an
// attempt no worker can deliver.
func TestEditReroutesWithinTheChannelsThatDeliver(t *testing.T) {
	t.Parallel()
	db := testenv.NewDatabase(t)
	s := postgres.NewStore(db.DB)
	r := testenv.NewRedis(t)
	log := slog.New(slog.DiscardHandler)
	enq := tasks.NewEnqueuer(r.Client, tasks.Options{MaxRetry: 3, Timeout: time.Minute}, 4)
	noSMS := invite.Channels{NoSMS: true}
	n, _, err := invite.NewUser{Login: "ivan", FirstName: "Ivan", LastName: "P", Email: "ivan@example.com"}.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUser(t.Context(), n)
	if err != nil {
		t.Fatal(err)
	}
	in := invite.NewInviter(s, enq, log).WithChannels(noSMS)
	if res, err := in.Invite(t.Context(), 0, invite.Selection{UserIDs: []int64{u.ID}}); err != nil || res.Queued != 1 {
		t.Fatalf("invite: %+v %v", res, err)
	}
	empty, phone := "", "+79051111111"
	ed := invite.NewEditor(s, enq, "", log).WithChannels(noSMS)
	res, err := ed.Edit(t.Context(), 0, u.ID, invite.UserPatch{Email: &empty, Phone: &phone})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Rerouted || res.Queued != nil || res.User.InviteStatus != invite.StatusError ||
		res.User.InviteError == nil || res.User.InviteError.Code != invite.ReasonSMSUnavailable {
		t.Fatalf("edit to a phone with no SMS provider: %+v (error %+v)", res, res.User.InviteError)
	}
}
