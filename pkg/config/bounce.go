package config

import (
	"log/slog"
	"net/mail"
	"net/url"
	"strings"
	"time"
)

// Bounce is how the worker learns what became of e-mail after the relay took
// it (pkg/bounce), and how the api takes Vonage's delivery receipts. All of
// it is off when unset.
//
//	BOUNCE_ADDRESS        bare address of the bounce mailbox (bounces@bounce.example.com);
//	                      set: every message gets a VERP envelope sender on it
//	BOUNCE_SMTP_ADDR      the worker's bounce listener (e.g. :2525); needs BOUNCE_ADDRESS
//	BOUNCE_IMAP_URL       imaps://user:password@host/INBOX[?processed=Folder]; needs BOUNCE_ADDRESS
//	BOUNCE_POLL_INTERVAL  1m, how often the mailbox is read
//	BOUNCE_MAX_BYTES      1MiB, largest bounce read (listener and mailbox)
//	VONAGE_DLR_URL        the callback URL sent with each SMS (status-report-req is always asked)
//	VONAGE_DLR_TOKEN      turns GET|POST /webhooks/vonage/delivery-receipt on; ?token= must match
//	VONAGE_SIGNATURE_SECRET  set: receipts must carry Vonage's valid signature
type Bounce struct {
	Address      string
	SMTPAddr     string
	IMAPURL      string
	PollInterval time.Duration
	MaxBytes     int64

	VonageReceiptURL      string
	VonageReceiptToken    string
	VonageSignatureSecret string
}

func (l *loader) bounce() Bounce {
	var b Bounce
	b.Address = l.str("BOUNCE_ADDRESS", "")
	if b.Address != "" {
		if a, err := mail.ParseAddress(b.Address); err != nil || a.Address != b.Address || strings.ContainsAny(b.Address, "+\"") {
			l.fail("BOUNCE_ADDRESS", "must be a bare address without '+', such as bounces@bounce.example.com, got %q", b.Address)
		}
	}
	if b.SMTPAddr = l.str("BOUNCE_SMTP_ADDR", ""); b.SMTPAddr != "" {
		b.SMTPAddr = l.addr("BOUNCE_SMTP_ADDR", "")
		if b.Address == "" {
			l.fail("BOUNCE_SMTP_ADDR", "needs BOUNCE_ADDRESS: the listener accepts only its VERP addresses")
		}
	}
	if b.IMAPURL = l.secret("BOUNCE_IMAP_URL"); b.IMAPURL != "" {
		u, err := url.Parse(b.IMAPURL)
		switch {
		case err != nil || (u.Scheme != "imaps" && u.Scheme != "imap") || u.Hostname() == "" || u.User.Username() == "":
			l.fail("BOUNCE_IMAP_URL", "must be imaps://user:password@host/INBOX (or imap://), got %q", maskURL(b.IMAPURL))
		case b.Address == "":
			l.fail("BOUNCE_IMAP_URL", "needs BOUNCE_ADDRESS: bounces are matched by its VERP addresses")
		}
	}
	b.PollInterval = l.duration("BOUNCE_POLL_INTERVAL", time.Minute)
	b.MaxBytes = l.size("BOUNCE_MAX_BYTES", 1<<20, 1<<10, 1<<30)
	if b.VonageReceiptURL = l.str("VONAGE_DLR_URL", ""); b.VonageReceiptURL != "" {
		b.VonageReceiptURL = l.url("VONAGE_DLR_URL", "", "https", "http")
	}
	b.VonageReceiptToken = l.secret("VONAGE_DLR_TOKEN")
	b.VonageSignatureSecret = l.secret("VONAGE_SIGNATURE_SECRET")
	return b
}

// LogValue masks the mailbox password, the token and the signature secret.
func (b Bounce) LogValue() slog.Value {
	imap := ""
	if b.IMAPURL != "" {
		imap = maskURL(b.IMAPURL)
	}
	receiptURL := b.VonageReceiptURL
	if u, err := url.Parse(receiptURL); err == nil && u.Query().Has("token") {
		q := u.Query()
		q.Set("token", maskedURL)
		u.RawQuery = q.Encode()
		receiptURL = u.String()
	}
	return slog.GroupValue(
		slog.String("address", b.Address),
		slog.String("smtp_addr", b.SMTPAddr),
		slog.String("imap_url", imap),
		slog.String("poll_interval", b.PollInterval.String()),
		slog.Int64("max_bytes", b.MaxBytes),
		slog.String("vonage_dlr_url", receiptURL),
		slog.String("vonage_dlr_token", mask(b.VonageReceiptToken)),
		slog.String("vonage_signature_secret", mask(b.VonageSignatureSecret)),
	)
}

// String keeps the secrets out of fmt output.
func (b Bounce) String() string { return b.LogValue().String() }
