package worker

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/inviter/inviter/pkg/invite"
)

// BatchStore is a Store that can also claim and record several attempts in
// one statement.
type BatchStore interface {
	Store
	ClaimAttempts(ctx context.Context, claims []invite.Claim) (map[int64]invite.Delivery, error)
	MarkDeliveredMany(ctx context.Context, ids []int64, ttl time.Duration) error
	// HoldSends holds several sends' attempts as GuardSend holds one, until
	// release (see postgres.Store.HoldSends).
	HoldSends(ctx context.Context, hs []invite.SendHold) (held []bool, release func(), err error)
}

// GroupCommit is a Store whose claims and delivery records from concurrent
// handlers share statements. Each try costs two writes, and with one
// statement (and one commit) per write the database would set the pace of
// the whole pipeline; shared, it takes a statement per batch. Claims still
// commit before any message goes out, and a delivery is still recorded
// before its task is acknowledged.
type GroupCommit struct {
	BatchStore
	claims *batcher[invite.Claim, claimResult]
	marks  *batcher[markRequest, error]
	// sends groups the guards of sends that start together, one set of
	// groups a channel: an SMS waiting for its provider's rate must not
	// hold e-mails back.
	sends map[invite.Channel]*sendGroups
}

var _ Store = (*GroupCommit)(nil)

type claimResult struct {
	d   invite.Delivery
	err error
}

type markRequest struct {
	id  int64
	ttl time.Duration
}

// statementTimeout bounds one shared statement.
const statementTimeout = 30 * time.Second

// NewGroupCommit wraps s; maxBatch bounds the calls one statement serves
// and executors the statements of each kind in flight at once. One executor
// makes the largest batches: calls queue behind the statement in flight. A
// second one splits them: measured in BenchmarkEndToEnd, 3.8 claims and 5.6
// delivery records a statement with one executor against 2.3 and 3.2 with
// two, and about 2,200 invitations a second against 1,750. Close it after
// the handlers have stopped.
func NewGroupCommit(s BatchStore, maxBatch, executors int) *GroupCommit {
	g := &GroupCommit{BatchStore: s}
	g.claims = newBatcher(maxBatch, executors, g.claimBatch)
	g.marks = newBatcher(maxBatch, executors, g.markBatch)
	g.sends = make(map[invite.Channel]*sendGroups, 2)
	for _, ch := range []invite.Channel{invite.ChannelEmail, invite.ChannelSMS} {
		g.sends[ch] = newSendGroups(maxBatch, sendGroupExecutors, g.BatchStore.HoldSends)
	}
	return g
}

// GuardEachSend makes g guard every send in a transaction of its own
// (PERF_OFF=send_groups), for the benchmark that weighs the groups against
// their absence. Call it before any send. It returns g.
func (g *GroupCommit) GuardEachSend() *GroupCommit {
	for _, groups := range g.sends {
		groups.close()
	}
	g.sends = nil
	return g
}

// sendGroupExecutors is how many groups of sends of a channel may be under
// way at once, each holding a connection: enough that a group whose slowest
// send takes long does not stop the next from starting.
const sendGroupExecutors = 8

// GuardSend runs send as part of a group of sends of h's channel (see
// sendGroups).
func (g *GroupCommit) GuardSend(ctx context.Context, h invite.SendHold, send func(context.Context) error) (bool, error) {
	groups, ok := g.sends[h.Channel]
	if !ok {
		return g.BatchStore.GuardSend(ctx, h, send)
	}
	return groups.send(ctx, h, send)
}

// ClaimAttempt claims one attempt as part of a batch.
func (g *GroupCommit) ClaimAttempt(ctx context.Context, id int64, passwordHash []byte) (invite.Delivery, error) {
	r, err := g.claims.do(ctx, invite.Claim{InvitationID: id, PasswordHash: passwordHash})
	if err != nil {
		return invite.Delivery{}, err
	}
	return r.d, r.err
}

// MarkDelivered records one delivery as part of a batch.
func (g *GroupCommit) MarkDelivered(ctx context.Context, id int64, ttl time.Duration) error {
	err, cerr := g.marks.do(ctx, markRequest{id: id, ttl: ttl})
	if cerr != nil {
		return cerr
	}
	return err
}

// Close stops the batchers.
func (g *GroupCommit) Close() {
	g.claims.close()
	g.marks.close()
	for _, groups := range g.sends {
		groups.close()
	}
}

// claimBatch claims a batch. An id that comes twice (one task run twice at
// once) goes to a further statement, because one UPDATE keeps only one of
// the hashes given for a row, and both passwords must work.
func (g *GroupCommit) claimBatch(ctx context.Context, claims []invite.Claim) []claimResult {
	ctx, cancel := context.WithTimeout(ctx, statementTimeout)
	defer cancel()
	out := make([]claimResult, len(claims))
	pending := make([]int, len(claims))
	for i := range claims {
		pending[i] = i
	}
	for len(pending) > 0 {
		var round []invite.Claim
		var idx, later []int
		seen := make(map[int64]bool, len(pending))
		for _, i := range pending {
			if seen[claims[i].InvitationID] {
				later = append(later, i)
				continue
			}
			seen[claims[i].InvitationID] = true
			round = append(round, claims[i])
			idx = append(idx, i)
		}
		// In id order, as the database locks them (see postgres "Lock order").
		slices.SortFunc(round, func(a, b invite.Claim) int { return cmp.Compare(a.InvitationID, b.InvitationID) })
		got, err := g.BatchStore.ClaimAttempts(ctx, round)
		for _, i := range idx {
			switch d, ok := got[claims[i].InvitationID]; {
			case err != nil:
				out[i].err = err
			case ok:
				out[i].d = d
			default:
				out[i].err = fmt.Errorf("worker: claim attempt %d: %w", claims[i].InvitationID, invite.ErrStale)
			}
		}
		pending = later
	}
	return out
}

// markBatch records a batch of deliveries, one statement per distinct TTL
// (in practice one: the worker's INVITE_TTL).
func (g *GroupCommit) markBatch(ctx context.Context, reqs []markRequest) []error {
	ctx, cancel := context.WithTimeout(ctx, statementTimeout)
	defer cancel()
	byTTL := make(map[time.Duration][]int)
	for i, r := range reqs {
		byTTL[r.ttl] = append(byTTL[r.ttl], i)
	}
	out := make([]error, len(reqs))
	for ttl, idx := range byTTL {
		ids := make([]int64, len(idx))
		for k, i := range idx {
			ids[k] = reqs[i].id
		}
		err := g.BatchStore.MarkDeliveredMany(ctx, ids, ttl)
		for _, i := range idx {
			out[i] = err
		}
	}
	return out
}
