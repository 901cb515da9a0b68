package invite

import "testing"

func TestSuggestPhone(t *testing.T) {
	for _, c := range []struct {
		raw, region, want, display string
	}{
		{"9051112234", "RU", "+79051112234", "+7 905 111-22-34"},
		{"905 111-22-34", "ru", "+79051112234", "+7 905 111-22-34"},
		{"9051112234", "", "", ""},     // no default region: nothing to suggest
		{"+79051112234", "RU", "", ""}, // valid already
		{"abc", "RU", "", ""},          // invalid, not a missing country code
		{"2025550143", "RU", "", ""},   // a US number is not valid in Russia
		{"2025550143", "US", "+12025550143", "+1 202-555-0143"},
	} {
		got := SuggestPhone(c.raw, c.region)
		if c.want == "" {
			if got != nil {
				t.Errorf("SuggestPhone(%q, %q) = %+v, want none", c.raw, c.region, got)
			}
			continue
		}
		if got == nil || got.Value != c.want || got.Display != c.display || got.Field != "phone" {
			t.Errorf("SuggestPhone(%q, %q) = %+v, want %s (%s)", c.raw, c.region, got, c.want, c.display)
		}
	}
	// The number is never changed silently: it is still refused.
	if _, bad := NormalizePhone("9051111111"); bad == nil || bad.Code != ReasonPhoneWithoutCountry {
		t.Fatalf("9051111111 must stay refused, got %v", bad)
	}
}

func TestUserPatchApplyAndDiff(t *testing.T) {
	u := User{ID: 1, Login: "olga", FirstName: "Olga", LastName: "S", Phone: "9051112234", Locale: "ru", Role: RoleUser}
	phone, last := "+79051112234", "Smirnova"
	n, _, err := UserPatch{Phone: &phone, LastName: &last}.Apply(u).Normalize()
	if err != nil {
		t.Fatal(err)
	}
	ch := Diff(u, n)
	if len(ch) != 2 || ch[0].Field != "last_name" || ch[1].Field != "phone" || ch[1].Old != "9051112234" || ch[1].New != "+79051112234" {
		t.Fatalf("diff = %+v", ch)
	}
	if !ContactChanged(ch) || ContactChanged(ch[:1]) {
		t.Fatal("ContactChanged is wrong")
	}
	empty := ""
	if _, _, err := (UserPatch{FirstName: &empty}).Apply(u).Normalize(); KindOf(err) != KindInvalid {
		t.Fatalf("an emptied first name must be refused, got %v", err)
	}
}
