package postgres

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/inviter/inviter/pkg/invite"
)

// batchWriter decides and writes a batch page by page, keeping only what
// the batch's answer needs.
type batchWriter struct {
	tx          *sqlx.Tx
	batchID     int64
	requestedBy int64
	decide      func(invite.Candidate) invite.Decision
	opts        invite.BatchOptions

	counts   batchCounts
	outcomes []invite.Outcome // those opts.Results keeps
	queue    []invite.Queued  // up to opts.QueueUpTo attempts to queue
	overflow bool             // more than opts.QueueUpTo: queue is void
	found    map[int64]bool   // selected ids that exist, for a selection by ids
}

// page decides about one page of locked candidates and writes it.
func (w *batchWriter) page(ctx context.Context, cands []candidateRow) error {
	var (
		superseded []int64
		ins        attemptArrays
		insOut     []invite.Outcome // the outcome of each new attempt
		// Refused users, whose status depends on whether they can still
		// sign in (refusedStatuses), and the index of their outcome.
		refusedCands []invite.Candidate
		refusedOuts  []int
	)
	w.counts.selected += len(cands)
	for _, c := range cands {
		if w.found != nil {
			w.found[c.ID] = true
		}
		cand := c.candidate()
		d := w.decide(cand)
		if d.Skip {
			// Left exactly as they are: no attempt, no history row.
			w.counts.skip(d)
			if o := (invite.Outcome{UserID: c.ID, Status: cand.Status, Error: d.Reason, Skipped: true}); w.opts.Results.Keeps(o) {
				w.outcomes = append(w.outcomes, o)
			}
			continue
		}
		o := invite.Outcome{UserID: c.ID, Status: invite.StatusWaiting, Channel: d.Route.Channel}
		if d.Keep {
			o.InvitationID = c.WaitingID.Int64
			w.counts.kept++
			w.keep(o)
			continue
		}
		if c.WaitingID.Valid {
			superseded = append(superseded, c.WaitingID.Int64)
		}
		if d.Reason != nil {
			o.Status, o.Channel, o.Error = invite.StatusError, "", d.Reason
			refusedCands, refusedOuts = append(refusedCands, cand), append(refusedOuts, len(insOut))
			w.counts.refused++
		} else {
			w.counts.queued++
		}
		ins.add(c.ID, d)
		insOut = append(insOut, o)
	}
	if len(superseded) > 0 {
		if _, err := w.tx.ExecContext(ctx, supersedeAttempts, pq.Array(superseded)); err != nil {
			return translate("supersede attempts", err)
		}
	}
	if len(insOut) == 0 {
		return nil
	}
	if err := refusedStatuses(ctx, w.tx, refusedCands, refusedOuts, insOut); err != nil {
		return err
	}
	if err := ins.allocate(ctx, w.tx); err != nil {
		return err
	}
	if _, err := w.tx.ExecContext(ctx, insertAttempts, append(ins.args(w.requestedBy), w.batchID)...); err != nil {
		return translate("insert attempts", err)
	}
	var upd userStatusArrays
	for k := range insOut {
		insOut[k].InvitationID = ins.ids[k]
		upd.add(insOut[k])
		w.keep(insOut[k])
	}
	if _, err := w.tx.ExecContext(ctx, updateBatchUsers, upd.args()...); err != nil {
		return translate("update user statuses", err)
	}
	return nil
}

// keep remembers an outcome as far as the batch's answer and its direct
// enqueue need it.
func (w *batchWriter) keep(o invite.Outcome) {
	if w.opts.Results.Keeps(o) {
		w.outcomes = append(w.outcomes, o)
	}
	if o.Status != invite.StatusWaiting || w.overflow {
		return
	}
	if len(w.queue) >= w.opts.QueueUpTo {
		w.overflow, w.queue = true, nil
		return
	}
	w.queue = append(w.queue, invite.Queued{InvitationID: o.InvitationID, UserID: o.UserID, Channel: o.Channel})
}
