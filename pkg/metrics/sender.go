package metrics

import (
	"context"
	"time"

	"github.com/inviter/inviter/pkg/invite"
)

// Sender delivers one message (the worker's senders).
type Sender interface {
	Send(ctx context.Context, m invite.Message) error
}

// InstrumentSender times every provider call (inviter_delivery_seconds) and
// counts the provider's errors by class and code
// (inviter_provider_errors_total).
func (m *Metrics) InstrumentSender(s Sender) Sender { return &instrumented{next: s, m: m} }

type instrumented struct {
	next Sender
	m    *Metrics
}

func (s *instrumented) Send(ctx context.Context, msg invite.Message) error {
	start := time.Now()
	err := s.next.Send(ctx, msg)
	ch := string(msg.Channel)
	s.m.DeliverySeconds.WithLabelValues(ch).Observe(time.Since(start).Seconds())
	if err != nil && ctx.Err() == nil {
		class, de := invite.ClassifyDelivery(err)
		s.m.ProviderErrors.WithLabelValues(ch, class.String(), codeLabel(de.ProviderCode)).Inc()
	}
	return err
}

// codeLabel keeps the code label's values few: provider codes are short
// (an SMTP reply "550" or "5.1.1", a Vonage status "6"); anything else, or
// none (a dropped connection), is "other" or "none".
func codeLabel(code string) string {
	if code == "" {
		return "none"
	}
	if len(code) > 8 {
		return "other"
	}
	for _, c := range code {
		if (c < '0' || c > '9') && c != '.' {
			return "other"
		}
	}
	return code
}
