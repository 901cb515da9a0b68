package testenv

import (
	"crypto/tls"
	"testing"
)

// ServerTLS returns a TLS configuration with a fresh self-signed certificate
// for 127.0.0.1 and localhost, for loopback servers of other protocols
// (IMAP over TLS); clients must skip verification.
func ServerTLS(t testing.TB) *tls.Config {
	t.Helper()
	cert, err := selfSignedCert()
	if err != nil {
		t.Fatalf("testenv: certificate: %v", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
}
