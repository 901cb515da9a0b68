package bounce_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inviter/inviter/pkg/delivery"
)

// testKey is the server key of the tests' VERP scheme.
var testKey = []byte("0123456789abcdef0123456789abcdef")

const bounceAddress = "bounces@bounce.example.com"

func testVERP(t testing.TB) *delivery.VERP {
	t.Helper()
	v, err := delivery.NewVERP(bounceAddress, testKey)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// fixture reads testdata/name with its placeholders filled in for the
// attempt id sent to email: {{VERP}} the envelope sender, {{TAG}} the tag.
func fixture(t testing.TB, v *delivery.VERP, name string, id int64, email string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.NewReplacer("{{VERP}}", v.Address(id), "{{TAG}}", v.Tag(id), "{{EMAIL}}", email).Replace(string(b)))
}

// bodySecret is the password line some fixtures carry in the returned
// original's body: it must never come out of the parser.
const bodySecret = "SECRET-PASSWORD-IN-BODY"
