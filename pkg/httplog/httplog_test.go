package httplog_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/httplog"
)

type observed struct {
	mu    sync.Mutex
	calls []string
}

func (o *observed) ObserveHTTP(route, method string, status int, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, method+" "+route+" "+http.StatusText(status))
}

// Each request gives one log line and one observation by route pattern,
// with the user a handler named; probes log at debug.
func TestMiddleware(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		httplog.SetUser(r.Context(), 42)
		w.Write([]byte("{}"))
	})
	mux.HandleFunc("POST /api/v1/invitations", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	obs := &observed{}
	h := httplog.Middleware(mux, log, obs)
	for _, r := range []*http.Request{
		httptest.NewRequest("GET", "/api/v1/users/17?search=secret-value", nil),
		httptest.NewRequest("POST", "/api/v1/invitations", strings.NewReader(`{"user_ids":[1]}`)),
		httptest.NewRequest("GET", "/nowhere/17", nil),
		httptest.NewRequest("GET", "/healthz", nil),
	} {
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	want := []string{"GET /api/v1/users/{id} OK", "POST /api/v1/invitations Accepted", "GET unmatched Not Found", "GET /healthz OK"}
	if strings.Join(obs.calls, "|") != strings.Join(want, "|") {
		t.Errorf("observed %q, want %q", obs.calls, want)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d info lines, want 3 (the probe at debug):\n%s", len(lines), buf.String())
	}
	var first struct {
		Msg, Method, Route string
		Status             int
		UserID             int64 `json:"user_id"`
		Duration           int64
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first.Msg != "http request" || first.Route != "/api/v1/users/{id}" || first.Status != 200 || first.UserID != 42 {
		t.Errorf("line %+v", first)
	}
	if strings.Contains(buf.String(), "secret-value") || strings.Contains(buf.String(), "/17") || strings.Contains(buf.String(), "user_ids") {
		t.Errorf("a path, query value or body reached the log:\n%s", buf.String())
	}
	if strings.Contains(lines[1], "user_id") {
		t.Errorf("a user on a request that named none: %s", lines[1])
	}
}
