package bounce_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/bounce"
	"github.com/inviter/inviter/pkg/delivery"
	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/testenv"
)

// env is a PostgreSQL store of its own, the VERP scheme and a processor.
type env struct {
	store *postgres.Store
	db    *testenv.Database
	verp  *delivery.VERP
	proc  *bounce.Processor
	logs  *testenv.LogBuffer
	users atomic.Int64 // numbers the logins
}

func newEnv(t testing.TB) *env {
	t.Helper()
	db := testenv.NewDatabase(t)
	e := &env{store: postgres.NewStore(db.DB), db: db, verp: testVERP(t), logs: &testenv.LogBuffer{}}
	e.proc = bounce.NewProcessor(e.store, e.verp, slog.New(slog.NewJSONHandler(e.logs, nil)))
	return e
}

// deliveredUser creates a user with email and delivers them an invitation,
// as the worker would: the user is Invited, the attempt holds a password.
func (e *env) deliveredUser(t testing.TB, email string) (userID, invitationID int64) {
	t.Helper()
	ctx := context.Background()
	n, _, err := invite.NewUser{Login: fmt.Sprintf("user%d", e.users.Add(1)), FirstName: "Anna", LastName: "Ivanova", Email: email}.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	u, err := e.store.CreateUser(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID, e.deliverAgain(t, u.ID)
}

// deliverAgain sends the user a new invitation and delivers it.
func (e *env) deliverAgain(t testing.TB, userID int64) int64 {
	t.Helper()
	id := e.newAttempt(t, userID)
	ctx := context.Background()
	if _, err := e.store.ClaimAttempt(ctx, id, []byte("hash")); err != nil {
		t.Fatal(err)
	}
	if err := e.store.MarkDelivered(ctx, id, time.Hour); err != nil {
		t.Fatal(err)
	}
	return id
}

// newAttempt sends the user a new invitation, left waiting.
func (e *env) newAttempt(t testing.TB, userID int64) int64 {
	t.Helper()
	out, err := e.store.CreateInvitations(context.Background(), invite.Selection{UserIDs: []int64{userID}}, 0,
		func(c invite.Candidate) invite.Decision { return invite.Decide(invite.MethodEmailOrPhone, c) })
	if err != nil || len(out) != 1 || out[0].InvitationID == 0 {
		t.Fatalf("invite user %d: %+v %v", userID, out, err)
	}
	return out[0].InvitationID
}

func (e *env) user(t testing.TB, id int64) invite.User {
	t.Helper()
	u, err := e.store.User(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// attempt returns the attempt id of the user's history.
func (e *env) attempt(t testing.TB, userID, id int64) invite.Invitation {
	t.Helper()
	h, err := e.store.Invitations(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range h {
		if inv.ID == id {
			return inv
		}
	}
	t.Fatalf("user %d has no attempt %d", userID, id)
	return invite.Invitation{}
}

func (e *env) reportCount(t testing.TB, id int64) int {
	t.Helper()
	var n int
	if err := e.db.DB.Get(&n, `SELECT count(*) FROM delivery_receipts WHERE invitation_id = $1`, id); err != nil {
		t.Fatal(err)
	}
	return n
}

// startListener serves a bounce listener on loopback and returns its address.
func (e *env) startListener(t testing.TB, cfg bounce.ListenerConfig) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := bounce.NewListener(e.proc, e.verp, cfg, slog.New(slog.NewJSONHandler(e.logs, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("listener: %v", err)
		}
	})
	return ln.Addr().String()
}

// sendBounce runs one SMTP conversation: MAIL FROM:<> (as bounces come),
// RCPT TO:<to>, DATA msg. It returns the first refusal.
func sendBounce(t testing.TB, addr, to string, msg []byte) error {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := sendOn(c, to, msg); err != nil {
		return err
	}
	return c.Quit()
}
