package userimport

import (
	"context"
	"sync"
	"time"
)

// heartbeat writes a job's state and progress: when they change, at most
// every progressWrite, and every heartbeatEvery regardless.
type heartbeat struct {
	mu      sync.Mutex
	state   JobState
	p       Progress
	changed chan struct{}
	done    chan struct{}
	once    sync.Once
	exited  chan struct{}
}

func newHeartbeat(im *Importer, id int64, p Progress) *heartbeat {
	h := &heartbeat{state: JobQueued, p: p, changed: make(chan struct{}, 1), done: make(chan struct{}), exited: make(chan struct{})}
	go func() {
		defer close(h.exited)
		tick := time.NewTicker(heartbeatEvery)
		defer tick.Stop()
		for {
			h.mu.Lock()
			state, p := h.state, h.p
			h.mu.Unlock()
			ctx, cancel := context.WithTimeout(context.Background(), heartbeatEvery)
			if err := im.jobs.UpdateImportJob(ctx, id, state, p); err != nil {
				im.log.Warn("background import: cannot record progress", "import", id, "err", err)
			}
			cancel()
			select {
			case <-h.done:
				return
			case <-tick.C:
			case <-h.changed:
				select { // no more often than progressWrite
				case <-h.done:
					return
				case <-time.After(progressWrite):
				}
			}
		}
	}()
	return h
}

func (h *heartbeat) set(state JobState, p Progress) {
	h.mu.Lock()
	h.state, h.p = state, p
	h.mu.Unlock()
	select {
	case h.changed <- struct{}{}:
	default:
	}
}

// stop ends the heartbeat and waits for its last write, so that it cannot
// land after the job's end is recorded.
func (h *heartbeat) stop() {
	h.once.Do(func() { close(h.done) })
	<-h.exited
}
