package bounce

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
	"golang.org/x/time/rate"
)

// ListenerConfig tunes the bounce listener.
type ListenerConfig struct {
	// Hostname is the name the listener greets with (the MX host name).
	Hostname string
	// MaxBytes bounds a message (default 1 MiB: a bounce with headers only
	// is a few KiB; one with the whole original, tens).
	MaxBytes int64
	// Rate and Burst bound messages per second from one client address
	// (default 20/s, bursts of 100): a relay flushing its queue gets
	// through, a flood gets 421s.
	Rate  rate.Limit
	Burst int
	// Timeout bounds each read and write of a session (default 1 minute).
	Timeout time.Duration
}

// Listener is the SMTP server bounces come back to (BOUNCE_SMTP_ADDR). It
// accepts mail only for valid VERP addresses of the bounce mailbox (others
// get 550 at RCPT), so it relays nothing; it answers 250 to what it read,
// even when the message changed nothing, so the relay does not bounce the
// bounce; and 451 when the database is away, so the relay tries again.
type Listener struct {
	proc *Processor
	tags Tagger
	cfg  ListenerConfig
	log  *slog.Logger
	srv  *smtp.Server

	mu      sync.Mutex
	clients map[string]*clientLimit
}

type clientLimit struct {
	lim  *rate.Limiter
	seen time.Time
}

// NewListener returns a listener that hands messages to proc.
func NewListener(proc *Processor, tags Tagger, cfg ListenerConfig, logger *slog.Logger) *Listener {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 1 << 20
	}
	if cfg.Rate <= 0 {
		cfg.Rate, cfg.Burst = 20, 100
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 1
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Minute
	}
	if cfg.Hostname == "" {
		cfg.Hostname = "localhost"
	}
	l := &Listener{proc: proc, tags: tags, cfg: cfg, log: logger, clients: map[string]*clientLimit{}}
	l.srv = smtp.NewServer(l)
	l.srv.Domain = cfg.Hostname
	l.srv.MaxMessageBytes = cfg.MaxBytes
	l.srv.MaxRecipients = 10
	l.srv.ReadTimeout = cfg.Timeout
	l.srv.WriteTimeout = cfg.Timeout
	l.srv.ErrorLog = log.New(io.Discard, "", 0)
	return l
}

// Serve accepts sessions on ln until ctx is done, then closes them.
func (l *Listener) Serve(ctx context.Context, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- l.srv.Serve(ln) }()
	l.log.Info("bounce listener listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("bounce: listener: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.srv.Shutdown(sctx); err != nil {
		_ = l.srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, smtp.ErrServerClosed) {
		return fmt.Errorf("bounce: listener: %w", err)
	}
	return nil
}

// NewSession implements smtp.Backend.
func (l *Listener) NewSession(c *smtp.Conn) (smtp.Session, error) {
	host, _, _ := net.SplitHostPort(c.Conn().RemoteAddr().String())
	return &session{l: l, client: host}, nil
}

// allow takes one message from the client's allowance.
func (l *Listener) allow(client string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	c, ok := l.clients[client]
	if !ok {
		if len(l.clients) > 10_000 { // forget quiet clients rather than grow
			for k, v := range l.clients {
				if now.Sub(v.seen) > time.Minute {
					delete(l.clients, k)
				}
			}
		}
		c = &clientLimit{lim: rate.NewLimiter(l.cfg.Rate, l.cfg.Burst)}
		l.clients[client] = c
	}
	c.seen = now
	return c.lim.AllowN(now, 1)
}

var (
	errRateLimited = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "Too many messages, slow down"}
	errNoSuchUser  = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such bounce address here (this server relays nothing)"}
	errNoRecipient = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "No valid recipients"}
	errTryLater    = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Cannot record the report now, try again later"}
)

// session is one SMTP session: MAIL (any sender, bounces come from <>),
// RCPT (VERP addresses only), DATA.
type session struct {
	l      *Listener
	client string
	to     []string
}

func (s *session) Mail(string, *smtp.MailOptions) error {
	if !s.l.allow(s.client) {
		return errRateLimited
	}
	s.to = nil
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if _, ok := s.l.tags.CheckAddress(to); !ok {
		s.l.proc.stats.Forged.Add(1)
		s.l.log.Warn("bounce listener refused a recipient", "client", s.client, "reason", DropForged)
		return errNoSuchUser
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	if len(s.to) == 0 {
		return errNoRecipient
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r); err != nil {
		return err // too large (552) or a broken connection
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.l.cfg.Timeout)
	defer cancel()
	if _, err := s.l.proc.Process(ctx, "smtp", s.to, &buf); err != nil {
		s.l.log.Warn("bounce not recorded; the relay will retry", "client", s.client, "err", err)
		return errTryLater
	}
	return nil
}

func (s *session) Reset()        { s.to = nil }
func (s *session) Logout() error { return nil }
