// Package clientaddr finds the address of the client behind a request:
// the connection's peer, or, when that peer is a configured proxy
// (TRUSTED_PROXIES), the nearest untrusted address in X-Forwarded-For. An
// address anybody can write in a header is believed only from a proxy we
// run, or a client could pick a fresh one for every sign-in attempt.
package clientaddr

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

type ctxKey struct{}

// Middleware records the client's address in the request's context (see
// From) for every handler behind it.
func Middleware(trusted []netip.Prefix, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a, ok := Of(r, trusted); ok {
			r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, a))
		}
		next.ServeHTTP(w, r)
	})
}

// From returns the address Middleware recorded.
func From(ctx context.Context) (netip.Addr, bool) {
	a, ok := ctx.Value(ctxKey{}).(netip.Addr)
	return a, ok
}

// Of returns the client's address: the peer's, unless the peer is a
// trusted proxy; then X-Forwarded-For is read from the right (the entries
// our proxies appended) and the first address that is not a trusted proxy
// is the client. Entries left of it were written by the client and mean
// nothing.
func Of(r *http.Request, trusted []netip.Prefix) (netip.Addr, bool) {
	peer, ok := parse(r.RemoteAddr)
	if !ok {
		return netip.Addr{}, false
	}
	if !contains(trusted, peer) {
		return peer, true
	}
	client := peer
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a, ok := parse(strings.TrimSpace(parts[j]))
			if !ok {
				return client, true // garbage: stop at the last good hop
			}
			client = a
			if !contains(trusted, a) {
				return a, true
			}
		}
	}
	return client, true
}

func parse(s string) (netip.Addr, bool) {
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

func contains(prefixes []netip.Prefix, a netip.Addr) bool {
	for _, p := range prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
