package delivery

import (
	"errors"
	"fmt"
	"net/textproto"
	"strconv"

	"github.com/inviter/inviter/pkg/invite"
)

// The SMTP steps a failure can happen at. The step matters: 550 to RCPT TO
// says the mailbox does not exist, 550 after DATA says the content was
// refused.
const (
	stepConnect = "connect"
	stepHello   = "EHLO"
	stepTLS     = "STARTTLS"
	stepAuth    = "AUTH"
	stepReset   = "RSET"
	stepMail    = "MAIL FROM"
	stepRcpt    = "RCPT TO"
	stepData    = "DATA"
)

// stepError records the SMTP step an error happened at.
type stepError struct {
	step string
	err  error
}

func (e *stepError) Error() string { return "smtp " + e.step + ": " + e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

func atStep(step string, err error) error {
	if err == nil {
		return nil
	}
	return &stepError{step: step, err: err}
}

// errNoTLS is a server that offers no STARTTLS while it is not on this
// machine: sending the password of the account and the invitation in clear
// over a network is not an option, and a retry will not change the server.
var errNoTLS = errors.New("server does not offer STARTTLS")

// classifySMTP turns an error from an SMTP conversation into a DeliveryError.
// A reply from the server decides by its code: 4xx is temporary by
// definition, 550/551/553 to RCPT TO mean the address is bad, any other 5xx
// will not get better with retries. Everything else (refused connection,
// reset, timeout, a cancelled context) is the network, worth retrying.
func classifySMTP(err error) *invite.DeliveryError {
	step := ""
	var se *stepError
	if errors.As(err, &se) {
		step = se.step
	}
	err = fmt.Errorf("delivery: %w", err)
	var tpe *textproto.Error
	if !errors.As(err, &tpe) {
		if errors.Is(err, errNoTLS) {
			return failure(invite.Permanent, "", describeCause(invite.CauseServiceSMTP, err), err)
		}
		return failure(invite.Transient, "", describeCause(invite.CauseServiceSMTP, err), err)
	}
	code, msg := strconv.Itoa(tpe.Code), tpe.Msg
	if de, ok := classifyEnhanced(step, tpe, code, err); ok {
		return de
	}
	switch {
	case tpe.Code >= 400 && tpe.Code < 500:
		return failure(invite.Transient, code, msg, err)
	case step == stepRcpt && (tpe.Code == 550 || tpe.Code == 551 || tpe.Code == 553):
		return failure(invite.Rejected, code, msg, err)
	case tpe.Code >= 500:
		return failure(invite.Permanent, code, msg, err)
	}
	// A 2xx or 3xx where another reply was due: the conversation went out of
	// step, which a fresh connection fixes.
	return failure(invite.Transient, code, msg, err)
}

// keepAfter reports whether a connection is still in a known state after
// err: a well-formed refusal leaves it usable (the next message starts with
// RSET), a broken stream or a 421 ("closing the channel") does not.
// isReply reports whether err is the server's reply (a 4xx or 5xx), as
// opposed to a failure to talk to it at all.
func isReply(err error) bool {
	var tpe *textproto.Error
	return errors.As(err, &tpe)
}

// closedBeforeSending reports a connection that failed at MAIL FROM with no
// SMTP reply (the server had closed it): nothing was sent, so sending again
// on a new connection is safe.
func closedBeforeSending(err error) bool {
	var se *stepError
	var tpe *textproto.Error
	return errors.As(err, &se) && se.step == stepMail && !errors.As(err, &tpe)
}

func keepAfter(err error) bool {
	var tpe *textproto.Error
	return errors.As(err, &tpe) && tpe.Code != 421
}
