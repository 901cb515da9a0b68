package bounce

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/inviter/inviter/pkg/invite"
)

// Store records a report and does what it means (pkg/postgres).
type Store interface {
	ApplyReport(ctx context.Context, r invite.DeliveryReport) (invite.ReportResult, error)
}

// Tagger checks VERP addresses and tags (delivery.VERP).
type Tagger interface {
	CheckAddress(addr string) (int64, bool)
	FindTag(text string) (int64, bool)
}

// Drop reasons: why a message changed nothing and was thrown away.
const (
	DropForged       = "forged"       // names an attempt, but its MAC is wrong
	DropUnknown      = "unknown"      // names no attempt, or one we do not have
	DropUnrecognised = "unrecognised" // neither a bounce nor an automatic reply
	DropMalformed    = "malformed"    // not a MIME message
	DropDuplicate    = "duplicate"    // the same report again
)

// Outcome is what processing one message did.
type Outcome struct {
	InvitationID int64
	Report       Report
	Result       invite.ReportResult
	Dropped      string // a Drop* reason, or "" when recorded
}

// Stats counts messages by what became of them, since the start.
type Stats struct {
	Recorded, Forged, Unknown, Unrecognised, Malformed, Duplicate atomic.Int64
}

// Processor ties bounces to attempts and records them.
type Processor struct {
	store Store
	tags  Tagger
	log   *slog.Logger
	stats Stats
	now   func() time.Time
}

// NewProcessor returns a processor recording into store.
func NewProcessor(store Store, tags Tagger, log *slog.Logger) *Processor {
	return &Processor{store: store, tags: tags, log: log, now: time.Now}
}

// Stats returns the counters.
func (p *Processor) Stats() *Stats { return &p.stats }

// Process reads one message that arrived for envelopeTo (the listener's
// RCPT TO; nil from a mailbox) by source ("smtp" or "imap"). An error means
// "try again later" (the database is away); a message that changes nothing
// comes back with Dropped set and no error, so that it is not read again.
func (p *Processor) Process(ctx context.Context, source string, envelopeTo []string, r io.Reader) (Outcome, error) {
	rep, err := Parse(r)
	if err != nil {
		return p.drop(ctx, Outcome{}, DropMalformed, source), nil
	}
	out := Outcome{Report: rep}
	id, verdict := p.attempt(envelopeTo, rep)
	out.InvitationID = id
	if verdict != "" {
		return p.drop(ctx, out, verdict, source), nil
	}
	if rep.Kind == "" {
		return p.drop(ctx, out, DropUnrecognised, source), nil
	}
	at := rep.Date
	if at.IsZero() || at.After(p.now().Add(time.Hour)) {
		at = p.now()
	}
	dr := invite.DeliveryReport{
		InvitationID: id, Channel: invite.ChannelEmail, Kind: rep.Kind, Status: receiptStatus(rep.Kind),
		Code: rep.Status, Detail: rep.Diagnostic, Reporter: rep.ReportingMTA, Source: source, At: at,
		DedupeKey: dedupeKey(rep),
	}
	if rep.Kind == invite.ReportBounce {
		dr.Reason = Reason(rep.Status)
	}
	res, err := p.store.ApplyReport(ctx, dr)
	if errors.Is(err, invite.ErrUnknownAttempt) {
		return p.drop(ctx, out, DropUnknown, source), nil
	}
	if err != nil {
		return out, fmt.Errorf("bounce: record report for attempt %d: %w", id, err)
	}
	out.Result = res
	if res.Duplicate {
		return p.drop(ctx, out, DropDuplicate, source), nil
	}
	p.stats.Recorded.Add(1)
	p.log.InfoContext(ctx, "delivery report recorded", "invitation_id", id, "source", source, "format", rep.Format,
		"kind", rep.Kind, "status", rep.Status, "effect", res.Effect, "reporting_mta", rep.ReportingMTA)
	return out, nil
}

// attempt finds the attempt a message is about: the envelope address (the
// listener's RCPT TO) first, then the addresses the bounce's own header says
// it was delivered to, then the tag in the returned original's headers. A
// tag-shaped string whose MAC is wrong makes it forged.
func (p *Processor) attempt(envelopeTo []string, rep Report) (int64, string) {
	for _, a := range envelopeTo {
		if id, ok := p.tags.CheckAddress(a); ok {
			return id, ""
		}
	}
	for _, a := range rep.Addressed {
		if id, ok := p.tags.FindTag(a); ok {
			return id, ""
		}
	}
	if id, ok := p.tags.FindTag(rep.Original); ok {
		return id, ""
	}
	if tagShape.MatchString(strings.Join(envelopeTo, " ")+" "+strings.Join(rep.Addressed, " ")+" "+rep.Original) ||
		len(envelopeTo) > 0 {
		return 0, DropForged
	}
	return 0, DropUnknown
}

func (p *Processor) drop(ctx context.Context, out Outcome, why, source string) Outcome {
	out.Dropped = why
	switch why {
	case DropForged:
		p.stats.Forged.Add(1)
	case DropUnknown:
		p.stats.Unknown.Add(1)
	case DropUnrecognised:
		p.stats.Unrecognised.Add(1)
	case DropMalformed:
		p.stats.Malformed.Add(1)
	case DropDuplicate:
		p.stats.Duplicate.Add(1)
	}
	level := slog.LevelInfo
	if why == DropForged {
		level = slog.LevelWarn
	}
	p.log.Log(ctx, level, "message to the bounce address dropped", "reason", why, "source", source,
		"invitation_id", out.InvitationID, "format", out.Report.Format)
	return out
}

// tagShape is anything that looks like a VERP tag, right MAC or not.
var tagShape = regexp.MustCompile(`(?i)(?:invite-|\+)[0-9]{1,19}-[a-z2-7]{13}\b`)

// receiptStatus is the receipt a kind of report gives its attempt. An
// automatic reply proves the message reached a mailbox.
func receiptStatus(kind string) invite.ReceiptStatus {
	switch kind {
	case invite.ReportBounce:
		return invite.ReceiptBounced
	case invite.ReportDelay:
		return invite.ReceiptDelayed
	}
	return invite.ReceiptDelivered
}

// dedupeKey names a report so that the same one arriving twice (a relay
// that retries, a mailbox read again) is recorded once: its Message-ID, or
// what it says when it has none.
func dedupeKey(r Report) string {
	src := "id:" + r.MessageID
	if r.MessageID == "" {
		src = strings.Join([]string{r.Kind, r.Action, r.Status, r.Diagnostic, r.ReportingMTA, r.Recipient}, "\x00")
	}
	sum := sha256.Sum256([]byte(src))
	return hex.EncodeToString(sum[:16])
}
