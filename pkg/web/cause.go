package web

import (
	"strings"

	"github.com/inviter/inviter/pkg/invite"
)

// causeText is a stored provider message in the reader's language when it
// is the worker's own sentence for a send that got no provider answer
// (refused connection, timeout, TLS, DNS: invite.ParseCause reads it back
// into a code and its particulars), and the message as it came otherwise:
// a provider's own answer is its words, not ours.
//
// The texts (locales, "cause.<code>") name their particulars by
// placeholder, since Russian declines the server's name: {at} is the
// server with its address, {at_of} and {at_with} the same in the genitive
// and the instrumental, {name} a name that did not resolve, {service_of}
// the server alone in the genitive, {detail} the system's own words.
func causeText(lang, msg string) string {
	c, ok := invite.ParseCause(msg)
	if !ok {
		return msg
	}
	text, ok := lookup(lang, "cause."+c.Code)
	if !ok {
		return msg
	}
	var service, serviceOf, serviceWith string
	if c.Service != "" {
		service = translate(lang, "cause.service."+c.Service)
		serviceOf = translate(lang, "cause.service_of."+c.Service)
		serviceWith = translate(lang, "cause.service_with."+c.Service)
	}
	withAddr := func(s string) string {
		if c.Addr == "" {
			return s
		}
		return s + " " + c.Addr
	}
	return strings.NewReplacer(
		"{at}", withAddr(service),
		"{at_of}", withAddr(serviceOf),
		"{at_with}", withAddr(serviceWith),
		"{name}", c.Addr,
		"{service_of}", serviceOf,
		"{detail}", c.Detail,
	).Replace(text)
}
