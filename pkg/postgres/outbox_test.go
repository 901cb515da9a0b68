package postgres_test

import (
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/testenv"
)

// Dev outbox messages hold passwords: once their TTL has passed they are
// no longer listed, and the next message removes them from the table.
func TestOutboxMessagesExpire(t *testing.T) {
	t.Parallel()
	db := testenv.NewDatabase(t)
	store := postgres.NewStore(db.DB)
	ctx := t.Context()
	if err := store.SaveOutboxMessage(ctx, invite.OutboxMessage{Channel: "sms", Recipient: "+1", Body: "old", TTL: time.Microsecond}); err != nil {
		t.Fatal(err)
	}
	if err := store.SaveOutboxMessage(ctx, invite.OutboxMessage{Channel: "sms", Recipient: "+2", Body: "new", TTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	msgs, err := store.OutboxMessages(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Body != "new" {
		t.Fatalf("outbox lists %+v, want only the unexpired message", msgs)
	}
	var rows int
	if err := db.DB.GetContext(ctx, &rows, `SELECT count(*) FROM dev_outbox`); err != nil {
		t.Fatal(err)
	}
	if rows != 1 {
		t.Errorf("%d rows in dev_outbox, want the expired one removed", rows)
	}
}
