package delivery_test

import (
	"testing"

	"github.com/inviter/inviter/pkg/delivery"
	"github.com/inviter/inviter/pkg/invite"
)

func TestRouter(t *testing.T) {
	t.Parallel()
	tpl := loadTemplates(t)
	email, sms := &outboxRecorder{}, &outboxRecorder{}
	r := delivery.Router{
		Email: delivery.NewOutbox(email, tpl, "noreply@inviter.example.com"),
		SMS:   delivery.NewOutbox(sms, tpl, "noreply@inviter.example.com"),
	}
	if err := r.Send(t.Context(), emailMessage(1, "a@example.com", "en")); err != nil {
		t.Fatal(err)
	}
	if err := r.Send(t.Context(), smsMessage(2, testPhone, "en")); err != nil {
		t.Fatal(err)
	}
	if e, s := email.saved(), sms.saved(); len(e) != 1 || e[0].InvitationID != 1 || len(s) != 1 || s[0].InvitationID != 2 {
		t.Errorf("e-mail outbox got %v, SMS outbox got %v", e, s)
	}

	m := emailMessage(3, "a@example.com", "en")
	m.Channel = "fax"
	deliveryError(t, r.Send(t.Context(), m), invite.Permanent)
	deliveryError(t, delivery.Router{Email: r.Email}.Send(t.Context(), smsMessage(4, testPhone, "en")), invite.Permanent)
}
