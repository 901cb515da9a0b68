package invite

import (
	"errors"
	"time"
)

// ReceiptStatus is what became of a message after the provider accepted it.
type ReceiptStatus string

// The receipt statuses, a contract of the API (history entries' receipt).
const (
	ReceiptAccepted  ReceiptStatus = "accepted"  // the provider took it; nothing since
	ReceiptDelivered ReceiptStatus = "delivered" // the handset or mailbox has it
	ReceiptDelayed   ReceiptStatus = "delayed"   // a soft bounce, a buffered SMS: still trying
	ReceiptBounced   ReceiptStatus = "bounced"   // an e-mail came back for good
	ReceiptFailed    ReceiptStatus = "failed"    // an SMS that will not arrive
)

// Final reports whether nothing after s changes what it says.
func (s ReceiptStatus) Final() bool { return s == ReceiptBounced || s == ReceiptFailed }

// Receipt is one thing we learnt about a message after the provider
// accepted it.
type Receipt struct {
	Status ReceiptStatus `json:"status"`
	At     time.Time     `json:"at"`
	Detail string        `json:"detail"`
}

// Report kinds: what kind of message told us.
const (
	ReportBounce    = "bounce"     // a permanent failure (DSN action failed, 5.x.x)
	ReportDelay     = "delay"      // a soft bounce (action delayed, 4.x.x)
	ReportAutoReply = "auto_reply" // an out-of-office or other RFC 3834 reply
	ReportDelivered = "delivered"  // a positive DSN or delivery receipt
	ReportSMS       = "sms"        // a Vonage delivery receipt
)

// Report effects: what a report did.
const (
	EffectUserFailed = "user_failed" // the user went from Invited to Error
	EffectHistory    = "history"     // recorded; nothing else changes
	EffectSuperseded = "superseded"  // for an attempt a newer one replaced: recorded only
)

// DeliveryReport is a bounce, an automatic reply or a delivery receipt,
// matched to the attempt it is about. It never holds a message body.
type DeliveryReport struct {
	InvitationID int64
	Channel      Channel // the channel it came by; must be the attempt's
	Kind         string  // Report*
	Status       ReceiptStatus
	// Reason, for a permanent failure: ReasonDeliveryRejected or
	// ReasonDeliveryFailed; empty for anything that changes no status.
	Reason   string
	Code     string // 5.1.1, or Vonage's err-code
	Detail   string // the diagnostic as the server gave it
	Reporter string // the reporting MTA, or the network code
	Source   string // smtp, imap, vonage
	At       time.Time
	// ProviderRef is the provider's id of the message (Vonage's
	// message-id); when the attempt recorded ids, it must be one of them.
	ProviderRef string
	DedupeKey   string
}

// ReportResult is what applying a report did.
type ReportResult struct {
	Effect    string // Effect*
	Duplicate bool   // the same report was already recorded: nothing done
}

// ErrUnknownAttempt is a report about no attempt we know (or about one
// sent by another channel, or a message id it was not given): dropped.
var ErrUnknownAttempt = errors.New("no such attempt")

// ErrNotYetDelivered is a permanent failure of an attempt whose delivery is
// not recorded yet (the relay bounced before the worker wrote down that it
// took the message): applied now, the delivery record would undo it, so the
// report must come again later (an SMTP 451, a message left in the mailbox,
// a 503 to Vonage).
var ErrNotYetDelivered = errors.New("attempt not yet recorded as delivered")

// LatestReceipt is the receipt of an attempt delivered at deliveredAt with
// reports (oldest first): the latest report, except that a final one
// (bounced, failed) stands whatever comes after it; "accepted" at the
// delivery time when nothing came back; nil when it was never delivered.
func LatestReceipt(deliveredAt *time.Time, reports []Receipt) *Receipt {
	var out *Receipt
	if deliveredAt != nil {
		out = &Receipt{Status: ReceiptAccepted, At: *deliveredAt}
	}
	for i := range reports {
		if out != nil && out.Status.Final() {
			break
		}
		r := reports[i]
		out = &r
	}
	return out
}
