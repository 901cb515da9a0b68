package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"os"
	"sync"
	"time"

	"github.com/inviter/inviter/pkg/invite"
)

// SMTPConfig is how to reach the SMTP server.
type SMTPConfig struct {
	Host     string
	Port     int // 465 means implicit TLS; any other port uses STARTTLS when offered
	Username string
	Password string
	From     string // "Name <address>" or a bare address
	// PoolSize bounds the connections open at once (default 4); a Send
	// beyond that waits for a free one.
	PoolSize int
	// Timeout bounds each SMTP command and its I/O (default 30s).
	Timeout time.Duration
	// InsecureSkipVerify accepts any TLS certificate: for a relay with a
	// self-signed one, never for a public provider.
	InsecureSkipVerify bool
	// VERP, when set (BOUNCE_ADDRESS), gives each message an envelope sender
	// of its own on the bounce mailbox and tags it (verp.go).
	VERP *VERP
	// NoPipelining sends MAIL, RCPT and DATA one at a time even to a server
	// that offers PIPELINING: only for the benchmark that weighs pipelining
	// against its absence (PERF_OFF=smtp_pipelining).
	NoPipelining bool
}

// Defaults for SMTPConfig's zero values.
const (
	defaultPoolSize    = 4
	defaultSMTPTimeout = 30 * time.Second
	// maxIdle is how long a pooled connection may sit unused before it is
	// closed rather than reused: servers drop idle sessions (RFC 5321 asks
	// them to wait at least 5 minutes, many wait less), and redialling is
	// cheaper than a failed RSET.
	maxIdle = 30 * time.Second
	// resetAfterIdle: a connection idle longer gets an RSET, which doubles
	// as the check that the server has not closed it.
	resetAfterIdle = time.Second
)

// SMTPSender sends invitations by e-mail over a small pool of SMTP
// connections. It is safe for concurrent use; call Close when done.
type SMTPSender struct {
	cfg       SMTPConfig
	from      *mail.Address
	fromErr   error
	tpl       *Templates
	log       *slog.Logger
	helloName string

	// slots holds one token per open connection (idle or in use), so at
	// most PoolSize are open; idle holds those waiting for a message.
	slots chan struct{}
	idle  chan *smtpConn

	mu     sync.Mutex // orders returning a connection to idle against Close
	closed bool
	done   chan struct{} // closed by Close, to wake Sends waiting for a slot
}

var _ Sender = (*SMTPSender)(nil)

// NewSMTPSender returns a sender for cfg. It connects lazily, on the first
// Send. A From that does not parse is reported by every Send as a permanent
// failure.
func NewSMTPSender(cfg SMTPConfig, tpl *Templates, log *slog.Logger) *SMTPSender {
	if cfg.PoolSize <= 0 {
		cfg.PoolSize = defaultPoolSize
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultSMTPTimeout
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		err = fmt.Errorf("delivery: SMTP from address %q: %w", cfg.From, err)
	}
	// Some servers refuse EHLO localhost from a remote client; our host name
	// is the honest answer.
	hello, herr := os.Hostname()
	if herr != nil || hello == "" {
		hello = "localhost"
	}
	return &SMTPSender{
		cfg:       cfg,
		from:      from,
		fromErr:   err,
		tpl:       tpl,
		log:       log,
		helloName: hello,
		slots:     make(chan struct{}, cfg.PoolSize),
		idle:      make(chan *smtpConn, cfg.PoolSize),
		done:      make(chan struct{}),
	}
}

// Send e-mails the invitation m to m.To.
func (s *SMTPSender) Send(ctx context.Context, m invite.Message) error {
	if s.fromErr != nil {
		return failure(invite.Permanent, "", "", s.fromErr)
	}
	// The domain validated m.To when it was stored; a bare address is all
	// RCPT TO may carry, so anything else is a bad address, not a retry.
	to, err := mail.ParseAddress(m.To)
	if err != nil || to.Address != m.To {
		return badMessage(invite.Rejected, "delivery: invitation %d: bad e-mail address %q", m.InvitationID, m.To)
	}
	r, err := s.tpl.RenderEmail(m)
	if err != nil {
		return failure(invite.Permanent, "", "", err)
	}
	envFrom, tag := s.envelope(m.InvitationID)
	raw, messageID, err := composeEmail(s.from, m, r, tag)
	if err != nil {
		return failure(invite.Permanent, "", "", err)
	}
	if err := s.deliver(ctx, envFrom, m.To, raw); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			// The I/O error says "i/o timeout"; say why there was one.
			err = fmt.Errorf("%w: %w", ctxErr, err)
		}
		de := classifySMTP(err)
		s.log.LogAttrs(ctx, slog.LevelWarn, "e-mail not delivered", slog.Any("invitation", m),
			slog.String("class", de.Class.String()), slog.String("smtp_code", de.ProviderCode),
			slog.String("error", err.Error()))
		return de
	}
	s.log.LogAttrs(ctx, slog.LevelDebug, "e-mail sent", slog.Any("invitation", m),
		slog.String("message_id", messageID))
	return nil
}

// deliver sends one message over a pooled connection. A connection whose
// last transaction failed, or that sat idle a while, is checked with RSET
// first; one that turns out closed (RSET fails, or MAIL fails on a reused
// connection before anything was sent) is replaced by a new one at once, so
// that case costs no retry. A connection that has just carried a message
// goes straight to MAIL: RSET there would add a round trip to every message.
func (s *SMTPSender) deliver(ctx context.Context, from, to string, msg []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c, err := s.acquire(ctx)
	if err != nil {
		return atStep(stepConnect, err)
	}
	if c != nil {
		idle := time.Since(c.lastUsed)
		if idle > maxIdle || ((c.dirty || idle > resetAfterIdle) && c.reset(ctx) != nil) {
			c.abort()
			c = nil // its slot stays ours for the new connection
		}
	}
	reused := c != nil
	if c == nil {
		if c, err = dialSMTP(ctx, s.cfg, s.helloName); err != nil {
			s.freeSlot()
			return err
		}
	}
	err = c.send(ctx, from, to, msg)
	if reused && closedBeforeSending(err) && !c.broken && ctx.Err() == nil {
		c.abort()
		if c, err = dialSMTP(ctx, s.cfg, s.helloName); err != nil {
			s.freeSlot()
			return err
		}
		err = c.send(ctx, from, to, msg)
	}
	c.dirty = err != nil
	if c.broken || (err != nil && !keepAfter(err)) {
		c.abort()
		s.freeSlot()
		return err
	}
	s.release(c)
	return err
}

// Close says QUIT on the idle connections and makes the sender refuse new
// messages; connections in use are closed when their Send finishes.
func (s *SMTPSender) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	// Without blocking: a Send may take an idle connection meanwhile, and
	// will close it itself when it sees the sender closed.
	var conns []*smtpConn
	for drained := false; !drained; {
		select {
		case c := <-s.idle:
			conns = append(conns, c)
		default:
			drained = true
		}
	}
	s.mu.Unlock()
	var errs []error
	for _, c := range conns {
		errs = append(errs, c.close())
		s.freeSlot()
	}
	return errors.Join(errs...)
}
