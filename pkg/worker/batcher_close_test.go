package worker

import (
	"context"
	"errors"
	"testing"
)

// A call made after close (a handler that outlived the server's shutdown
// timeout) gets an error instead of crashing the process.
func TestBatcherCallAfterClose(t *testing.T) {
	t.Parallel()
	b := newBatcher(10, 1, func(_ context.Context, ins []int) []int { return ins })
	if got, err := b.do(t.Context(), 7); err != nil || got != 7 {
		t.Fatalf("do before close = %d, %v", got, err)
	}
	b.close()
	if _, err := b.do(t.Context(), 8); !errors.Is(err, errBatcherClosed) {
		t.Fatalf("do after close: %v, want errBatcherClosed", err)
	}
}
