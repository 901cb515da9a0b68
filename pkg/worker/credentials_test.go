package worker_test

import (
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/inviter/inviter/pkg/auth"
	"github.com/inviter/inviter/pkg/testenv"
)

// loginWorks reports whether password logs in as login the way the API
// checks it: the newest delivered attempt's hashes, bound to that attempt.
func (e *env) loginWorks(login, password string) bool {
	e.t.Helper()
	c, err := e.store.LoginCandidate(e.t.Context(), login)
	if err != nil {
		e.t.Fatalf("login candidate %q: %v", login, err)
	}
	for _, h := range c.PasswordHashes {
		if e.hasher.Verify(c.InvitationID, password, h) {
			return true
		}
	}
	return false
}

// assertSecretsKept checks that no password the handler generated is in
// the test's Redis database (every key and value) or in the logs.
func (e *env) assertSecretsKept() {
	e.t.Helper()
	pws := e.passwords.all()
	if len(pws) == 0 {
		e.t.Fatal("the handler generated no password: nothing to look for")
	}
	dump := e.redisDump()
	logs := e.logs.String()
	if logs == "" {
		e.t.Fatal("the logs are empty: nothing to look in")
	}
	for _, pw := range pws {
		if strings.Contains(dump, pw) {
			e.t.Errorf("a temporary password is stored in Redis")
		}
		if strings.Contains(logs, pw) {
			e.t.Errorf("a temporary password is in the logs:\n%s", logs)
		}
	}
}

// redisDump returns every key and value of the test's Redis database as
// text; it fails the test when the database is empty.
func (e *env) redisDump() string {
	e.t.Helper()
	ctx := e.t.Context()
	c := e.redis.Client
	var b strings.Builder
	keys := 0
	iter := c.Scan(ctx, 0, "*", 100).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		keys++
		b.WriteString(key + "\n")
		typ, err := c.Type(ctx, key).Result()
		if err != nil {
			e.t.Fatalf("type of %s: %v", key, err)
		}
		var vals []string
		switch typ {
		case "string":
			vals = []string{c.Get(ctx, key).Val()}
		case "hash":
			for k, v := range c.HGetAll(ctx, key).Val() {
				vals = append(vals, k, v)
			}
		case "list":
			vals = c.LRange(ctx, key, 0, -1).Val()
		case "set":
			vals = c.SMembers(ctx, key).Val()
		case "zset":
			vals = c.ZRange(ctx, key, 0, -1).Val()
		case "none": // expired meanwhile
		default:
			e.t.Fatalf("Redis key %s has type %s, which the scan does not read", key, typ)
		}
		for _, v := range vals {
			b.WriteString(v + "\n")
		}
	}
	if err := iter.Err(); err != nil {
		e.t.Fatalf("scan Redis: %v", err)
	}
	if keys == 0 {
		e.t.Fatal("the test's Redis database is empty: the scan proves nothing")
	}
	return b.String()
}

// mailCredentials reads the login and temporary password out of a received
// e-mail's text/plain part, by the labels of templates/en/body.txt.
func mailCredentials(t *testing.T, m testenv.ReceivedMail) (login, password string) {
	t.Helper()
	text := testenv.MailText(t, m.Data)
	for line := range strings.Lines(text) {
		if v, ok := strings.CutPrefix(line, "Login:"); ok {
			login = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "Temporary password:"); ok {
			password = strings.TrimSpace(v)
		}
	}
	if login == "" {
		t.Fatalf("no login in the e-mail:\n%s", text)
	}
	checkPassword(t, password)
	return login, password
}

// smsText is templates/en/sms.txt.
var smsText = regexp.MustCompile(`Login: (\S+) Password: (\S+) Sign in at `)

// smsCredentials reads the login and temporary password out of an SMS.
func smsCredentials(t *testing.T, m testenv.ReceivedSMS) (login, password string) {
	t.Helper()
	g := smsText.FindStringSubmatch(m.Text)
	if g == nil {
		t.Fatalf("SMS text %q does not read like templates/en/sms.txt", m.Text)
	}
	checkPassword(t, g[2])
	return g[1], g[2]
}

// checkPassword requires pw to look like auth.NewTemporaryPassword's output.
func checkPassword(t *testing.T, pw string) {
	t.Helper()
	if len(pw) != auth.TemporaryPasswordLength || strings.Trim(pw, auth.TemporaryPasswordAlphabet) != "" {
		t.Fatalf("message carries %q, not a temporary password", pw)
	}
}

// passwordLog wraps auth.NewTemporaryPassword and remembers what it made,
// so that a test can look for every password in places it must not be.
type passwordLog struct {
	mu   sync.Mutex
	list []string
}

func (p *passwordLog) generate() (string, error) {
	pw, err := auth.NewTemporaryPassword()
	if err == nil {
		p.mu.Lock()
		p.list = append(p.list, pw)
		p.mu.Unlock()
	}
	return pw, err
}

func (p *passwordLog) all() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.list...)
}
