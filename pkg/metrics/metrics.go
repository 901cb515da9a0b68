// Package metrics holds the service's Prometheus metrics: one Metrics value
// per program, registered on a registry the program builds (no global
// registry), and the collectors that read PostgreSQL and the asynq queue at
// scrape time. The README's "Operating the service" section lists them.
package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the service's own metrics. Each program registers all of
// them, so that dashboards see zeros instead of missing series; the ones a
// program never moves stay at zero.
type Metrics struct {
	Invitations     *prometheus.CounterVec   // channel, outcome
	DeliverySeconds *prometheus.HistogramVec // channel
	ProviderErrors  *prometheus.CounterVec   // channel, class, code
	HTTPSeconds     *prometheus.HistogramVec // route, method, status
	SignIns         *prometheus.CounterVec   // result
	ImportRows      *prometheus.CounterVec   // result
	Requeued        prometheus.Counter
	RateLimitWait   *prometheus.HistogramVec // channel
}

// NewRegistry returns a registry holding the Go runtime and process
// collectors.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// New creates the metrics and registers them on reg.
func New(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Invitations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "inviter_invitations_total",
			Help: "Delivery tries by channel and outcome (delivered, rejected, refused, failed, retried).",
		}, []string{"channel", "outcome"}),
		DeliverySeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "inviter_delivery_seconds",
			Help:    "Duration of one call to the provider (SMTP transaction or Vonage request), whatever its result.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"channel"}),
		ProviderErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "inviter_provider_errors_total",
			Help: "Errors answered by a provider, by channel, class (rejected, permanent, transient, rate_limited) and provider code.",
		}, []string{"channel", "class", "code"}),
		HTTPSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "inviter_http_request_seconds",
			Help:    "Duration of HTTP requests by route pattern, method and status.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method", "status"}),
		SignIns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "inviter_signins_total",
			Help: "Sign-in attempts by result (ok, wrong_password, or the error code that refused it).",
		}, []string{"result"}),
		ImportRows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "inviter_import_rows_total",
			Help: "Rows of user imports by result (created, updated, unchanged, failed); dry runs are not counted.",
		}, []string{"result"}),
		Requeued: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "inviter_reconciler_requeued_total",
			Help: "Waiting invitations the reconciler found without a task and enqueued again.",
		}),
		RateLimitWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "inviter_rate_limit_wait_seconds",
			Help:    "Time a delivery waited for the provider rate limit (SMTP_RATE, SMS_RATE) before it was sent or rescheduled.",
			Buckets: []float64{0, .001, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"channel"}),
	}
	reg.MustRegister(m.Collectors()...)
	return m
}

// Collectors lists the metrics, for registering them (and for tests that
// check dashboards and alerts name only metrics that exist).
func (m *Metrics) Collectors() []prometheus.Collector {
	return []prometheus.Collector{m.Invitations, m.DeliverySeconds, m.ProviderErrors, m.HTTPSeconds, m.SignIns,
		m.ImportRows, m.Requeued, m.RateLimitWait}
}

// Outcome counts one delivery try's outcome.
func (m *Metrics) Outcome(channel, outcome string) {
	m.Invitations.WithLabelValues(channel, outcome).Inc()
}

// Requeue counts invitations the reconciler enqueued again.
func (m *Metrics) Requeue(n int) { m.Requeued.Add(float64(n)) }

// CountSignIn counts one sign-in attempt.
func (m *Metrics) CountSignIn(result string) { m.SignIns.WithLabelValues(result).Inc() }

// AddImportRows counts n rows of an import with the result.
func (m *Metrics) AddImportRows(result string, n int) {
	if n > 0 {
		m.ImportRows.WithLabelValues(result).Add(float64(n))
	}
}

// RateLimitWaited records a wait for the provider rate limit.
func (m *Metrics) RateLimitWaited(channel string, d time.Duration) {
	m.RateLimitWait.WithLabelValues(channel).Observe(d.Seconds())
}

// ObserveHTTP records one HTTP request's duration (httplog.Observer).
func (m *Metrics) ObserveHTTP(route, method string, status int, d time.Duration) {
	m.HTTPSeconds.WithLabelValues(route, methodLabel(method), strconv.Itoa(status)).Observe(d.Seconds())
}

// methodLabel keeps a client's invented methods out of the label values.
func methodLabel(m string) string {
	switch m {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
		return m
	}
	return "other"
}
