package testenv

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// ReceivedMail is a message the test SMTP server accepted.
type ReceivedMail struct {
	From string
	To   []string
	Data []byte    // the message as sent after DATA, headers included
	At   time.Time // when the message arrived (its DATA was read), for rate tests
	Ret  string    // the MAIL command's RET= (DSN), "" when not given
}

// SMTPServer is a real SMTP server (go-smtp) on 127.0.0.1 that records what
// it accepts and can be told to refuse, stall or drop connections.
type SMTPServer struct {
	srv  *smtp.Server
	ln   net.Listener
	done chan struct{} // closed at cleanup, to free stalled sessions

	mu          sync.Mutex
	messages    []ReceivedMail
	arrived     chan struct{} // closed and replaced when a message arrives
	rcptFail    map[string]*scriptedError
	dataFail    *scriptedError
	stallUntil  time.Time
	stallEnd    chan struct{} // closed by Stall(0) to free stalled sessions
	latency     latency       // see SetLatency
	authUser    string
	authPass    string
	authMechs   []string
	conns       map[*trackedConn]struct{}
	connections int
}

// scriptedError is a reply to give instead of accepting, times more times
// (forever when negative).
type scriptedError struct {
	err   *smtp.SMTPError
	times int
}

// StartSMTP starts a plain-text SMTP server, closed when the test ends. It
// allows AUTH without TLS, since it is on loopback (see RequireAuth).
func StartSMTP(t testing.TB) *SMTPServer {
	t.Helper()
	return startSMTP(t, nil)
}

// StartSMTPTLS starts an SMTP server that offers STARTTLS with a self-signed
// certificate for 127.0.0.1 and localhost: clients must skip verification.
func StartSMTPTLS(t testing.TB) *SMTPServer {
	t.Helper()
	cert, err := selfSignedCert()
	if err != nil {
		t.Fatalf("testenv: SMTP certificate: %v", err)
	}
	return startSMTP(t, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
}

// StartSMTPDSN starts a plain-text SMTP server that offers DSN (RFC 3461)
// and records the RET= each message asked for.
func StartSMTPDSN(t testing.TB) *SMTPServer {
	t.Helper()
	return startSMTP(t, nil, func(srv *smtp.Server) { srv.EnableDSN = true })
}

func startSMTP(t testing.TB, tlsConfig *tls.Config, tune ...func(*smtp.Server)) *SMTPServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: SMTP listen: %v", err)
	}
	s := &SMTPServer{
		done:     make(chan struct{}),
		arrived:  make(chan struct{}),
		rcptFail: make(map[string]*scriptedError),
		stallEnd: make(chan struct{}),
		conns:    make(map[*trackedConn]struct{}),
	}
	s.ln = &trackingListener{Listener: ln, srv: s}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		s.stall()
		return &smtpSession{srv: s}, nil
	}))
	s.srv.Domain = "testenv.localhost"
	s.srv.TLSConfig = tlsConfig
	s.srv.AllowInsecureAuth = tlsConfig == nil
	s.srv.ReadTimeout = time.Minute // frees a session whose client vanished
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	for _, f := range tune {
		f(s.srv)
	}
	go func() { _ = s.srv.Serve(s.ln) }()
	t.Cleanup(func() {
		close(s.done)
		_ = s.srv.Close()
	})
	return s
}

// Addr returns the server's "host:port".
func (s *SMTPServer) Addr() string { return s.ln.Addr().String() }

// Host returns the server's IP address, 127.0.0.1.
func (s *SMTPServer) Host() string { return s.ln.Addr().(*net.TCPAddr).IP.String() }

// Port returns the server's port.
func (s *SMTPServer) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// Messages returns the messages accepted so far.
func (s *SMTPServer) Messages() []ReceivedMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ReceivedMail(nil), s.messages...)
}

// Count returns how many messages were accepted so far.
func (s *SMTPServer) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.messages)
}

// WaitMessages waits until at least n messages have arrived and returns
// them, failing the test after timeout.
func (s *SMTPServer) WaitMessages(t testing.TB, n int, timeout time.Duration) []ReceivedMail {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		if len(s.messages) >= n {
			msgs := append([]ReceivedMail(nil), s.messages...)
			s.mu.Unlock()
			return msgs
		}
		arrived, got := s.arrived, len(s.messages)
		s.mu.Unlock()
		select {
		case <-arrived:
		case <-timer.C:
			t.Fatalf("testenv: SMTP server got %d messages in %v, want %d", got, timeout, n)
		}
	}
}

// FailRcpt makes RCPT TO:<addr> get the reply code (with the enhanced code
// "x.y.z", or the generic one when empty) times times, or always when times
// is negative; 0 removes the rule.
func (s *SMTPServer) FailRcpt(addr string, code int, enhanced, msg string, times int) {
	e := newSMTPError(code, enhanced, msg)
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(addr)
	if times == 0 {
		delete(s.rcptFail, key)
		return
	}
	s.rcptFail[key] = &scriptedError{err: e, times: times}
}

// FailData makes the end of DATA get the reply code times times, or always
// when times is negative; 0 removes the rule. The message is not recorded.
func (s *SMTPServer) FailData(code int, msg string, times int) {
	e := newSMTPError(code, "", msg)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dataFail = nil
	if times != 0 {
		s.dataFail = &scriptedError{err: e, times: times}
	}
}

// Stall makes the server stop answering EHLO, MAIL, RCPT and DATA for d, as
// a hung server does; Stall(0) ends a stall at once. Like a real server, a
// message stalled after its DATA is accepted when the stall ends, even if
// the client has given up meanwhile.
func (s *SMTPServer) Stall(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d <= 0 {
		s.stallUntil = time.Time{}
		close(s.stallEnd)
		s.stallEnd = make(chan struct{})
		return
	}
	s.stallUntil = time.Now().Add(d)
}

// RequireAuth makes the server offer AUTH with mechanisms ("PLAIN" and
// "LOGIN" when none are given) and refuse MAIL FROM until a client logs in
// as username with password.
func (s *SMTPServer) RequireAuth(username, password string, mechanisms ...string) {
	if len(mechanisms) == 0 {
		mechanisms = []string{sasl.Plain, sasl.Login}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authUser, s.authPass, s.authMechs = username, password, mechanisms
}

// Connections returns how many connections the server has accepted.
func (s *SMTPServer) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connections
}

// DropConnections closes every open connection from the server's side, as
// a server does with sessions idle for too long.
func (s *SMTPServer) DropConnections() {
	s.mu.Lock()
	conns := make([]*trackedConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
}

// stall blocks while the server is stalled.
func (s *SMTPServer) stall() {
	s.mu.Lock()
	d, end := time.Until(s.stallUntil), s.stallEnd
	s.mu.Unlock()
	if d <= 0 {
		return
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-end:
	case <-s.done:
	}
}

// scripted consumes one use of a scripted error; nil when there is none.
func (s *SMTPServer) scripted(e *scriptedError) error {
	if e == nil || e.times == 0 {
		return nil
	}
	if e.times > 0 {
		e.times--
	}
	return e.err
}

func (s *SMTPServer) record(m ReceivedMail) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

func newSMTPError(code int, enhanced, msg string) *smtp.SMTPError {
	e := &smtp.SMTPError{Code: code, Message: msg}
	if parts := strings.Split(enhanced, "."); len(parts) == 3 {
		for i, p := range parts {
			e.EnhancedCode[i], _ = strconv.Atoi(p)
		}
	}
	return e
}

// smtpSession is one client's session.
type smtpSession struct {
	srv    *SMTPServer
	authed bool
	from   string
	to     []string
	ret    string // RET= of MAIL (DSN)
}

func (ss *smtpSession) AuthMechanisms() []string {
	ss.srv.mu.Lock()
	defer ss.srv.mu.Unlock()
	return ss.srv.authMechs
}

func (ss *smtpSession) Auth(mech string) (sasl.Server, error) {
	ss.srv.mu.Lock()
	user, pass, mechs := ss.srv.authUser, ss.srv.authPass, ss.srv.authMechs
	ss.srv.mu.Unlock()
	check := func(u, p string) error {
		if u != user || p != pass {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		return nil
	}
	if !containsFold(mechs, mech) {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	switch strings.ToUpper(mech) {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, u, p string) error { return check(u, p) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (ss *smtpSession) Mail(from string, opts *smtp.MailOptions) error {
	ss.srv.stall()
	ss.srv.mu.Lock()
	needAuth := len(ss.srv.authMechs) > 0
	ss.srv.mu.Unlock()
	if needAuth && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from, ss.to = from, nil
	ss.ret = ""
	if opts != nil {
		ss.ret = string(opts.Return)
	}
	return nil
}

func (ss *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.srv.stall()
	ss.srv.mu.Lock()
	err := ss.srv.scripted(ss.srv.rcptFail[strings.ToLower(to)])
	ss.srv.mu.Unlock()
	if err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.srv.stall()
	ss.srv.mu.Lock()
	err = ss.srv.scripted(ss.srv.dataFail)
	ss.srv.mu.Unlock()
	if err != nil {
		return err
	}
	ss.srv.record(ReceivedMail{From: ss.from, To: append([]string(nil), ss.to...), Data: data, At: time.Now(), Ret: ss.ret})
	return nil
}

func (ss *smtpSession) Reset() { ss.from, ss.to = "", nil }

func (ss *smtpSession) Logout() error { return nil }

// loginServer is the server side of the LOGIN mechanism, which go-sasl
// provides only as a client.
type loginServer struct {
	check    func(user, pass string) error
	step     int
	username string
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	l.step++
	switch l.step {
	case 1:
		if len(response) > 0 { // the username as an initial response
			l.username = string(response)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 2:
		l.username = string(response)
		return []byte("Password:"), false, nil
	case 3:
		return nil, true, l.check(l.username, string(response))
	}
	return nil, false, errors.New("unexpected LOGIN response")
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// trackingListener counts accepted connections and keeps them, so that
// DropConnections can close them.
type trackingListener struct {
	net.Listener
	srv *SMTPServer
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, srv: l.srv}
	l.srv.mu.Lock()
	l.srv.conns[tc] = struct{}{}
	l.srv.connections++
	l.srv.mu.Unlock()
	return tc, nil
}

type trackedConn struct {
	net.Conn
	srv  *SMTPServer
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.srv.mu.Lock()
		delete(c.srv.conns, c)
		c.srv.mu.Unlock()
	})
	return c.Conn.Close()
}

// selfSignedCert makes a short-lived certificate for the loopback names.
func selfSignedCert() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "testenv SMTP"},
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("create certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
