package delivery

import (
	"errors"
	"strings"
)

// envelope returns the envelope sender (MAIL FROM) of an attempt's message
// and its VERP tag: the attempt's own bounce address when BOUNCE_ADDRESS is
// set, else the From address with no tag.
func (s *SMTPSender) envelope(invitationID int64) (from, tag string) {
	if s.cfg.VERP == nil {
		return s.from.Address, ""
	}
	return s.cfg.VERP.Address(invitationID), s.cfg.VERP.Tag(invitationID)
}

// mailCommand is the MAIL command for from. Where the server offers DSN
// (RFC 3461) it asks for RET=HDRS: a bounce then brings back the original's
// headers only, never the body with the temporary password in it.
func (c *smtpConn) mailCommand(from string) string {
	cmd := "MAIL FROM:<" + from + ">"
	if c.dsn {
		cmd += " RET=HDRS"
	}
	return cmd
}

// mail sends MAIL FROM with mailCommand's parameters; net/smtp's Client.Mail
// cannot add RET.
func (c *smtpConn) mail(from string) error {
	if !c.dsn {
		return c.client.Mail(from)
	}
	if strings.ContainsAny(from, "\r\n") {
		return errors.New("smtp: a line break in an address")
	}
	t := c.client.Text
	id, err := t.Cmd("%s", c.mailCommand(from))
	if err != nil {
		return err
	}
	t.StartResponse(id)
	defer t.EndResponse(id)
	_, _, err = t.ReadResponse(250)
	return err
}
