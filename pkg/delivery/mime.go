package delivery

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"net/mail"
	"strings"

	"gopkg.in/gomail.v2"

	"github.com/inviter/inviter/pkg/invite"
)

// composeEmail builds the MIME message for m: multipart/alternative with the
// plain text first and the HTML last, since mail clients show the last part
// they can display. gomail does the header encoding (a Russian subject
// becomes an RFC 2047 encoded word) and the quoted-printable bodies.
//
// tag, when not empty, is the attempt's VERP tag: it goes into the
// X-Inviter-Attempt header and the Message-ID, which bounces quote back.
func composeEmail(from *mail.Address, m invite.Message, r Rendered, tag string) (raw []byte, messageID string, err error) {
	messageID = newMessageID(m.InvitationID, from.Address)
	if tag != "" {
		messageID = taggedMessageID(tag, from.Address)
	}
	msg := gomail.NewMessage()
	msg.SetAddressHeader("From", from.Address, from.Name)
	msg.SetAddressHeader("To", m.To, strings.TrimSpace(m.FirstName+" "+m.LastName))
	msg.SetHeader("Subject", r.Subject)
	// gomail writes no Message-ID; spam filters count its absence against us.
	msg.SetHeader("Message-ID", messageID)
	if tag != "" {
		msg.SetHeader(AttemptHeader, tag)
	}
	msg.SetBody("text/plain", r.Text)
	msg.AddAlternative("text/html", r.HTML)
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return nil, "", fmt.Errorf("delivery: compose e-mail for invitation %d: %w", m.InvitationID, err)
	}
	return buf.Bytes(), messageID, nil
}

// newMessageID returns a globally unique Message-ID in the sender's domain;
// the invitation id in it helps whoever reads the mail server's logs.
func newMessageID(invitationID int64, fromAddr string) string {
	domain := "localhost"
	if at := strings.LastIndexByte(fromAddr, '@'); at >= 0 && at < len(fromAddr)-1 {
		domain = fromAddr[at+1:]
	}
	return fmt.Sprintf("<invite-%d-%s@%s>", invitationID, rand.Text(), domain)
}

// taggedMessageID is a Message-ID that carries the attempt's VERP tag.
func taggedMessageID(tag, fromAddr string) string {
	domain := "localhost"
	if at := strings.LastIndexByte(fromAddr, '@'); at >= 0 && at < len(fromAddr)-1 {
		domain = fromAddr[at+1:]
	}
	return fmt.Sprintf("<invite-%s.%s@%s>", tag, strings.ToLower(rand.Text()), domain)
}
