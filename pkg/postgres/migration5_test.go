package postgres_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/inviter/inviter/migrations"
	"github.com/inviter/inviter/pkg/invite"
)

// Migration 00005 gives back to administrators what a selection took from
// them (status error, admin_account), and makes invited again the users a
// failed send again put in error while their password still worked.
func TestMigration5RepairsStates(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, db := newStore(t)
	p, err := goose.NewProvider(goose.DialectPostgres, db.DB.DB, migrations.FS, goose.WithSlog(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 4); err != nil {
		t.Fatalf("down to 4: %v", err)
	}
	admin := mustCreate(t, s, invite.NewUser{Login: "boss", FirstName: "B", LastName: "A", Role: invite.RoleAdmin})
	user := mustCreate(t, s, invite.NewUser{Login: "u", FirstName: "U", LastName: "P", Email: "u@example.com"})
	gone := mustCreate(t, s, invite.NewUser{Login: "gone", FirstName: "G", LastName: "P", Email: "gone@example.com"})
	// What the old code left: the admin refused; user and gone invited,
	// then in error after a failed send again (gone's password expired).
	if _, err := db.DB.ExecContext(ctx, `UPDATE invite_states SET status = 'error', error_code = 'admin_account',
		error_message = 'Administrators are not invited.' WHERE user_id = $1`, admin.ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		u   invite.User
		ttl time.Duration
	}{{user, time.Hour}, {gone, -time.Second}} {
		if _, err := db.DB.ExecContext(ctx, `INSERT INTO invitations (user_id, status, channel, destination, delivered_at, expires_at)
			VALUES ($1, 'sent', 'email', $2, now(), now() + $3 * interval '1 microsecond')`, c.u.ID, c.u.Email, c.ttl.Microseconds()); err != nil {
			t.Fatal(err)
		}
		if _, err := db.DB.ExecContext(ctx, `UPDATE invite_states SET status = 'error', error_code = 'delivery_failed',
			error_message = 'x', invited_at = now() WHERE user_id = $1`, c.u.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up: %v", err)
	}
	if got := userNow(t, s, admin.ID); got.InviteStatus != invite.StatusNotInvited || got.InviteError != nil {
		t.Errorf("administrator after the migration: %+v; want not invited, no error", got)
	}
	if got := userNow(t, s, user.ID); got.InviteStatus != invite.StatusInvited || got.InviteError == nil {
		t.Errorf("user with a working password: %+v; want invited, the last send's error kept", got)
	}
	if got := userNow(t, s, gone.ID); got.InviteStatus != invite.StatusError {
		t.Errorf("user whose password expired: %+v; want error", got)
	}
}
