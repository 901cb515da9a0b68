package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/inviter/inviter/pkg/app"
	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/tasks"
	"github.com/inviter/inviter/pkg/testenv"
)

// Both benchmarks measure their baseline in the same run, interleaved with
// the thing measured, and report the ratio: absolute figures depend on the
// machine, ratios much less.

// enqueueConcurrency is the api's default ENQUEUE_CONCURRENCY; the raw
// baseline enqueues with the same number of goroutines.
const enqueueConcurrency = 16

// BenchmarkInvite10kUsers times POST /api/v1/invitations for 10,000 users
// (the timer runs only around that call) beside a raw asynq enqueue of
// 10,000 tasks at the same concurrency.
func BenchmarkInvite10kUsers(b *testing.B) {
	const n = 10_000
	s := startService(b, options{NoWorker: true})
	tok := adminToken(b, s)
	ids := seedUsers(b, s.DB, n)
	client := asynq.NewClient(s.Redis.AsynqOpt())
	defer client.Close()

	var raw, api time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		resetInvitations(b, s)
		start := time.Now()
		rawEnqueue(b, client, n, int64(i)*n)
		raw += time.Since(start)
		resetInvitations(b, s)
		b.StartTimer()

		start = time.Now()
		var res struct{ Queued int }
		call(b, "POST", s.API+"/api/v1/invitations", tok, map[string]any{"user_ids": ids}, &res, http.StatusAccepted)
		api += time.Since(start)

		b.StopTimer()
		if res.Queued != n {
			b.Fatalf("queued %d of %d", res.Queued, n)
		}
		// The api enqueues one dispatch task; workers fill the queue.
		d, err := s.Redis.Client.LLen(context.Background(), "asynq:{"+tasks.DispatchQueue+"}:pending").Result()
		if err != nil || d != 1 {
			b.Fatalf("%d dispatch tasks in the queue (%v), want 1\n%s", d, err, s.Logs.String())
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(api.Milliseconds())/float64(b.N), "api-ms/op")
	b.ReportMetric(float64(raw.Milliseconds())/float64(b.N), "raw-enqueue-ms/op")
	b.ReportMetric(api.Seconds()/raw.Seconds(), "api/raw")
}

// BenchmarkEndToEnd times a batch of invitations from POST /invitations to
// every user invited, delivered by the real worker into a loopback SMTP
// server, beside asynq processing the same number of no-op tasks at the
// same concurrency (enqueue included in both).
func BenchmarkEndToEnd(b *testing.B) {
	const n = 2000
	concurrency := 50 // the default WORKER_CONCURRENCY
	s := startService(b, options{Env: map[string]string{
		"WORKER_CONCURRENCY": fmt.Sprint(concurrency), "SMTP_POOL_SIZE": "8", "RECONCILE_GRACE": "1m", "RECONCILE_INTERVAL": "30s",
		"DB_MAX_CONNS": "32", // the default, not the tests' small pool
	}})
	tok := adminToken(b, s)
	ids := seedUsers(b, s.DB, n)

	noopRedis := testenv.NewRedis(b)
	var processed atomic.Int64
	noop := asynq.NewServer(noopRedis.AsynqOpt(), asynq.Config{
		Concurrency: concurrency, Queues: map[string]int{tasks.Queue: 1}, LogLevel: asynq.WarnLevel,
		TaskCheckInterval: app.TaskCheckInterval, // as the real worker
	})
	mux := asynq.NewServeMux()
	mux.HandleFunc(tasks.TypeEmail, func(context.Context, *asynq.Task) error { processed.Add(1); return nil })
	if err := noop.Start(mux); err != nil {
		b.Fatal(err)
	}
	defer noop.Shutdown()
	client := asynq.NewClient(noopRedis.AsynqOpt())
	defer client.Close()

	var noopTime, e2eTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		start := time.Now()
		rawEnqueue(b, client, n, int64(i)*n)
		want := int64(i+1) * n
		waitFor(b, func() bool { return processed.Load() >= want })
		noopTime += time.Since(start)
		b.StartTimer()

		start = time.Now()
		call(b, "POST", s.API+"/api/v1/invitations", tok, map[string]any{"user_ids": ids}, nil, http.StatusAccepted)
		waitFor(b, func() bool { return countStatus(b, s.DB, invite.StatusWaiting) == 0 })
		e2eTime += time.Since(start)

		b.StopTimer()
		if got := countStatus(b, s.DB, invite.StatusInvited); got != n {
			b.Fatalf("%d of %d users invited", got, n)
		}
		b.StartTimer()
	}
	b.StopTimer()
	if got := len(s.SMTP.Messages()); got != n*b.N {
		b.Fatalf("SMTP server got %d messages, want %d", got, n*b.N)
	}
	e2eRate := float64(n*b.N) / e2eTime.Seconds()
	noopRate := float64(n*b.N) / noopTime.Seconds()
	b.ReportMetric(e2eRate, "invitations/s")
	b.ReportMetric(noopRate, "noop-tasks/s")
	b.ReportMetric(e2eRate/noopRate, "e2e/noop")
}

func adminToken(b testing.TB, s *service) string {
	var l loginResp
	call(b, "POST", s.API+"/api/v1/auth/login", "", map[string]string{"login": "admin", "password": adminPassword}, &l, http.StatusOK)
	return l.Token
}

// seedUsers inserts n users with valid e-mail addresses in one statement.
func seedUsers(b testing.TB, db *testenv.Database, n int) []int64 {
	var ids []int64
	err := db.DB.Select(&ids, `
		INSERT INTO users (login, first_name, last_name, email)
		SELECT 'user' || g, 'First' || g, 'Last' || g, 'user' || g || '@example.com' FROM generate_series(1, $1) g
		RETURNING id`, n)
	if err != nil {
		b.Fatal(err)
	}
	return ids
}

// resetInvitations empties the queue and the invitation history, so that
// every iteration invites users who are not invited yet.
func resetInvitations(b testing.TB, s *service) {
	if err := s.Redis.Client.FlushDB(context.Background()).Err(); err != nil {
		b.Fatal(err)
	}
	if _, err := s.DB.DB.Exec(`
		UPDATE invite_states SET current_invitation_id = NULL, status = 'not_invited', error_code = NULL, error_message = NULL;
		DELETE FROM invitations;`); err != nil {
		b.Fatal(err)
	}
}

// rawEnqueue is the baseline: n asynq enqueues of tasks shaped like ours
// (task id, queue, retry and timeout options), with enqueueConcurrency
// goroutines, and nothing else.
func rawEnqueue(b testing.TB, client *asynq.Client, n int, firstID int64) {
	var wg sync.WaitGroup
	next := make(chan int64)
	for range enqueueConcurrency {
		wg.Go(func() {
			for id := range next {
				payload, _ := json.Marshal(tasks.Payload{InvitationID: id})
				t := asynq.NewTask(tasks.TypeEmail, payload, asynq.TaskID(tasks.TaskID(id)),
					asynq.Queue(tasks.Queue), asynq.MaxRetry(8), asynq.Timeout(2*time.Minute))
				if _, err := client.Enqueue(t); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for i := range n {
		next <- firstID + int64(i) + 1
	}
	close(next)
	wg.Wait()
}

func countStatus(b testing.TB, db *testenv.Database, st invite.Status) int {
	var n int
	if err := db.DB.Get(&n, `SELECT count(*) FROM invite_states WHERE status = $1`, string(st)); err != nil {
		b.Fatal(err)
	}
	return n
}

// waitFor polls cond with a short interval and a generous deadline. The
// interval matters: a count every 2 ms costs PostgreSQL a noticeable share
// of the CPU the worker competes for; every 5 ms it is noise, and adds at
// most 5 ms to a measurement of about a second.
func waitFor(b testing.TB, cond func() bool) {
	deadline := time.Now().Add(5 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond) // poll interval, not synchronisation
	}
}
