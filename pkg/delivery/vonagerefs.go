package delivery

import (
	"context"
	"log/slog"

	"github.com/vonage/vonage-go-sdk"
)

// RefRecorder keeps the message ids Vonage gave an attempt's SMS (one per
// part), so that a delivery receipt is matched by client-ref and message id.
type RefRecorder interface {
	RecordProviderRefs(ctx context.Context, invitationID int64, refs []string) error
}

// askReceipt asks Vonage for a delivery receipt (status-report-req), sent to
// ReceiptURL when one is configured, else to the account's webhook.
func (s *VonageSender) askReceipt(opts *vonage.SMSOpts) {
	opts.StatusReportReq = true
	opts.Callback = s.cfg.ReceiptURL
}

// recordRefs keeps the message ids of a sent SMS. A failure is only logged:
// the message went out, and its receipt still matches by client-ref.
func (s *VonageSender) recordRefs(ctx context.Context, invitationID int64, res vonage.Sms) {
	if s.cfg.Refs == nil {
		return
	}
	refs := make([]string, 0, len(res.Messages))
	for _, m := range res.Messages {
		if m.MessageId != "" {
			refs = append(refs, m.MessageId)
		}
	}
	if len(refs) == 0 {
		return
	}
	if err := s.cfg.Refs.RecordProviderRefs(ctx, invitationID, refs); err != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "could not keep the SMS message ids", slog.Int64("invitation_id", invitationID),
			slog.String("error", err.Error()))
	}
}
