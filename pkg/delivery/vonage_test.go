package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/delivery"
	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/testenv"
)

const testPhone = "+79051111111"

func newVonageSender(t testing.TB, baseURL string, change func(*delivery.VonageConfig)) *delivery.VonageSender {
	t.Helper()
	cfg := delivery.VonageConfig{APIKey: testenv.VonageAPIKey, APISecret: testenv.VonageAPISecret,
		From: "Inviter", BaseURL: baseURL, Timeout: 5 * time.Second}
	if change != nil {
		change(&cfg)
	}
	return delivery.NewVonageSender(cfg, loadTemplates(t), discardLog())
}

func TestVonageDelivers(t *testing.T) {
	t.Parallel()
	srv := testenv.StartVonage(t)
	s := newVonageSender(t, srv.URL(), nil)
	tpl := loadTemplates(t)
	for i, locale := range []string{"en", "ru"} {
		m := smsMessage(int64(100+i), testPhone, locale)
		if err := s.Send(t.Context(), m); err != nil {
			t.Fatalf("%s: %v", locale, err)
		}
		got := srv.WaitMessages(t, i+1, 5*time.Second)[i]
		want, err := tpl.Render(m)
		if err != nil {
			t.Fatal(err)
		}
		if got.To != "79051111111" || got.From != "Inviter" || got.Text != want.SMS {
			t.Errorf("%s: got to %q from %q text %q", locale, got.To, got.From, got.Text)
		}
		if wantType := map[string]string{"en": "", "ru": "unicode"}[locale]; got.Type != wantType {
			t.Errorf("%s: type %q, want %q", locale, got.Type, wantType)
		}
		if got.ClientRef != fmt.Sprint(m.InvitationID) {
			t.Errorf("%s: client-ref %q", locale, got.ClientRef)
		}
	}
}

func TestVonageThrottledThenDelivered(t *testing.T) {
	t.Parallel()
	srv := testenv.StartVonage(t)
	s := newVonageSender(t, srv.URL(), nil)
	srv.Respond(testPhone, "1")
	m := smsMessage(1, testPhone, "en")
	de := deliveryError(t, s.Send(t.Context(), m), invite.RateLimited)
	if de.ProviderCode != "1" || de.RetryAfter != time.Second || !strings.Contains(de.ProviderMessage, "Throughput") {
		t.Errorf("got code %q retry after %v message %q", de.ProviderCode, de.RetryAfter, de.ProviderMessage)
	}
	if err := s.Send(t.Context(), m); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	srv.WaitMessages(t, 1, 5*time.Second)
}

func TestVonageStatuses(t *testing.T) {
	t.Parallel()
	srv := testenv.StartVonage(t)
	s := newVonageSender(t, srv.URL(), nil)
	tests := []struct {
		status, text string
		class        invite.DeliveryClass
	}{
		{"3", "Invalid to number", invite.Rejected},
		{"3", "Invalid from param", invite.Permanent},
		{"5", "Internal Error", invite.Transient},
		{"6", "Invalid Message", invite.Rejected}, // an unrecognised number prefix: the recipient
		{"7", "Number barred", invite.Rejected},
		{"9", "Partner quota exceeded", invite.Permanent},
		{"29", "Non White-listed Destination - rejected", invite.Rejected},
		{"33", "Number de-activated", invite.Rejected},
	}
	for i, tt := range tests {
		t.Run(tt.status+" "+tt.text, func(t *testing.T) {
			t.Parallel()
			phone := fmt.Sprintf("+7905000%04d", i) // one number per case: the queues are per number
			srv.RespondText(phone, tt.status, tt.text)
			de := deliveryError(t, s.Send(t.Context(), smsMessage(int64(i), phone, "en")), tt.class)
			if de.ProviderCode != tt.status || de.ProviderMessage != tt.text {
				t.Errorf("provider code %q message %q", de.ProviderCode, de.ProviderMessage)
			}
		})
	}
}

func TestVonageEmptyMessages(t *testing.T) {
	t.Parallel()
	srv := testenv.StartVonage(t)
	s := newVonageSender(t, srv.URL(), nil)
	srv.EmptyMessages(1)
	deliveryError(t, s.Send(t.Context(), smsMessage(1, testPhone, "en")), invite.Transient) // and no panic
	if err := s.Send(t.Context(), smsMessage(1, testPhone, "en")); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
}

func TestVonageBadCredentials(t *testing.T) {
	t.Parallel()
	srv := testenv.StartVonage(t)
	s := newVonageSender(t, srv.URL(), func(c *delivery.VonageConfig) { c.APISecret = "wrong" })
	de := deliveryError(t, s.Send(t.Context(), smsMessage(1, testPhone, "en")), invite.Permanent)
	if de.ProviderCode != "4" || de.ProviderMessage != "Bad Credentials" {
		t.Errorf("provider code %q message %q", de.ProviderCode, de.ProviderMessage)
	}
}

func TestVonageMisconfiguredKey(t *testing.T) {
	t.Parallel()
	srv := testenv.StartVonage(t)
	s := newVonageSender(t, srv.URL(), func(c *delivery.VonageConfig) { c.APIKey = "short" })
	deliveryError(t, s.Send(t.Context(), smsMessage(1, testPhone, "en")), invite.Permanent)
}

func TestVonageHTTPErrors(t *testing.T) {
	t.Parallel()
	srv := testenv.StartVonage(t)
	s := newVonageSender(t, srv.URL(), nil)
	srv.FailHTTP(http.StatusInternalServerError, 1)
	de := deliveryError(t, s.Send(t.Context(), smsMessage(1, testPhone, "en")), invite.Transient)
	if de.ProviderCode != "HTTP 500" {
		t.Errorf("provider code %q", de.ProviderCode)
	}
	srv.FailHTTP(http.StatusTooManyRequests, 1)
	de = deliveryError(t, s.Send(t.Context(), smsMessage(1, testPhone, "en")), invite.RateLimited)
	if de.ProviderCode != "HTTP 429" || de.RetryAfter != 2*time.Second {
		t.Errorf("provider code %q retry after %v", de.ProviderCode, de.RetryAfter)
	}
	if err := s.Send(t.Context(), smsMessage(1, testPhone, "en")); err != nil {
		t.Fatalf("after the errors: %v", err)
	}
}

func TestVonageBadNumber(t *testing.T) {
	t.Parallel()
	srv := testenv.StartVonage(t)
	s := newVonageSender(t, srv.URL(), nil)
	for _, to := range []string{"+12", "+7905111111122334455", "+7 905 111", ""} {
		deliveryError(t, s.Send(t.Context(), smsMessage(1, to, "en")), invite.Rejected)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d SMS sent to bad numbers", n)
	}
}

func TestVonageConcurrent(t *testing.T) {
	t.Parallel()
	srv := testenv.StartVonage(t)
	s := newVonageSender(t, srv.URL(), nil)
	srv.Respond("+79050000001", "1") // one call in the crowd is throttled
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { errs[i] = s.Send(t.Context(), smsMessage(int64(i), fmt.Sprintf("+7905000%04d", i), "en")) })
	}
	wg.Wait()
	for i, err := range errs {
		if i == 1 {
			deliveryError(t, err, invite.RateLimited)
		} else if err != nil {
			t.Errorf("SMS %d: %v", i, err)
		}
	}
	srv.WaitMessages(t, n-1, 5*time.Second)
}

// hangingServer is an SMS API that does not answer until the client goes
// away or the test ends; it reports each request it got on the channel.
func hangingServer(t *testing.T) (url string, got <-chan struct{}) {
	t.Helper()
	ch := make(chan struct{}, 10)
	stop := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The server notices a client hanging up only once the body is read.
		_, _ = io.Copy(io.Discard, r.Body)
		ch <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(ts.Close)
	t.Cleanup(func() { close(stop) }) // runs first
	return ts.URL, ch
}

func TestVonageRespectsContext(t *testing.T) {
	t.Parallel()
	url, got := hangingServer(t)
	s := newVonageSender(t, url, func(c *delivery.VonageConfig) { c.Timeout = time.Minute })
	ctx, cancel := context.WithCancel(t.Context())
	done := sendAsync(ctx, s, smsMessage(1, testPhone, "en"))
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("the request did not arrive")
	}
	cancel()
	err := waitErr(t, done, 10*time.Second)
	deliveryError(t, err, invite.Transient)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v does not say the context was cancelled", err)
	}
}

func TestVonageTimeout(t *testing.T) {
	t.Parallel()
	url, _ := hangingServer(t)
	s := newVonageSender(t, url, func(c *delivery.VonageConfig) { c.Timeout = 300 * time.Millisecond })
	err := waitErr(t, sendAsync(t.Context(), s, smsMessage(1, testPhone, "en")), 10*time.Second)
	deliveryError(t, err, invite.Transient)
	var te interface{ Timeout() bool }
	if !errors.As(err, &te) || !te.Timeout() {
		t.Errorf("error %v is not a timeout", err)
	}
}
