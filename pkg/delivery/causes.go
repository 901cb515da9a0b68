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

	"github.com/inviter/inviter/pkg/invite"
)

// describeCause puts into words a failure that came with no answer from
// the provider (the connection was refused, TLS failed, nobody answered in
// time), for the card's history: "the SMTP server 10.0.0.5:587 refused the
// connection" tells an operator what to fix where an empty provider
// message tells nothing. service names the other side
// (invite.CauseServiceSMTP). The sentence comes from invite's one table,
// from which the pages read the cause back to say it in their language.
func describeCause(service string, err error) string {
	return causeOf(service, err).Sentence()
}

// causeOf classifies a failure with no provider answer into a cause code
// and its particulars.
func causeOf(service string, err error) invite.Cause {
	c := invite.Cause{Service: service}
	var op *net.OpError
	if errors.As(err, &op) && op.Addr != nil {
		c.Addr = op.Addr.String()
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
		c.Code = invite.CauseNoTLS
	case errors.As(err, &dnsErr):
		c.Code, c.Addr = invite.CauseDNS, dnsErr.Name
	case errors.Is(err, syscall.ECONNREFUSED):
		c.Code = invite.CauseRefused
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		c.Code = invite.CauseUnreachable
	case errors.As(err, &certErr), errors.As(err, &hostErr), errors.As(err, &authErr), errors.As(err, &invalidErr):
		c.Code, c.Detail = invite.CauseCertificate, innermost(err).Error()
	case errors.As(err, &recordErr), errors.As(err, &alert):
		c.Code, c.Detail = invite.CauseHandshake, innermost(err).Error()
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		c.Code = invite.CauseTimeout
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		c.Code = invite.CauseClosed
	case errors.Is(err, context.Canceled):
		c.Code = invite.CauseCancelled
	default:
		c.Code, c.Detail = invite.CauseOther, innermost(err).Error()
	}
	return c
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
