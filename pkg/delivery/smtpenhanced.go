package delivery

import (
	"net/textproto"
	"regexp"

	"github.com/inviter/inviter/pkg/invite"
)

// enhancedCode reads the enhanced status code (RFC 3463) at the start of a
// reply's text, "5.1.1 User unknown" -> class 5, subject 1, detail 1.
var enhancedCode = regexp.MustCompile(`^([245])\.(\d{1,3})\.(\d{1,3})(?:\s|$)`)

// classifyEnhanced classifies a 5xx reply by its enhanced status code when
// it has one that decides, and reports whether it did:
//   - 5.7.x (security or policy: relaying denied, authentication required,
//     a sender not allowed) is the operator's problem, not the address's:
//     Permanent (delivery_failed) with the server's text, even as a 550 to
//     RCPT TO, so that a misconfigured relay does not mark every user's
//     address as bad;
//   - 5.1.x (a bad destination mailbox, domain or address syntax) to RCPT
//     TO or DATA is the address: Rejected (delivery_rejected). 5.1.7 and
//     5.1.8 are about our sender address, and are the operator's too.
func classifyEnhanced(step string, tpe *textproto.Error, code string, err error) (*invite.DeliveryError, bool) {
	if tpe.Code < 500 || tpe.Code >= 600 {
		return nil, false
	}
	m := enhancedCode.FindStringSubmatch(tpe.Msg)
	if m == nil || m[1] != "5" {
		return nil, false
	}
	switch {
	case m[2] == "7":
		return failure(invite.Permanent, code, tpe.Msg, err), true
	case m[2] == "1" && (m[3] == "7" || m[3] == "8"):
		return failure(invite.Permanent, code, tpe.Msg, err), true
	case m[2] == "1" && (step == stepRcpt || step == stepData):
		return failure(invite.Rejected, code, tpe.Msg, err), true
	}
	return nil, false
}
