package app

import (
	"log/slog"

	"github.com/hibiken/asynq"

	"github.com/inviter/inviter/pkg/config"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/tasks"
	"github.com/inviter/inviter/pkg/worker"
)

// workerQueues are the queues a worker serves, dispatch first (strict
// priority): fanning a batch out takes a few tasks and lets every worker
// start on it, so it never waits behind deliveries.
var workerQueues = map[string]int{tasks.DispatchQueue: 2, tasks.Queue: 1}

// deliveryStore is the store the delivery handler uses: claims, send
// guards and delivery records shared between concurrent tasks (group
// commit) unless PERF_OFF turns that off. The returned close stops the batchers, after the asynq
// server has stopped.
func deliveryStore(cfg config.Config, store *postgres.Store) (worker.Store, func()) {
	if cfg.Perf.Disabled(config.PerfPreparedStatements) {
		store.WithoutPreparedStatements()
	}
	if cfg.Perf.Disabled(config.PerfGroupCommit) {
		return store, func() {}
	}
	group := worker.NewGroupCommit(store, groupCommitBatch, 1)
	if cfg.Perf.Disabled(config.PerfSendGroups) {
		group.GuardEachSend()
	}
	return group, group.Close
}

// registerDispatch adds the dispatch and page handlers to mux; they enqueue
// with enq.
func registerDispatch(mux *asynq.ServeMux, store *postgres.Store, enq *tasks.Enqueuer, log *slog.Logger) {
	worker.NewDispatcher(store, enq, worker.DefaultDispatchPage, log).Register(mux)
}
