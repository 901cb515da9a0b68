package invite

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Selection is the set of users an admin picked: explicit ids, or every user
// matching a filter (the table's "select all matching").
type Selection struct {
	UserIDs []int64
	Filter  *UserFilter // Limit and After are ignored
	// SkipInvited leaves the users already invited exactly as they are
	// (counted as skipped): "select all matching" on the All view must not
	// send a new password to everyone who already has one.
	SkipInvited bool
}

// validate refuses an empty selection: "everybody" is a filter with no
// conditions, never the absence of a choice.
func (sel Selection) validate() error {
	if len(sel.UserIDs) == 0 && sel.Filter == nil {
		return Errorf(KindInvalid, "required", "give user_ids or a filter").WithField("user_ids")
	}
	return nil
}

// Candidate is a selected user, locked for the duration of a batch (read
// without a lock for a preview).
type Candidate struct {
	UserID  int64
	Role    Role
	Contact Contact
	// Waiting is the route of the user's current attempt when that attempt is
	// still waiting; nil otherwise.
	Waiting *Route
	// Status is the user's invitation status before the batch.
	Status Status
	// HasCredentials tells that the user can sign in now: with a password
	// they chose, or with the temporary password of their latest delivered
	// invitation (neither used nor expired). See StatusAfterRefusal. The
	// check costs a look-up per user, so a store makes it only for the
	// users a batch refuses, after decide: Decide never reads it.
	HasCredentials bool
}

// Decision is what a batch does with one candidate.
type Decision struct {
	Keep   bool  // the current waiting attempt already does the job
	Route  Route // where a new attempt goes, when Reason is nil
	Reason *Reason
	// Skip leaves the user exactly as they are: no attempt, no history
	// row. An administrator is skipped with Reason admin_account, a user
	// already invited (Selection.SkipInvited) without a reason.
	Skip bool
}

// Decide applies the verification method to a candidate. A user already
// waiting for the very same route keeps their attempt, so a double click or a
// repeated request sends nothing twice; a changed route (new contact data, a
// new setting) supersedes the waiting attempt.
//
// Administrators are not invited, and a selection never changes their
// status: a temporary password for an admin account would let another
// admin, who sees the development outbox or the user's mail, take that
// account over. They are skipped, with the reason admin_account.
func Decide(m VerificationMethod, c Candidate) Decision {
	if c.Role.IsAdmin() {
		return Decision{Skip: true, Reason: NewReason(ReasonAdminAccount, "")}
	}
	route, reason := ChooseRoute(m, c.Contact)
	if reason != nil {
		return Decision{Reason: reason}
	}
	if c.Waiting != nil && *c.Waiting == route {
		return Decision{Keep: true, Route: route}
	}
	return Decision{Route: route}
}

// Outcome is the result of a batch for one user.
type Outcome struct {
	UserID       int64
	InvitationID int64 // 0 when the user does not exist or was skipped
	// Status is waiting or error; invited for a refused user who can still
	// sign in (see StatusAfterRefusal) and for a skipped one who was
	// invited; a skipped user's status as it was; "" when the user does not
	// exist.
	Status  Status
	Channel Channel
	Error   *Reason
	Skipped bool // left as they were (Decision.Skip): no attempt
}

// Queued identifies an attempt that must be in the queue.
type Queued struct {
	InvitationID int64
	UserID       int64
	Channel      Channel
}

// Batch is a recorded "Send invitation" request: its id, which stamps the
// attempts it created, its counts, and the outcomes BatchOptions.Results
// asked for.
type Batch struct {
	ID       int64
	Outcomes []Outcome
	Queued   int // users waiting afterwards: new attempts and kept ones
	Rejected int // users refused, and requested ids that match no user
	Skipped  int // already invited, left as they are (Selection.SkipInvited)
	Admins   int // administrators, left as they are
	// Queue holds the attempts to put in the queue (new and kept) when there
	// are at most BatchOptions.QueueUpTo of them; nil otherwise.
	Queue []Queued
}

// BatchStore persists a batch atomically: every selected user ends waiting
// (with a new or kept attempt) or in error, and the batch is recorded, or
// nothing changes. Nothing is queued before the transaction commits: the
// caller queues the batch afterwards (see Inviter.Invite).
//
// Candidates calls each for every user of a selection, in id order, the way
// CreateBatch would see them, but locks and writes nothing (see Preview).
type BatchStore interface {
	VerificationMethod(ctx context.Context) (VerificationMethod, error)
	CreateBatch(ctx context.Context, sel Selection, requestedBy int64,
		decide func(Candidate) Decision, opts BatchOptions) (Batch, error)
	Candidates(ctx context.Context, sel Selection, each func(Candidate)) error
}

// Enqueuer puts attempts in the task queue. Enqueuing an attempt that is
// already queued is not an error, nor is dispatching a batch twice.
type Enqueuer interface {
	Enqueue(ctx context.Context, q []Queued) error
	// Dispatch enqueues the one task that fans a batch's waiting attempts
	// out into their own tasks (see worker.Dispatcher).
	Dispatch(ctx context.Context, batchID int64) error
}

// enqueueBudget bounds what the api does with Redis after the commit: a
// few hundred tasks at most, or the one dispatch task.
const enqueueBudget = 10 * time.Second

// DefaultDirectEnqueue is how many attempts a batch may have for the api to
// enqueue their tasks itself after the commit: a lone invitation goes out
// without the dispatch task's extra trip through the queue, while a large
// batch costs the api one enqueue.
const DefaultDirectEnqueue = 100

// BatchResult is the answer to an admin's "Send invitation".
type BatchResult struct {
	BatchID  int64 // where to follow the progress (see BatchProgress)
	Queued   int
	Rejected int
	Skipped  int       // already invited, left as they are (Selection.SkipInvited)
	Admins   int       // administrators, left as they are
	Outcomes []Outcome // as InviteOptions.Results asked
}

// InviteOptions tune one "Send invitation".
type InviteOptions struct {
	Results Results // which outcomes BatchResult lists; "" is all
}

// Inviter runs "Send invitation" for a selection of users.
type Inviter struct {
	store    BatchStore
	queue    Enqueuer
	log      *slog.Logger
	channels Channels // see WithChannels
	direct   int
}

// NewInviter returns an Inviter that enqueues the tasks of batches of up to
// DefaultDirectEnqueue attempts itself.
func NewInviter(store BatchStore, queue Enqueuer, log *slog.Logger) *Inviter {
	return &Inviter{store: store, queue: queue, log: log, direct: DefaultDirectEnqueue}
}

// WithDirectEnqueue sets how many attempts a batch may have for the api to
// enqueue them itself; 0 sends every batch through the dispatch task.
func (in *Inviter) WithDirectEnqueue(n int) *Inviter {
	in.direct = max(n, 0)
	return in
}

// Invite runs InviteWith and lists every outcome.
func (in *Inviter) Invite(ctx context.Context, requestedBy int64, sel Selection) (BatchResult, error) {
	return in.InviteWith(ctx, requestedBy, sel, InviteOptions{})
}

// InviteWith marks the selected users waiting (or error, with the reason) in
// one transaction, then fills the queue behind it: a small batch's tasks
// directly, a large batch's through one dispatch task that workers fan out.
// Nothing is in the queue before the commit, so a worker never meets an
// attempt that is not there yet, and a rolled-back batch leaves nothing
// behind.
//
// PostgreSQL is the source of truth: when the queue is unreachable, or the
// api dies between the commit and the enqueue, the attempts stay waiting
// and the worker's reconciler enqueues them later, so the call still
// succeeds.
func (in *Inviter) InviteWith(ctx context.Context, requestedBy int64, sel Selection, opts InviteOptions) (BatchResult, error) {
	if err := sel.validate(); err != nil {
		return BatchResult{}, err
	}
	if opts.Results == "" {
		opts.Results = ResultsAll
	}
	method, err := in.store.VerificationMethod(ctx)
	if err != nil {
		return BatchResult{}, fmt.Errorf("invite: read verification method: %w", err)
	}
	batch, err := in.store.CreateBatch(ctx, sel, requestedBy, func(c Candidate) Decision {
		return in.decide(sel, method, c)
	}, BatchOptions{Results: opts.Results, QueueUpTo: in.direct})
	if err != nil {
		return BatchResult{}, fmt.Errorf("invite: create invitations: %w", err)
	}
	in.fill(ctx, batch)
	return BatchResult{BatchID: batch.ID, Queued: batch.Queued, Rejected: batch.Rejected,
		Skipped: batch.Skipped, Admins: batch.Admins, Outcomes: batch.Outcomes}, nil
}

// fill queues a committed batch. Not cancelled with the request (the batch
// is recorded: finish), but bounded: with Redis unreachable the admin gets
// the answer, and the reconciler enqueues the waiting attempts.
func (in *Inviter) fill(ctx context.Context, b Batch) {
	if b.Queued == 0 {
		return
	}
	ectx, cancel := context.WithTimeout(context.WithoutCancel(ctx), enqueueBudget)
	defer cancel()
	var err error
	if b.Queue != nil {
		err = in.queue.Enqueue(ectx, b.Queue)
	} else {
		err = in.queue.Dispatch(ectx, b.ID)
	}
	if err != nil {
		in.log.WarnContext(ctx, "enqueue failed; the reconciler will enqueue the waiting invitations",
			"batch_id", b.ID, "err", err)
	}
}
