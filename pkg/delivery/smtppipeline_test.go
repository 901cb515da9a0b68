package delivery

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/testenv"
)

// The test server offers PIPELINING, so every other SMTP test runs the
// pipelined transaction; this one runs both, including the refusals after
// which the connection must still be in step for the next message.
func TestSMTPTransactionWithAndWithoutPipelining(t *testing.T) {
	t.Parallel()
	for _, pipelining := range []bool{true, false} {
		srv := testenv.StartSMTP(t)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := dialSMTP(ctx, SMTPConfig{Host: srv.Host(), Port: srv.Port(), Timeout: 5 * time.Second}, "localhost")
		if err != nil {
			t.Fatal(err)
		}
		if !c.pipelining {
			t.Fatal("the test server offers PIPELINING but the client did not notice")
		}
		c.pipelining = pipelining
		msg := []byte("Subject: hi\r\n\r\n.a line that starts with a dot\r\n")

		if err := c.send(ctx, "from@example.com", "ok@example.com", msg); err != nil {
			t.Fatalf("pipelining=%v: send: %v", pipelining, err)
		}
		srv.FailRcpt("gone@example.com", 550, "5.1.1", "no such user", 1)
		err = c.send(ctx, "from@example.com", "gone@example.com", msg)
		if de := classifySMTP(err); de.Class != invite.Rejected || de.ProviderCode != "550" {
			t.Errorf("pipelining=%v: unknown mailbox: %v, want rejected 550", pipelining, err)
		}
		if err := c.reset(ctx); err != nil {
			t.Fatalf("pipelining=%v: RSET after a refusal: %v", pipelining, err)
		}
		srv.FailData(554, "5.7.1 spam", 1)
		err = c.send(ctx, "from@example.com", "ok@example.com", msg)
		if de := classifySMTP(err); de.Class != invite.Permanent || de.ProviderCode != "554" {
			t.Errorf("pipelining=%v: refused data: %v, want permanent 554", pipelining, err)
		}
		if err := c.reset(ctx); err != nil {
			t.Fatalf("pipelining=%v: RSET after a refusal: %v", pipelining, err)
		}
		if err := c.send(ctx, "from@example.com", "ok2@example.com", msg); err != nil {
			t.Fatalf("pipelining=%v: send after refusals: %v", pipelining, err)
		}
		got := srv.WaitMessages(t, 2, 5*time.Second)
		if len(got) != 2 || got[0].To[0] != "ok@example.com" || got[1].To[0] != "ok2@example.com" {
			t.Errorf("pipelining=%v: server got %+v", pipelining, got)
		}
		if !strings.Contains(string(got[0].Data), "\n.a line that starts with a dot") {
			t.Errorf("pipelining=%v: the dot-stuffed line did not arrive intact: %q", pipelining, got[0].Data)
		}
		if n := srv.Connections(); n != 1 {
			t.Errorf("pipelining=%v: %d connections, want 1 (the connection stays usable)", pipelining, n)
		}
		if err := c.close(); err != nil {
			t.Errorf("pipelining=%v: close: %v", pipelining, err)
		}
	}
}
