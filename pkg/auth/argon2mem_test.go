package auth

import (
	"runtime"
	"testing"
)

// A checked password leaves no argon2 block in the process: the memory the
// runtime holds idle but has not returned to the system stays well under
// the 64 MiB one check fills.
func TestPasswordCheckReturnsItsMemory(t *testing.T) {
	hash, err := HashPassword("a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := VerifyPassword(hash, "a long enough password"); !ok || err != nil {
		t.Fatalf("verify: %v %v", ok, err)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if retained := ms.HeapIdle - ms.HeapReleased; retained > 16<<20 {
		t.Errorf("%d MiB of idle heap kept from the operating system after a password check", retained>>20)
	}
}
