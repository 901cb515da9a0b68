package worker_test

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/worker"
)

func TestBackoff(t *testing.T) {
	t.Parallel()
	const base = 10 * time.Second
	tests := []struct {
		n    int
		r    float64
		want time.Duration
	}{
		{0, 0, 5 * time.Second}, // half fixed, half random
		{0, 0.5, 7500 * time.Millisecond},
		{0, 0.75, 8750 * time.Millisecond},
		{1, 0, 10 * time.Second},
		{2, 0, 20 * time.Second},
		{3, 0.5, 60 * time.Second},
		{8, 0, 1280 * time.Second},
		{9, 0, 30 * time.Minute}, // 5120s is capped at an hour
		{9, 0.75, 52*time.Minute + 30*time.Second},
		{100, 0, 30 * time.Minute}, // no overflow however many retries
		{100, 0.5, 45 * time.Minute},
	}
	for _, tt := range tests {
		if got := worker.Backoff(base, tt.n, tt.r); got != tt.want {
			t.Errorf("Backoff(%v, %d, %v) = %v, want %v", base, tt.n, tt.r, got, tt.want)
		}
	}
	// Doubling per retry up to the cap, each delay in [d/2, d).
	for _, b := range []time.Duration{time.Millisecond, time.Second, 10 * time.Second, 2 * time.Hour} {
		for n := range 40 {
			d := time.Duration(min(float64(b)*math.Pow(2, float64(n)), float64(time.Hour)))
			lo, hi := worker.Backoff(b, n, 0), worker.Backoff(b, n, 0.9999999)
			if lo != d/2 || hi < lo || hi >= d {
				t.Errorf("Backoff(%v, %d): [%v, %v], want [%v, %v)", b, n, lo, hi, d/2, d)
			}
		}
	}
}

func TestRetryDelay(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := smsUser(e)
	q := e.invite(invite.MethodEmailOrPhone, u)[0]
	task := e.task(q)
	delay := worker.RetryDelay(retryBase)

	// Vonage throttles with status 1 and no Retry-After: the sender's
	// default wait of a second; HTTP 429 with Retry-After: 2.
	e.vonage.Respond(smsNumber, "1")
	throttled := e.handler.ProcessTask(t.Context(), task)
	e.vonage.FailHTTP(http.StatusTooManyRequests, 1)
	tooMany := e.handler.ProcessTask(t.Context(), task)
	for _, tt := range []struct {
		name string
		err  error
		want time.Duration
	}{
		{"status 1", throttled, time.Second},
		{"HTTP 429", tooMany, 2 * time.Second},
	} {
		if tt.err == nil {
			t.Fatalf("%s: ProcessTask returned nil", tt.name)
		}
		for n := range 5 {
			if got := delay(n, tt.err, task); got != tt.want {
				t.Errorf("%s: RetryDelay(%d) = %v, want the provider's %v", tt.name, n, got, tt.want)
			}
		}
		if worker.IsFailure(tt.err) {
			t.Errorf("%s: IsFailure(%v) = true, want false", tt.name, tt.err)
		}
		if errors.Is(tt.err, asynq.SkipRetry) {
			t.Errorf("%s: a throttled try is not retried: %v", tt.name, tt.err)
		}
		if worker.IsFailure(fmt.Errorf("wrapped: %w", tt.err)) {
			t.Errorf("%s: IsFailure does not see through wrapping", tt.name)
		}
	}
	if a := e.attempt(u.ID, q.InvitationID); a.Status != invite.AttemptWaiting || a.Attempts != 2 || a.ProviderMessage == "" {
		t.Errorf("attempt after two throttled tries: %+v, want waiting with the provider's message", a)
	}

	// A refusal (given up) and any other error count and back off.
	e.vonage.RespondText(smsNumber, "3", "Invalid to number")
	rejected := e.handler.ProcessTask(t.Context(), task)
	if !errors.Is(rejected, asynq.SkipRetry) {
		t.Fatalf("rejected number: %v, want SkipRetry", rejected)
	}
	for _, err := range []error{rejected, errors.New("worker: claim attempt 1: connection refused"),
		&invite.DeliveryError{Class: invite.Transient, ProviderMessage: "451 try later"}} {
		if !worker.IsFailure(err) {
			t.Errorf("IsFailure(%v) = false, want true", err)
		}
		for n := range 5 {
			d := retryBase << n
			if got := delay(n, err, task); got < d/2 || got >= d {
				t.Errorf("RetryDelay(%d, %v) = %v, want in [%v, %v)", n, err, got, d/2, d)
			}
		}
	}
}
