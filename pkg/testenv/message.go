package testenv

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
	"testing"
)

// MailText returns the decoded text/plain part of a raw e-mail, as a person
// reading it would see it.
func MailText(t testing.TB, raw []byte) string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("testenv: parse e-mail: %v", err)
	}
	text, ok := findText(t, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	if !ok {
		t.Fatalf("testenv: e-mail has no text/plain part:\n%s", raw)
	}
	return text
}

func findText(t testing.TB, contentType, encoding string, body io.Reader) (string, bool) {
	t.Helper()
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		mediaType = "text/plain"
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return "", false
			}
			if err != nil {
				t.Fatalf("testenv: read MIME part: %v", err)
			}
			// NextPart already undoes quoted-printable, and then drops the header.
			if text, ok := findText(t, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); ok {
				return text, true
			}
		}
	}
	if mediaType != "text/plain" {
		return "", false
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("testenv: read text part: %v", err)
	}
	return string(b), true
}

var (
	// A label is a word of its own: "/login" at the end of a URL is not one.
	loginRe    = regexp.MustCompile(`(?i)(?:^|[\s!.,])(?:login|логин):?\s+(\S+)`)
	passwordRe = regexp.MustCompile(`(?i)(?:^|[\s!.,])(?:password|пароль):?\s+(\S+)`)
)

// Credentials reads the login and the temporary password out of the text of
// an invitation (e-mail text or SMS), in English or Russian.
func Credentials(t testing.TB, text string) (login, password string) {
	t.Helper()
	l := loginRe.FindStringSubmatch(text)
	p := passwordRe.FindStringSubmatch(text)
	if l == nil || p == nil {
		t.Fatalf("testenv: no login and password in the message:\n%s", text)
	}
	return l[1], p[1]
}
