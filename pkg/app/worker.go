package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/hibiken/asynq"

	"github.com/inviter/inviter/pkg/auth"
	"github.com/inviter/inviter/pkg/config"
	"github.com/inviter/inviter/pkg/delivery"
	"github.com/inviter/inviter/pkg/health"
	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/ratelimit"
	"github.com/inviter/inviter/pkg/tasks"
	"github.com/inviter/inviter/pkg/worker"
)

// groupCommitBatch bounds how many tasks' claims (or delivery records) one
// statement serves.
const groupCommitBatch = 100

// maxThrottleWait is the longest provider-requested pause a worker waits out
// inside a try (Vonage asks for about a second when it throttles).
const maxThrottleWait = 5 * time.Second

// TaskCheckInterval is how often an idle worker looks for new tasks. asynq
// sleeps between half and one and a half of it after finding the queues
// empty, so a lone invitation waits about half of it before a worker picks
// it up: 20ms keeps that a small part of BenchmarkSingleInvitation's median,
// for two Redis calls (one per queue) every 20ms on an idle worker.
const TaskCheckInterval = 20 * time.Millisecond

// Worker is the whole worker program (cmd/worker), callable from tests: it
// returns when ctx is done, after the tasks in flight have finished (up to
// SHUTDOWN_TIMEOUT), or on a start-up error.
func Worker(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected arguments %q", args)
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	log := NewLogger(stdout, cfg.LogLevel, "worker")
	routeLibraryLogs(log)
	log.Info("starting", "config", cfg)

	db, err := OpenDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	store := postgres.NewStore(db)
	hasher, err := TemporaryHasher(ctx, cfg, store)
	if err != nil {
		return err
	}
	verp, err := bounceVERP(ctx, cfg, store)
	if err != nil {
		return err
	}
	sender, closeSender, err := senders(cfg, store, verp, log)
	if err != nil {
		return err
	}
	defer closeSender()
	rc, err := Redis(cfg)
	if err != nil {
		return err
	}
	defer rc.Close()

	// Claims and delivery records of concurrent tasks share statements;
	// closed (deferred first, so run last) after the asynq server stops.
	reg, m := newMetrics()
	group, closeGroup := deliveryStore(cfg, store)
	defer closeGroup()
	handler := worker.NewHandler(group, limited(m.InstrumentSender(sender), newLimiter(cfg, rc, m, log)), hasher, auth.NewTemporaryPassword, worker.HandlerConfig{
		InviteTTL: cfg.InviteTTL, LoginURL: cfg.AppURL, DefaultLocale: cfg.DefaultLocale,
		MaxThrottleWait: maxThrottleWait, Observer: m,
	}, log)
	mux := asynq.NewServeMux()
	handler.Register(mux)
	enq := tasks.NewEnqueuer(rc, tasks.Options{MaxRetry: cfg.MaxRetries, Timeout: taskTimeout}, cfg.EnqueueConcurrency)
	registerDispatch(mux, store, enq, log)
	srv := asynq.NewServerFromRedisClient(rc, asynq.Config{
		Concurrency:     cfg.WorkerConcurrency,
		Queues:          workerQueues,
		StrictPriority:  true,
		RetryDelayFunc:  ratelimit.RetryDelay(worker.RetryDelay(cfg.RetryBaseDelay)),
		IsFailure:       ratelimit.IsFailure(worker.IsFailure),
		ShutdownTimeout: cfg.ShutdownTimeout,
		Logger:          AsynqLogger{Log: log},
		LogLevel:        AsynqLevel(cfg.LogLevel),
		BaseContext:     func() context.Context { return context.WithoutCancel(ctx) },
		// asynq's default idle poll (1s) would let a fresh batch wait up to a
		// second before the first send (see TaskCheckInterval).
		TaskCheckInterval: TaskCheckInterval,
		// Retries become due after RETRY_BASE_DELAY and more; checking for due
		// ones every 5s (the default) would stretch short delays.
		DelayedTaskCheckInterval: min(max(cfg.RetryBaseDelay/2, 50*time.Millisecond), 5*time.Second),
	})
	if err := srv.Start(mux); err != nil {
		return fmt.Errorf("start asynq server: %w", err)
	}
	// Shutdown waits for the tasks in flight; a task cut off by the timeout
	// goes back to the queue and, its attempt still waiting, runs again.
	defer srv.Shutdown()

	rec := worker.NewReconciler(store, enq, worker.ReconcilerConfig{
		Interval: cfg.ReconcileInterval, Grace: cfg.ReconcileGrace, Observer: m,
	}, log).WithLock(store)
	// The reconciler stops with the program, or when the health server
	// fails (a port in use): a worker without its probes must not linger.
	recCtx, stopRec := context.WithCancel(ctx)
	defer stopRec()
	recDone := make(chan error, 1)
	go func() { recDone <- rec.Run(recCtx) }()
	waitBounces, err := startBounces(recCtx, cfg, store, verp, log)
	if err != nil {
		stopRec()
		<-recDone
		return err
	}
	defer waitBounces()

	hmux := http.NewServeMux()
	health.Register(hmux, map[string]health.Check{"postgres": PingDB(db), "redis": PingRedis(rc)})
	mountMetrics(hmux, reg, cfg)
	err = Serve(ctx, cfg.WorkerHTTPAddr, hmux, cfg.ShutdownTimeout, log, "worker health")
	stopRec()
	<-recDone
	log.Info("stopping: waiting for tasks in flight", "timeout", cfg.ShutdownTimeout)
	return err
}

// senders builds the e-mail and SMS senders, falling back to the
// development outbox for a provider that is not configured.
func senders(cfg config.Config, store *postgres.Store, verp *delivery.VERP, log *slog.Logger) (worker.Sender, func(), error) {
	tpl, err := delivery.LoadTemplatesWith(cfg.TemplatesDir, cfg.DefaultLocale,
		delivery.TemplateOptions{ProductName: cfg.Pages.ProductName, TimeZone: cfg.Pages.DefaultTimeZone})
	if err != nil {
		return nil, nil, err
	}
	outbox := delivery.NewOutbox(outboxStore{store, cfg.DevOutbox.TTL}, tpl, cfg.SMTP.From)
	var r delivery.Router
	closeFn := func() {}
	switch {
	case cfg.EmailDev():
		log.Warn("DEVELOPMENT OUTBOX (DEV_OUTBOX=1): SMTP_HOST is not set, e-mail goes to the dev outbox, not to users")
		r.Email = outbox
	case cfg.EmailUnavailable():
		log.Warn("SMTP_HOST is not set: no e-mail is sent (the api refuses those invitations with email_unavailable)")
	default:
		smtp := delivery.NewSMTPSender(delivery.SMTPConfig{
			Host: cfg.SMTP.Host, Port: cfg.SMTP.Port, Username: cfg.SMTP.Username, Password: cfg.SMTP.Password,
			From: cfg.SMTP.From, PoolSize: cfg.SMTP.PoolSize, Timeout: cfg.SMTP.Timeout,
			InsecureSkipVerify: cfg.SMTP.InsecureSkipVerify, VERP: verp, NoPipelining: cfg.Perf.Disabled(config.PerfSMTPPipelining),
		}, tpl, log)
		r.Email = smtp
		closeFn = func() { smtp.Close() }
	}
	switch {
	case cfg.SMSDev():
		log.Warn("DEVELOPMENT OUTBOX (DEV_OUTBOX=1): VONAGE_API_KEY is not set, SMS go to the dev outbox, not to users")
		r.SMS = outbox
	case cfg.SMSUnavailable():
		log.Warn("VONAGE_API_KEY is not set: no SMS is sent (the api refuses those invitations with sms_unavailable)")
	default:
		r.SMS = delivery.NewVonageSender(delivery.VonageConfig{
			APIKey: cfg.Vonage.APIKey, APISecret: cfg.Vonage.APISecret, From: cfg.Vonage.From, BaseURL: cfg.Vonage.BaseURL,
			ReceiptURL: cfg.Bounce.VonageReceiptURL, Refs: store,
		}, tpl, log)
	}
	return r, closeFn, nil
}

// outboxStore adapts the PostgreSQL store to the outbox's interface.
type outboxStore struct {
	store *postgres.Store
	ttl   time.Duration // OUTBOX_TTL
}

func (o outboxStore) SaveOutboxMessage(ctx context.Context, m delivery.OutboxMessage) error {
	return o.store.SaveOutboxMessage(ctx, invite.OutboxMessage{
		InvitationID: &m.InvitationID, Channel: string(m.Channel), Recipient: m.Recipient,
		Subject: m.Subject, Body: m.Body, Raw: m.Raw, TTL: o.ttl,
	})
}
