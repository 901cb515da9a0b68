package metrics_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/metrics"
)

// /metrics needs the bearer token when one is set, and serves our metrics
// beside the Go and process collectors.
func TestHandlerToken(t *testing.T) {
	reg := metrics.NewRegistry()
	m := metrics.New(reg)
	m.CountSignIn("ok")
	for _, c := range []struct {
		token, auth string
		want        int
	}{
		{"", "", 200}, {"s3cret", "", 401}, {"s3cret", "Bearer wrong", 401}, {"s3cret", "s3cret", 401},
		{"s3cret", "Bearer s3cret", 200},
	} {
		r := httptest.NewRequest("GET", "/metrics", nil)
		if c.auth != "" {
			r.Header.Set("Authorization", c.auth)
		}
		w := httptest.NewRecorder()
		metrics.Handler(reg, c.token).ServeHTTP(w, r)
		if w.Code != c.want {
			t.Errorf("token %q, Authorization %q: %d, want %d", c.token, c.auth, w.Code, c.want)
		}
		if w.Code == 200 {
			body := w.Body.String()
			for _, want := range []string{`inviter_signins_total{result="ok"} 1`, "go_goroutines", "process_cpu_seconds_total"} {
				if !strings.Contains(body, want) {
					t.Errorf("no %s in the scrape", want)
				}
			}
		}
	}
}

type sendFunc func(context.Context, invite.Message) error

func (f sendFunc) Send(ctx context.Context, m invite.Message) error { return f(ctx, m) }

// The instrumented sender times every call and counts provider errors by
// class and a code label of few values.
func TestInstrumentSender(t *testing.T) {
	m := metrics.New(metrics.NewRegistry())
	errs := []error{
		nil,
		&invite.DeliveryError{Class: invite.Rejected, ProviderCode: "550"},
		&invite.DeliveryError{Class: invite.Permanent, ProviderCode: "5.7.1"},
		&invite.DeliveryError{Class: invite.Transient, ProviderCode: "451 4.3.0 a long text from the server"},
		errors.New("connection reset"),
	}
	i := 0
	s := m.InstrumentSender(sendFunc(func(context.Context, invite.Message) error {
		time.Sleep(time.Millisecond) // a provider call takes time
		i++
		return errs[i-1]
	}))
	for range errs {
		_ = s.Send(context.Background(), invite.Message{Channel: invite.ChannelEmail})
	}
	for labels, want := range map[[3]string]float64{
		{"email", "rejected", "550"}: 1, {"email", "permanent", "5.7.1"}: 1,
		{"email", "transient", "other"}: 1, {"email", "transient", "none"}: 1,
	} {
		if got := testutil.ToFloat64(m.ProviderErrors.WithLabelValues(labels[:]...)); got != want {
			t.Errorf("provider errors %v = %v, want %v", labels, got, want)
		}
	}
	if n := testutil.CollectAndCount(m.ProviderErrors); n != 4 {
		t.Errorf("%d provider error series, want 4", n)
	}
	if n := testutil.CollectAndCount(m.DeliverySeconds); n != 1 {
		t.Errorf("%d delivery histograms, want 1 (email)", n)
	}
}

// Methods a client invents do not make label values.
func TestHTTPMethodLabel(t *testing.T) {
	reg := metrics.NewRegistry()
	m := metrics.New(reg)
	m.ObserveHTTP("/api/v1/users", "BREW", http.StatusMethodNotAllowed, time.Millisecond)
	m.ObserveHTTP("/api/v1/users", "GET", http.StatusOK, time.Millisecond)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var methods []string
	for _, f := range families {
		if f.GetName() != "inviter_http_request_seconds" {
			continue
		}
		for _, mt := range f.GetMetric() {
			for _, l := range mt.GetLabel() {
				if l.GetName() == "method" {
					methods = append(methods, l.GetValue())
				}
			}
		}
	}
	if strings.Join(methods, ",") != "GET,other" {
		t.Errorf("method labels %v, want GET and other", methods)
	}
}
