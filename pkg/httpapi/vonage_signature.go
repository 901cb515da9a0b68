package httpapi

import (
	"crypto/hmac"
	"crypto/md5" //nolint:gosec // Vonage's signature methods, not our choice
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"net/url"
	"slices"
	"strings"

	"github.com/inviter/inviter/pkg/invite"
)

// checkVonageSignature verifies the sig of a signed webhook as Vonage
// computes it: the parameters but sig, sorted by name, as
// "&name=value..." with '&' and '=' in values replaced by '_'; then, by the
// method set on the account, md5 of that string followed by the secret
// (md5hash, the default), or an HMAC of it keyed by the secret (md5, sha1,
// sha256, sha512). The signature's length tells the methods apart (both
// md5 ones are tried); hex compares whatever its case.
func checkVonageSignature(p url.Values, secret string) bool {
	sig := strings.ToLower(p.Get("sig"))
	if sig == "" {
		return false
	}
	want, err := hex.DecodeString(sig)
	if err != nil {
		return false
	}
	base := signingString(p)
	var candidates [][]byte
	switch len(want) {
	case md5.Size:
		sum := md5.Sum([]byte(base + secret)) //nolint:gosec // see above
		candidates = append(candidates, sum[:], hmacOf(md5.New, secret, base))
	case sha1.Size:
		candidates = append(candidates, hmacOf(sha1.New, secret, base))
	case sha256.Size:
		candidates = append(candidates, hmacOf(sha256.New, secret, base))
	case sha512.Size:
		candidates = append(candidates, hmacOf(sha512.New, secret, base))
	}
	for _, c := range candidates {
		if hmac.Equal(c, want) {
			return true
		}
	}
	return false
}

func signingString(p url.Values) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		if k != "sig" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	clean := strings.NewReplacer("&", "_", "=", "_")
	var b strings.Builder
	for _, k := range keys {
		b.WriteString("&" + k + "=" + clean.Replace(p.Get(k)))
	}
	return b.String()
}

func hmacOf(h func() hash.Hash, secret, s string) []byte {
	m := hmac.New(h, []byte(secret))
	m.Write([]byte(s))
	return m.Sum(nil)
}

// vonageReceiptError maps a receipt's err-code to the user's error code and
// words (Vonage's list of delivery receipt error codes). An illegal,
// unroutable or permanently absent number is delivery_rejected; anything
// else that failed, delivery_failed.
func vonageReceiptError(code string) (reason, text string) {
	text, ok := vonageReceiptErrors[code]
	if !ok {
		text = "error " + code
	}
	switch code {
	case "3", "9", "11":
		return invite.ReasonDeliveryRejected, text
	}
	return invite.ReasonDeliveryFailed, text
}

var vonageReceiptErrors = map[string]string{
	"0": "delivered", "1": "unknown error", "2": "absent subscriber (temporary)",
	"3": "absent subscriber (permanent)", "4": "call barred by the user", "5": "portability error",
	"6": "anti-spam rejection", "7": "handset busy", "8": "network error", "9": "illegal number",
	"10": "illegal message", "11": "unroutable", "12": "destination unreachable",
	"13": "subscriber age restriction", "14": "number blocked by the carrier",
	"15": "prepaid insufficient funds", "16": "gateway quota exceeded", "29": "subscriber opted out",
	"50": "entity filter", "51": "header filter", "52": "content filter", "53": "consent filter",
	"54": "regulation error", "99": "general error",
}
