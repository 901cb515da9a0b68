package invite

import (
	"net/mail"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// NormalizeEmail checks an e-mail address and returns it trimmed, with the
// domain in lower case. It accepts a bare address only, not "Name <addr>".
func NormalizeEmail(raw string) (string, *Reason) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", nil
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return s, NewReason(ReasonInvalidEmail, s)
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], strings.ToLower(s[at+1:])
	if !validDomain(domain) {
		return s, NewReason(ReasonInvalidEmail, s)
	}
	return local + "@" + domain, nil
}

// validDomain requires a dotted host name (mail.ParseAddress also accepts
// "user@localhost" and IP literals, which no employee mailbox uses).
func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 || len(d) > 253 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	return !strings.ContainsFunc(tld, unicode.IsDigit)
}

// NormalizePhone checks a phone number written in international format, with
// or without the leading "+", spaces, dashes or brackets, and returns it in
// E.164 ("+79051111111"). A number that is valid only when read as a national
// number of some country (9051111111) is refused as lacking its country code.
func NormalizePhone(raw string) (string, *Reason) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", nil
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
	if digits == "" || strings.ContainsFunc(s, unicode.IsLetter) {
		return s, NewReason(ReasonInvalidPhone, s)
	}
	num, err := phonenumbers.Parse("+"+digits, "")
	if err == nil && phonenumbers.IsValidNumber(num) {
		return phonenumbers.Format(num, phonenumbers.E164), nil
	}
	if !strings.HasPrefix(s, "+") && validNationally(digits) {
		return s, NewReason(ReasonPhoneWithoutCountry, s)
	}
	return s, NewReason(ReasonInvalidPhone, s)
}

// minNationalDigits keeps very short numbers (a few small countries have
// five-digit numbers) from reading as "forgot the country code": such input
// is far more likely a typo, and "invalid" is the better advice.
const minNationalDigits = 8

// validNationally reports whether digits form a valid national number in at
// least one region. It runs only for numbers already refused, so the loop
// over regions costs nothing on the path of good data.
func validNationally(digits string) bool {
	if len(strings.TrimLeft(digits, "0")) < minNationalDigits {
		return false
	}
	for region := range phonenumbers.GetSupportedRegions() {
		num, err := phonenumbers.Parse(digits, region)
		if err == nil && phonenumbers.IsValidNumberForRegion(num, region) &&
			phonenumbers.GetNationalSignificantNumber(num) == strings.TrimLeft(digits, "0") {
			return true
		}
	}
	return false
}

// Contact is the contact data of a user as stored: e-mail and phone as typed
// by HR when they were not valid, normalized when they were.
type Contact struct {
	Email string
	Phone string
}

// Route is where an invitation goes.
type Route struct {
	Channel     Channel
	Destination string
}

// ChooseRoute applies the verification method to a user's contact data and
// returns where to send the invitation, or why it cannot be sent.
//
// email_or_phone prefers a usable e-mail address and falls back to SMS, so a
// user with a broken e-mail but a good phone is still reached; the reason
// reported when neither works is the one about the data the user does have.
func ChooseRoute(m VerificationMethod, c Contact) (Route, *Reason) {
	email, emailBad := NormalizeEmail(c.Email)
	phone, phoneBad := NormalizePhone(c.Phone)
	switch m {
	case MethodEmailOnly:
		if email == "" {
			return Route{}, NewReason(ReasonNoEmail, "")
		}
		if emailBad != nil {
			return Route{}, emailBad
		}
		return Route{ChannelEmail, email}, nil
	case MethodPhoneOnly:
		if phone == "" {
			return Route{}, NewReason(ReasonNoContact, "")
		}
		if phoneBad != nil {
			return Route{}, phoneBad
		}
		return Route{ChannelSMS, phone}, nil
	default:
		if email != "" && emailBad == nil {
			return Route{ChannelEmail, email}, nil
		}
		if phone != "" && phoneBad == nil {
			return Route{ChannelSMS, phone}, nil
		}
		if phoneBad != nil {
			return Route{}, phoneBad
		}
		if emailBad != nil {
			return Route{}, emailBad
		}
		return Route{}, NewReason(ReasonNoContact, "")
	}
}
