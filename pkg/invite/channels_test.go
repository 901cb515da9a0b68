package invite

import "testing"

func TestDecideWithinChannels(t *testing.T) {
	mail, phone := "a@example.com", "+79051111111"
	for _, tc := range []struct {
		name    string
		ch      Channels
		m       VerificationMethod
		contact Contact
		channel Channel
		reason  string
	}{
		{"both available", Channels{}, MethodEmailOrPhone, Contact{mail, phone}, ChannelEmail, ""},
		{"no e-mail: SMS instead", Channels{NoEmail: true}, MethodEmailOrPhone, Contact{mail, phone}, ChannelSMS, ""},
		{"no e-mail, e-mail only reachable", Channels{NoEmail: true}, MethodEmailOrPhone, Contact{mail, ""}, "", ReasonEmailUnavailable},
		{"no SMS, phone only reachable", Channels{NoSMS: true}, MethodEmailOrPhone, Contact{"", phone}, "", ReasonSMSUnavailable},
		{"no SMS, phone-only method", Channels{NoSMS: true}, MethodPhoneOnly, Contact{mail, phone}, "", ReasonSMSUnavailable},
		{"no e-mail, e-mail-only method", Channels{NoEmail: true}, MethodEmailOnly, Contact{mail, phone}, "", ReasonEmailUnavailable},
		{"bad contact keeps its reason", Channels{NoEmail: true, NoSMS: true}, MethodEmailOrPhone, Contact{"bad", ""}, "", ReasonInvalidEmail},
	} {
		in := (&Inviter{}).WithChannels(tc.ch)
		d := in.decide(Selection{}, tc.m, Candidate{UserID: 1, Role: RoleUser, Contact: tc.contact})
		switch {
		case tc.reason != "" && (d.Reason == nil || d.Reason.Code != tc.reason):
			t.Errorf("%s: %+v, want %s", tc.name, d, tc.reason)
		case tc.reason == "" && (d.Reason != nil || d.Route.Channel != tc.channel):
			t.Errorf("%s: %+v, want by %s", tc.name, d, tc.channel)
		}
	}
}
