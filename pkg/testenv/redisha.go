package testenv

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisProcess is a redis-server (or sentinel) the test started.
type redisProcess struct {
	Addr string
	cmd  *exec.Cmd
	done chan struct{}
}

// freePort asks the kernel for a free loopback port. Another process could
// take it before redis-server binds it; startRedisProcess then fails fast.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startRedisProcess runs redis-server with the configuration lines conf
// (plus port, bind and dir) and stops it when the test ends. With sentinel,
// it runs in Sentinel mode. It returns once the server answers PING.
func startRedisProcess(t testing.TB, sentinel bool, conf ...string) *redisProcess {
	t.Helper()
	return startRedisProcessWith(t, sentinel, func() []string { return conf })
}

// startRedisProcessWith is startRedisProcess with the configuration made by
// conf, once per try: a port freePort gave may be taken again before
// redis-server binds it (by another process, or by the kernel handing the
// same free port to our own next request), so a start that fails for an
// address in use is tried again on other ports.
func startRedisProcessWith(t testing.TB, sentinel bool, conf func() []string) *redisProcess {
	t.Helper()
	const tries = 5
	for try := 1; ; try++ {
		p, log, inUse := tryStartRedisProcess(t, sentinel, conf())
		if p != nil {
			return p
		}
		if !inUse || try == tries {
			t.Fatalf("testenv: redis-server exited at start:\n%s", log)
		}
	}
}

// tryStartRedisProcess starts one redis-server; when it exits at start it
// returns its log and whether it could not bind an address in use.
func tryStartRedisProcess(t testing.TB, sentinel bool, conf []string) (*redisProcess, string, bool) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("testenv: redis-server is needed (make test installs it): %v", err)
	}
	port := freePort(t)
	for slices.Contains(conf, "cluster-port "+strconv.Itoa(port)) {
		port = freePort(t) // the kernel gave the bus port again
	}
	dir := t.TempDir()
	lines := append([]string{"port " + strconv.Itoa(port), "bind 127.0.0.1", "dir " + dir,
		"save \"\"", "appendonly no", "protected-mode no", "logfile " + filepath.Join(dir, "redis.log")}, conf...)
	file := filepath.Join(dir, "redis.conf")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{file}
	if sentinel {
		args = append(args, "--sentinel")
	}
	p := &redisProcess{Addr: "127.0.0.1:" + strconv.Itoa(port), cmd: exec.Command(bin, args...), done: make(chan struct{})}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("testenv: start redis-server: %v", err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(p.kill)
	c := redis.NewClient(&redis.Options{Addr: p.Addr, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return p, "", false
		}
		select {
		case <-p.done:
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			return nil, p.Addr + ":\n" + string(log), strings.Contains(string(log), "Address already in use")
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("testenv: redis-server on %s did not answer within 20s: %v", p.Addr, err)
		}
		time.Sleep(50 * time.Millisecond) // poll interval
	}
}

// kill stops the process at once (SIGKILL), as a crashed machine would,
// and waits for it to be gone.
func (p *redisProcess) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
	}
}

// SentinelSet is a master, a replica and three sentinels (quorum 2) on
// loopback, watching the master as MasterName.
type SentinelSet struct {
	MasterName string
	Sentinels  []string
	servers    map[string]*redisProcess // by address
}

// StartSentinelSet starts a Sentinel set whose sentinels notice a dead
// master within a second and fail over at once.
func StartSentinelSet(t testing.TB) *SentinelSet {
	t.Helper()
	master := startRedisProcess(t, false)
	replica := startRedisProcess(t, false, "replicaof "+strings.Replace(master.Addr, ":", " ", 1))
	s := &SentinelSet{MasterName: "inviter-test", servers: map[string]*redisProcess{master.Addr: master, replica.Addr: replica}}
	for range 3 {
		sp := startRedisProcess(t, true,
			"sentinel monitor "+s.MasterName+" "+strings.Replace(master.Addr, ":", " ", 1)+" 2",
			"sentinel down-after-milliseconds "+s.MasterName+" 1000",
			"sentinel failover-timeout "+s.MasterName+" 5000",
			"sentinel parallel-syncs "+s.MasterName+" 1")
		s.Sentinels = append(s.Sentinels, sp.Addr)
	}
	// The set is ready when a sentinel knows the replica and its peers.
	eventuallyTrue(t, 30*time.Second, "the sentinels to see the replica and each other", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		sc := redis.NewSentinelClient(&redis.Options{Addr: s.Sentinels[0]})
		defer sc.Close()
		m, err := sc.Master(ctx, s.MasterName).Result()
		return err == nil && m["num-slaves"] == "1" && m["num-other-sentinels"] == "2"
	})
	return s
}

// URL is the set as REDIS_URL names it.
func (s *SentinelSet) URL(db int) string {
	return fmt.Sprintf("redis-sentinel://%s/%s/%d", strings.Join(s.Sentinels, ","), s.MasterName, db)
}

// Master asks a sentinel for the master's address.
func (s *SentinelSet) Master(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	sc := redis.NewSentinelClient(&redis.Options{Addr: s.Sentinels[0]})
	defer sc.Close()
	addr, err := sc.GetMasterAddrByName(ctx, s.MasterName).Result()
	if err != nil {
		t.Fatalf("testenv: ask a sentinel for the master: %v", err)
	}
	return net.JoinHostPort(addr[0], addr[1])
}

// KillMaster kills the master process (SIGKILL) and waits until the
// sentinels have promoted the replica; it returns the new master.
func (s *SentinelSet) KillMaster(t testing.TB) string {
	t.Helper()
	old := s.Master(t)
	s.servers[old].kill()
	var now string
	eventuallyTrue(t, 30*time.Second, "the sentinels to promote the replica", func() bool {
		now = s.Master(t)
		return now != old
	})
	return now
}

// Cluster is a Redis Cluster of three masters on loopback, each holding a
// third of the slots.
type Cluster struct {
	Addrs []string
}

// StartCluster starts a three-node cluster and waits until it serves.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	c := &Cluster{}
	var clients []*redis.Client
	var buses []int
	for range 3 {
		// The bus port is chosen too: port+10000, the default, may be
		// beyond 65535 for an ephemeral port.
		var bus int
		p := startRedisProcessWith(t, false, func() []string {
			bus = freePort(t)
			return []string{"cluster-enabled yes", "cluster-node-timeout 2000",
				"cluster-port " + strconv.Itoa(bus), "cluster-config-file nodes.conf"}
		})
		c.Addrs = append(c.Addrs, p.Addr)
		buses = append(buses, bus)
		rc := redis.NewClient(&redis.Options{Addr: p.Addr})
		t.Cleanup(func() { rc.Close() })
		clients = append(clients, rc)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const slots = 16384
	for i, rc := range clients {
		lo, hi := i*slots/3, (i+1)*slots/3-1
		if err := rc.ClusterAddSlotsRange(ctx, lo, hi).Err(); err != nil {
			t.Fatalf("testenv: cluster add slots: %v", err)
		}
		for j, other := range c.Addrs {
			host, port, _ := net.SplitHostPort(other)
			if err := rc.Do(ctx, "CLUSTER", "MEET", host, port, buses[j]).Err(); err != nil {
				t.Fatalf("testenv: cluster meet: %v", err)
			}
		}
	}
	eventuallyTrue(t, 30*time.Second, "the cluster to be ok on every node", func() bool {
		for _, rc := range clients {
			info, err := rc.ClusterInfo(ctx).Result()
			if err != nil || !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, "cluster_known_nodes:3") {
				return false
			}
		}
		return true
	})
	return c
}

// URL is the cluster as REDIS_URL names it.
func (c *Cluster) URL() string { return "redis-cluster://" + strings.Join(c.Addrs, ",") }

// eventuallyTrue polls cond until it holds, failing the test after timeout.
func eventuallyTrue(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("testenv: timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond) // poll interval
	}
}
