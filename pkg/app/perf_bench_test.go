package app_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/inviter/inviter/pkg/app"
	"github.com/inviter/inviter/pkg/config"
	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/tasks"
	"github.com/inviter/inviter/pkg/testenv"
)

// What the admin feels, measured on the api and worker processes (see
// procs_bench_test.go), each beside its baseline in the same run.

// defaults is the configuration of an unset environment.
func defaults(b *testing.B) config.Config {
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		b.Fatal(err)
	}
	return cfg
}

// BenchmarkSendAllMatching times POST /api/v1/invitations for every user
// matching a filter (results "none", as the pages send it) beside a raw
// asynq enqueue of as many tasks at the api's enqueue concurrency, and
// reports the api's peak RSS.
func BenchmarkSendAllMatching(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			s := startStack(b, nil, true)
			seedUsers(b, s.DB, n)
			client := asynq.NewClient(s.Redis.AsynqOpt())
			defer client.Close()
			var raw, api time.Duration
			startPeak, idle := s.api.peakRSS(b), s.api.rss(b)
			s.api.resetPeak(b)
			for i := 0; b.Loop(); i++ {
				resetStack(b, s)
				start := time.Now()
				rawEnqueue(b, client, n, int64(i)*int64(n))
				raw += time.Since(start)
				resetStack(b, s)

				api += sendAllMatching(b, s, n)
			}
			b.ReportMetric(float64(api.Milliseconds())/float64(b.N), "api-ms/op")
			b.ReportMetric(float64(raw.Milliseconds())/float64(b.N), "raw-enqueue-ms/op")
			b.ReportMetric(api.Seconds()/raw.Seconds(), "api/raw")
			b.ReportMetric(s.api.peakRSS(b), "api-send-peak-MiB")
			// Before the sends: start-up and the admin's sign-in (argon2id
			// takes 64 MiB per password it checks).
			b.ReportMetric(startPeak, "api-start-peak-MiB")
			b.ReportMetric(idle, "api-idle-MiB")
		})
	}
}

// sendAllMatching sends every user matching an empty filter, with results
// "none" as the pages ask, fails unless n were queued, and returns how long
// the api took to answer.
func sendAllMatching(b *testing.B, s *stack, n int) time.Duration {
	start := time.Now()
	var res struct{ Queued int }
	call(b, "POST", s.API+"/api/v1/invitations", s.token,
		map[string]any{"filter": map[string]any{}, "results": "none"}, &res, http.StatusAccepted)
	took := time.Since(start)
	if res.Queued != n {
		b.Fatalf("queued %d of %d\n%s", res.Queued, n, s.logs())
	}
	return took
}

// resetStack empties the queue and the invitation history, and vacuums
// what the reset left dead, as autovacuum would between two sends: without
// it each iteration pays for the previous one's dead rows.
func resetStack(b *testing.B, s *stack) {
	resetInvitations(b, &service{DB: s.DB, Redis: s.Redis})
	if _, err := s.DB.DB.Exec(`VACUUM ANALYZE invite_states, invitations`); err != nil {
		b.Fatal(err)
	}
}

// noopRate is asynq processing n no-op tasks at concurrency, enqueue
// included, in tasks a second: the ceiling of any worker.
func noopRate(b *testing.B, concurrency, n int) float64 {
	r := testenv.NewRedis(b)
	var processed atomic.Int64
	srv := asynq.NewServer(r.AsynqOpt(), asynq.Config{
		Concurrency: concurrency, Queues: map[string]int{tasks.Queue: 1}, LogLevel: asynq.WarnLevel,
		TaskCheckInterval: app.TaskCheckInterval,
	})
	mux := asynq.NewServeMux()
	mux.HandleFunc(tasks.TypeEmail, func(context.Context, *asynq.Task) error { processed.Add(1); return nil })
	if err := srv.Start(mux); err != nil {
		b.Fatal(err)
	}
	defer srv.Shutdown()
	client := asynq.NewClient(r.AsynqOpt())
	defer client.Close()
	start := time.Now()
	rawEnqueue(b, client, n, 0)
	waitFor(b, func() bool { return processed.Load() >= int64(n) })
	return float64(n) / time.Since(start).Seconds()
}

// sendBatch sends n users (all of s's users but the admin) and waits until
// none is waiting; it returns invitations a second.
func sendBatch(b *testing.B, s *stack, n int) float64 {
	sent := s.SMTP.Count()
	start := time.Now()
	sendAllMatching(b, s, n)
	// The messages first, which costs nothing to watch: counting the
	// waiting users every few milliseconds all along would load the
	// database the benchmark measures. Then the records.
	s.SMTP.WaitMessages(b, sent+n, 5*time.Minute)
	waitFor(b, func() bool { return countStatus(b, s.DB, invite.StatusWaiting) == 0 })
	elapsed := time.Since(start)
	if got := countStatus(b, s.DB, invite.StatusInvited); got != n {
		b.Fatalf("%d of %d users invited\n%s", got, n, s.logs())
	}
	return float64(n) / elapsed.Seconds()
}

// sendBatchCPU is sendBatch that also returns the CPU seconds PostgreSQL
// spent meanwhile (0 when the server is not on this machine).
func sendBatchCPU(b *testing.B, s *stack, n int) (rate, pgSeconds float64) {
	before, ok := postgresCPU(b, s.DB)
	rate = sendBatch(b, s, n)
	if after, _ := postgresCPU(b, s.DB); ok {
		pgSeconds = after - before
	}
	return rate, pgSeconds
}

// BenchmarkEndToEndProcesses sends 10,000 invitations through the api and
// worker processes into a loopback SMTP server, beside asynq processing as
// many no-op tasks at the same concurrency, under several settings: the
// defaults, and the worker concurrency and SMTP pool around them. Reports
// the worker's peak RSS.
func BenchmarkEndToEndProcesses(b *testing.B) {
	const n = 10_000
	def := defaults(b)
	type settings struct{ concurrency, pool int }
	sets := []settings{{20, 4}, {50, 4}, {50, 8}, {100, 8}, {100, 16}}
	if def := (settings{def.WorkerConcurrency, def.SMTP.PoolSize}); !slices.Contains(sets, def) {
		sets = append([]settings{def}, sets...)
	}
	for _, set := range sets {
		b.Run(fmt.Sprintf("concurrency=%d/pool=%d", set.concurrency, set.pool), func(b *testing.B) {
			s := startStack(b, map[string]string{"WORKER_CONCURRENCY": fmt.Sprint(set.concurrency),
				"SMTP_POOL_SIZE": fmt.Sprint(set.pool)}, false)
			seedUsers(b, s.DB, n)
			var e2e, noop, cpu, pgCPU float64
			for b.Loop() {
				resetStack(b, s)
				noop += noopRate(b, set.concurrency, n)
				before := s.worker.cpuSeconds(b)
				rate, pg := sendBatchCPU(b, s, n)
				e2e, pgCPU = e2e+rate, pgCPU+pg
				cpu += s.worker.cpuSeconds(b) - before
			}
			// Throughput per core: what the worker's own CPU allows, whatever
			// the machine's load does to the wall-clock rate; and what the
			// database spends on each invitation, the other half of the
			// machine.
			b.ReportMetric(float64(n*b.N)/cpu, "invitations/worker-cpu-s")
			if pgCPU > 0 {
				b.ReportMetric(pgCPU*1e6/float64(n*b.N), "postgres-cpu-µs/invitation")
			}
			b.ReportMetric(e2e/float64(b.N), "invitations/s")
			b.ReportMetric(noop/float64(b.N), "noop-tasks/s")
			b.ReportMetric(e2e/noop, "e2e/noop")
			b.ReportMetric(s.worker.peakRSS(b), "worker-peak-MiB")
		})
	}
}

// relayLatency is the one-way delay of a nearby SMTP relay (same region),
// for the benchmarks where the network matters.
const relayLatency = 5 * time.Millisecond

// BenchmarkSMTPPool sends 10,000 invitations at the default concurrency
// through an SMTP server a relayLatency away, with pools of several sizes:
// on loopback the pool hardly matters, across a network it bounds the rate.
func BenchmarkSMTPPool(b *testing.B) {
	const n = 10_000
	for _, pool := range []int{4, 8, 16} {
		b.Run(fmt.Sprintf("pool=%d", pool), func(b *testing.B) {
			s := startStack(b, map[string]string{"SMTP_POOL_SIZE": fmt.Sprint(pool)}, false)
			s.SMTP.SetLatency(relayLatency)
			seedUsers(b, s.DB, n)
			var rate float64
			for b.Loop() {
				resetStack(b, s)
				rate += sendBatch(b, s, n)
			}
			b.ReportMetric(rate/float64(b.N), "invitations/s")
			b.ReportMetric(s.worker.peakRSS(b), "worker-peak-MiB")
		})
	}
}

// BenchmarkMechanisms weighs each performance mechanism of the worker
// against its absence in the same run: two stacks side by side, one with
// everything on and one with PERF_OFF naming the mechanism, sending the
// same batch in turn. on/off above 1 means the mechanism pays.
func BenchmarkMechanisms(b *testing.B) {
	const n = 5000
	for _, m := range []string{config.PerfGroupCommit, config.PerfPreparedStatements, config.PerfSMTPPipelining, config.PerfSendGroups} {
		b.Run(m, func(b *testing.B) {
			on := startStack(b, nil, false)
			off := startStack(b, map[string]string{"PERF_OFF": m}, false)
			if m == config.PerfSMTPPipelining {
				// On loopback a round trip costs nothing, and neither does
				// sparing two; a relay is a network away.
				on.SMTP.SetLatency(relayLatency)
				off.SMTP.SetLatency(relayLatency)
			}
			seedUsers(b, on.DB, n)
			seedUsers(b, off.DB, n)
			var onRate, offRate, onPG, offPG float64
			for b.Loop() {
				resetStack(b, on)
				resetStack(b, off)
				rate, pg := sendBatchCPU(b, on, n)
				onRate, onPG = onRate+rate, onPG+pg
				rate, pg = sendBatchCPU(b, off, n)
				offRate, offPG = offRate+rate, offPG+pg
			}
			b.ReportMetric(onRate/float64(b.N), "on-invitations/s")
			b.ReportMetric(offRate/float64(b.N), "off-invitations/s")
			b.ReportMetric(onRate/offRate, "on/off")
			// The database's CPU for each invitation, steadier than a rate
			// on a shared machine: off/on above 1 means the mechanism
			// spares the database work.
			if onPG > 0 {
				b.ReportMetric(onPG*1e6/float64(n*b.N), "on-postgres-cpu-µs/invitation")
				b.ReportMetric(offPG*1e6/float64(n*b.N), "off-postgres-cpu-µs/invitation")
				b.ReportMetric(offPG/onPG, "postgres-cpu-off/on")
			}
		})
	}
}

// BenchmarkSingleInvitation times 200 single invitations one after the
// other on an idle stack, from the API call to the message at the SMTP
// server, and reports the median and the 99th percentile. "direct" is the
// default (the api enqueues a small batch's task itself); "dispatch" sends
// even a lone invitation through the dispatch task, for comparison.
func BenchmarkSingleInvitation(b *testing.B) {
	const n = 200
	for _, v := range []struct{ name, direct string }{{"direct", "100"}, {"dispatch", "0"}} {
		b.Run(v.name, func(b *testing.B) {
			s := startStack(b, map[string]string{"INVITE_DIRECT_ENQUEUE": v.direct}, false)
			ids := seedUsers(b, s.DB, n)
			var lat, api []time.Duration
			for b.Loop() {
				resetStack(b, s)
				before := len(s.SMTP.Messages())
				for i, id := range ids {
					start := time.Now()
					call(b, "POST", s.API+"/api/v1/invitations", s.token, map[string]any{"user_ids": []int64{id}}, nil, http.StatusAccepted)
					api = append(api, time.Since(start))
					deadline := start.Add(time.Minute)
					for len(s.SMTP.Messages()) < before+i+1 {
						if time.Now().After(deadline) {
							b.Fatalf("invitation %d never reached the SMTP server\n%s", i, s.logs())
						}
						time.Sleep(500 * time.Microsecond) // poll interval, not synchronisation
					}
					lat = append(lat, time.Since(start))
				}
			}
			b.ReportMetric(quantileMS(lat, 0.5), "p50-ms")
			b.ReportMetric(quantileMS(lat, 0.99), "p99-ms")
			// The api's share: the POST alone.
			b.ReportMetric(quantileMS(api, 0.5), "api-p50-ms")
		})
	}
}

// quantileMS is the q-quantile of ds in milliseconds; it sorts ds.
func quantileMS(ds []time.Duration, q float64) float64 {
	slices.Sort(ds)
	return float64(ds[int(q*float64(len(ds)-1))].Microseconds()) / 1000
}

// BenchmarkSendMillion sends to a selection of 1,000,000 users by filter
// (results "none"), once: the request must be accepted, however long the
// transaction takes, with the api's memory bounded by a page of the batch
// (api-send-peak-MiB). Seeding takes minutes; run it alone with
// make bench BENCH=SendMillion.
func BenchmarkSendMillion(b *testing.B) {
	const n = 1_000_000
	s := startStack(b, nil, true)
	seedUsers(b, s.DB, n)
	s.api.resetPeak(b)
	var api time.Duration
	for b.Loop() {
		resetStack(b, s)
		api += sendAllMatching(b, s, n)
	}
	b.ReportMetric(api.Seconds()/float64(b.N), "api-s/op")
	b.ReportMetric(s.api.peakRSS(b), "api-send-peak-MiB")
}
