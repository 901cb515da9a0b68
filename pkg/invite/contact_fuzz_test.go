package invite

import (
	"strings"
	"testing"
)

// Whatever HR typed, normalising never panics, and a value accepted once is
// stored in a form that normalises to itself (so re-saving changes nothing).
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"79051111111", "+7 (905) 111-11-11", "9051111111", "8 905 111 11 11", "+", "00", "+1 800 CALL NOW", "٣٤٥"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, reason := NormalizePhone(raw)
		if reason != nil || got == "" {
			return
		}
		if !strings.HasPrefix(got, "+") {
			t.Fatalf("NormalizePhone(%q) = %q: accepted but not E.164", raw, got)
		}
		if again, r := NormalizePhone(got); r != nil || again != got {
			t.Fatalf("NormalizePhone(%q) = %q, but that normalises to %q, %v", raw, got, again, r)
		}
	})
}

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"ivan@example.com", " Ivan@Example.COM ", "a@b", "\"quoted\"@example.com", "x@xn--d1acufc.xn--p1ai", "ivan@пример.рф"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, reason := NormalizeEmail(raw)
		if reason != nil || got == "" {
			return
		}
		if again, r := NormalizeEmail(got); r != nil || again != got {
			t.Fatalf("NormalizeEmail(%q) = %q, but that normalises to %q, %v", raw, got, again, r)
		}
	})
}
