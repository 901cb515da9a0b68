package clientaddr

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestOf(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	for _, tc := range []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"no proxy", "203.0.113.5:4000", nil, "203.0.113.5"},
		{"an untrusted peer's header is ignored", "203.0.113.5:4000", []string{"1.2.3.4"}, "203.0.113.5"},
		{"through our proxy", "10.0.0.2:4000", []string{"198.51.100.7"}, "198.51.100.7"},
		{"a client-written entry left of the real one", "10.0.0.2:4000", []string{"6.6.6.6, 198.51.100.7"}, "198.51.100.7"},
		{"two proxies of ours", "10.0.0.2:4000", []string{"198.51.100.7, 10.1.1.1"}, "198.51.100.7"},
		{"several header lines", "10.0.0.2:4000", []string{"6.6.6.6", "198.51.100.7, 10.1.1.1"}, "198.51.100.7"},
		{"garbage stops the walk", "10.0.0.2:4000", []string{"198.51.100.7, nonsense"}, "10.0.0.2"},
		{"only proxies", "10.0.0.2:4000", []string{"10.9.9.9"}, "10.9.9.9"},
		{"IPv6 loopback proxy", "[::1]:4000", []string{"2001:db8::1"}, "2001:db8::1"},
		{"IPv4-mapped", "[::ffff:203.0.113.9]:1", nil, "203.0.113.9"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.remote
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		got, ok := Of(r, trusted)
		if !ok || got.String() != tc.want {
			t.Errorf("%s: %v %v, want %s", tc.name, got, ok, tc.want)
		}
	}
}
