package delivery

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
)

// describeCause puts into words a failure that came with no answer from
// the provider (the connection was refused, TLS failed, nobody answered in
// time), for the card's history: "the SMTP server 10.0.0.5:587 refused the
// connection" tells an operator what to fix where an empty provider
// message tells nothing. service names the other side ("the SMTP server").
func describeCause(service string, err error) string {
	at := service
	var op *net.OpError
	if errors.As(err, &op) && op.Addr != nil {
		at = service + " " + op.Addr.String()
	}
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var hostErr x509.HostnameError
	var authErr x509.UnknownAuthorityError
	var invalidErr x509.CertificateInvalidError
	var recordErr tls.RecordHeaderError
	var alert tls.AlertError
	switch {
	case errors.Is(err, errNoTLS):
		return at + " does not offer STARTTLS, and the message would cross the network unencrypted"
	case errors.As(err, &dnsErr):
		return "the name " + dnsErr.Name + " of " + service + " could not be resolved"
	case errors.Is(err, syscall.ECONNREFUSED):
		return at + " refused the connection"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return at + " cannot be reached from here (no route)"
	case errors.As(err, &certErr), errors.As(err, &hostErr), errors.As(err, &authErr), errors.As(err, &invalidErr):
		return "the TLS certificate of " + at + " is not trusted: " + innermost(err).Error()
	case errors.As(err, &recordErr), errors.As(err, &alert):
		return "the TLS handshake with " + at + " failed: " + innermost(err).Error()
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return at + " did not answer in time"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return at + " closed the connection"
	case errors.Is(err, context.Canceled):
		return "the send was cancelled (the worker is stopping); it will be tried again"
	}
	return "could not talk to " + at + ": " + innermost(err).Error()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// innermost is the deepest error of a chain of single wraps: the part
// that says what happened, without our own prefixes.
func innermost(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}
