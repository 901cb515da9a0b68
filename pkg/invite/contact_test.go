package invite

import (
	"errors"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw, want, reason string
	}{
		{"79051111111", "+79051111111", ""},
		{"+7 905 111-11-11", "+79051111111", ""},
		{"+7 (905) 111 11 11", "+79051111111", ""},
		{"+44 20 7946 0958", "+442079460958", ""},
		{"14155552671", "+14155552671", ""},
		{"", "", ""},
		{"9051111111", "9051111111", ReasonPhoneWithoutCountry},
		{"8 905 111 11 11", "8 905 111 11 11", ReasonPhoneWithoutCountry},
		{"12345", "12345", ReasonInvalidPhone},
		{"+7 905 111", "+7 905 111", ReasonInvalidPhone},
		{"call me", "call me", ReasonInvalidPhone},
		{"+1 800 CALL NOW", "+1 800 CALL NOW", ReasonInvalidPhone},
	}
	for _, tt := range tests {
		got, reason := NormalizePhone(tt.raw)
		if got != tt.want || code(reason) != tt.reason {
			t.Errorf("NormalizePhone(%q) = %q, %q; want %q, %q", tt.raw, got, code(reason), tt.want, tt.reason)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw, want, reason string
	}{
		{"ivan@example.com", "ivan@example.com", ""},
		{"  Ivan.Petrov@Example.COM ", "Ivan.Petrov@example.com", ""},
		{"a+tag@sub.example.co.uk", "a+tag@sub.example.co.uk", ""},
		{"", "", ""},
		{"ivan", "ivan", ReasonInvalidEmail},
		{"ivan@", "ivan@", ReasonInvalidEmail},
		{"ivan@localhost", "ivan@localhost", ReasonInvalidEmail},
		{"ivan@example", "ivan@example", ReasonInvalidEmail},
		{"ivan@exa mple.com", "ivan@exa mple.com", ReasonInvalidEmail},
		{"Ivan <ivan@example.com>", "Ivan <ivan@example.com>", ReasonInvalidEmail},
		{"ivan@-example.com", "ivan@-example.com", ReasonInvalidEmail},
		{"ivan@example.123", "ivan@example.123", ReasonInvalidEmail},
	}
	for _, tt := range tests {
		got, reason := NormalizeEmail(tt.raw)
		if got != tt.want || code(reason) != tt.reason {
			t.Errorf("NormalizeEmail(%q) = %q, %q; want %q, %q", tt.raw, got, code(reason), tt.want, tt.reason)
		}
	}
}

func TestChooseRoute(t *testing.T) {
	t.Parallel()
	const (
		goodEmail = "ivan@example.com"
		goodPhone = "79051111111"
	)
	tests := []struct {
		name    string
		method  VerificationMethod
		contact Contact
		channel Channel
		dest    string
		reason  string
	}{
		{"either: e-mail preferred", MethodEmailOrPhone, Contact{goodEmail, goodPhone}, ChannelEmail, goodEmail, ""},
		{"either: phone when no e-mail", MethodEmailOrPhone, Contact{"", goodPhone}, ChannelSMS, "+79051111111", ""},
		{"either: phone when e-mail broken", MethodEmailOrPhone, Contact{"broken", goodPhone}, ChannelSMS, "+79051111111", ""},
		{"either: nothing", MethodEmailOrPhone, Contact{}, "", "", ReasonNoContact},
		{"either: bad e-mail only", MethodEmailOrPhone, Contact{"broken", ""}, "", "", ReasonInvalidEmail},
		{"either: national phone only", MethodEmailOrPhone, Contact{"", "9051111111"}, "", "", ReasonPhoneWithoutCountry},
		{"either: bad phone only", MethodEmailOrPhone, Contact{"", "123"}, "", "", ReasonInvalidPhone},
		{"email only: e-mail", MethodEmailOnly, Contact{goodEmail, goodPhone}, ChannelEmail, goodEmail, ""},
		{"email only: phone is not enough", MethodEmailOnly, Contact{"", goodPhone}, "", "", ReasonNoEmail},
		{"email only: nothing", MethodEmailOnly, Contact{}, "", "", ReasonNoEmail},
		{"email only: bad e-mail", MethodEmailOnly, Contact{"broken", goodPhone}, "", "", ReasonInvalidEmail},
		{"phone only: phone", MethodPhoneOnly, Contact{goodEmail, goodPhone}, ChannelSMS, "+79051111111", ""},
		{"phone only: e-mail is not enough", MethodPhoneOnly, Contact{goodEmail, ""}, "", "", ReasonNoContact},
		{"phone only: no country code", MethodPhoneOnly, Contact{goodEmail, "9051111111"}, "", "", ReasonPhoneWithoutCountry},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, reason := ChooseRoute(tt.method, tt.contact)
			if code(reason) != tt.reason || r.Channel != tt.channel || r.Destination != tt.dest {
				t.Errorf("ChooseRoute = %+v, %q; want {%s %s}, %q", r, code(reason), tt.channel, tt.dest, tt.reason)
			}
			if reason != nil && reason.Message == "" {
				t.Errorf("reason %q has no message", reason.Code)
			}
		})
	}
}

func TestDecide(t *testing.T) {
	t.Parallel()
	same := &Route{ChannelEmail, "ivan@example.com"}
	other := &Route{ChannelEmail, "old@example.com"}
	c := Contact{Email: "ivan@example.com"}
	if d := Decide(MethodEmailOrPhone, Candidate{Contact: c, Waiting: same}); !d.Keep {
		t.Errorf("waiting for the same route: got %+v, want Keep", d)
	}
	if d := Decide(MethodEmailOrPhone, Candidate{Contact: c, Waiting: other}); d.Keep || d.Route != *same {
		t.Errorf("waiting for another route: got %+v, want a new attempt to %v", d, *same)
	}
	if d := Decide(MethodPhoneOnly, Candidate{Contact: c, Waiting: same}); d.Keep || code(d.Reason) != ReasonNoContact {
		t.Errorf("setting changed to phone only: got %+v, want no_contact", d)
	}
	if d := Decide(MethodEmailOrPhone, Candidate{Contact: c}); d.Keep || d.Route != *same {
		t.Errorf("not waiting: got %+v, want a new attempt", d)
	}
}

func TestNewUserNormalize(t *testing.T) {
	t.Parallel()
	if n, _, err := (NewUser{FirstName: " Olga ", LastName: "S", Phone: "9051111111", Email: "olga@"}).Normalize(); err == nil {
		t.Fatalf("no login and no usable contact: got %+v, want an error", n)
	}
	n, warnings, err := NewUser{Login: "olga", FirstName: " Olga ", LastName: "S", Phone: "9051111111"}.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	if n.FirstName != "Olga" || n.Phone != "9051111111" || len(warnings) != 1 || warnings[0].Code != ReasonPhoneWithoutCountry {
		t.Errorf("got %+v %+v; want trimmed name, raw phone and one phone_without_country_code warning", n, warnings)
	}
	n, warnings, err = NewUser{FirstName: "Ivan", LastName: "P", Email: "Ivan@Example.com", Phone: "+7 905 111-11-11"}.Normalize()
	if err != nil || n.Login != "Ivan@example.com" || n.Phone != "+79051111111" || len(warnings) != 0 {
		t.Errorf("got %+v %+v %v; want login from e-mail, phone in E.164, no warnings", n, warnings, err)
	}
	for _, bad := range []NewUser{
		{Login: "x", LastName: "P", Email: "a@b.co"},
		{Login: "x", FirstName: "I", Email: "a@b.co"},
		{Login: "a b", FirstName: "I", LastName: "P"},
		{Login: string(make([]byte, 200)), FirstName: "I", LastName: "P"},
	} {
		if _, _, err := bad.Normalize(); KindOf(err) != KindInvalid {
			t.Errorf("Normalize(%+v) = %v; want an invalid error", bad, err)
		}
	}
}

func code(r *Reason) string {
	if r == nil {
		return ""
	}
	return r.Code
}

// Sentinels are shared: deriving an error from one must not change it.
func TestErrorDerivationLeavesSentinelsAlone(t *testing.T) {
	t.Parallel()
	cause := Errorf(KindUnavailable, "x", "cause")
	got := ErrNotFound.WithField("id").Wrap(cause)
	if ErrNotFound.Field != "" || ErrNotFound.Err != nil {
		t.Fatalf("ErrNotFound changed to %+v", ErrNotFound)
	}
	if got.Field != "id" || got.Err != cause || !errors.Is(got, ErrNotFound) {
		t.Errorf("derived error %+v", got)
	}
}
