package testenv

import (
	"net/smtp"
	"testing"
	"time"
)

// SetLatency delays each command the server reads: a NOOP round trip takes
// at least the latency, and none without it.
func TestSMTPLatency(t *testing.T) {
	s := StartSMTP(t)
	c, err := smtp.Dial(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("client.example.com"); err != nil {
		t.Fatal(err)
	}
	const d = 80 * time.Millisecond
	s.SetLatency(d)
	start := time.Now()
	if err := c.Noop(); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < d {
		t.Errorf("NOOP with %v latency took %v", d, took)
	}
}
