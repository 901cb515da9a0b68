package delivery_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/delivery"
	"github.com/inviter/inviter/pkg/testenv"
)

type refLog struct {
	mu   sync.Mutex
	refs map[int64][]string
}

func (r *refLog) RecordProviderRefs(_ context.Context, id int64, refs []string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refs[id] = append(r.refs[id], refs...)
	return nil
}

// Every SMS asks for a delivery receipt, at VONAGE_DLR_URL when set, and
// the message id Vonage answers is kept for matching the receipt.
func TestVonageAsksForReceipts(t *testing.T) {
	t.Parallel()
	srv := testenv.StartVonage(t)
	refs := &refLog{refs: map[int64][]string{}}
	const callback = "https://inviter.example.com/webhooks/vonage/delivery-receipt?token=t0k"
	s := newVonageSender(t, srv.URL(), func(c *delivery.VonageConfig) { c.ReceiptURL, c.Refs = callback, refs })
	if err := s.Send(t.Context(), smsMessage(501, testPhone, "en")); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitMessages(t, 1, 5*time.Second)[0]
	if got.StatusReportReq != "true" && got.StatusReportReq != "1" {
		t.Errorf("status-report-req = %q, want it asked", got.StatusReportReq)
	}
	if got.Callback != callback {
		t.Errorf("callback = %q, want %q", got.Callback, callback)
	}
	if r := refs.refs[501]; len(r) != 1 || r[0] != got.MessageID {
		t.Errorf("kept message ids %v, want [%s]", r, got.MessageID)
	}

	// Without VONAGE_DLR_URL the account's default webhook gets them.
	s = newVonageSender(t, srv.URL(), nil)
	if err := s.Send(t.Context(), smsMessage(502, testPhone, "en")); err != nil {
		t.Fatal(err)
	}
	got = srv.WaitMessages(t, 2, 5*time.Second)[1]
	if got.Callback != "" || (got.StatusReportReq != "true" && got.StatusReportReq != "1") {
		t.Errorf("without a receipt URL: callback %q, status-report-req %q", got.Callback, got.StatusReportReq)
	}
}
