package worker

import (
	"context"
	"errors"
	"sync"
)

// batcher runs calls that arrive together as one: each executor takes the
// first waiting call, adds every call already waiting (up to max), runs them
// with one run and hands each caller its result. It never waits for more
// calls to arrive, so a lone call costs what it always did, and batches grow
// with the load exactly when one statement per call would be the bottleneck:
// group commit, as databases do it.
type batcher[In, Out any] struct {
	calls chan call[In, Out]
	done  chan struct{} // closed by close: no call starts after it
	max   int
	run   func(ctx context.Context, ins []In) []Out // one result per input, in order
	wg    sync.WaitGroup
}

type call[In, Out any] struct {
	in  In
	out chan Out
}

func newBatcher[In, Out any](max, executors int, run func(context.Context, []In) []Out) *batcher[In, Out] {
	b := &batcher[In, Out]{calls: make(chan call[In, Out]), done: make(chan struct{}), max: max, run: run}
	for range executors {
		b.wg.Go(b.execute)
	}
	return b
}

// gather waits for a first call (or done: ok false), then adds every call
// already waiting behind it, up to max.
func gather[C any](calls <-chan C, done <-chan struct{}, max int) (batch []C, ok bool) {
	select {
	case first := <-calls:
		batch = append(batch, first)
	case <-done:
		return nil, false
	}
	for len(batch) < max {
		select {
		case c := <-calls:
			batch = append(batch, c)
		default:
			return batch, true
		}
	}
	return batch, true
}

// submit hands c to an executor, unless ctx ends first or the executors
// are closed (errBatcherClosed).
func submit[C any](ctx context.Context, calls chan<- C, done <-chan struct{}, c C) error {
	select {
	case calls <- c:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-done:
		return errBatcherClosed
	}
}

func (b *batcher[In, Out]) execute() {
	for {
		batch, ok := gather(b.calls, b.done, b.max)
		if !ok {
			return
		}
		ins := make([]In, len(batch))
		for i, c := range batch {
			ins[i] = c.in
		}
		// The statement runs even for callers that gave up meanwhile: their
		// work (a claim, a delivery record) is safe to finish.
		outs := b.run(context.Background(), ins)
		for i, c := range batch {
			c.out <- outs[i]
		}
	}
}

// do runs in as part of a batch and returns its result.
func (b *batcher[In, Out]) do(ctx context.Context, in In) (Out, error) {
	c := call[In, Out]{in: in, out: make(chan Out, 1)}
	var zero Out
	if err := submit(ctx, b.calls, b.done, c); err != nil {
		return zero, err
	}
	select {
	case out := <-c.out:
		return out, nil
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// errBatcherClosed answers a call made after close (a handler that outlived
// the server's shutdown timeout): an error, where a send on a closed
// channel would crash the process.
var errBatcherClosed = errors.New("worker: shutting down")

// close stops the executors once the calls in progress are answered; a
// call made after it fails with errBatcherClosed.
func (b *batcher[In, Out]) close() {
	close(b.done)
	b.wg.Wait()
}
