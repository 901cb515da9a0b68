// Package httplog writes one log line per HTTP request and reports its
// duration to the metrics, by route pattern (Go's http.Request.Pattern),
// never by raw path: ids in paths would make a series per user, and query
// values and bodies may hold personal data. Handlers that learn who is
// asking tell it with SetUser, so the line carries the user id.
package httplog

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// Observer receives each request's route, method, status and duration.
type Observer interface {
	ObserveHTTP(route, method string, status int, d time.Duration)
}

type infoKey struct{}

// info is filled in while the request is served.
type info struct{ userID atomic.Int64 }

// SetUser records who made the request, for its log line. Outside
// Middleware it does nothing.
func SetUser(ctx context.Context, userID int64) {
	if in, ok := ctx.Value(infoKey{}).(*info); ok {
		in.userID.Store(userID)
	}
}

// Unmatched is the route of a request that no pattern matched.
const Unmatched = "unmatched"

// Middleware logs each request served by next at info level (health probes
// and metrics scrapes at debug, so that they do not drown the rest) and
// passes it to obs when obs is not nil.
func Middleware(next http.Handler, log *slog.Logger, obs Observer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		in := &info{}
		r = r.WithContext(context.WithValue(r.Context(), infoKey{}, in))
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		d := time.Since(start)
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		route := Route(r)
		if obs != nil {
			obs.ObserveHTTP(route, r.Method, status, d)
		}
		level := slog.LevelInfo
		if quiet(route) {
			level = slog.LevelDebug
		}
		attrs := []slog.Attr{slog.String("method", r.Method), slog.String("route", route),
			slog.Int("status", status), slog.Duration("duration", d)}
		if id := in.userID.Load(); id != 0 {
			attrs = append(attrs, slog.Int64("user_id", id))
		}
		log.LogAttrs(r.Context(), level, "http request", attrs...)
	})
}

// Route returns the pattern that served r without its method ("GET
// /api/v1/users/{id}" becomes "/api/v1/users/{id}"), or Unmatched.
func Route(r *http.Request) string {
	p := r.Pattern
	if p == "" {
		return Unmatched
	}
	if i := strings.IndexByte(p, ' '); i >= 0 {
		p = strings.TrimLeft(p[i+1:], " ")
	}
	return p
}

func quiet(route string) bool {
	switch route {
	case "/healthz", "/readyz", "/metrics", "/livez":
		return true
	}
	return false
}

// statusWriter remembers the status written. It passes Flush and Hijack
// on, since exports stream and asynqmon may upgrade.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := w.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("httplog: the response writer cannot be hijacked")
}
