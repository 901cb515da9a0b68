package delivery_test

import (
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/delivery"
	"github.com/inviter/inviter/pkg/testenv"
)

// The two benchmarks send the same messages to the loopback server from
// 4×GOMAXPROCS goroutines, as a worker does: over a pool of 4 connections,
// and over a new connection per message (a fresh PoolSize 1 sender each
// time, as a naive dial-send-quit client does).

func BenchmarkSMTPPooled(b *testing.B) {
	srv := testenv.StartSMTP(b)
	s := delivery.NewSMTPSender(benchConfig(srv, 4), loadTemplates(b), slog.New(slog.DiscardHandler))
	b.Cleanup(func() { _ = s.Close() })
	benchSMTP(b, func() delivery.Sender { return s }, func(delivery.Sender) {})
	b.ReportMetric(float64(srv.Connections()), "conns")
}

func BenchmarkSMTPDialPerMessage(b *testing.B) {
	srv := testenv.StartSMTP(b)
	tpl := loadTemplates(b)
	log := slog.New(slog.DiscardHandler)
	benchSMTP(b,
		func() delivery.Sender { return delivery.NewSMTPSender(benchConfig(srv, 1), tpl, log) },
		func(s delivery.Sender) { _ = s.(*delivery.SMTPSender).Close() })
	b.ReportMetric(float64(srv.Connections()), "conns")
}

func benchConfig(srv *testenv.SMTPServer, pool int) delivery.SMTPConfig {
	return delivery.SMTPConfig{Host: srv.Host(), Port: srv.Port(), From: "noreply@inviter.example.com",
		PoolSize: pool, Timeout: 5 * time.Second}
}

func benchSMTP(b *testing.B, open func() delivery.Sender, done func(delivery.Sender)) {
	var id atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			s := open()
			if err := s.Send(b.Context(), emailMessage(id.Add(1), "bench@example.com", "en")); err != nil {
				b.Error(err)
			}
			done(s)
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
