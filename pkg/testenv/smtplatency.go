package testenv

import (
	"sync/atomic"
	"time"
)

// latency is the one-way delay SetLatency adds to what clients send.
type latency struct{ d atomic.Int64 }

// SetLatency delays everything a client sends by d before the server reads
// it, as a relay across a network would see it: a client that pipelines
// MAIL, RCPT and DATA in one write pays the delay once, one that sends them
// one at a time pays it three times. 0 (the default) is loopback speed.
func (s *SMTPServer) SetLatency(d time.Duration) { s.latency.d.Store(int64(d)) }

// Read delays the bytes read by the server's latency.
func (c *trackedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if d := time.Duration(c.srv.latency.d.Load()); n > 0 && d > 0 {
		time.Sleep(d) // the simulated network's delay, not synchronisation
	}
	return n, err
}
