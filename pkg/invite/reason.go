package invite

import "strings"

// Reason codes kept on a user in status error. They are a contract: the admin
// UI and API clients switch on them.
const (
	ReasonNoContact           = "no_contact"
	ReasonNoEmail             = "no_email"
	ReasonInvalidEmail        = "invalid_email"
	ReasonInvalidPhone        = "invalid_phone"
	ReasonPhoneWithoutCountry = "phone_without_country_code"
	ReasonDeliveryRejected    = "delivery_rejected"
	ReasonDeliveryFailed      = "delivery_failed"
	ReasonAdminAccount        = "admin_account"
)

// Reason is why an invitation was not delivered: a code and a message an
// admin can read and act on.
type Reason struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

var reasonMessages = map[string]string{
	ReasonNoContact:           "The user has neither an e-mail address nor a phone number that the verification method allows.",
	ReasonNoEmail:             "The user has no e-mail address, and invitations may be sent only by e-mail.",
	ReasonInvalidEmail:        "The e-mail address is not valid.",
	ReasonInvalidPhone:        "The phone number is not valid.",
	ReasonPhoneWithoutCountry: "The phone number has no country code: write it in international format, e.g. 79051111111 rather than 9051111111.",
	ReasonDeliveryRejected:    "The mail server or SMS provider refused the address as non-existent or invalid.",
	ReasonDeliveryFailed:      "The invitation could not be delivered.",
	ReasonAdminAccount:        "Administrators are not invited: they sign in with the password they chose.",
	ReasonEmailUnavailable:    "No mail server is configured, and the user can be reached only by e-mail.",
	ReasonSMSUnavailable:      "No SMS provider is configured, and the user can be reached only by SMS.",
}

// NewReason builds a Reason with the standard message for code, followed by
// detail when it is not empty.
func NewReason(code, detail string) *Reason {
	msg := reasonMessages[code]
	switch {
	case msg == "":
		msg = detail
	case detail != "":
		msg += " (" + detail + ")"
	}
	return &Reason{Code: code, Message: msg}
}

// Detail is the part of the message after the standard text of its code
// (a provider's answer, say), so that a page can show the standard text in
// the reader's language and the detail as it came.
func (r Reason) Detail() string {
	std, ok := reasonMessages[r.Code]
	if !ok {
		return r.Message
	}
	d := strings.TrimPrefix(r.Message, std)
	if d == r.Message {
		return ""
	}
	d = strings.TrimSpace(d)
	if strings.HasPrefix(d, "(") && strings.HasSuffix(d, ")") {
		d = d[1 : len(d)-1]
	}
	return d
}
