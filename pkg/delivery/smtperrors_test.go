package delivery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"testing"

	"github.com/inviter/inviter/pkg/invite"
)

func TestClassifySMTP(t *testing.T) {
	t.Parallel()
	reply := func(code int, msg string) error { return &textproto.Error{Code: code, Msg: msg} }
	timeout := &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	tests := []struct {
		name     string
		err      error
		class    invite.DeliveryClass
		code     string
		keepConn bool
	}{
		{"4xx at RCPT", atStep(stepRcpt, reply(451, "4.3.0 Try again later")), invite.Transient, "451", true},
		{"4xx at MAIL", atStep(stepMail, reply(452, "4.3.1 Insufficient storage")), invite.Transient, "452", true},
		{"421 closes the channel", atStep(stepMail, reply(421, "4.4.2 Bye")), invite.Transient, "421", false},
		{"550 at RCPT", atStep(stepRcpt, reply(550, "5.1.1 No such user")), invite.Rejected, "550", true},
		{"551 at RCPT", atStep(stepRcpt, reply(551, "5.1.6 User moved")), invite.Rejected, "551", true},
		{"553 at RCPT", atStep(stepRcpt, reply(553, "5.1.3 Bad address syntax")), invite.Rejected, "553", true},
		{"552 at RCPT", atStep(stepRcpt, reply(552, "5.2.2 Mailbox full")), invite.Permanent, "552", true},
		{"550 at DATA", atStep(stepData, reply(550, "5.7.1 Spam")), invite.Permanent, "550", true},
		{"554 at DATA", atStep(stepData, reply(554, "5.6.0 Refused")), invite.Permanent, "554", true},
		{"535 at AUTH", atStep(stepAuth, reply(535, "5.7.8 Bad credentials")), invite.Permanent, "535", true},
		{"unexpected 250", atStep(stepData, reply(250, "OK")), invite.Transient, "250", true},
		{"timeout", atStep(stepRcpt, timeout), invite.Transient, "", false},
		{"EOF", atStep(stepReset, io.EOF), invite.Transient, "", false},
		{"refused", atStep(stepConnect, &net.OpError{Op: "dial", Err: errors.New("connection refused")}), invite.Transient, "", false},
		{"cancelled", fmt.Errorf("%w: %w", context.Canceled, atStep(stepMail, timeout)), invite.Transient, "", false},
		{"no STARTTLS", atStep(stepTLS, errNoTLS), invite.Permanent, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			de := classifySMTP(tt.err)
			if de.Class != tt.class || de.ProviderCode != tt.code {
				t.Errorf("classifySMTP(%v) = %s (%q), want %s (%q)", tt.err, de.Class, de.ProviderCode, tt.class, tt.code)
			}
			if !errors.Is(de, tt.err) {
				t.Errorf("DeliveryError does not wrap %v", tt.err)
			}
			if got := keepAfter(tt.err); got != tt.keepConn {
				t.Errorf("keepAfter(%v) = %v, want %v", tt.err, got, tt.keepConn)
			}
		})
	}
}

func TestIsLoopback(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"localhost": true, "127.0.0.1": true, "127.0.0.2": true, "::1": true,
		"smtp.example.com": false, "10.0.0.1": false, "": false,
	} {
		if got := isLoopback(host); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}
