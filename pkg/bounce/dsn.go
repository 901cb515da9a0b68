package bounce

import (
	"bufio"
	"errors"
	"io"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// dsnFields is a message/delivery-status body (RFC 3464 section 2): one
// block of per-message fields, then one block per recipient.
type dsnFields struct {
	message    textproto.Header
	recipients []textproto.Header
}

func readDSN(r io.Reader) (*dsnFields, error) {
	br := bufio.NewReader(r)
	m, err := textproto.ReadHeader(br)
	if err != nil {
		return nil, err
	}
	d := &dsnFields{message: m}
	for len(d.recipients) < 100 {
		// Blank lines between blocks: ReadHeader stops at the first one.
		for {
			b, err := br.Peek(1)
			if err != nil || (b[0] != '\r' && b[0] != '\n') {
				break
			}
			_, _ = br.ReadByte()
		}
		h, err := textproto.ReadHeader(br)
		if h.Len() > 0 {
			d.recipients = append(d.recipients, h)
		}
		if err != nil || h.Len() == 0 {
			break
		}
	}
	if len(d.recipients) == 0 {
		return nil, errors.New("bounce: delivery status without a recipient")
	}
	return d, nil
}

// fill copies the fields of the recipient that matters into rep: a failed
// one first, then a delayed one, then any. Invitations have one recipient
// each, so there is rarely a choice.
func (d *dsnFields) fill(rep *Report) {
	pick := d.recipients[0]
	for _, want := range []string{"failed", "delayed"} {
		found := false
		for _, h := range d.recipients {
			if strings.EqualFold(strings.TrimSpace(h.Get("Action")), want) {
				pick, found = h, true
				break
			}
		}
		if found {
			break
		}
	}
	rep.Action = strings.ToLower(strings.TrimSpace(pick.Get("Action")))
	rep.Status = statusCode(pick.Get("Status"))
	rep.Recipient = stripType(pick.Get("Final-Recipient"))
	if rep.Recipient == "" {
		rep.Recipient = stripType(pick.Get("Original-Recipient"))
	}
	rep.Diagnostic = stripType(pick.Get("Diagnostic-Code"))
	rep.ReportingMTA = stripType(d.message.Get("Reporting-MTA"))
	if mta := stripType(pick.Get("Remote-MTA")); rep.ReportingMTA == "" {
		rep.ReportingMTA = mta
	}
}

// stripType drops the "rfc822;", "dns;" or "smtp;" type of a DSN field.
func stripType(v string) string {
	v = strings.TrimSpace(v)
	if t, rest, ok := strings.Cut(v, ";"); ok && !strings.ContainsAny(t, " <@") {
		return strings.TrimSpace(rest)
	}
	return v
}

// statusCode returns the enhanced status code at the start of a Status
// field ("5.1.1 (bad destination mailbox address)" gives 5.1.1), or "".
func statusCode(v string) string {
	f := strings.Fields(v)
	if len(f) == 0 || !enhancedCode.MatchString(" "+f[0]+" ") {
		return ""
	}
	return f[0]
}
