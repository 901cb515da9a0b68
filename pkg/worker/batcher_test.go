package worker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
)

// The batcher tests run in a synctest bubble: synctest.Wait returns once
// every goroutine of the test is blocked, which is how a test knows that its
// callers are queued behind a busy executor without sleeping.

// gatedRun is a batcher run func that records each batch, holds the first
// one until release is closed and answers each input with its own label.
type gatedRun struct {
	release chan struct{}
	mu      sync.Mutex
	batches [][]int
}

func newGatedRun() *gatedRun { return &gatedRun{release: make(chan struct{})} }

func (g *gatedRun) run(_ context.Context, ins []int) []string {
	g.mu.Lock()
	g.batches = append(g.batches, slices.Clone(ins))
	first := len(g.batches) == 1
	g.mu.Unlock()
	if first {
		<-g.release
	}
	outs := make([]string, len(ins))
	for i, in := range ins {
		outs[i] = label(in)
	}
	return outs
}

func (g *gatedRun) recorded() [][]int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.batches)
}

func label(in int) string { return fmt.Sprintf("out-%d", in) }

// callResult is what one do call returned.
type callResult struct {
	out string
	err error
}

// start calls b.do(ctx, in) in a goroutine and returns where its result
// will arrive.
func start(ctx context.Context, b *batcher[int, string], in int) <-chan callResult {
	ch := make(chan callResult, 1)
	go func() {
		out, err := b.do(ctx, in)
		ch <- callResult{out, err}
	}()
	return ch
}

// queue starts a call for each input, one at a time, and returns once all
// of them are blocked.
func queue(b *batcher[int, string], ins ...int) map[int]<-chan callResult {
	res := make(map[int]<-chan callResult, len(ins))
	for _, in := range ins {
		res[in] = start(context.Background(), b, in)
		synctest.Wait()
	}
	return res
}

// checkServed checks that every call got its own input's result.
func checkServed(t *testing.T, res map[int]<-chan callResult) {
	t.Helper()
	for in, ch := range res {
		if r := <-ch; r.err != nil || r.out != label(in) {
			t.Errorf("call %d returned (%q, %v), want (%q, nil)", in, r.out, r.err, label(in))
		}
	}
}

func sorted(s []int) []int {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// Calls made while the executor is busy wait, then run together as one
// batch, each caller getting the result of its own input.
func TestBatcherCombinesCallsWhileBusy(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		g := newGatedRun()
		b := newBatcher(10, 1, g.run)
		res := queue(b, 0, 1, 2, 3, 4, 5)
		if got := g.recorded(); len(got) != 1 || !slices.Equal(got[0], []int{0}) {
			t.Fatalf("batches while the executor is busy: %v, want [[0]]", got)
		}
		close(g.release)
		checkServed(t, res)
		b.close()
		got := g.recorded()
		if len(got) != 2 || !slices.Equal(sorted(got[1]), []int{1, 2, 3, 4, 5}) {
			t.Errorf("batches %v, want [[0] [1 2 3 4 5]]: the calls queued behind the first did not share a run", got)
		}
	})
}

// No batch holds more than max calls; the queue is served in full batches.
func TestBatcherRespectsMax(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		g := newGatedRun()
		b := newBatcher(3, 1, g.run)
		res := queue(b, 0, 1, 2, 3, 4, 5, 6, 7)
		close(g.release)
		checkServed(t, res)
		b.close()
		got := g.recorded()
		var sizes, all []int
		for _, batch := range got {
			sizes = append(sizes, len(batch))
			all = append(all, batch...)
		}
		if !slices.Equal(sizes, []int{1, 3, 3, 1}) {
			t.Errorf("batch sizes %v (batches %v), want [1 3 3 1] with max 3", sizes, got)
		}
		if !slices.Equal(sorted(all), []int{0, 1, 2, 3, 4, 5, 6, 7}) {
			t.Errorf("inputs run %v, want each of 0..7 once", all)
		}
	})
}

// A caller that gives up while waiting for a busy executor returns its
// context's error at once, is left out of the next batch and holds up no
// one.
func TestBatcherCancelledWhileQueued(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		g := newGatedRun()
		b := newBatcher(10, 1, g.run)
		res := queue(b, 0, 1)
		ctx, cancel := context.WithCancel(context.Background())
		gaveUp := start(ctx, b, 99)
		synctest.Wait()
		res[2] = queue(b, 2)[2]

		cancel()
		synctest.Wait()
		select {
		case r := <-gaveUp:
			if !errors.Is(r.err, context.Canceled) || r.out != "" {
				t.Errorf("cancelled call returned (%q, %v), want (\"\", context.Canceled)", r.out, r.err)
			}
		default:
			t.Fatal("a cancelled call is still blocked behind the busy executor")
		}
		close(g.release)
		checkServed(t, res)
		b.close()
		if got := g.recorded(); len(got) != 2 || !slices.Equal(sorted(got[1]), []int{1, 2}) {
			t.Errorf("batches %v, want [[0] [1 2]]: the cancelled call must not run", got)
		}
	})
}

// A caller that gives up while its batch runs returns at once; the executor
// still finishes the batch and goes on serving others.
func TestBatcherCancelledWhileRunning(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		g := newGatedRun()
		b := newBatcher(10, 1, g.run)
		ctx, cancel := context.WithCancel(context.Background())
		gaveUp := start(ctx, b, 0)
		synctest.Wait()
		cancel()
		synctest.Wait()
		select {
		case r := <-gaveUp:
			if !errors.Is(r.err, context.Canceled) {
				t.Errorf("call cancelled during its run returned (%q, %v), want context.Canceled", r.out, r.err)
			}
		default:
			t.Fatal("a call cancelled during its run waits for the run to end")
		}
		close(g.release)
		if out, err := b.do(context.Background(), 1); err != nil || out != label(1) {
			t.Errorf("call after the abandoned batch returned (%q, %v), want (%q, nil)", out, err, label(1))
		}
		b.close()
		if got := g.recorded(); len(got) != 2 || !slices.Equal(got[0], []int{0}) {
			t.Errorf("batches %v, want [[0] [1]]: the abandoned call's work must still run", got)
		}
	})
}

// close returns only after the batches in progress on every executor are
// answered.
func TestBatcherCloseWaitsForRunningBatches(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		b := newBatcher(10, 2, func(_ context.Context, ins []int) []string {
			<-release
			outs := make([]string, len(ins))
			for i, in := range ins {
				outs[i] = label(in)
			}
			return outs
		})
		res := queue(b, 0, 1) // one batch on each executor

		closed := make(chan struct{})
		go func() {
			b.close()
			close(closed)
		}()
		synctest.Wait()
		select {
		case <-closed:
			t.Fatal("close returned while two batches were still running")
		default:
		}
		close(release)
		<-closed
		checkServed(t, res)
	})
}
