package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/inviter/inviter/pkg/health"
)

type readyBody struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do(t, "GET", "/healthz", "", nil)
	want(t, r, http.StatusOK)
	if b := decode[map[string]string](t, r); b["status"] != "ok" {
		t.Errorf("%v: want status ok", r)
	}
}

func TestReadyzWithLiveDependencies(t *testing.T) {
	t.Parallel()
	e := newEnv(t) // pings its PostgreSQL database and Redis DB
	r := e.do(t, "GET", "/readyz", "", nil)
	want(t, r, http.StatusOK)
	b := decode[readyBody](t, r)
	if b.Status != "ok" || b.Checks["postgres"] != "ok" || b.Checks["redis"] != "ok" {
		t.Errorf("%v: want ok for postgres and redis", r)
	}
}

func TestReadyzWithAFailingCheck(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, options{checks: map[string]health.Check{
		"postgres": func(context.Context) error { return nil },
		"redis": func(context.Context) error {
			return errors.New("dial tcp 10.0.0.7:6379: connect: connection refused (password s3cret)")
		},
	}})
	r := e.do(t, "GET", "/readyz", "", nil)
	want(t, r, http.StatusServiceUnavailable)
	b := decode[readyBody](t, r)
	if b.Status != "unavailable" || b.Checks["redis"] != "unavailable" || b.Checks["postgres"] != "ok" {
		t.Errorf("%v: want redis unavailable, postgres ok", r)
	}
	for _, leak := range []string{"10.0.0.7", "s3cret", "refused"} {
		if strings.Contains(string(r.Body), leak) {
			t.Errorf("%v: the probe shows the check's error (%q)", r, leak)
		}
	}
	// Liveness does not depend on the dependencies.
	want(t, e.do(t, "GET", "/healthz", "", nil), http.StatusOK)
}
