package app_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// postfixRelay is a private Postfix instance on loopback playing the
// company's relay: its own configuration, queue and log in a temporary
// directory, started and stopped by the test. It accepts mail for any user
// of corp.test (local_recipient_maps is empty), finds no such local user,
// and writes its own bounce to the envelope sender, which it routes to the
// bounce listener for bounce.example.com.
type postfixRelay struct {
	dir  string
	port int
}

const postfixDaemons = "/usr/lib/postfix/sbin"

// postfixBinary finds Debian's postfix: `make test` installs it (`make postfix`).
func postfixBinary(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("POSTFIX"), "postfix", "/usr/sbin/postfix"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	t.Fatal("Postfix is not installed: run `make postfix` (Debian package postfix)")
	return ""
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// runBounded runs a command for at most 30 seconds: nothing here may hang.
func runBounded(t *testing.T, env []string, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func startPostfix(t *testing.T, listenerPort int) *postfixRelay {
	t.Helper()
	bin := postfixBinary(t)
	if os.Geteuid() != 0 {
		t.Fatal("Postfix's master runs as root (as CI does); run this test as root")
	}
	// Postfix's daemons run as the postfix user: the directory must be
	// reachable by it, unlike t.TempDir's.
	dir, err := os.MkdirTemp("", "inviter-postfix-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	for port == listenerPort { // the kernel may hand out the port it just gave
		port = freePort(t)
	}
	p := &postfixRelay{dir: dir, port: port}
	etc := filepath.Join(dir, "etc")
	if err := os.Mkdir(etc, 0o755); err != nil {
		t.Fatal(err)
	}
	dirs := map[string]string{
		"config_directory": etc, "queue_directory": filepath.Join(dir, "queue"),
		"data_directory": filepath.Join(dir, "data"), "command_directory": filepath.Dir(bin),
		"daemon_directory": postfixDaemons, "meta_directory": "/etc/postfix",
		"mail_owner": "postfix", "setgid_group": "postdrop",
	}
	var main strings.Builder
	for k, v := range dirs {
		if k != "config_directory" {
			fmt.Fprintf(&main, "%s = %s\n", k, v)
		}
	}
	fmt.Fprintf(&main, `compatibility_level = 3.6
shlib_directory = /usr/lib/postfix
myhostname = relay.test.localhost
mydomain = test.localhost
myorigin = $myhostname
mydestination = corp.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
local_recipient_maps =
alias_maps =
alias_database =
transport_maps = inline:{ bounce.example.com=smtp:[127.0.0.1]:%[1]d }
smtpd_peername_lookup = no
smtp_host_lookup = native
smtp_connect_timeout = 5s
biff = no
smtputf8_enable = no
maillog_file_prefixes = %[2]s
maillog_file = %[2]s/maillog
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
`, listenerPort, dir)
	master := fmt.Sprintf("127.0.0.1:%d inet n - n - - smtpd\n", p.port) + `pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
local unix - n n - - local
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
`
	for name, text := range map[string]string{"main.cf": main.String(), "master.cf": master} {
		if err := os.WriteFile(filepath.Join(etc, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var params []string
	for k, v := range dirs {
		params = append(params, k+"="+v)
	}
	runBounded(t, nil, filepath.Join(postfixDaemons, "post-install"), append(params, "create-missing")...)
	env := []string{"MAIL_CONFIG=" + etc}
	t.Cleanup(func() { p.stop(t, bin, env) })
	runBounded(t, env, bin, "-c", etc, "start")
	eventually(t, 30*time.Second, "Postfix to listen", func() bool {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(p.port), time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return p
}

// stop stops the instance, and kills its master if it lingers.
func (p *postfixRelay) stop(t *testing.T, bin string, env []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-c", filepath.Join(p.dir, "etc"), "stop")
	cmd.Env = append(os.Environ(), env...)
	_ = cmd.Run()
	if b, err := os.ReadFile(filepath.Join(p.dir, "queue", "pid", "master.pid")); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 1 {
			deadline := time.Now().Add(10 * time.Second)
			for syscall.Kill(pid, 0) == nil && time.Now().Before(deadline) {
				time.Sleep(100 * time.Millisecond) // waiting for our own master to exit
			}
			_ = syscall.Kill(pid, syscall.SIGKILL) // only the master this test started
		}
	}
	if t.Failed() {
		log, _ := os.ReadFile(filepath.Join(p.dir, "maillog"))
		t.Logf("Postfix's log:\n%s", log)
	}
	_ = os.RemoveAll(p.dir)
}

// TestPostfixBounce: a real Postfix relays the invitation, finds no such
// user, and sends its own bounce (asked for headers only) to the worker's
// bounce listener; the user ends in Error with Postfix's words.
func TestPostfixBounce(t *testing.T) {
	t.Parallel()
	listenerPort := freePort(t)
	relay := startPostfix(t, listenerPort)
	s := startService(t, options{Env: map[string]string{
		"SMTP_HOST": "127.0.0.1", "SMTP_PORT": strconv.Itoa(relay.port),
		"BOUNCE_ADDRESS": "bounces@bounce.example.com", "BOUNCE_SMTP_ADDR": "127.0.0.1:" + strconv.Itoa(listenerPort),
	}})
	logsOnFailure(t, s)
	api := s.API + "/api/v1"
	tok := adminToken(t, s)
	u := createUser(t, api, tok, map[string]string{"login": "nobody", "first_name": "No", "last_name": "Body",
		"email": "nobody-here@corp.test"})
	call(t, "POST", api+"/invitations", tok, map[string]any{"user_ids": []int64{u.ID}}, nil, http.StatusAccepted)
	waitStatus(t, api, tok, u.ID, "error")
	call(t, "GET", api+"/users/"+itoa(u.ID), tok, nil, &u, http.StatusOK)
	if u.InviteError == nil || u.InviteError.Code != "delivery_rejected" || !strings.Contains(u.InviteError.Message, "unknown user") {
		t.Fatalf("after Postfix's bounce: %+v", u.InviteError)
	}
	log, _ := os.ReadFile(filepath.Join(relay.dir, "maillog"))
	if !strings.Contains(string(log), "sender non-delivery notification") {
		t.Errorf("Postfix did not write the bounce itself:\n%s", log)
	}
}
