package delivery

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
)

// VERP makes the envelope sender of each e-mail an address of its own on the
// bounce mailbox (variable envelope return path): bounces+<attempt>-<mac>@
// bounce.example.com. A bounce comes back to it, and the address alone says
// which attempt failed. The MAC (HMAC-SHA-256 under the server key, 64 bits)
// makes an address nobody can invent: a forged bounce cannot fail a user.
//
// The same tag, <attempt>-<mac>, goes into the message's X-Inviter-Attempt
// header and Message-ID, for the bounces that come back to a shared mailbox
// with only the original's headers.
type VERP struct {
	local, domain string
	key           []byte
}

// AttemptHeader carries the attempt's tag in every message.
const AttemptHeader = "X-Inviter-Attempt"

// macLen is the MAC's length in bytes: 64 bits, 13 characters of base32.
const macLen = 8

// tagEncoding is lower-case base32 without padding: local parts are
// case-insensitive in practice (some relays lower-case them), and base32
// survives that.
var tagEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewVERP returns the VERP scheme of the bounce address (bounces@example.com)
// keyed by serverKey.
func NewVERP(address string, serverKey []byte) (*VERP, error) {
	a, err := mail.ParseAddress(address)
	if err != nil || a.Address != strings.TrimSpace(address) {
		return nil, fmt.Errorf("delivery: bounce address %q: must be a bare address such as bounces@bounce.example.com", address)
	}
	at := strings.LastIndexByte(a.Address, '@')
	local, domain := a.Address[:at], strings.ToLower(a.Address[at+1:])
	if strings.ContainsAny(local, "+\"") {
		return nil, fmt.Errorf("delivery: bounce address %q: the local part may not hold '+' or quotes", address)
	}
	if len(serverKey) < 16 {
		return nil, errors.New("delivery: VERP key too short")
	}
	// A key of its own, derived from the server key: a MAC here is never a
	// password hash there.
	m := hmac.New(sha256.New, serverKey)
	m.Write([]byte("inviter verp v1"))
	return &VERP{local: local, domain: domain, key: m.Sum(nil)}, nil
}

// Domain is the bounce domain.
func (v *VERP) Domain() string { return v.domain }

// Tag is the attempt's tag: "<id>-<mac>".
func (v *VERP) Tag(invitationID int64) string {
	return strconv.FormatInt(invitationID, 10) + "-" + v.mac(invitationID)
}

// Address is the envelope sender of the attempt's message.
func (v *VERP) Address(invitationID int64) string {
	return v.local + "+" + v.Tag(invitationID) + "@" + v.domain
}

func (v *VERP) mac(id int64) string {
	m := hmac.New(sha256.New, v.key)
	m.Write([]byte(strconv.FormatInt(id, 10)))
	return tagEncoding.EncodeToString(m.Sum(nil)[:macLen])
}

// CheckTag returns the attempt of a tag whose MAC is right.
func (v *VERP) CheckTag(tag string) (int64, bool) {
	idStr, mac, ok := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(idStr, 10, 64)
	if err != nil || id <= 0 {
		return 0, false
	}
	if !hmac.Equal([]byte(mac), []byte(v.mac(id))) {
		return 0, false
	}
	return id, true
}

// CheckAddress returns the attempt of a VERP address of this bounce mailbox
// whose MAC is right: the only recipients the bounce listener accepts.
func (v *VERP) CheckAddress(addr string) (int64, bool) {
	addr = strings.Trim(strings.TrimSpace(addr), "<>")
	at := strings.LastIndexByte(addr, '@')
	if at < 0 || !strings.EqualFold(addr[at+1:], v.domain) {
		return 0, false
	}
	base, tag, ok := strings.Cut(addr[:at], "+")
	if !ok || !strings.EqualFold(base, v.local) {
		return 0, false
	}
	return v.CheckTag(tag)
}

// tagPattern finds tags in text: the Message-ID, the X-Inviter-Attempt
// header and VERP addresses all hold one.
var tagPattern = regexp.MustCompile(`(?i)(?:invite-|\+|` + AttemptHeader + `:\s*)([0-9]{1,19}-[a-z2-7]{13})\b`)

// FindTag returns the first attempt named, with a right MAC, in text (the
// headers of a returned original, a bounce's human-readable part).
func (v *VERP) FindTag(text string) (int64, bool) {
	for _, m := range tagPattern.FindAllStringSubmatch(text, 16) {
		if id, ok := v.CheckTag(m[1]); ok {
			return id, true
		}
	}
	return 0, false
}
