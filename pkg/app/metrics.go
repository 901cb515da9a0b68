package app

import (
	"log/slog"
	"net/http"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/inviter/inviter/pkg/config"
	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/metrics"
	"github.com/inviter/inviter/pkg/ratelimit"
	"github.com/inviter/inviter/pkg/tasks"
	"github.com/inviter/inviter/pkg/worker"
)

// MetricsPath is where both programs serve their metrics.
const MetricsPath = "/metrics"

// newMetrics builds a program's registry (Go and process collectors) and
// its metrics on it. Each program has its own registry, passed down: no
// package-level state.
func newMetrics() (*prometheus.Registry, *metrics.Metrics) {
	reg := metrics.NewRegistry()
	return reg, metrics.New(reg)
}

// registerStateCollectors adds the gauges read at scrape time: waiting
// invitations from PostgreSQL and the asynq queue. The api serves them (it
// runs all the time, at a fixed small count), so that a scrape costs two
// queries per api replica rather than per worker. close releases the
// inspector.
func registerStateCollectors(reg prometheus.Registerer, store metrics.WaitingCounter, rc redis.UniversalClient,
	log *slog.Logger) (close func()) {
	insp := asynq.NewInspectorFromRedisClient(rc)
	reg.MustRegister(metrics.NewWaitingCollector(store, log), metrics.NewQueueCollector(insp, tasks.Queue, log))
	return func() { insp.Close() }
}

// mountMetrics serves the registry at MetricsPath on mux.
func mountMetrics(mux *http.ServeMux, reg prometheus.Gatherer, cfg config.Config) {
	mux.Handle("GET "+MetricsPath, metrics.Handler(reg, cfg.Ops.MetricsToken))
}

// newLimiter returns the providers' rate limiter, or nil when neither
// SMTP_RATE nor SMS_RATE is set.
func newLimiter(cfg config.Config, rc redis.UniversalClient, m *metrics.Metrics, log *slog.Logger) *ratelimit.Limiter {
	limits := map[string]ratelimit.Limit{}
	for ch, r := range map[invite.Channel]config.Rate{invite.ChannelEmail: cfg.Ops.SMTPRate, invite.ChannelSMS: cfg.Ops.SMSRate} {
		if !r.Unlimited() {
			limits[string(ch)] = ratelimit.Limit{N: r.N, Per: r.Per}
		}
	}
	if len(limits) == 0 {
		return nil
	}
	log.Info("provider rate limits", "smtp_rate", cfg.Ops.SMTPRate.String(), "sms_rate", cfg.Ops.SMSRate.String())
	return ratelimit.New(rc, ratelimit.Config{Limits: limits, Observer: m, Log: log})
}

// limited puts the limiter in front of the sender; a nil limiter (no
// limits) changes nothing.
func limited(s worker.Sender, l *ratelimit.Limiter) worker.Sender {
	if l == nil {
		return s
	}
	return l.Sender(s)
}
