package bounce

import (
	"regexp"
	"strings"

	"github.com/emersion/go-message"
)

// enhancedCode finds an RFC 3463 status code standing alone: "5.1.1" in
// "550 5.1.1 user unknown" or "#550 5.1.1 RESOLVER.ADR.RecipNotFound", not
// in an IP address or a version number.
var enhancedCode = regexp.MustCompile(`(?:^|[\s#'"(\[=])([245]\.[0-9]{1,3}\.[0-9]{1,3})(?:[\s'")\];,:]|$)`)

// replyCode finds a basic SMTP reply code at the start of a server's answer.
var replyCode = regexp.MustCompile(`(?:^|[\s#'"(])([45][0-9][0-9])[ -]`)

// bounceSenders and bounceSubjects recognise a bounce that carries no
// delivery-status part, by who sent it and what it is called.
var (
	bounceSenders  = []string{"mailer-daemon", "postmaster", "mail delivery", "microsoftexchange"}
	bounceSubjects = []string{"undeliverable", "undelivered mail", "delivery status notification", "mail delivery failed",
		"delivery failure", "failure notice", "returned mail", "delivery has failed", "could not be delivered",
		"delivery incomplete", "delayed mail", "warning: could not send message", "delivery delayed",
		"не доставлено", "недоставлен", "невозможно доставить"}
)

// isBounceHeader reports whether a message without a delivery-status part is
// still a bounce: an Exchange NDR header, a mailer-daemon sender or a
// bounce's subject with an empty return path.
func isBounceHeader(h message.Header) bool {
	if h.Get("X-MS-Exchange-Message-Is-Ndr") != "" || h.Get("X-Failed-Recipients") != "" {
		return true
	}
	from := strings.ToLower(h.Get("From"))
	for _, s := range bounceSenders {
		if strings.Contains(from, s) {
			return true
		}
	}
	subject := strings.ToLower(decodeWord(h.Get("Subject")))
	for _, s := range bounceSubjects {
		if strings.Contains(subject, s) {
			return true
		}
	}
	return false
}

// phrases give a status to texts that name none (Postfix's local delivery
// "unknown user", Gmail's "address couldn't be found"). First match wins,
// so the more specific come first.
var phrases = []struct{ text, status string }{
	{"recipnotfound", "5.1.1"},
	{"address couldn't be found", "5.1.1"},
	{"address could not be found", "5.1.1"},
	{"does not exist", "5.1.1"},
	{"unknown user", "5.1.1"},
	{"user unknown", "5.1.1"},
	{"no such user", "5.1.1"},
	{"mailbox not found", "5.1.1"},
	{"mailbox unavailable", "5.1.1"},
	{"recipient address rejected", "5.1.1"},
	{"domain not found", "5.1.2"},
	{"host or domain name not found", "5.1.2"},
	{"over quota", "5.2.2"},
	{"mailbox full", "5.2.2"},
	{"quota exceeded", "5.2.2"},
	{"has not yet been delivered", "4.0.0"},
	{"delivery incomplete", "4.0.0"},
	{"will retry", "4.0.0"},
	{"will continue to try", "4.0.0"},
	{"temporarily", "4.0.0"},
}

// textBounce reads a bounce from its human-readable text: the first
// enhanced status code and its line, else a known phrase, else a bare SMTP
// reply code; a bounce with nothing of the kind is a failure (5.0.0).
func textBounce(rep *Report, h message.Header, text string) {
	rep.Format = textFormat(h, text)
	lower := strings.ToLower(text)
	phrase := ""
	if m := enhancedCode.FindStringSubmatch(text); m != nil {
		rep.Status = m[1]
	} else {
		for _, p := range phrases {
			if strings.Contains(lower, p.text) {
				rep.Status, phrase = p.status, p.text
				break
			}
		}
	}
	if rep.Status == "" {
		if m := replyCode.FindStringSubmatch(text); m != nil {
			rep.Status = m[1][:1] + ".0.0"
		} else {
			rep.Status = "5.0.0"
		}
	}
	rep.Action = "failed"
	if strings.HasPrefix(rep.Status, "4.") {
		rep.Action = "delayed"
	}
	rep.Diagnostic = findDiagnostic(text, rep.Status)
	if phrase != "" {
		rep.Diagnostic = phraseLine(text, phrase)
	}
	if rep.Diagnostic == "" {
		rep.Diagnostic = decodeWord(h.Get("Subject"))
	}
}

// textFormat names the sender of a text bounce, for the closing report
// and the logs.
func textFormat(h message.Header, text string) string {
	switch {
	case h.Get("X-MS-Exchange-Message-Is-Ndr") != "" || strings.Contains(text, "RESOLVER.") ||
		strings.Contains(text, "Diagnostic information for administrators"):
		return FormatExchange
	case strings.Contains(text, "This is the mail system at host"):
		return FormatPostfix
	case strings.Contains(strings.ToLower(h.Get("From")), "googlemail.com") || strings.Contains(text, "Google tried to deliver"):
		return FormatGmail
	}
	return FormatText
}

// findDiagnostic returns the line of text that carries status (or, without
// one, the first line that looks like a server's answer).
func findDiagnostic(text, status string) string {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		if status != "" && strings.Contains(line, status) {
			l := strings.TrimSpace(line)
			// Gmail and Exchange put the code on a line of its own before
			// the words; join the next line when this one is short.
			if len(l) < 20 && i+1 < len(lines) {
				l += " " + strings.TrimSpace(lines[i+1])
			}
			return strings.Trim(l, "#'")
		}
	}
	for _, line := range lines {
		if replyCode.MatchString(line) {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

// isAutoReply recognises an automatic reply (RFC 3834 Auto-Submitted, and
// the older markers of Exchange and vacation programs).
func isAutoReply(h message.Header) bool {
	if as := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); as != "" && as != "no" {
		return true
	}
	if h.Get("X-Autoreply") != "" || h.Get("X-Autorespond") != "" {
		return true
	}
	if p := strings.ToLower(h.Get("Precedence")); p == "auto_reply" {
		return true
	}
	subject := strings.ToLower(decodeWord(h.Get("Subject")))
	for _, s := range []string{"automatic reply", "auto:", "out of office", "autoreply", "автоматический ответ", "вне офиса"} {
		if strings.HasPrefix(subject, s) || (s != "auto:" && strings.Contains(subject, s)) {
			return true
		}
	}
	return false
}

// phraseLine is the line of text where phrase (lower case) is.
func phraseLine(text, phrase string) string {
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(strings.ToLower(line), phrase) {
			return strings.TrimSpace(line)
		}
	}
	return ""
}
