package bounce_test

import (
	"io"
	"log"
	"log/slog"
	"net"
	"net/smtp"
	"sync/atomic"
	"testing"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/lib/pq"
	"golang.org/x/time/rate"

	"github.com/inviter/inviter/pkg/bounce"
)

// BenchmarkListener measures bounces processed per second by the listener:
// distinct RFC 3464 bounces (5.1.1), each for its own delivered attempt, sent
// over SMTP by 4 clients per CPU that keep their connections, each parsed,
// matched and recorded (the user goes to Error) in PostgreSQL. The baseline,
// in the same run, is a go-smtp server that reads the same messages and
// throws them away ("discard"): the cost of the SMTP conversation alone.
//
//	go test -run '^$' -bench Listener -benchtime 2000x ./pkg/bounce/
func BenchmarkListener(b *testing.B) {
	e := newEnv(b)
	e.proc = bounce.NewProcessor(e.store, e.verp, slog.New(slog.DiscardHandler))
	b.Run("listener", func(b *testing.B) {
		ids := seedDelivered(b, e, b.N)
		addr := e.startListener(b, bounce.ListenerConfig{Rate: rate.Inf, Burst: 1})
		runClients(b, addr, e, ids)
		if got := e.proc.Stats().Recorded.Load(); got < int64(b.N) {
			b.Fatalf("%d bounces recorded of %d", got, b.N)
		}
	})
	b.Run("discard", func(b *testing.B) {
		ids := make([]int64, b.N)
		for i := range ids {
			ids[i] = int64(i + 1)
		}
		runClients(b, discardServer(b), e, ids)
	})
}

// runClients sends one bounce for each id, from parallel SMTP clients.
func runClients(b *testing.B, addr string, e *env, ids []int64) {
	msgs := make([][]byte, len(ids))
	for i, id := range ids {
		msgs[i] = fixture(b, e.verp, "dsn_postfix_user_unknown.eml", id, "gone@corp.example.com")
	}
	var next atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c, err := smtp.Dial(addr)
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		for pb.Next() {
			i := next.Add(1) - 1
			if err := sendOn(c, e.verp.Address(ids[i]), msgs[i]); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "bounces/s")
}

func sendOn(c *smtp.Client, to string, msg []byte) error {
	if err := c.Mail(""); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	return w.Close()
}

// seedDelivered makes n users, each Invited by a delivered e-mail attempt,
// in a few statements, and returns the attempts.
func seedDelivered(b *testing.B, e *env, n int) []int64 {
	b.Helper()
	db := e.db.DB
	db.MustExec(`TRUNCATE users CASCADE`)
	db.MustExec(`INSERT INTO users (login, first_name, last_name, email)
		SELECT 'bench' || g, 'A', 'B', 'bench' || g || '@corp.example.com' FROM generate_series(1, $1) g`, n)
	db.MustExec(`INSERT INTO invitations (user_id, status, channel, destination, attempts, password_hashes, delivered_at, expires_at, finished_at)
		SELECT id, 'sent', 'email', email, 1, ARRAY['\x00'::bytea], now(), now() + interval '1 hour', now() FROM users`)
	db.MustExec(`UPDATE invite_states s SET status = 'invited', invited_at = now(), current_invitation_id = i.id
		FROM invitations i WHERE i.user_id = s.user_id`)
	var ids pq.Int64Array
	if err := db.Get(&ids, `SELECT array_agg(id ORDER BY id) FROM invitations`); err != nil {
		b.Fatal(err)
	}
	return ids
}

// discardServer is an SMTP server that reads every message and keeps none.
func discardServer(b *testing.B) string {
	b.Helper()
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return discard{}, nil }))
	srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

type discard struct{}

func (discard) Mail(string, *gosmtp.MailOptions) error { return nil }
func (discard) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (discard) Data(r io.Reader) error                 { _, err := io.Copy(io.Discard, r); return err }
func (discard) Reset()                                 {}
func (discard) Logout() error                          { return nil }
