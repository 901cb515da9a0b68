package worker

import (
	"context"
	"sync"

	"github.com/inviter/inviter/pkg/invite"
)

// sendGroups holds the attempts of sends that start together in one
// transaction, as the claims and delivery records are shared: a guard of
// its own costs each send a transaction (BEGIN, the locking read, ROLLBACK
// and a transaction id), half of what PostgreSQL spends on an invitation
// (BenchmarkMechanisms/group_commit). Like batcher, an executor takes the
// first send waiting and those already waiting behind it, never waiting for
// more. It keeps the group's transaction open until every send of the group
// is over, and only then lets the group's handlers go on to record their
// deliveries: a record made earlier would wait for the group's locks while
// holding a connection that a send still running may need.
type sendGroups struct {
	calls chan holdCall
	done  chan struct{} // closed by close: no group starts after it
	max   int
	hold  func(ctx context.Context, hs []invite.SendHold) ([]bool, func(), error)
	wg    sync.WaitGroup
}

type holdCall struct {
	h   invite.SendHold
	out chan holdResult
}

// holdResult tells one send of a group whether it may go out; it calls
// finished when it is over and then waits for ended.
type holdResult struct {
	held     bool
	err      error
	finished func()
	ended    <-chan struct{}
}

func newSendGroups(max, executors int, hold func(context.Context, []invite.SendHold) ([]bool, func(), error)) *sendGroups {
	g := &sendGroups{calls: make(chan holdCall), done: make(chan struct{}), max: max, hold: hold}
	for range executors {
		g.wg.Go(g.execute)
	}
	return g
}

func (g *sendGroups) execute() {
	for {
		group, ok := gather(g.calls, g.done, g.max)
		if !ok {
			return
		}
		g.run(group)
	}
}

// run holds a group's attempts, lets its sends go and waits for them.
func (g *sendGroups) run(group []holdCall) {
	hs := make([]invite.SendHold, len(group))
	for i, c := range group {
		hs[i] = c.h
	}
	// The transaction lives as long as this context: until every send of
	// the group is over, however long the callers' own contexts last.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	held, release, err := g.hold(ctx, hs)
	var sending sync.WaitGroup
	sending.Add(len(group))
	ended := make(chan struct{})
	for i, c := range group {
		c.out <- holdResult{held: err == nil && held[i], err: err, finished: sending.Done, ended: ended}
	}
	sending.Wait()
	if release != nil {
		release()
	}
	close(ended)
}

// send runs send if h's attempt is held, as part of a group; sent reports
// whether it ran. It returns once the group's transaction has ended.
func (g *sendGroups) send(ctx context.Context, h invite.SendHold, send func(context.Context) error) (sent bool, err error) {
	c := holdCall{h: h, out: make(chan holdResult, 1)}
	if err := submit(ctx, g.calls, g.done, c); err != nil {
		return false, err
	}
	// Once in a group, always to its end: the group waits for every member.
	r := <-c.out
	defer func() {
		r.finished()
		<-r.ended
	}()
	if r.err != nil || !r.held {
		return false, r.err
	}
	return true, send(ctx)
}

// close stops the executors once the groups in progress are over; a send
// after it fails with errBatcherClosed.
func (g *sendGroups) close() {
	close(g.done)
	g.wg.Wait()
}
