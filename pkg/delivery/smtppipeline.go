package delivery

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// sendPipelined runs one mail transaction with command pipelining (RFC
// 2920): MAIL FROM, RCPT TO and DATA leave in one write and their replies
// are read in order, so a message costs two round trips instead of four.
// Every reply is read whatever happens, so that the connection stays in
// step for the next message.
func (c *smtpConn) sendPipelined(ctx context.Context, from, to string, msg []byte) error {
	if strings.ContainsAny(from+to, "\r\n") {
		return atStep(stepMail, errors.New("smtp: a line break in an address"))
	}
	stop := c.watch(ctx)
	defer stop()
	t := c.client.Text
	c.arm(ctx)
	if _, err := fmt.Fprintf(t.W, "%s\r\nRCPT TO:<%s>\r\nDATA\r\n", c.mailCommand(from), to); err != nil {
		return atStep(stepMail, err)
	}
	if err := t.W.Flush(); err != nil {
		return atStep(stepMail, err)
	}
	c.arm(ctx)
	_, _, mailErr := t.ReadResponse(250)
	if mailErr != nil && !isReply(mailErr) {
		return atStep(stepMail, mailErr) // no reply at all: the connection is gone
	}
	c.arm(ctx)
	_, _, rcptErr := t.ReadResponse(25) // 250 or 251
	if rcptErr != nil && !isReply(rcptErr) {
		return atStep(stepRcpt, rcptErr)
	}
	c.arm(ctx)
	_, _, dataErr := t.ReadResponse(354)
	if dataErr != nil && !isReply(dataErr) {
		return atStep(stepData, dataErr)
	}
	if dataErr == nil && (mailErr != nil || rcptErr != nil) {
		// The server took DATA although the envelope failed (RFC 2920
		// allows it): send an empty message to end the transaction.
		c.arm(ctx)
		if _, err := t.W.WriteString(".\r\n"); err != nil {
			return atStep(stepData, err)
		}
		if err := t.W.Flush(); err != nil {
			return atStep(stepData, err)
		}
		if _, _, err := t.ReadResponse(250); err != nil && !isReply(err) {
			return atStep(stepData, err)
		}
	}
	switch {
	case mailErr != nil:
		return atStep(stepMail, mailErr)
	case rcptErr != nil:
		return atStep(stepRcpt, rcptErr)
	case dataErr != nil:
		return atStep(stepData, dataErr)
	}
	c.arm(ctx)
	w := t.DotWriter()
	if _, err := w.Write(msg); err != nil {
		return atStep(stepData, err)
	}
	if err := w.Close(); err != nil {
		return atStep(stepData, err)
	}
	c.arm(ctx)
	if _, _, err := t.ReadResponse(250); err != nil {
		return atStep(stepData, err)
	}
	return nil
}
