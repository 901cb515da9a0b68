package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
)

// TemporaryPasswordAlphabet is what temporary passwords are made of: digits 2-9
// and letters of both cases, less the characters a person can misread when
// copying the password from an e-mail or an SMS: 0 O o D Q (round shapes),
// 1 l I i j (strokes), and B S s Z z G q, which pass for 8 5 5 2 2 6 9.
const TemporaryPasswordAlphabet = "23456789" +
	"ACEFHJKLMNPRTUVWXY" +
	"abcdefghkmnprtuvwxy"

// TemporaryPasswordLength is the length of a temporary password. With the
// alphabet's 45 characters it gives 16*log2(45), about 87.9 bits of entropy.
const TemporaryPasswordLength = 16

// NewTemporaryPassword returns a new random temporary password of
// TemporaryPasswordLength characters from TemporaryPasswordAlphabet, every
// character equally likely.
func NewTemporaryPassword() (string, error) {
	return randomString(rand.Reader, TemporaryPasswordAlphabet, TemporaryPasswordLength)
}

// temporaryDomain separates temporary-password hashes from any other HMAC
// the service computes with the same key; the version lets the scheme change.
const temporaryDomain = "inviter/temporary-password/v1\x00"

// TemporaryHasher hashes and checks temporary passwords with HMAC-SHA-256
// under the service's secret key. The invitation id is part of the input, so
// a hash copied to another invitation's row does not verify there.
//
// A keyed fast hash is safe here because the password is a machine-made
// secret of more than 80 bits: no dictionary helps, and without the key the
// stored hashes cannot even be tested offline. A slow hash would buy nothing
// and cost the worker some 60-80 ms of CPU per invitation (bcrypt cost 10;
// see BenchmarkHash), against about a microsecond for the HMAC.
type TemporaryHasher struct {
	key []byte
}

// MinSecretKeyBytes is the shortest key NewTemporaryHasher and
// DecodeSecretKey accept.
const MinSecretKeyBytes = 32

// NewTemporaryHasher returns a hasher keyed with a copy of key, which must be
// at least MinSecretKeyBytes long.
func NewTemporaryHasher(key []byte) (*TemporaryHasher, error) {
	if len(key) < MinSecretKeyBytes {
		return nil, fmt.Errorf("auth: temporary hasher key is %d bytes, need at least %d", len(key), MinSecretKeyBytes)
	}
	return &TemporaryHasher{key: append([]byte(nil), key...)}, nil
}

// Hash returns the 32-byte HMAC of the password bound to the invitation.
func (h *TemporaryHasher) Hash(invitationID int64, password string) []byte {
	m := hmac.New(sha256.New, h.key)
	writeTemporaryInput(m, invitationID, password)
	return m.Sum(nil)
}

// Verify reports whether hash is the hash of password for the invitation,
// comparing in constant time.
func (h *TemporaryHasher) Verify(invitationID int64, password string, hash []byte) bool {
	return hmac.Equal(h.Hash(invitationID, password), hash)
}

// writeTemporaryInput writes the domain label, the id as 8 big-endian bytes
// (fixed width, so id and password cannot run into each other) and the
// password.
func writeTemporaryInput(m hash.Hash, invitationID int64, password string) {
	var id [8]byte
	binary.BigEndian.PutUint64(id[:], uint64(invitationID))
	m.Write([]byte(temporaryDomain))
	m.Write(id[:])
	m.Write([]byte(password))
}
