package app_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/testenv"
)

// The black-box benchmarks run cmd/api and cmd/worker as the processes they
// are in production, built once per benchmark run, so that their peak
// memory (VmHWM) can be read and nothing of the benchmark shares their
// heap or scheduler.

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// binaries builds cmd/api and cmd/worker once and returns their directory.
func binaries(b *testing.B) string {
	b.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "inviter-bench-")
		if buildErr != nil {
			return
		}
		for _, name := range []string{"api", "worker"} {
			out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, name), "../../cmd/"+name).CombinedOutput()
			if err != nil {
				buildErr = fmt.Errorf("build %s: %v\n%s", name, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		b.Fatal(buildErr)
	}
	return binDir
}

// proc is a running api or worker process.
type proc struct {
	cmd  *exec.Cmd
	logs *testenv.LogBuffer
	addr string
}

// startProc starts bin with env and waits for the log line want, whose
// "addr" it keeps.
func startProc(b *testing.B, bin string, env map[string]string, want string) *proc {
	b.Helper()
	cmd := exec.Command(bin)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &proc{cmd: cmd, logs: &testenv.LogBuffer{}}
	addr := make(chan string, 1)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = p.logs
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		sent := false
		for sc.Scan() {
			line := sc.Bytes()
			p.logs.Write(append(append([]byte{}, line...), '\n'))
			var rec struct{ Msg, Addr string }
			if !sent && json.Unmarshal(line, &rec) == nil && rec.Msg == want {
				addr <- rec.Addr
				sent = true
			}
		}
	}()
	b.Cleanup(p.stop)
	select {
	case p.addr = <-addr:
	case <-time.After(60 * time.Second):
		b.Fatalf("%s did not start\n%s", bin, p.logs.String())
	}
	return p
}

// peakRSS is the process's peak resident set (VmHWM), in MiB: since it
// started, or since the last resetPeak.
func (p *proc) peakRSS(b *testing.B) float64 { return p.status(b, "VmHWM:") }

// rss is the process's resident set now (VmRSS), in MiB.
func (p *proc) rss(b *testing.B) float64 { return p.status(b, "VmRSS:") }

// resetPeak starts peakRSS again from the current resident set (Linux's
// clear_refs 5), so that a benchmark reads the peak of what it measures
// rather than of the start-up.
func (p *proc) resetPeak(b *testing.B) {
	b.Helper()
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.cmd.Process.Pid), []byte("5"), 0); err != nil {
		b.Fatal(err)
	}
}

// cpuSeconds is the CPU time the process has used (user and system), from
// /proc/<pid>/stat in clock ticks of 1/100 s (Linux's USER_HZ).
func (p *proc) cpuSeconds(b *testing.B) float64 {
	b.Helper()
	st, err := readStat(p.cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	return st.cpu
}

// procStat is what the benchmarks read of /proc/<pid>/stat.
type procStat struct {
	ppid     int
	cpu      float64 // user and system, in seconds
	children float64 // of the children reaped, in seconds
}

func readStat(pid int) (procStat, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, err
	}
	// The command name (field 2) may hold spaces: count from its ")".
	fields := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+2:]))
	var ticks [4]float64
	for i := range ticks {
		if ticks[i], err = strconv.ParseFloat(fields[11+i], 64); err != nil {
			return procStat{}, fmt.Errorf("read /proc/%d/stat: %w", pid, err)
		}
	}
	ppid, err := strconv.Atoi(fields[1])
	if err != nil {
		return procStat{}, fmt.Errorf("read /proc/%d/stat: %w", pid, err)
	}
	return procStat{ppid: ppid, cpu: (ticks[0] + ticks[1]) / 100, children: (ticks[2] + ticks[3]) / 100}, nil
}

// postgresCPU is the CPU time the PostgreSQL server has used, all its
// processes together (the postmaster, the backends alive and those gone),
// or ok false when the server is not on this machine. Its difference over
// a send is what the database spent on it, whatever else ran meanwhile.
func postgresCPU(b *testing.B, db *testenv.Database) (seconds float64, ok bool) {
	b.Helper()
	var backend int
	if err := db.DB.Get(&backend, `SELECT pg_backend_pid()`); err != nil {
		b.Fatal(err)
	}
	st, err := readStat(backend)
	if err != nil {
		return 0, false // another machine's, or another namespace's
	}
	postmaster, err := readStat(st.ppid)
	if err != nil {
		return 0, false
	}
	seconds = postmaster.cpu + postmaster.children
	entries, err := os.ReadDir("/proc")
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if child, err := readStat(pid); err == nil && child.ppid == st.ppid {
			seconds += child.cpu
		}
	}
	return seconds, true
}

func (p *proc) status(b *testing.B, field string) float64 {
	b.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb / 1024
		}
	}
	b.Fatalf("no %s in /proc status", field)
	return 0
}

func (p *proc) stop() {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

// stack is a database, a Redis database, a loopback SMTP server and the
// api and (unless noWorker) worker processes on them.
type stack struct {
	api, worker *proc
	API         string
	DB          *testenv.Database
	Redis       *testenv.Redis
	SMTP        *testenv.SMTPServer
	token       string
}

// startStack starts the processes with the default settings but for the
// addresses and env.
func startStack(b *testing.B, env map[string]string, noWorker bool) *stack {
	b.Helper()
	dir := binaries(b)
	s := &stack{DB: testenv.NewDatabase(b), Redis: testenv.NewRedis(b), SMTP: testenv.StartSMTP(b)}
	base := map[string]string{
		"DATABASE_URL": s.DB.URL, "REDIS_URL": s.Redis.URL,
		"HTTP_ADDR": "127.0.0.1:0", "WORKER_HTTP_ADDR": "127.0.0.1:0",
		"ADMIN_LOGIN": "admin", "ADMIN_PASSWORD": adminPassword,
		"SMTP_HOST": s.SMTP.Host(), "SMTP_PORT": strconv.Itoa(s.SMTP.Port()), "SMTP_FROM": "Learning <no-reply@example.com>",
		"VONAGE_API_KEY": testenv.VonageAPIKey, "VONAGE_API_SECRET": testenv.VonageAPISecret,
		"LOG_LEVEL": "warn",
	}
	for k, v := range env {
		base[k] = v
	}
	// The api logs its address at info; the benchmark wants it and nothing else.
	apiEnv := map[string]string{}
	for k, v := range base {
		apiEnv[k] = v
	}
	apiEnv["LOG_LEVEL"] = "info"
	s.api = startProc(b, filepath.Join(dir, "api"), apiEnv, "api listening")
	s.API = "http://" + s.api.addr
	if !noWorker {
		wEnv := map[string]string{}
		for k, v := range base {
			wEnv[k] = v
		}
		wEnv["LOG_LEVEL"] = "info"
		s.worker = startProc(b, filepath.Join(dir, "worker"), wEnv, "worker health listening")
	}
	s.token = adminToken(b, &service{API: s.API})
	return s
}

// logs is both processes' output, for a failure message.
func (s *stack) logs() string {
	var buf bytes.Buffer
	buf.WriteString(s.api.logs.String())
	if s.worker != nil {
		buf.WriteString(s.worker.logs.String())
	}
	return buf.String()
}
