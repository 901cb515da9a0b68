package worker

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/inviter/inviter/pkg/invite"
)

// The send group tests run in a synctest bubble, as the batcher tests do.
// The hold function is a recorder: what it stands for, the database's
// locks, is tested on PostgreSQL in grouped_sends_test.go.

// holdLog records the groups held and the order of events.
type holdLog struct {
	stale map[int64]bool // attempts no longer current
	err   error          // what every hold returns, when set

	mu     sync.Mutex
	groups [][]int64
	events []string
}

func (l *holdLog) hold(_ context.Context, hs []invite.SendHold) ([]bool, func(), error) {
	ids := make([]int64, len(hs))
	held := make([]bool, len(hs))
	for i, h := range hs {
		ids[i], held[i] = h.InvitationID, !l.stale[h.InvitationID]
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.groups = append(l.groups, ids)
	if l.err != nil {
		return nil, nil, l.err
	}
	return held, func() { l.event("release", ids...) }, nil
}

func (l *holdLog) event(what string, ids ...int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, what+" "+idList(ids))
}

func (l *holdLog) recorded() ([][]int64, []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.groups), slices.Clone(l.events)
}

func idList(ids []int64) string {
	s := ""
	for i, id := range ids {
		if i > 0 {
			s += ","
		}
		s += string(rune('0' + id))
	}
	return s
}

type sendResult struct {
	sent bool
	err  error
}

// startSend sends attempt id through g in a goroutine; its send waits for
// gate when gate is not nil. It returns where the result will arrive, once
// every goroutine of the bubble is blocked.
func startSend(g *sendGroups, l *holdLog, id int64, gate chan struct{}) <-chan sendResult {
	ch := make(chan sendResult, 1)
	go func() {
		sent, err := g.send(context.Background(), invite.SendHold{InvitationID: id, Channel: invite.ChannelEmail},
			func(context.Context) error {
				if gate != nil {
					<-gate
				}
				l.event("sent", id)
				return nil
			})
		l.event("returned", id)
		ch <- sendResult{sent, err}
	}()
	synctest.Wait()
	return ch
}

// Sends that arrive while a group is under way are held together as the
// next group; each returns only once its group's transaction has ended,
// after the slowest of its sends: a delivery record made before would wait
// for the group's locks.
func TestSendGroupsHoldTogetherUntilTheLastSend(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := &holdLog{stale: map[int64]bool{3: true}}
		g := newSendGroups(10, 1, l.hold)
		first, slow := make(chan struct{}), make(chan struct{})
		r1 := startSend(g, l, 1, first)
		r2 := startSend(g, l, 2, slow)
		r3 := startSend(g, l, 3, nil)
		r4 := startSend(g, l, 4, nil)
		if groups, _ := l.recorded(); len(groups) != 1 {
			t.Fatalf("groups while the first send runs: %v, want [[1]]", groups)
		}
		close(first)
		synctest.Wait()
		if groups, _ := l.recorded(); len(groups) != 2 || !slices.Equal(groups[1], []int64{2, 3, 4}) {
			t.Fatalf("groups %v, want [[1] [2 3 4]]", groups)
		}
		select {
		case r := <-r4:
			t.Fatalf("send 4 returned %+v while send 2 of its group was still going", r)
		default:
		}
		close(slow)
		for id, ch := range map[int64]<-chan sendResult{1: r1, 2: r2, 3: r3, 4: r4} {
			r := <-ch
			if r.err != nil || r.sent != (id != 3) {
				t.Errorf("send %d: %+v, want sent %v (3 is no longer current)", id, r, id != 3)
			}
		}
		g.close()
		_, events := l.recorded()
		for _, order := range [][2]string{
			{"sent 1", "release 1"}, {"release 1", "returned 1"},
			{"sent 4", "sent 2"}, {"sent 2", "release 2,3,4"},
			{"release 2,3,4", "returned 2"}, {"release 2,3,4", "returned 3"}, {"release 2,3,4", "returned 4"},
		} {
			if a, b := slices.Index(events, order[0]), slices.Index(events, order[1]); a < 0 || b < a {
				t.Errorf("events %v: want %q before %q", events, order[0], order[1])
			}
		}
		if slices.Contains(events, "sent 3") {
			t.Errorf("events %v: attempt 3, no longer current, was sent", events)
		}
	})
}

// A hold that fails fails every send of its group, none of which runs.
func TestSendGroupsHoldFailure(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		down := errors.New("database unavailable")
		l := &holdLog{err: down}
		g := newSendGroups(10, 1, l.hold)
		defer g.close()
		if r := <-startSend(g, l, 1, nil); r.sent || !errors.Is(r.err, down) {
			t.Errorf("send under a failed hold: %+v, want not sent and %v", r, down)
		}
		if _, events := l.recorded(); slices.Contains(events, "sent 1") {
			t.Errorf("events %v: the send ran without its hold", events)
		}
	})
}

// After close, a send fails at once instead of waiting for a group.
func TestSendGroupsClosed(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := &holdLog{}
		g := newSendGroups(10, 2, l.hold)
		g.close()
		if r := <-startSend(g, l, 1, nil); r.sent || !errors.Is(r.err, errBatcherClosed) {
			t.Errorf("send after close: %+v, want %v", r, errBatcherClosed)
		}
	})
}
