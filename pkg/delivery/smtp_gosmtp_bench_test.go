package delivery_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"gopkg.in/gomail.v2"

	"github.com/inviter/inviter/pkg/delivery"
	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/testenv"
)

// BenchmarkSMTPTransport decides whether go-smtp's client should replace
// the hand-written transport (issue 9): both send the same messages to the
// same loopback server over a pool of 4 connections, in the same run. The
// go-smtp side is the least a replacement would do (a pooled client, MAIL,
// RCPT, DATA, with a deadline per message); it has none of the pool's
// checks (RSET after a failure, idle probes), so it flatters go-smtp.
func BenchmarkSMTPTransport(b *testing.B) {
	b.Run("handwritten", func(b *testing.B) {
		srv := testenv.StartSMTP(b)
		s := delivery.NewSMTPSender(benchConfig(srv, 4), loadTemplates(b), slog.New(slog.DiscardHandler))
		b.Cleanup(func() { _ = s.Close() })
		benchSMTP(b, func() delivery.Sender { return s }, func(delivery.Sender) {})
	})
	b.Run("go-smtp", func(b *testing.B) {
		srv := testenv.StartSMTP(b)
		s := newGoSMTPSender(net.JoinHostPort(srv.Host(), strconv.Itoa(srv.Port())), loadTemplates(b), 4)
		b.Cleanup(s.close)
		benchSMTP(b, func() delivery.Sender { return s }, func(delivery.Sender) {})
	})
}

// goSMTPSender is a pooled sender over go-smtp's client.
type goSMTPSender struct {
	addr string
	tpl  *delivery.Templates
	pool chan *smtp.Client
}

func newGoSMTPSender(addr string, tpl *delivery.Templates, size int) *goSMTPSender {
	return &goSMTPSender{addr: addr, tpl: tpl, pool: make(chan *smtp.Client, size)}
}

func (s *goSMTPSender) Send(ctx context.Context, m invite.Message) error {
	r, err := s.tpl.RenderEmail(m)
	if err != nil {
		return err
	}
	msg := gomail.NewMessage()
	msg.SetAddressHeader("From", "noreply@inviter.example.com", "Inviter")
	msg.SetAddressHeader("To", m.To, m.FirstName+" "+m.LastName)
	msg.SetHeader("Subject", r.Subject)
	msg.SetBody("text/plain", r.Text)
	msg.AddAlternative("text/html", r.HTML)
	var raw bytes.Buffer
	if _, err := msg.WriteTo(&raw); err != nil {
		return err
	}
	var c *smtp.Client
	select {
	case c = <-s.pool:
	default:
		conn, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "tcp", s.addr)
		if err != nil {
			return err
		}
		c = smtp.NewClient(conn)
		c.CommandTimeout, c.SubmissionTimeout = 5*time.Second, 5*time.Second
		if err := c.Hello("localhost"); err != nil {
			c.Close()
			return err
		}
	}
	if err := c.SendMail("noreply@inviter.example.com", []string{m.To}, &raw); err != nil {
		c.Close()
		return err
	}
	select {
	case s.pool <- c:
	default:
		c.Quit() //nolint:errcheck // the pool is full
	}
	return nil
}

func (s *goSMTPSender) close() {
	for {
		select {
		case c := <-s.pool:
			c.Quit() //nolint:errcheck // closing
		default:
			return
		}
	}
}
