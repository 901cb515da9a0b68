package auth

import (
	"bytes"
	"crypto/rand"
	"errors"
	"math"
	"strings"
	"testing"
	"testing/iotest"
)

func TestTemporaryPasswordAlphabet(t *testing.T) {
	const lookAlikes = "0Oo1lIi"
	seen := map[rune]bool{}
	for _, r := range TemporaryPasswordAlphabet {
		if seen[r] {
			t.Errorf("alphabet repeats %q", r)
		}
		seen[r] = true
		if strings.ContainsRune(lookAlikes, r) {
			t.Errorf("alphabet contains look-alike %q", r)
		}
		if !(r >= '2' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			t.Errorf("alphabet contains %q, want digits 2-9 and ASCII letters only", r)
		}
	}
	if !strings.ContainsAny(TemporaryPasswordAlphabet, "abcdefghjkmnpqrstuvwxyz") ||
		!strings.ContainsAny(TemporaryPasswordAlphabet, "ABCDEFGHJKLMNPQRSTUVWXYZ") {
		t.Error("alphabet lacks letters of one case")
	}
}

func TestTemporaryPasswordEntropy(t *testing.T) {
	bits := TemporaryPasswordLength * math.Log2(float64(len(TemporaryPasswordAlphabet)))
	if bits < 80 {
		t.Fatalf("%d characters from %d give %.1f bits of entropy, want >= 80",
			TemporaryPasswordLength, len(TemporaryPasswordAlphabet), bits)
	}
	t.Logf("%.1f bits of entropy", bits)
}

func TestNewTemporaryPassword(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		pw, err := NewTemporaryPassword()
		if err != nil {
			t.Fatal(err)
		}
		if len(pw) != TemporaryPasswordLength {
			t.Fatalf("len(%q) = %d, want %d", pw, len(pw), TemporaryPasswordLength)
		}
		if strings.Trim(pw, TemporaryPasswordAlphabet) != "" {
			t.Fatalf("%q has characters outside the alphabet", pw)
		}
		if seen[pw] {
			t.Fatalf("%q generated twice", pw)
		}
		seen[pw] = true
	}
}

// TestRandomStringRejectsBias feeds bytes by hand: with 45 characters only
// bytes below 225 (5*45) may be used, and byte b maps to alphabet[b%45].
func TestRandomStringRejectsBias(t *testing.T) {
	size := len(TemporaryPasswordAlphabet)
	limit := 256 - 256%size
	var in []byte
	for b := limit; b < 256; b++ { // all rejected
		in = append(in, byte(b))
	}
	in = append(in, 0, byte(size), byte(limit-1), 1)
	in = append(in, make([]byte, 64)...) // spare bytes for the buffered read
	got, err := randomString(bytes.NewReader(in), TemporaryPasswordAlphabet, 4)
	if err != nil {
		t.Fatal(err)
	}
	a := TemporaryPasswordAlphabet
	want := string([]byte{a[0], a[0], a[size-1], a[1]})
	if got != want {
		t.Errorf("randomString = %q, want %q", got, want)
	}
}

// TestRandomStringUniform checks that every character turns up about equally
// often over many draws (a loose bound: a biased modulo would shift some
// counts by 1/5, far beyond it).
func TestRandomStringUniform(t *testing.T) {
	const draws = 200_000
	counts := map[byte]int{}
	pw, err := randomString(rand.Reader, TemporaryPasswordAlphabet, draws)
	if err != nil {
		t.Fatal(err)
	}
	for i := range len(pw) {
		counts[pw[i]]++
	}
	want := float64(draws) / float64(len(TemporaryPasswordAlphabet))
	for i := range len(TemporaryPasswordAlphabet) {
		c := TemporaryPasswordAlphabet[i]
		if dev := math.Abs(float64(counts[c])-want) / want; dev > 0.08 {
			t.Errorf("%q drawn %d times, want about %.0f", c, counts[c], want)
		}
	}
}

func TestRandomStringReadError(t *testing.T) {
	boom := errors.New("boom")
	_, err := randomString(iotest.ErrReader(boom), TemporaryPasswordAlphabet, 16)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want it to wrap %v", err, boom)
	}
}

func TestNewTemporaryHasher(t *testing.T) {
	for _, n := range []int{0, 16, 31} {
		if _, err := NewTemporaryHasher(make([]byte, n)); err == nil {
			t.Errorf("NewTemporaryHasher(%d bytes) succeeded, want an error", n)
		}
	}
	key := bytes.Repeat([]byte{7}, 32)
	h, err := NewTemporaryHasher(key)
	if err != nil {
		t.Fatal(err)
	}
	before := h.Hash(1, "pw")
	key[0] = 8 // the hasher keeps its own copy
	if !bytes.Equal(h.Hash(1, "pw"), before) {
		t.Error("changing the caller's key slice changed the hasher")
	}
}

func TestTemporaryHasher(t *testing.T) {
	h1, _ := NewTemporaryHasher(bytes.Repeat([]byte{1}, 32))
	h2, _ := NewTemporaryHasher(bytes.Repeat([]byte{2}, 32))
	hash := h1.Hash(42, "Abc23456789defgh")
	if len(hash) != 32 {
		t.Fatalf("hash is %d bytes, want 32", len(hash))
	}
	tests := []struct {
		name   string
		hasher *TemporaryHasher
		id     int64
		pw     string
		hash   []byte
		want   bool
	}{
		{"same input", h1, 42, "Abc23456789defgh", hash, true},
		{"wrong password", h1, 42, "Abc23456789defgX", hash, false},
		{"other invitation", h1, 43, "Abc23456789defgh", hash, false},
		{"other key", h2, 42, "Abc23456789defgh", hash, false},
		{"truncated hash", h1, 42, "Abc23456789defgh", hash[:16], false},
		{"nil hash", h1, 42, "Abc23456789defgh", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.hasher.Verify(tt.id, tt.pw, tt.hash); got != tt.want {
				t.Errorf("Verify = %v, want %v", got, tt.want)
			}
		})
	}
}
