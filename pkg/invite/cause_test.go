package invite_test

import (
	"testing"

	"github.com/inviter/inviter/pkg/invite"
)

// Every cause written as a sentence reads back as itself, so what the
// worker stores is what a page can translate.
func TestCauseSentenceReadsBack(t *testing.T) {
	t.Parallel()
	causes := []invite.Cause{
		{Code: invite.CauseNoTLS, Service: invite.CauseServiceSMTP, Addr: "10.0.0.5:587"},
		{Code: invite.CauseDNS, Service: invite.CauseServiceSMTP, Addr: "mail.example.com"},
		{Code: invite.CauseRefused, Service: invite.CauseServiceSMTP, Addr: "10.0.0.5:587"},
		{Code: invite.CauseRefused, Service: invite.CauseServiceVonage},
		{Code: invite.CauseUnreachable, Service: invite.CauseServiceVonage, Addr: "[2001:db8::1]:443"},
		{Code: invite.CauseCertificate, Service: invite.CauseServiceSMTP, Addr: "10.0.0.5:587", Detail: "x509: certificate signed by unknown authority"},
		{Code: invite.CauseHandshake, Service: invite.CauseServiceVonage, Addr: "1.2.3.4:443", Detail: "remote error: tls: handshake failure"},
		{Code: invite.CauseTimeout, Service: invite.CauseServiceSMTP, Addr: "10.0.0.5:587"},
		{Code: invite.CauseClosed, Service: invite.CauseServiceSMTP, Addr: "10.0.0.5:587"},
		{Code: invite.CauseCancelled},
		{Code: invite.CauseOther, Service: invite.CauseServiceSMTP, Addr: "10.0.0.5:587", Detail: "something odd: with a colon"},
	}
	for _, c := range causes {
		s := c.Sentence()
		got, ok := invite.ParseCause(s)
		if !ok || got != c {
			t.Errorf("ParseCause(%q) = %+v, %v; want %+v", s, got, ok, c)
		}
	}
	if want := "the SMTP server 10.0.0.5:587 refused the connection"; causes[2].Sentence() != want {
		t.Errorf("sentence %q, want %q", causes[2].Sentence(), want)
	}
	for _, msg := range []string{"", "5.1.1 User unknown", "Partner quota exceeded", "the SMTP server refused the connection today"} {
		if c, ok := invite.ParseCause(msg); ok {
			t.Errorf("ParseCause(%q) = %+v, want no cause", msg, c)
		}
	}
}
