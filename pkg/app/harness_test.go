package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/app"
	"github.com/inviter/inviter/pkg/testenv"
)

// service is a running api and worker, started from their real programs
// with a test's own PostgreSQL database, Redis database, SMTP server and
// Vonage API.
type service struct {
	API, WorkerHealth string // base URLs
	SMTP              *testenv.SMTPServer
	Vonage            *testenv.VonageServer
	Logs              *testenv.LogBuffer
	DB                *testenv.Database
	Redis             *testenv.Redis
	stop              func()
}

const adminPassword = "e2e-admin-password"

// options tune startService.
type options struct {
	Env      map[string]string // overrides of the test environment
	NoWorker bool              // start the api alone
	Workers  int               // worker replicas side by side (default 1)
}

func startService(t testing.TB, opt options) *service {
	t.Helper()
	db := testenv.NewDatabase(t)
	rd := testenv.NewRedis(t)
	smtp := testenv.StartSMTP(t)
	vonage := testenv.StartVonage(t)
	env := map[string]string{
		"DATABASE_URL": db.URL, "REDIS_URL": rd.URL,
		"HTTP_ADDR": "127.0.0.1:0", "WORKER_HTTP_ADDR": "127.0.0.1:0",
		"APP_URL": "https://learn.example.com", "ADMIN_LOGIN": "admin", "ADMIN_PASSWORD": adminPassword,
		"SMTP_HOST": smtp.Host(), "SMTP_PORT": strconv.Itoa(smtp.Port()), "SMTP_FROM": "Learning <no-reply@example.com>",
		"VONAGE_API_KEY": testenv.VonageAPIKey, "VONAGE_API_SECRET": testenv.VonageAPISecret, "VONAGE_BASE_URL": vonage.URL(),
		"RETRY_BASE_DELAY": "50ms", "MAX_RETRIES": "3", "RECONCILE_INTERVAL": "200ms", "RECONCILE_GRACE": "1s",
		"SHUTDOWN_TIMEOUT": "10s", "LOG_LEVEL": "info",
		// Each program's pool, small: tests run side by side against one
		// PostgreSQL, which allows 100 connections by default.
		"DB_MAX_CONNS": "10",
	}
	for k, v := range opt.Env {
		env[k] = v
	}
	getenv := func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	logs := &testenv.LogBuffer{}
	workers := max(opt.Workers, 1)
	if opt.NoWorker {
		workers = 0
	}
	programs := 1 + workers
	apiAddr, workerAddr := make(chan string, 1), make(chan string, workers)
	done := make(chan error, programs)
	go func() { done <- app.API(ctx, nil, getenv, addrWatcher(logs, "api listening", apiAddr), io.Discard) }()
	for range workers {
		go func() {
			done <- app.Worker(ctx, nil, getenv, addrWatcher(logs, "worker health listening", workerAddr), io.Discard)
		}()
	}
	s := &service{SMTP: smtp, Vonage: vonage, Logs: logs, DB: db, Redis: rd}
	for range programs {
		select {
		case a := <-apiAddr:
			s.API = "http://" + a
		case a := <-workerAddr:
			if s.WorkerHealth == "" {
				s.WorkerHealth = "http://" + a
			}
		case err := <-done:
			cancel()
			t.Fatalf("a program stopped at start: %v\n%s", err, logs.String())
		case <-time.After(60 * time.Second):
			cancel()
			t.Fatalf("the programs did not start listening in time\n%s", logs.String())
		}
	}
	var once sync.Once
	s.stop = func() {
		once.Do(func() {
			cancel()
			for range programs {
				select {
				case err := <-done:
					if err != nil {
						t.Errorf("program returned %v after SIGTERM-like cancel", err)
					}
				case <-time.After(30 * time.Second):
					t.Errorf("a program did not stop within 30s of its context being cancelled")
				}
			}
		})
	}
	t.Cleanup(s.stop)
	return s
}

// addrWatcher passes log lines to logs and sends the "addr" of the first
// line whose msg is want: the programs log the address they bound, which is
// how a test that asked for port 0 learns it.
func addrWatcher(logs *testenv.LogBuffer, want string, addr chan<- string) io.Writer {
	pr, pw := io.Pipe()
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		sent := false
		for sc.Scan() {
			line := sc.Bytes()
			logs.Write(append(append([]byte{}, line...), '\n'))
			var rec struct{ Msg, Addr string }
			if !sent && json.Unmarshal(line, &rec) == nil && rec.Msg == want {
				addr <- rec.Addr
				sent = true
			}
		}
	}()
	return pw
}

// call sends a JSON request and decodes a JSON answer into out (if not nil),
// failing the test unless the status is want.
func call(t testing.TB, method, url, token string, body, out any, want int) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, url, resp.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, url, raw, err)
		}
	}
}

// eventually polls cond until it holds or the timeout passes.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond) // poll interval, not synchronisation
	}
}

func contains(haystack, needle string) bool { return strings.Contains(haystack, needle) }
