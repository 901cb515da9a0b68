// Package commonpw generates the list of common passwords that chosen
// passwords are checked against (NIST SP 800-63B, 5.1.1.2: "passwords
// obtained from previous breach corpuses, dictionary words, repetitive or
// sequential characters"). The list is built from the patterns people
// follow — keyboard walks, sequences, repeated groups, common words and
// names with years, digits and symbols — rather than copied from any
// published corpus, and is deterministic: auth embeds the output of
// Generate (go generate ./pkg/auth), and a test checks they agree.
package commonpw

import (
	"slices"
	"strconv"
	"strings"
)

// MinLength is the shortest password kept: shorter ones are refused by the
// length rule already.
const MinLength = 10

// words people build passwords on: the usual dictionary of breach lists
// (written here from the patterns, not copied), Russian words in
// transliteration and typed on an English layout, and this product's.
var words = []string{
	"password", "passw0rd", "p@ssword", "p@ssw0rd", "pass", "qwerty", "admin", "administrator", "welcome",
	"letmein", "iloveyou", "monkey", "dragon", "football", "baseball", "soccer", "hockey", "sunshine",
	"princess", "shadow", "master", "superman", "batman", "spiderman", "michael", "jennifer", "jessica",
	"computer", "internet", "trustno1", "whatever", "starwars", "pokemon", "freedom", "changeme",
	"secret", "summer", "winter", "spring", "autumn", "january", "february", "march", "april", "june",
	"july", "august", "september", "october", "november", "december", "monday", "friday", "sunday",
	"russia", "moscow", "piter", "london", "parol", "privet", "lubov", "lyubov", "solnce", "solnышко",
	"gfhjkm", "ghbdtn", "qwertyuiop", "asdfghjkl", "zxcvbnm", "love", "hello", "hellokitty",
	"inviter", "invite", "invitation", "company", "office", "manager", "account", "default", "guest",
	"login", "user", "test", "testing", "access", "security", "temp", "temporary", "flower", "angel",
	"killer", "hunter", "ranger", "buster", "tigger", "charlie", "thomas", "daniel", "andrew", "robert",
	"george", "harley", "jordan", "maggie", "ginger", "cookie", "chocolate", "butterfly", "purple",
	"orange", "yellow", "silver", "golden", "diamond", "matrix", "ninja", "mustang", "ferrari",
	"corvette", "mercedes", "samsung", "apple", "google", "microsoft", "windows", "linux", "oracle",
	"natasha", "tatiana", "svetlana", "alexander", "sergey", "dmitry", "andrey", "vladimir", "olga",
	"elena", "irina", "marina", "anastasia", "maxim", "ivan", "anna", "maria", "nikita", "artem",
	"zenit", "spartak", "dinamo", "cska", "barcelona", "liverpool", "arsenal", "chelsea", "juventus",
}

// suffixes people add to a word.
var suffixes = []string{
	"", "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678", "123456789", "!", "1!", "12!",
	"123!", "!!", "!!!", "01", "007", "69", "77", "88", "99", "111", "777", "999", "000", "321", "4321",
	"54321", "123321", "1q2w3e", "qwerty", "@123", "#1", "_123", ".123", "-123",
}

// walks are keyboard rows and columns, sequences and their variants.
var walks = []string{
	"1234567890", "0987654321", "01234567890", "1234567890-=", "qwertyuiop", "qwertyuiop[]",
	"asdfghjkl", "asdfghjkl;'", "zxcvbnm,./", "1qaz2wsx3edc4rfv", "1qaz2wsx3edc", "qazwsxedcrfv",
	"qazwsxedcrfvtgb", "zaq12wsx", "zaq1zaq1", "!qaz2wsx", "!qaz@wsx", "1q2w3e4r5t", "1q2w3e4r5t6y",
	"q1w2e3r4t5", "q1w2e3r4t5y6", "qwe123qwe", "qweasdzxc", "qweasdzxc123", "asdzxcqwe", "zxcasdqwe",
	"1qazxsw2", "2wsx3edc", "qwertyqwerty", "qwerty123456", "abcdefghij", "abcdefghijk",
	"abcdefghijklmnopqrstuvwxyz", "abc123abc123", "a1b2c3d4e5", "aa11bb22cc33", "йцукенгшщз", "фывапролдж",
	"ячсмитьбю", "1234qwer", "1234qwerasdf", "qwerasdfzxcv", "poiuytrewq", "lkjhgfdsa", "mnbvcxz",
}

// Generate returns the list: lower case, at least MinLength characters,
// sorted, without duplicates.
func Generate() []string {
	set := map[string]struct{}{}
	add := func(s string) {
		s = strings.ToLower(s)
		if len([]rune(s)) >= MinLength {
			set[s] = struct{}{}
		}
	}
	// Sequences and keyboard walks, repeated and with common suffixes.
	for _, w := range walks {
		for _, s := range suffixes {
			add(w + s)
		}
		add(w + w)
		add(reverse(w))
		for n := MinLength; n <= len([]rune(w)); n++ {
			add(string([]rune(w)[:n]))
		}
	}
	// Digit runs: ascending and descending from every start, repeated
	// groups of one to five digits or letters.
	for start := range 10 {
		var up, down strings.Builder
		for i := range 20 {
			up.WriteByte(byte('0' + (start+i)%10))
			down.WriteByte(byte('0' + (start-i+20)%10))
			add(up.String())
			add(down.String())
		}
	}
	for _, alphabet := range []string{"0123456789", "abcdefghijklmnopqrstuvwxyz"} {
		for _, a := range alphabet {
			for _, b := range alphabet {
				group := string(a) + string(b)
				add(strings.Repeat(group, 5))
				add(strings.Repeat(group, 6))
			}
		}
	}
	for n := range 1000 {
		group := strconv.Itoa(n)
		add(strings.Repeat(group, (MinLength+len(group)-1)/len(group)))
	}
	// Dates people use: ddmmyyyy and yyyymmdd of the last century or so
	// are 8 digits; with a word they pass the length rule.
	years := []string{}
	for y := 1960; y <= 2030; y++ {
		years = append(years, strconv.Itoa(y))
	}
	// Words with suffixes, years, and doubled; capitalised forms are the
	// same entry (the check lowercases).
	for _, w := range words {
		for _, s := range suffixes {
			add(w + s)
			add(s + w)
		}
		for _, y := range years {
			add(w + y)
			add(w + y + "!")
		}
		add(w + w)
		add(reverse(w) + "123")
	}
	// Two words together.
	for i, a := range words[:40] {
		for _, b := range words[:40] {
			if a != b || i == 0 {
				add(a + b)
			}
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func reverse(s string) string {
	r := []rune(s)
	slices.Reverse(r)
	return string(r)
}
