// Package bounce learns what became of e-mail after the relay accepted it:
// it parses bounces (RFC 3464 delivery status notifications and the common
// non-standard ones) and automatic replies, ties each to the invitation
// attempt whose VERP address or tag it carries, and hands the result to the
// store. Bounces come in through an SMTP listener (Listener) that accepts
// mail only for valid VERP addresses, or from a mailbox polled over IMAP
// (Poller).
//
// A bounce may carry the whole invitation back, temporary password
// included. Nothing here stores or logs a message: only the status, the
// diagnostic line, the reporting server and times leave this package.
package bounce

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"mime"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // bounces in KOI8-R, Windows-1251, ISO-8859-x
	"github.com/emersion/go-message/textproto"

	"github.com/inviter/inviter/pkg/invite"
)

// Format names what a message was recognised as.
const (
	FormatDSN       = "dsn"        // RFC 3464 multipart/report
	FormatExchange  = "exchange"   // a Microsoft Exchange/Outlook NDR in text
	FormatPostfix   = "postfix"    // Postfix's human-readable bounce without its report part
	FormatGmail     = "gmail"      // Gmail's "Address not found" text
	FormatText      = "text"       // another bounce recognised by sender, subject and a status code
	FormatAutoReply = "auto_reply" // RFC 3834 and the usual out-of-office markers
)

// Report is what a bounce or an automatic reply says. It holds no body.
type Report struct {
	Kind         string // invite.Report*; "" when the message is neither bounce nor auto-reply
	Format       string
	Action       string // failed, delayed, delivered, relayed, expanded
	Status       string // enhanced status code, 5.1.1
	Recipient    string // Final-Recipient
	Diagnostic   string // one line, as the remote server said it
	ReportingMTA string
	MessageID    string    // the bounce's own, for recognising it twice
	Date         time.Time // the bounce's Date (zero when absent)
	// Addressed are the addresses the bounce was delivered to, as its own
	// headers say (Delivered-To, X-Original-To, To...), for a mailbox.
	Addressed []string
	// Original is the header section of the returned message (only its
	// header), and the cut of the human-readable text before any quoted
	// copy: where the attempt's tag is looked for when the envelope
	// address is gone.
	Original string
}

// Limits of what is read of a message: a part beyond them is skipped.
const (
	maxPartBytes = 256 << 10
	maxParts     = 32
	maxDetail    = 500
)

// Parse reads a message and says what it reports. A message that is not
// MIME at all is an error; one that is no bounce has an empty Kind.
func Parse(r io.Reader) (Report, error) {
	e, err := message.Read(r)
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return Report{}, err
	}
	h := e.Header
	rep := Report{MessageID: strings.Trim(h.Get("Message-Id"), "<> \t")}
	if d, err := mail822Date(h.Get("Date")); err == nil {
		rep.Date = d
	}
	for _, k := range []string{"Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To", "X-Failed-Recipients"} {
		rep.Addressed = append(rep.Addressed, h.Values(k)...)
	}
	var w walk
	w.visit(e, 0)
	rep.Original = w.original.String()

	switch {
	case w.dsn != nil:
		rep.Format = FormatDSN
		w.dsn.fill(&rep)
		if rep.Diagnostic == "" {
			rep.Diagnostic = findDiagnostic(w.text.String(), rep.Status)
		}
	case isBounceHeader(h):
		textBounce(&rep, h, w.text.String())
	case isAutoReply(h):
		rep.Kind, rep.Format = invite.ReportAutoReply, FormatAutoReply
		return rep, nil
	default:
		return rep, nil
	}
	rep.Kind = kindOf(rep.Action, rep.Status)
	rep.Diagnostic = oneLine(rep.Diagnostic, maxDetail)
	return rep, nil
}

// walk collects, part by part: the delivery-status fields, the human
// text (cut before any quoted copy of the original), and the headers of a
// returned original. Bodies of returned messages are never read.
type walk struct {
	dsn      *dsnFields
	text     strings.Builder
	original strings.Builder
	parts    int
}

func (w *walk) visit(e *message.Entity, depth int) {
	if w.parts++; w.parts > maxParts || depth > 4 {
		return
	}
	ct, _, _ := e.Header.ContentType()
	switch {
	case strings.HasPrefix(ct, "multipart/"):
		mr := e.MultipartReader()
		if mr == nil {
			return
		}
		for {
			p, err := mr.NextPart()
			if err != nil {
				if !errors.Is(err, io.EOF) && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
					return
				}
				if p == nil {
					return
				}
			}
			w.visit(p, depth+1)
		}
	case ct == "message/delivery-status" || ct == "message/global-delivery-status":
		if d, err := readDSN(io.LimitReader(e.Body, maxPartBytes)); err == nil && w.dsn == nil {
			w.dsn = d
		}
	case ct == "message/rfc822" || ct == "message/global" || ct == "text/rfc822-headers" || ct == "message/global-headers":
		// Only the header section: the body may hold the password.
		br := bufio.NewReader(io.LimitReader(e.Body, maxPartBytes))
		if oh, err := textproto.ReadHeader(br); err == nil {
			writeHeader(&w.original, oh)
		}
	case ct == "text/plain" || ct == "" || (ct == "text/html" && w.text.Len() == 0):
		b, _ := io.ReadAll(io.LimitReader(e.Body, maxPartBytes))
		s := string(b)
		if ct == "text/html" {
			s = stripTags(s)
		}
		s = cutQuotedCopy(s)
		w.text.WriteString(s)
		w.text.WriteByte('\n')
		w.original.WriteString(s)
		w.original.WriteByte('\n')
	}
}

// writeHeader writes the fields that can name the attempt; the rest of a
// returned original's header (Subject, To...) is not needed.
func writeHeader(b *strings.Builder, h textproto.Header) {
	for _, k := range []string{"Message-Id", "X-Inviter-Attempt", "Return-Path", "References", "In-Reply-To"} {
		for _, v := range h.Values(k) {
			b.WriteString(k + ": " + v + "\n")
		}
	}
}

// quotedCopyMarkers start the copy of the original that some servers put
// inline in the text (qmail, Exim, Exchange's "Original message headers");
// what follows is the original, password perhaps included, and is not read
// for diagnostics. Its headers still name the attempt, so the first few
// header lines after the marker are kept.
var quotedCopyMarkers = []string{
	"--- Below this line is a copy of the message",
	"------ This is a copy of the message",
	"----- Original message -----",
	"-----Original Message-----",
	"Original message headers:",
	"----- The header of the original message is following. -----",
	"----- Forwarded message -----",
}

func cutQuotedCopy(s string) string {
	for _, m := range quotedCopyMarkers {
		if i := strings.Index(strings.ToLower(s), strings.ToLower(m)); i >= 0 {
			rest := s[i+len(m):]
			// Skip the rest of the marker's line and blank lines, then keep
			// the header lines (up to the next blank line): they carry
			// Message-ID and X-Inviter-Attempt, never the body.
			if nl := strings.IndexByte(rest, '\n'); nl >= 0 {
				rest = rest[nl+1:]
			}
			rest = strings.TrimLeft(strings.ReplaceAll(rest, "\r\n", "\n"), "\n")
			if j := strings.Index(rest, "\n\n"); j >= 0 {
				rest = rest[:j]
			}
			if len(rest) > 4096 {
				rest = rest[:4096]
			}
			return s[:i] + "\n" + onlyHeaderLines(rest)
		}
	}
	return s
}

// onlyHeaderLines keeps "Name: value" lines of a quoted header section.
func onlyHeaderLines(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		name, _, ok := strings.Cut(line, ":")
		if ok && name != "" && !strings.ContainsAny(name, " \t") {
			b.WriteString(strings.TrimRight(line, "\r") + "\n")
		}
	}
	return b.String()
}

// kindOf turns an action and a status into what it means for the attempt.
// RFC 3464: "failed" is final, whatever the code (Postfix gives up on a
// message it could not deliver for days with Action: failed, Status: 4.4.1).
func kindOf(action, status string) string {
	action = strings.ToLower(action)
	switch {
	case action == "failed" || strings.HasPrefix(status, "5."):
		return invite.ReportBounce
	case action == "delayed" || strings.HasPrefix(status, "4."):
		return invite.ReportDelay
	case action == "delivered" || action == "relayed" || action == "expanded" || strings.HasPrefix(status, "2."):
		return invite.ReportDelivered
	}
	return invite.ReportBounce
}

// Reason is the user's error code a permanent failure gives: 5.1.x, the
// mailbox or domain does not exist, is delivery_rejected; anything else
// (mailbox full for good, policy, an expired queue) delivery_failed.
func Reason(status string) string {
	if strings.HasPrefix(status, "5.1.") {
		return invite.ReasonDeliveryRejected
	}
	return invite.ReasonDeliveryFailed
}

// oneLine folds whitespace and bounds length: a diagnostic shown in a table.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		s = s[:max]
		for len(s) > 0 && s[len(s)-1]&0xC0 == 0x80 { // do not cut a UTF-8 sequence
			s = s[:len(s)-1]
		}
		if len(s) > 0 && s[len(s)-1] >= 0xC0 {
			s = s[:len(s)-1]
		}
	}
	return s
}

// stripTags turns an HTML part into text, roughly: enough to find a status
// code and its line in a bounce that has only HTML.
func stripTags(s string) string {
	var b bytes.Buffer
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.NewReplacer("&nbsp;", " ", "&lt;", "<", "&gt;", ">", "&amp;", "&", "&#39;", "'", "&quot;", "\"").Replace(b.String())
}

// mail822Date parses a Date header.
func mail822Date(s string) (time.Time, error) {
	return mail.ParseDate(strings.TrimSpace(s))
}

// decodeWord decodes RFC 2047 words in a header (a Russian subject).
func decodeWord(s string) string {
	d, err := new(mime.WordDecoder).DecodeHeader(s)
	if err != nil {
		return s
	}
	return d
}
