package delivery

import (
	"errors"
	"net"
	"net/textproto"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/inviter/inviter/pkg/invite"
)

// The enhanced status code decides over the basic one: 5.7.x is the
// operator's problem (delivery_failed with the server's text), 5.1.x the
// address's (delivery_rejected).
func TestClassifySMTPEnhancedCodes(t *testing.T) {
	t.Parallel()
	reply := func(code int, msg string) error { return &textproto.Error{Code: code, Msg: msg} }
	for _, tc := range []struct {
		name  string
		err   error
		class invite.DeliveryClass
	}{
		{"relaying denied to RCPT", atStep(stepRcpt, reply(550, "5.7.1 Relaying denied")), invite.Permanent},
		{"authentication required to RCPT", atStep(stepRcpt, reply(553, "5.7.0 Authentication required")), invite.Permanent},
		{"policy at MAIL", atStep(stepMail, reply(550, "5.7.1 Sender not allowed")), invite.Permanent},
		{"unknown user to RCPT", atStep(stepRcpt, reply(550, "5.1.1 <a@b>: User unknown")), invite.Rejected},
		{"bad domain as 554 to RCPT", atStep(stepRcpt, reply(554, "5.1.2 Host not found")), invite.Rejected},
		{"unknown user after DATA", atStep(stepData, reply(550, "5.1.1 Recipient rejected")), invite.Rejected},
		{"bad sender address", atStep(stepRcpt, reply(550, "5.1.8 Bad sender's system address")), invite.Permanent},
		{"5.1.0 at MAIL is our sender", atStep(stepMail, reply(550, "5.1.0 Sender rejected")), invite.Permanent},
		{"temporary stays temporary", atStep(stepRcpt, reply(450, "4.7.1 Greylisted")), invite.Transient},
		{"no enhanced code: the old rule", atStep(stepRcpt, reply(550, "No such user here")), invite.Rejected},
	} {
		de := classifySMTP(tc.err)
		if de.Class != tc.class {
			t.Errorf("%s: %s, want %s", tc.name, de.Class, tc.class)
		}
		var tpe *textproto.Error
		errors.As(tc.err, &tpe)
		if de.ProviderMessage != tpe.Msg {
			t.Errorf("%s: provider message %q, want the server's text", tc.name, de.ProviderMessage)
		}
		if de.Class == invite.Permanent && strings.Contains(invite.NewReason(invite.ReasonDeliveryFailed, de.ProviderMessage).Message, "non-existent") {
			t.Errorf("%s: the reason says the mailbox does not exist", tc.name)
		}
	}
}

// A failure with no answer from the server is put into words.
func TestDescribeCause(t *testing.T) {
	t.Parallel()
	addr := &net.TCPAddr{IP: net.IPv4(10, 0, 0, 5), Port: 587}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{atStep(stepConnect, &net.OpError{Op: "dial", Net: "tcp", Addr: addr, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}),
			"the SMTP server 10.0.0.5:587 refused the connection"},
		{atStep(stepRcpt, &net.OpError{Op: "read", Net: "tcp", Addr: addr, Err: os.ErrDeadlineExceeded}),
			"the SMTP server 10.0.0.5:587 did not answer in time"},
		{atStep(stepConnect, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Name: "mail.nowhere", Err: "no such host"}}),
			"the name mail.nowhere of the SMTP server could not be resolved"},
		{atStep(stepTLS, errNoTLS), "does not offer STARTTLS"},
	} {
		de := classifySMTP(tc.err)
		if !strings.Contains(de.ProviderMessage, tc.want) {
			t.Errorf("%v: %q, want %q", tc.err, de.ProviderMessage, tc.want)
		}
	}
}
