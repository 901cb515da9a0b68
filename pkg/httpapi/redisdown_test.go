package httpapi_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/inviter/inviter/pkg/testenv"
)

func TestInviteWithRedisDown(t *testing.T) {
	t.Parallel()
	var logs testenv.LogBuffer
	e := newEnvWith(t, options{
		queue: &asynq.RedisClientOpt{Addr: "127.0.0.1:1"}, // nothing listens on port 1
		log:   slog.New(slog.NewTextHandler(&logs, nil)),
	})
	ids := inviteFixture(t, e)

	res := e.inviteIDs(t, ids["email"], ids["phone"], ids["no_contact"])
	got := res.byUser(t)
	if res.Queued != 2 || res.Rejected != 1 || str(got[ids["email"]].InviteStatus) != "waiting" ||
		str(got[ids["phone"]].InviteStatus) != "waiting" || str(got[ids["no_contact"]].InviteStatus) != "error" {
		t.Errorf("with Redis down: %+v; want the same answer as with Redis up", res)
	}
	// PostgreSQL holds the waiting attempts for the reconciler.
	for _, name := range []string{"email", "phone"} {
		u := e.getUser(t, ids[name])
		if u.InviteStatus != "waiting" || len(u.Invitations) != 1 || u.Invitations[0].Status != "waiting" {
			t.Errorf("%s user: %+v; want waiting with one waiting attempt", name, u)
		}
	}
	stale, err := e.store.StaleAttempts(t.Context(), 0, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) != 2 {
		t.Errorf("the reconciler would find %d waiting attempts, want 2", len(stale))
	}
	if !strings.Contains(logs.String(), "enqueue failed") {
		t.Errorf("no warning about the failed enqueue in the log:\n%s", logs.String())
	}
}
