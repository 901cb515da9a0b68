package testenv

import (
	"bufio"
	"errors"
	"net"
	"net/smtp"
	"net/textproto"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

func sendMail(s *SMTPServer, to string) error {
	msg := "Subject: test\r\n\r\nhello\r\n"
	return smtp.SendMail(s.Addr(), nil, "from@example.com", []string{to}, []byte(msg))
}

func replyCode(t *testing.T, err error) int {
	t.Helper()
	var tpe *textproto.Error
	if !errors.As(err, &tpe) {
		t.Fatalf("error %v is not an SMTP reply", err)
	}
	return tpe.Code
}

func TestSMTPServerScripts(t *testing.T) {
	t.Parallel()
	s := StartSMTP(t)
	s.FailRcpt("Busy@Example.com", 451, "4.7.1", "later", 2)
	s.FailData(554, "refused", 1)
	for _, want := range []int{451, 451} {
		if code := replyCode(t, sendMail(s, "busy@example.com")); code != want {
			t.Errorf("RCPT reply %d, want %d", code, want)
		}
	}
	if code := replyCode(t, sendMail(s, "busy@example.com")); code != 554 {
		t.Errorf("DATA reply %d, want 554", code)
	}
	if err := sendMail(s, "busy@example.com"); err != nil {
		t.Fatalf("after the scripted failures: %v", err)
	}
	msgs := s.WaitMessages(t, 1, 5*time.Second)
	if len(msgs) != 1 || msgs[0].From != "from@example.com" || msgs[0].To[0] != "busy@example.com" ||
		!strings.Contains(string(msgs[0].Data), "hello") {
		t.Errorf("recorded %+v", msgs)
	}
	if n := s.Connections(); n != 4 {
		t.Errorf("Connections() = %d, want 4", n)
	}
	s.FailRcpt("never@example.com", 550, "", "no", -1)
	for range 3 {
		if code := replyCode(t, sendMail(s, "never@example.com")); code != 550 {
			t.Errorf("RCPT reply %d, want 550", code)
		}
	}
	s.FailRcpt("never@example.com", 0, "", "", 0)
	if err := sendMail(s, "never@example.com"); err != nil {
		t.Errorf("after removing the rule: %v", err)
	}
}

func TestSMTPServerStallAndDrop(t *testing.T) {
	t.Parallel()
	s := StartSMTP(t)
	conn, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	if _, err := r.ReadString('\n'); err != nil { // greeting
		t.Fatal(err)
	}
	s.Stall(time.Minute)
	if _, err := conn.Write([]byte("EHLO test\r\n")); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := r.ReadString('\n'); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("a stalled server answered EHLO (err %v)", err)
	}
	s.Stall(0)
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "250") {
		t.Fatalf("after the stall: %q, %v", line, err)
	}
	s.DropConnections()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, err := r.ReadString('\n'); err != nil {
			break // the rest of the EHLO reply, then EOF
		}
	}
}

func TestSMTPServerWaitMessagesFails(t *testing.T) {
	t.Parallel()
	s := StartSMTP(t)
	ft := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.WaitMessages(ft, 1, 50*time.Millisecond)
	}()
	<-done
	if !ft.failed {
		t.Error("WaitMessages did not fail the test without messages")
	}
}

// fatalRecorder notes a Fatalf instead of ending the test; the goroutine
// that called it ends with runtime.Goexit as under a real Fatalf.
type fatalRecorder struct {
	testing.TB
	failed bool
}

func (f *fatalRecorder) Fatalf(string, ...any) {
	f.failed = true
	runtime.Goexit()
}
