package metrics

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
)

// scrapeTimeout bounds the queries one scrape makes, well under
// Prometheus' default scrape timeout of 10s.
const scrapeTimeout = 5 * time.Second

// WaitingCounter reads the waiting invitations from PostgreSQL, the truth.
type WaitingCounter interface {
	WaitingStats(ctx context.Context) (count int64, oldest time.Duration, err error)
}

// waitingCollector reports inviter_waiting_invitations and
// inviter_oldest_waiting_seconds, read at scrape time.
type waitingCollector struct {
	store   WaitingCounter
	log     *slog.Logger
	waiting *prometheus.Desc
	oldest  *prometheus.Desc
}

// NewWaitingCollector returns the collector of waiting invitations.
func NewWaitingCollector(store WaitingCounter, log *slog.Logger) prometheus.Collector {
	return &waitingCollector{store: store, log: log,
		waiting: prometheus.NewDesc("inviter_waiting_invitations",
			"Invitation attempts waiting for delivery, from PostgreSQL.", nil, nil),
		oldest: prometheus.NewDesc("inviter_oldest_waiting_seconds",
			"Age of the oldest waiting invitation attempt (0 when none waits), from PostgreSQL.", nil, nil),
	}
}

func (c *waitingCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.waiting; ch <- c.oldest }

func (c *waitingCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	n, oldest, err := c.store.WaitingStats(ctx)
	if err != nil {
		c.log.Warn("metrics: read waiting invitations", "err", err)
		ch <- prometheus.NewInvalidMetric(c.waiting, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.waiting, prometheus.GaugeValue, float64(n))
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, oldest.Seconds())
}

// QueueInspector reads a queue's state from asynq (*asynq.Inspector).
type QueueInspector interface {
	Queues() ([]string, error)
	GetQueueInfo(queue string) (*asynq.QueueInfo, error)
}

// queueCollector reports the asynq queue's size by task state and its
// latency (the age of the oldest pending task).
type queueCollector struct {
	insp    QueueInspector
	queue   string
	log     *slog.Logger
	tasks   *prometheus.Desc
	latency *prometheus.Desc
}

// NewQueueCollector returns the collector of the asynq queue.
func NewQueueCollector(insp QueueInspector, queue string, log *slog.Logger) prometheus.Collector {
	return &queueCollector{insp: insp, queue: queue, log: log,
		tasks: prometheus.NewDesc("inviter_queue_tasks",
			"Tasks in the asynq queue by state (pending, active, scheduled, retry, archived).", []string{"queue", "state"}, nil),
		latency: prometheus.NewDesc("inviter_queue_latency_seconds",
			"Age of the oldest pending task in the asynq queue (0 when none is pending).", []string{"queue"}, nil),
	}
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.tasks; ch <- c.latency }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	info, err := c.read()
	if err != nil {
		c.log.Warn("metrics: read the asynq queue", "queue", c.queue, "err", err)
		ch <- prometheus.NewInvalidMetric(c.tasks, err)
		return
	}
	for _, s := range []struct {
		state string
		n     int
	}{{"pending", info.Pending}, {"active", info.Active}, {"scheduled", info.Scheduled},
		{"retry", info.Retry}, {"archived", info.Archived}} {
		ch <- prometheus.MustNewConstMetric(c.tasks, prometheus.GaugeValue, float64(s.n), c.queue, s.state)
	}
	ch <- prometheus.MustNewConstMetric(c.latency, prometheus.GaugeValue, info.Latency.Seconds(), c.queue)
}

// read returns the queue's state; a queue nobody has enqueued to yet does
// not exist in asynq: it is empty, not broken.
func (c *queueCollector) read() (*asynq.QueueInfo, error) {
	queues, err := c.insp.Queues()
	if err != nil {
		return nil, err
	}
	if !slices.Contains(queues, c.queue) {
		return &asynq.QueueInfo{Queue: c.queue}, nil
	}
	return c.insp.GetQueueInfo(c.queue)
}
