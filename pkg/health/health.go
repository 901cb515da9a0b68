// Package health serves the liveness and readiness probes both binaries
// expose: /healthz answers while the process runs, /readyz only while every
// dependency (PostgreSQL, Redis) answers too.
package health

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"time"
)

// Check reports whether one dependency is usable.
type Check func(ctx context.Context) error

// Register adds /healthz and /readyz to mux.
func Register(mux *http.ServeMux, checks map[string]Check) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		write(w, http.StatusOK, map[string]any{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		names := make([]string, 0, len(checks))
		for n := range checks {
			names = append(names, n)
		}
		sort.Strings(names)
		status, code := "ok", http.StatusOK
		results := make(map[string]string, len(checks))
		for _, n := range names {
			if err := checks[n](ctx); err != nil {
				// The error names the dependency, not its address or password.
				results[n] = "unavailable"
				status, code = "unavailable", http.StatusServiceUnavailable
				continue
			}
			results[n] = "ok"
		}
		write(w, code, map[string]any{"status": status, "checks": results})
	})
}

func write(w http.ResponseWriter, code int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(body) //nolint:errcheck // the client went away
}
