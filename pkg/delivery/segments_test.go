package delivery

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestGSM7Alphabet(t *testing.T) {
	t.Parallel()
	// 128 code points, less ESC.
	if n := utf8.RuneCountInString(gsm7Basic); n != 127 {
		t.Errorf("basic alphabet has %d characters, want 127", n)
	}
	if n := utf8.RuneCountInString(gsm7Extension); n != 10 {
		t.Errorf("extension table has %d characters, want 10", n)
	}
}

func TestSMSSegments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want int
	}{
		{"empty", "", 1},
		{"gsm 160", strings.Repeat("a", 160), 1},
		{"gsm 161", strings.Repeat("a", 161), 2},
		{"gsm 306", strings.Repeat("a", 306), 2},
		{"gsm 307", strings.Repeat("a", 307), 3},
		{"gsm accents and symbols", "@£$¥èéùìòÇ_!#%&" + strings.Repeat("x", 144), 1},
		{"extension counts twice", strings.Repeat("{", 80), 1},
		{"extension over the limit", strings.Repeat("{", 81), 2},
		// 152 septets then an escape pair: the pair may not straddle parts.
		{"escape pair not split", strings.Repeat("a", 152) + "€" + strings.Repeat("a", 10), 2},
		{"escape pair starts part 2", strings.Repeat("a", 152) + "€" + strings.Repeat("a", 152), 3},
		{"ucs2 70", strings.Repeat("я", 70), 1},
		{"ucs2 71", strings.Repeat("я", 71), 2},
		{"ucs2 134", strings.Repeat("я", 134), 2},
		{"ucs2 135", strings.Repeat("я", 135), 3},
		{"one cyrillic letter switches all", strings.Repeat("a", 69) + "я", 1},
		{"one cyrillic letter, 71", strings.Repeat("a", 70) + "я", 2},
		{"backquote is not gsm", strings.Repeat("a", 70) + "`", 2},
		{"emoji is a surrogate pair", strings.Repeat("😀", 35), 1},
		{"emoji over", strings.Repeat("😀", 36), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := SMSSegments(tt.text); got != tt.want {
				t.Errorf("SMSSegments(%d runes) = %d, want %d", utf8.RuneCountInString(tt.text), got, tt.want)
			}
		})
	}
}
