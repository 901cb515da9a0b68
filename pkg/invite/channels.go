package invite

// Channels says which channels can deliver: a channel with neither a
// provider nor the development outbox (DEV_OUTBOX=1) cannot. The zero value
// has both.
type Channels struct {
	NoEmail bool // no SMTP server and no dev outbox
	NoSMS   bool // no Vonage account and no dev outbox
}

// Reasons for users who could be reached only through a channel that has no
// provider; decided at request time, before anything is queued.
const (
	ReasonEmailUnavailable = "email_unavailable"
	ReasonSMSUnavailable   = "sms_unavailable"
)

func (ch Channels) has(c Channel) bool {
	switch c {
	case ChannelEmail:
		return !ch.NoEmail
	case ChannelSMS:
		return !ch.NoSMS
	}
	return false
}

// WithChannels returns the inviter restricted to the channels that can
// deliver.
func (in *Inviter) WithChannels(ch Channels) *Inviter {
	c := *in
	c.channels = ch
	return &c
}

// decide is Decide within the channels that can deliver. With "e-mail or
// phone" a user whose e-mail cannot be used goes by SMS when their phone
// allows it, and the other way round; one who could be reached only through
// a missing channel is refused with email_unavailable or sms_unavailable.
func (in *Inviter) decide(sel Selection, m VerificationMethod, c Candidate) Decision {
	return in.channels.decide(sel, m, c)
}

// decide is Inviter.decide for these channels; editing a user's contact
// (Editor) reroutes a waiting invitation by the same rule.
func (ch Channels) decide(sel Selection, m VerificationMethod, c Candidate) Decision {
	d := DecideFor(sel, m, c)
	if d.Skip || d.Reason != nil || ch.has(d.Route.Channel) {
		return d
	}
	if m == MethodEmailOrPhone || m == "" {
		other := MethodPhoneOnly
		if d.Route.Channel == ChannelSMS {
			other = MethodEmailOnly
		}
		if alt := Decide(other, c); alt.Reason == nil && ch.has(alt.Route.Channel) {
			return alt
		}
	}
	code := ReasonEmailUnavailable
	if d.Route.Channel == ChannelSMS {
		code = ReasonSMSUnavailable
	}
	return Decision{Reason: NewReason(code, "")}
}
