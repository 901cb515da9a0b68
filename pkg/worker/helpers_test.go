package worker_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/inviter/inviter/pkg/auth"
	"github.com/inviter/inviter/pkg/delivery"
	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/ratelimit"
	"github.com/inviter/inviter/pkg/tasks"
	"github.com/inviter/inviter/pkg/testenv"
	"github.com/inviter/inviter/pkg/worker"
)

// Test settings: retries a few milliseconds apart, and deadlines generous
// enough for a loaded CI machine running the race detector.
const (
	retryBase   = 10 * time.Millisecond
	waitTimeout = 20 * time.Second
	inviteTTL   = time.Hour
	loginURL    = "https://learn.example.com"
)

// env is one test's world: its own PostgreSQL and Redis databases, loopback
// SMTP and Vonage servers, the real senders, the real handler and an asynq
// server that runs it once start is called.
type env struct {
	t         *testing.T
	store     *postgres.Store
	db        *testenv.Database
	redis     *testenv.Redis
	smtp      *testenv.SMTPServer
	vonage    *testenv.VonageServer
	hasher    *auth.TemporaryHasher
	handler   *worker.Handler
	enqueuer  *tasks.Enqueuer
	inspector *asynq.Inspector
	logs      *testenv.LogBuffer
	log       *slog.Logger
	passwords *passwordLog
}

// envConfig holds what a test may change in its env.
type envConfig struct {
	maxRetry    int
	smtpTimeout time.Duration
	// throttleWait is HandlerConfig.MaxThrottleWait (0: throttles go back to asynq).
	throttleWait time.Duration
	// wrapStore puts a fault injector around the real store the handler uses.
	wrapStore func(*postgres.Store) worker.Store
	// wrapSender puts something (a rate limiter) around the real senders.
	wrapSender func(worker.Sender, *testenv.Redis) worker.Sender
	observer   worker.Observer
}

type envOption func(*envConfig)

func withMaxRetry(n int) envOption { return func(c *envConfig) { c.maxRetry = n } }

func withThrottleWait(d time.Duration) envOption { return func(c *envConfig) { c.throttleWait = d } }

func withSMTPTimeout(d time.Duration) envOption { return func(c *envConfig) { c.smtpTimeout = d } }

func withSender(wrap func(worker.Sender, *testenv.Redis) worker.Sender) envOption {
	return func(c *envConfig) { c.wrapSender = wrap }
}

func withObserver(o worker.Observer) envOption { return func(c *envConfig) { c.observer = o } }

func withStore(wrap func(*postgres.Store) worker.Store) envOption {
	return func(c *envConfig) { c.wrapStore = wrap }
}

// newEnv builds a test's world; nothing runs tasks until start.
func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	cfg := envConfig{maxRetry: 3, smtpTimeout: 5 * time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	e := &env{t: t, logs: &testenv.LogBuffer{}, passwords: &passwordLog{}}
	e.log = slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.db = testenv.NewDatabase(t)
	e.store = postgres.NewStore(e.db.DB)
	e.redis = testenv.NewRedis(t)
	e.smtp = testenv.StartSMTP(t)
	e.vonage = testenv.StartVonage(t)

	tpl, err := delivery.LoadTemplates("", "en")
	if err != nil {
		t.Fatal(err)
	}
	smtpSender := delivery.NewSMTPSender(delivery.SMTPConfig{
		Host: e.smtp.Host(), Port: e.smtp.Port(), From: "Inviter <noreply@inviter.example.com>",
		Timeout: cfg.smtpTimeout,
	}, tpl, e.log)
	t.Cleanup(func() { _ = smtpSender.Close() })
	smsSender := delivery.NewVonageSender(delivery.VonageConfig{
		APIKey: testenv.VonageAPIKey, APISecret: testenv.VonageAPISecret, From: "Inviter",
		BaseURL: e.vonage.URL(), Timeout: 5 * time.Second,
	}, tpl, e.log)

	key := make([]byte, auth.MinSecretKeyBytes)
	_, _ = rand.Read(key)
	if e.hasher, err = auth.NewTemporaryHasher(key); err != nil {
		t.Fatal(err)
	}
	var store worker.Store = e.store
	if cfg.wrapStore != nil {
		store = cfg.wrapStore(e.store)
	}
	var sender worker.Sender = delivery.Router{Email: smtpSender, SMS: smsSender}
	if cfg.wrapSender != nil {
		sender = cfg.wrapSender(sender, e.redis)
	}
	e.handler = worker.NewHandler(store, sender, e.hasher,
		e.passwords.generate, worker.HandlerConfig{InviteTTL: inviteTTL, LoginURL: loginURL, DefaultLocale: "en",
			MaxThrottleWait: cfg.throttleWait, Observer: cfg.observer}, e.log)

	client := asynq.NewClient(e.redis.AsynqOpt())
	e.inspector = asynq.NewInspector(e.redis.AsynqOpt())
	t.Cleanup(func() {
		_ = client.Close()
		_ = e.inspector.Close()
	})
	e.enqueuer = tasks.NewEnqueuer(e.redis.Client, tasks.Options{MaxRetry: cfg.maxRetry, Timeout: 30 * time.Second}, 4)
	return e
}

// start runs an asynq server with the real handler, configured like the
// worker binary's but with short intervals; it stops when the test ends.
func (e *env) start() {
	e.t.Helper()
	srv := asynq.NewServer(e.redis.AsynqOpt(), asynq.Config{
		Concurrency:              4,
		Queues:                   map[string]int{tasks.DispatchQueue: 2, tasks.Queue: 1},
		StrictPriority:           true,
		RetryDelayFunc:           ratelimit.RetryDelay(worker.RetryDelay(retryBase)),
		IsFailure:                ratelimit.IsFailure(worker.IsFailure),
		TaskCheckInterval:        20 * time.Millisecond,
		DelayedTaskCheckInterval: 50 * time.Millisecond,
		ShutdownTimeout:          5 * time.Second,
		Logger:                   asynqLogger{e.log.With("component", "asynq")},
		LogLevel:                 asynq.DebugLevel,
	})
	mux := asynq.NewServeMux()
	e.handler.Register(mux)
	worker.NewDispatcher(e.store, e.enqueuer, 3, e.log).Register(mux)
	if err := srv.Start(mux); err != nil {
		e.t.Fatalf("start asynq server: %v", err)
	}
	e.t.Cleanup(srv.Shutdown)
}

// newUser creates a user from input as an admin would type it.
func (e *env) newUser(n invite.NewUser) invite.User {
	e.t.Helper()
	n, _, err := n.Normalize()
	if err != nil {
		e.t.Fatalf("normalize %+v: %v", n, err)
	}
	u, err := e.store.CreateUser(e.t.Context(), n)
	if err != nil {
		e.t.Fatalf("create user: %v", err)
	}
	return u
}

// invite runs a batch for users under method and returns the attempts to
// enqueue; every user must end waiting.
func (e *env) invite(method invite.VerificationMethod, users ...invite.User) []invite.Queued {
	e.t.Helper()
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	out, err := e.store.CreateInvitations(e.t.Context(), invite.Selection{UserIDs: ids}, 0,
		func(c invite.Candidate) invite.Decision { return invite.Decide(method, c) })
	if err != nil {
		e.t.Fatalf("create invitations: %v", err)
	}
	qs := make([]invite.Queued, 0, len(out))
	for _, o := range out {
		if o.Status != invite.StatusWaiting || o.InvitationID == 0 {
			e.t.Fatalf("batch outcome %+v, want a waiting attempt", o)
		}
		qs = append(qs, invite.Queued{InvitationID: o.InvitationID, Channel: o.Channel})
	}
	return qs
}

// enqueue puts the attempts in the queue as the API does.
func (e *env) enqueue(qs []invite.Queued) {
	e.t.Helper()
	if err := e.enqueuer.Enqueue(e.t.Context(), qs); err != nil {
		e.t.Fatalf("enqueue: %v", err)
	}
}

// task is the asynq task the enqueuer builds for q.
func (e *env) task(q invite.Queued) *asynq.Task {
	e.t.Helper()
	task, err := tasks.NewInvitationTask(q, tasks.Options{Timeout: 30 * time.Second})
	if err != nil {
		e.t.Fatal(err)
	}
	return task
}

func (e *env) user(id int64) invite.User {
	e.t.Helper()
	u, err := e.store.User(e.t.Context(), id)
	if err != nil {
		e.t.Fatalf("get user %d: %v", id, err)
	}
	return u
}

// attempt returns the user's attempt with id from their history.
func (e *env) attempt(userID, id int64) invite.Invitation {
	e.t.Helper()
	hist, err := e.store.Invitations(e.t.Context(), userID)
	if err != nil {
		e.t.Fatalf("history of user %d: %v", userID, err)
	}
	for _, inv := range hist {
		if inv.ID == id {
			return inv
		}
	}
	e.t.Fatalf("attempt %d not in the history of user %d: %+v", id, userID, hist)
	return invite.Invitation{}
}

// waitStatus waits until the user reaches status and returns them.
func (e *env) waitStatus(id int64, status invite.Status) invite.User {
	e.t.Helper()
	var u invite.User
	eventually(e.t, waitTimeout, func() bool {
		u = e.user(id)
		return u.InviteStatus == status
	}, "user %d to be %s", id, status)
	return u
}

// waitInvited waits until the SMTP server has a message for each user and
// every one of them is invited, and returns how many messages it holds.
func (e *env) waitInvited(users ...invite.User) int {
	e.t.Helper()
	e.smtp.WaitMessages(e.t, len(users), waitTimeout)
	for _, u := range users {
		e.waitStatus(u.ID, invite.StatusInvited)
	}
	return len(e.smtp.Messages())
}

// taskState returns the state of an attempt's task in Redis, or 0 when
// there is none.
func (e *env) taskState(invitationID int64) asynq.TaskState {
	e.t.Helper()
	info, err := e.inspector.GetTaskInfo(tasks.Queue, tasks.TaskID(invitationID))
	if errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) {
		return 0
	}
	if err != nil {
		e.t.Fatalf("task of attempt %d: %v", invitationID, err)
	}
	return info.State
}

// waitArchived waits until asynq has given up on the attempt's task, after
// which no further try can happen.
func (e *env) waitArchived(invitationID int64) {
	e.t.Helper()
	eventually(e.t, waitTimeout, func() bool { return e.taskState(invitationID) == asynq.TaskStateArchived },
		"the task of attempt %d to be archived", invitationID)
}

// flushRedis empties the test's Redis database, as a Redis restart without
// persistence does.
func (e *env) flushRedis() {
	e.t.Helper()
	if err := e.redis.Client.FlushDB(e.t.Context()).Err(); err != nil {
		e.t.Fatalf("flush Redis: %v", err)
	}
}

// eventually polls cond until it holds, failing the test after timeout.
func eventually(t *testing.T, timeout time.Duration, cond func() bool, format string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for "+format, append([]any{timeout}, args...)...)
		}
		select {
		case <-tick.C:
		case <-t.Context().Done():
			t.Fatalf("test ended while waiting for "+format, args...)
		}
	}
}

// asynqLogger sends asynq's own log lines to the test's logger, so that the
// password check covers them too.
type asynqLogger struct{ log *slog.Logger }

func (l asynqLogger) Debug(args ...any) { l.log.Debug(fmt.Sprint(args...)) }
func (l asynqLogger) Info(args ...any)  { l.log.Info(fmt.Sprint(args...)) }
func (l asynqLogger) Warn(args ...any)  { l.log.Warn(fmt.Sprint(args...)) }
func (l asynqLogger) Error(args ...any) { l.log.Error(fmt.Sprint(args...)) }
func (l asynqLogger) Fatal(args ...any) { l.log.Error(fmt.Sprint(args...)) }

// ctxTimeout returns a context for one call that must not hang.
func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}
