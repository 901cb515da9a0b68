package httpapi

import (
	"net/url"
	"testing"
)

// The md5hash example of Vonage's own client libraries' tests.
func TestVonageSignatureKnownAnswer(t *testing.T) {
	p := url.Values{"a": {"1"}, "b": {"2"}, "timestamp": {"1461605396"}, "sig": {"6af838ef94998832dbfc29020b564830"}}
	if !checkVonageSignature(p, "secret") {
		t.Error("Vonage's example signature does not verify")
	}
	p.Set("b", "3")
	if checkVonageSignature(p, "secret") {
		t.Error("a changed parameter still verifies")
	}
}
