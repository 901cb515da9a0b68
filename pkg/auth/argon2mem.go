package auth

import (
	"runtime/debug"

	"golang.org/x/crypto/argon2"
)

// argon2Key is argon2.IDKey, after which the 64 MiB block it filled goes
// back to the operating system at once. Left to the garbage collector and
// its scavenger, one sign-in kept the api's resident set 64-130 MiB above
// its working set for minutes (BenchmarkSendAllMatching's api-idle-MiB);
// the full collection this costs is small beside argon2's own time, and
// passwords are checked rarely.
func argon2Key(pw, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	key := argon2.IDKey(pw, salt, time, memory, threads, keyLen)
	debug.FreeOSMemory()
	return key
}
