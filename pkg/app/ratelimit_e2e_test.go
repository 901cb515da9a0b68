package app_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/ratelimit"
)

// buildWorker builds cmd/worker once per test into a temporary directory,
// so that tests can run real, separate worker processes.
func buildWorker(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build cmd/worker: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "worker")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, goBin, "build", "-o", bin, "../../cmd/worker").CombinedOutput()
	if err != nil {
		t.Fatalf("build cmd/worker: %v\n%s", err, out)
	}
	return bin
}

// syncBuffer collects a process' output safely for concurrent reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startWorkerProcess runs the worker binary with env and stops it (SIGTERM,
// then SIGKILL after 30s) when the test ends.
func startWorkerProcess(t *testing.T, bin string, env map[string]string) *syncBuffer {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start worker: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Errorf("a worker process did not stop within 30s of SIGTERM")
		}
	})
	return out
}

// workerEnv is the environment of a worker process beside s.
func workerEnv(s *service, extra map[string]string) map[string]string {
	env := map[string]string{
		"DATABASE_URL": s.DB.URL, "REDIS_URL": s.Redis.URL, "WORKER_HTTP_ADDR": "127.0.0.1:0",
		"APP_URL": "https://learn.example.com", "SMTP_HOST": s.SMTP.Host(), "SMTP_PORT": strconv.Itoa(s.SMTP.Port()),
		"SMTP_FROM": "Learning <no-reply@example.com>", "RETRY_BASE_DELAY": "50ms", "MAX_RETRIES": "3",
		"RECONCILE_INTERVAL": "1s", "RECONCILE_GRACE": "30s", "SHUTDOWN_TIMEOUT": "10s", "LOG_LEVEL": "info",
		"DB_MAX_CONNS": "10", // three of them beside other tests, under PostgreSQL's default 100
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// Three worker processes with SMTP_RATE=40/s share one limit: over a batch
// of 2,000 the SMTP server never sees more than 40 messages (plus the
// documented burst) in any one-second window, and every user is invited.
func TestRateLimitAcrossWorkerProcesses(t *testing.T) {
	t.Parallel()
	const n, rate = 2000, 40
	s := startService(t, options{NoWorker: true})
	bin := buildWorker(t)
	var outs []*syncBuffer
	for range 3 {
		outs = append(outs, startWorkerProcess(t, bin, workerEnv(s, map[string]string{"SMTP_RATE": "40/s"})))
	}
	tok := adminToken(t, s)
	ids := seedUsers(t, s.DB, n)
	start := time.Now()
	call(t, "POST", s.API+"/api/v1/invitations", tok, map[string]any{"user_ids": ids}, nil, http.StatusAccepted)
	eventually(t, 4*time.Minute, "every user invited", func() bool { return countStatus(t, s.DB, "invited") == n })
	elapsed := time.Since(start)

	mails := s.SMTP.Messages()
	if len(mails) != n {
		t.Fatalf("%d messages, want %d", len(mails), n)
	}
	times := make([]time.Time, len(mails))
	for i, m := range mails {
		times[i] = m.At
	}
	burst := ratelimit.Limit{N: rate, Per: time.Second}.Burst()
	peak := maxInWindow(times, time.Second)
	t.Logf("3 worker processes, SMTP_RATE=40/s: %d messages in %s (%.1f/s); peak %d in one second (limit %d + burst %d)",
		n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), peak, rate, burst)
	if peak > rate+burst {
		t.Fatalf("the SMTP server saw %d messages within one second; SMTP_RATE=40/s allows %d + burst %d", peak, rate, burst)
	}
	if peak < rate/2 {
		t.Errorf("peak %d/s: the workers did not use the rate they were given", peak)
	}
	for i, out := range outs {
		if !contains(out.String(), `"msg":"provider rate limits"`) {
			t.Errorf("worker %d did not log its rate limit:\n%s", i, out.String())
		}
	}
}

// maxInWindow is the most times that fall in any window [t, t+w).
func maxInWindow(times []time.Time, w time.Duration) int {
	times = slices.Clone(times)
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	best, j := 0, 0
	for i := range times {
		for times[i].Sub(times[j]) >= w {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}
