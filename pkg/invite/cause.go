package invite

import (
	"regexp"
	"sort"
	"strings"
)

// Cause codes of a send that failed with no answer from the provider. A
// code and its particulars (Cause) are what a page translates; the English
// sentence (Cause.Sentence) is what the attempt stores as its provider
// message, so the API keeps a readable text.
const (
	CauseNoTLS       = "no_starttls"
	CauseDNS         = "dns"
	CauseRefused     = "refused"
	CauseUnreachable = "unreachable"
	CauseCertificate = "certificate"
	CauseHandshake   = "tls_handshake"
	CauseTimeout     = "timeout"
	CauseClosed      = "closed"
	CauseCancelled   = "cancelled"
	CauseOther       = "unclassified"
)

// The other sides a Cause names.
const (
	CauseServiceSMTP   = "smtp"
	CauseServiceVonage = "vonage"
)

// Cause is a failure with no provider answer: its code, the other side
// (CauseServiceSMTP, CauseServiceVonage), the server's address or the name
// that did not resolve (may be empty), and the system's own words for the
// causes that carry them (certificate, handshake, unclassified).
type Cause struct {
	Code    string
	Service string
	Addr    string
	Detail  string
}

// causeServices are the English names of the other side, as sentences say
// them.
var causeServices = map[string]string{
	CauseServiceSMTP:   "the SMTP server",
	CauseServiceVonage: "the Vonage API",
}

// causeSentences is the one table both ways: Sentence fills it in and
// ParseCause reads a stored message back with it, so the two cannot drift.
// {at} is the service followed by its address when known, {service} and
// {name} stand alone, {detail} runs to the end.
var causeSentences = map[string]string{
	CauseNoTLS:       "{at} does not offer STARTTLS, and the message would cross the network unencrypted",
	CauseDNS:         "the name {name} of {service} could not be resolved",
	CauseRefused:     "{at} refused the connection",
	CauseUnreachable: "{at} cannot be reached from here (no route)",
	CauseCertificate: "the TLS certificate of {at} is not trusted: {detail}",
	CauseHandshake:   "the TLS handshake with {at} failed: {detail}",
	CauseTimeout:     "{at} did not answer in time",
	CauseClosed:      "{at} closed the connection",
	CauseCancelled:   "the send was cancelled (the worker is stopping); it will be tried again",
	CauseOther:       "could not talk to {at}: {detail}",
}

// Sentence is the cause in English words, e.g. "the SMTP server
// 10.0.0.5:587 refused the connection".
func (c Cause) Sentence() string {
	service := causeServices[c.Service]
	at := service
	if c.Addr != "" {
		at += " " + c.Addr
	}
	return strings.NewReplacer("{at}", at, "{service}", service, "{name}", c.Addr,
		"{detail}", c.Detail).Replace(causeSentences[c.Code])
}

// causePatterns are causeSentences as anchored regular expressions,
// compiled once and only read afterwards; sorted by code so that a match
// never depends on map order.
var causePatterns = compileCauses()

type causePattern struct {
	code string
	re   *regexp.Regexp
}

func compileCauses() []causePattern {
	var services []string
	for _, s := range causeServices {
		services = append(services, regexp.QuoteMeta(s))
	}
	sort.Strings(services)
	service := "(?P<service>" + strings.Join(services, "|") + ")"
	parts := map[string]string{
		"{at}":      service + "(?: (?P<addr>\\S+))?",
		"{service}": service,
		"{name}":    "(?P<addr>\\S+)",
		"{detail}":  "(?P<detail>(?s:.*))",
	}
	placeholder := regexp.MustCompile(`\{[a-z]+\}`)
	var out []causePattern
	for code, sentence := range causeSentences {
		var b strings.Builder
		b.WriteString("^")
		last := 0
		for _, loc := range placeholder.FindAllStringIndex(sentence, -1) {
			b.WriteString(regexp.QuoteMeta(sentence[last:loc[0]]))
			b.WriteString(parts[sentence[loc[0]:loc[1]]])
			last = loc[1]
		}
		b.WriteString(regexp.QuoteMeta(sentence[last:]) + "$")
		out = append(out, causePattern{code: code, re: regexp.MustCompile(b.String())})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].code < out[j].code })
	return out
}

// ParseCause recognises a provider message written by Cause.Sentence, for
// a page to say it in the reader's language; any other message (a
// provider's own answer, a sentence of an older wording) reports false and
// is shown as it came.
func ParseCause(msg string) (Cause, bool) {
	for _, p := range causePatterns {
		m := p.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		c := Cause{Code: p.code}
		for i, name := range p.re.SubexpNames() {
			switch name {
			case "service":
				for code, s := range causeServices {
					if s == m[i] {
						c.Service = code
					}
				}
			case "addr":
				c.Addr = m[i]
			case "detail":
				c.Detail = m[i]
			}
		}
		return c, true
	}
	return Cause{}, false
}
