package delivery

import (
	"context"
	"crypto/tls"
	"net"
	"net/smtp"
	"strconv"
	"time"
)

// smtpConn is one SMTP session over a connection this package owns. net/smtp
// speaks the protocol but sets no deadlines, so every command goes through
// arm, which bounds it by the per-command timeout and the caller's deadline:
// a server that stops answering costs a worker one timeout, not forever.
type smtpConn struct {
	raw      net.Conn // the TCP connection under any TLS layer; deadlines go here
	client   *smtp.Client
	timeout  time.Duration
	lastUsed time.Time
	broken   bool // a cancelled context cut into an exchange: state unknown
	dirty    bool // the last transaction failed: RSET before the next
	// pipelining: the server takes MAIL, RCPT and DATA in one write.
	pipelining bool
	// dsn: the server takes RET=HDRS (RFC 3461), so a bounce brings back
	// the original's headers only, not the password in its body.
	dsn bool
}

// arm sets the deadline for the next command.
func (c *smtpConn) arm(ctx context.Context) {
	d := time.Now().Add(c.timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(d) {
		d = dl
	}
	_ = c.raw.SetDeadline(d) // fails only on a closed connection, which the command then reports
}

// watch makes cancelling ctx interrupt the exchange in progress rather than
// wait for its deadline. The returned stop must be called when the exchange
// is over; if ctx fired meanwhile the connection is marked broken, since the
// reply it was waiting for may still arrive.
func (c *smtpConn) watch(ctx context.Context) (stop func()) {
	// A deadline that has passed fails pending reads and writes at once.
	stopWatch := context.AfterFunc(ctx, func() { _ = c.raw.SetDeadline(time.Now()) })
	return func() {
		if !stopWatch() {
			c.broken = true
		}
	}
}

// dialSMTP connects, reads the greeting, says EHLO, secures the connection
// and authenticates: implicit TLS on port 465, STARTTLS when the server
// offers it (required unless the server is on this machine), then AUTH when
// a username is configured.
func dialSMTP(ctx context.Context, cfg SMTPConfig, helloName string) (_ *smtpConn, err error) {
	d := net.Dialer{Timeout: cfg.Timeout}
	raw, err := d.DialContext(ctx, "tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)))
	if err != nil {
		return nil, atStep(stepConnect, err)
	}
	c := &smtpConn{raw: raw, timeout: cfg.Timeout}
	stop := c.watch(ctx)
	defer func() {
		stop()
		if err != nil {
			_ = raw.Close()
		}
	}()
	tlsConfig := &tls.Config{
		ServerName:         cfg.Host,
		InsecureSkipVerify: cfg.InsecureSkipVerify, // the operator's choice, for a relay with a self-signed certificate
		MinVersion:         tls.VersionTLS12,
	}
	var conn net.Conn = raw
	if cfg.Port == 465 {
		tc := tls.Client(raw, tlsConfig)
		c.arm(ctx)
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, atStep(stepTLS, err)
		}
		conn = tc
	}
	c.arm(ctx)
	if c.client, err = smtp.NewClient(conn, cfg.Host); err != nil {
		return nil, atStep(stepConnect, err)
	}
	c.arm(ctx)
	if err := c.client.Hello(helloName); err != nil {
		return nil, atStep(stepHello, err)
	}
	if _, isTLS := c.client.TLSConnectionState(); !isTLS {
		if ok, _ := c.client.Extension("STARTTLS"); ok {
			c.arm(ctx)
			if err := c.client.StartTLS(tlsConfig); err != nil {
				return nil, atStep(stepTLS, err)
			}
		} else if !isLoopback(cfg.Host) {
			return nil, atStep(stepTLS, errNoTLS)
		}
	}
	if cfg.Username != "" {
		c.arm(ctx)
		if err := authenticate(c.client, cfg); err != nil {
			return nil, atStep(stepAuth, err)
		}
	}
	c.pipelining, _ = c.client.Extension("PIPELINING")
	c.dsn, _ = c.client.Extension("DSN")
	c.pipelining = c.pipelining && !cfg.NoPipelining
	return c, nil
}

// send runs one mail transaction.
func (c *smtpConn) send(ctx context.Context, from, to string, msg []byte) error {
	if c.pipelining {
		return c.sendPipelined(ctx, from, to, msg)
	}
	stop := c.watch(ctx)
	defer stop()
	c.arm(ctx)
	if err := c.mail(from); err != nil {
		return atStep(stepMail, err)
	}
	c.arm(ctx)
	if err := c.client.Rcpt(to); err != nil {
		return atStep(stepRcpt, err)
	}
	c.arm(ctx)
	w, err := c.client.Data()
	if err != nil {
		return atStep(stepData, err)
	}
	c.arm(ctx)
	if _, err := w.Write(msg); err != nil {
		return atStep(stepData, err)
	}
	c.arm(ctx)
	if err := w.Close(); err != nil { // sends the final dot and reads the verdict
		return atStep(stepData, err)
	}
	return nil
}

// reset readies a pooled connection for the next message. It doubles as the
// check that the server has not closed the connection while it sat idle.
func (c *smtpConn) reset(ctx context.Context) error {
	stop := c.watch(ctx)
	defer stop()
	c.arm(ctx)
	return atStep(stepReset, c.client.Reset())
}

// close says QUIT, within the command timeout, and closes the connection
// whatever the answer.
func (c *smtpConn) close() error {
	if !c.broken {
		c.arm(context.Background())
		if err := c.client.Quit(); err == nil {
			return nil
		}
	}
	return c.raw.Close()
}

// abort closes a connection in an unknown state without a QUIT, which
// could wait a whole timeout on a server that is gone.
func (c *smtpConn) abort() { _ = c.raw.Close() }

// isLoopback reports whether host is this machine, where a plain-text
// connection crosses no network.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
