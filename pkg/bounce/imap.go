package bounce

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// PollerConfig is the mailbox bounces are delivered to (BOUNCE_IMAP_URL):
// imaps://user:password@host[:993]/INBOX, or imap:// (STARTTLS, or plain
// text on loopback). ?processed=Folder moves handled messages there
// instead of deleting them.
type PollerConfig struct {
	URL      *url.URL
	Interval time.Duration // BOUNCE_POLL_INTERVAL, default 1 minute
	MaxBytes int64         // larger messages are removed unread (default 1 MiB)
	// Timeout bounds one pass: connecting, reading and removing (default 2m).
	Timeout time.Duration
	// InsecureSkipVerify accepts any certificate: tests only (the worker
	// always verifies the mailbox server's).
	InsecureSkipVerify bool
}

// Poller reads the bounce mailbox every Interval: each message is handed
// to the processor once, then moved or deleted, whatever it was (a message
// that changed nothing is counted and removed, so it is not read again). A
// message the processor could not record (the database is away) stays for
// the next pass.
type Poller struct {
	proc *Processor
	cfg  PollerConfig
	log  *slog.Logger
}

// NewPoller returns a poller of cfg's mailbox.
func NewPoller(proc *Processor, cfg PollerConfig, log *slog.Logger) *Poller {
	if cfg.Interval <= 0 {
		cfg.Interval = time.Minute
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 1 << 20
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	return &Poller{proc: proc, cfg: cfg, log: log}
}

// Run polls until ctx is done. A failed pass is logged and the next one
// comes at the next interval.
func (p *Poller) Run(ctx context.Context) error {
	t := time.NewTicker(p.cfg.Interval)
	defer t.Stop()
	for {
		if n, err := p.Poll(ctx); err != nil && ctx.Err() == nil {
			p.log.WarnContext(ctx, "bounce mailbox not read", "host", p.cfg.URL.Host, "err", err)
		} else if n > 0 {
			p.log.InfoContext(ctx, "bounce mailbox read", "messages", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// maxPerPass bounds the messages one pass handles; the rest wait a pass.
const maxPerPass = 500

// Poll makes one pass over the mailbox and returns how many messages it
// handled (and removed).
func (p *Poller) Poll(ctx context.Context) (int, error) {
	c, err := p.dial(ctx)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	mailbox := strings.TrimPrefix(p.cfg.URL.Path, "/")
	if mailbox == "" {
		mailbox = "INBOX"
	}
	sel, err := c.Select(mailbox, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("bounce: imap select %s: %w", mailbox, err)
	}
	if sel.NumMessages == 0 {
		_ = c.Logout().Wait()
		return 0, nil
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("bounce: imap search: %w", err)
	}
	uids := found.AllUIDs()
	if len(uids) > maxPerPass {
		uids = uids[:maxPerPass]
	}
	n := 0
	for _, uid := range uids {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		if err := p.handle(ctx, c, uid); err != nil {
			return n, err
		}
		n++
	}
	_ = c.Logout().Wait()
	return n, nil
}

// handle processes one message and removes it.
func (p *Poller) handle(ctx context.Context, c *imapclient.Client, uid imap.UID) error {
	set := imap.UIDSetNum(uid)
	body := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(set, &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return fmt.Errorf("bounce: imap fetch size of %d: %w", uid, err)
	}
	if len(msgs) == 0 {
		return nil // gone meanwhile (another replica took it)
	}
	if msgs[0].RFC822Size > p.cfg.MaxBytes {
		p.proc.drop(ctx, Outcome{}, DropMalformed, "imap")
	} else {
		msgs, err = c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{body}}).Collect()
		if err != nil {
			return fmt.Errorf("bounce: imap fetch %d: %w", uid, err)
		}
		if len(msgs) == 0 {
			return nil
		}
		raw := msgs[0].FindBodySection(body)
		if _, err := p.proc.Process(ctx, "imap", nil, bytes.NewReader(raw)); err != nil {
			return err // stays in the mailbox for the next pass
		}
	}
	return p.remove(c, set)
}

// remove moves a handled message to the processed folder, or deletes it.
func (p *Poller) remove(c *imapclient.Client, set imap.UIDSet) error {
	if folder := p.cfg.URL.Query().Get("processed"); folder != "" {
		if _, err := c.Move(set, folder).Wait(); err != nil {
			return fmt.Errorf("bounce: imap move to %s: %w", folder, err)
		}
		return nil
	}
	if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		return fmt.Errorf("bounce: imap delete: %w", err)
	}
	var err error
	if c.Caps().Has(imap.CapUIDPlus) {
		err = c.UIDExpunge(set).Close()
	} else {
		err = c.Expunge().Close()
	}
	if err != nil {
		return fmt.Errorf("bounce: imap expunge: %w", err)
	}
	return nil
}

// dial connects and logs in. The whole pass is bounded by one deadline on
// the connection, and cancelling ctx closes it.
func (p *Poller) dial(ctx context.Context) (*imapclient.Client, error) {
	u := p.cfg.URL
	host := u.Hostname()
	port := u.Port()
	if port == "" {
		port = map[string]string{"imaps": "993", "imap": "143"}[u.Scheme]
	}
	d := net.Dialer{Timeout: 30 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, fmt.Errorf("bounce: imap connect: %w", err)
	}
	_ = conn.SetDeadline(time.Now().Add(p.cfg.Timeout))
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	tlsConfig := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12,
		InsecureSkipVerify: p.cfg.InsecureSkipVerify} //nolint:gosec // the operator's choice, tests only
	var c *imapclient.Client
	switch {
	case u.Scheme == "imaps":
		c = imapclient.New(tls.Client(conn, tlsConfig), nil)
	case isLoopbackHost(host):
		c = imapclient.New(conn, nil)
	default:
		if c, err = imapclient.NewStartTLS(conn, &imapclient.Options{TLSConfig: tlsConfig}); err != nil {
			stop()
			_ = conn.Close()
			return nil, fmt.Errorf("bounce: imap starttls: %w", err)
		}
	}
	go func() { <-c.Closed(); stop() }()
	if err := c.WaitGreeting(); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("bounce: imap greeting: %w", err)
	}
	pass, _ := u.User.Password()
	if err := c.Login(u.User.Username(), pass).Wait(); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("bounce: imap login as %s: %w", u.User.Username(), err)
	}
	return c, nil
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
