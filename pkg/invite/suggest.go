package invite

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Suggestion is a corrected value an admin may apply with one click.
type Suggestion struct {
	Field   string `json:"field"`
	Value   string `json:"value"`   // what to store (E.164 for a phone)
	Display string `json:"display"` // how to show it: "+7 905 111-22-34"
}

// SuggestPhone offers the international form of a number refused as
// phone_without_country_code when it is a valid number of region (ISO
// 3166 code, "RU"), the deployment's default: 9051112234 in Russia is
// +79051112234. It returns nil when there is no region or the number is
// not valid there. The number itself is never changed here: the admin
// decides (a list from abroad may mean another country).
func SuggestPhone(raw, region string) *Suggestion {
	region = strings.ToUpper(strings.TrimSpace(region))
	if region == "" || raw == "" {
		return nil
	}
	if _, bad := NormalizePhone(raw); bad == nil || bad.Code != ReasonPhoneWithoutCountry {
		return nil
	}
	num, err := phonenumbers.Parse(raw, region)
	if err != nil || !phonenumbers.IsValidNumberForRegion(num, region) {
		return nil
	}
	return &Suggestion{Field: "phone", Value: phonenumbers.Format(num, phonenumbers.E164),
		Display: phonenumbers.Format(num, phonenumbers.INTERNATIONAL)}
}

// SuggestFixes adds the suggestion of phone to the phone warning that it
// fixes, if any; ws is changed in place and returned.
func SuggestFixes(ws []Warning, phone, region string) []Warning {
	for i := range ws {
		if ws[i].Field == "phone" && ws[i].Code == ReasonPhoneWithoutCountry {
			ws[i].Suggestion = SuggestPhone(phone, region)
		}
	}
	return ws
}

// ContactProblems are the problems an invitation would refuse in a user's
// stored contact data, with their suggestions: what the card shows and
// GET /api/v1/users/{id} answers as contact_problems.
func ContactProblems(u User, region string) []Warning {
	_, ws, _ := NewUser{Login: u.Login, FirstName: u.FirstName, LastName: u.LastName,
		Email: u.Email, Phone: u.Phone, Locale: u.Locale}.Normalize()
	return SuggestFixes(ws, u.Phone, region)
}
