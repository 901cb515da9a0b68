// Package auth holds the service's secrets handling: temporary passwords for
// invitations and their keyed hashes, chosen passwords hashed with argon2id,
// bearer tokens for admin sessions, and the service's secret key.
//
// Two hashing schemes on purpose. A temporary password is a machine-made
// secret of more than 80 bits, so guessing it offline is hopeless even with a
// fast hash; it is stored as an HMAC-SHA-256 under the service's secret key
// (TemporaryHasher), which costs about a microsecond and keeps the bulk
// invitation pipeline fast. A password a person chooses has little entropy,
// so it gets a slow, memory-hard hash (HashPassword). The benchmarks in this
// package give the figures.
//
// Everything random comes from crypto/rand; the package keeps no state.
package auth
