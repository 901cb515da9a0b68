// Package worker delivers invitations: the asynq handler that generates
// credentials and sends them, the decision of what asynq does with a failure,
// the backoff, and the reconciler that keeps PostgreSQL and Redis in step.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/tasks"
)

// Store is what the handler needs from PostgreSQL.
type Store interface {
	ClaimAttempt(ctx context.Context, id int64, passwordHash []byte) (invite.Delivery, error)
	MarkDelivered(ctx context.Context, id int64, ttl time.Duration) error
	MarkFailed(ctx context.Context, id int64, reason invite.Reason, providerMessage string) error
	RecordRetry(ctx context.Context, id int64, providerMessage string) error
	// GuardSend runs send only while the attempt is still waiting for that
	// destination, holding it against an edit that would supersede it (see
	// postgres.Store.GuardSend); sent reports whether send ran.
	GuardSend(ctx context.Context, h invite.SendHold, send func(context.Context) error) (sent bool, err error)
}

// Sender delivers one message by its channel.
type Sender interface {
	Send(ctx context.Context, m invite.Message) error
}

// PasswordHasher hashes a temporary password bound to its attempt.
type PasswordHasher interface {
	Hash(invitationID int64, password string) []byte
}

// Handler processes invitation tasks.
type Handler struct {
	store       Store
	sender      Sender
	hasher      PasswordHasher
	newPassword func() (string, error)
	cfg         HandlerConfig
	log         *slog.Logger
}

// HandlerConfig holds the handler's settings.
type HandlerConfig struct {
	InviteTTL     time.Duration // how long a temporary password works
	LoginURL      string        // where the message sends the user
	DefaultLocale string
	// MaxThrottleWait is the longest pause a provider may ask for (a
	// throttled SMS) that the handler waits out itself before sending again;
	// longer ones, or more than a few in a row, go back to asynq. 0 disables.
	MaxThrottleWait time.Duration
	Observer        Observer // counts outcomes (the metrics); nil counts nothing
}

// NewHandler returns a Handler; newPassword makes a fresh temporary password.
func NewHandler(store Store, sender Sender, hasher PasswordHasher, newPassword func() (string, error),
	cfg HandlerConfig, log *slog.Logger) *Handler {
	return &Handler{store: store, sender: sender, hasher: hasher, newPassword: newPassword, cfg: cfg, log: log}
}

// Register adds the handler to mux for every invitation task type.
func (h *Handler) Register(mux *asynq.ServeMux) {
	mux.Handle(tasks.TypeEmail, h)
	mux.Handle(tasks.TypeSMS, h)
}

// ProcessTask delivers one attempt. Each try makes a new password and adds
// its hash to the attempt before sending, so that whatever message reaches
// the user, even from a try that a crash or a lost acknowledgement made run
// twice, carries a password that works. The password itself exists only in
// this function's memory and in the message.
func (h *Handler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := tasks.ParsePayload(t.Payload())
	if err != nil {
		return fmt.Errorf("worker: %w: %w", err, asynq.SkipRetry)
	}
	password, err := h.newPassword()
	if err != nil {
		return fmt.Errorf("worker: generate password: %w", err)
	}
	hash := h.hasher.Hash(p.InvitationID, password)
	// The task was enqueued after the attempt's batch committed: an attempt
	// that is not waiting is finished or superseded, never "not yet there".
	d, err := h.store.ClaimAttempt(ctx, p.InvitationID, hash)
	if errors.Is(err, invite.ErrStale) {
		h.log.DebugContext(ctx, "attempt no longer waiting; nothing to do", "invitation_id", p.InvitationID)
		return nil
	}
	if err != nil {
		return storeFailure("claim", p.InvitationID, err)
	}
	msg := invite.Message{
		InvitationID: d.InvitationID, Channel: d.Channel, To: d.Destination,
		Locale: d.Locale, FirstName: d.FirstName, LastName: d.LastName,
		Login: d.Login, Password: password, LoginURL: h.cfg.LoginURL,
	}
	if h.cfg.InviteTTL > 0 { // the message says until when the password works
		msg.ExpiresAt = time.Now().Add(h.cfg.InviteTTL)
	}
	if msg.Locale == "" {
		msg.Locale = h.cfg.DefaultLocale
	}
	start := time.Now()
	skipped, sendErr, err := h.sendIfCurrent(ctx, d, msg)
	if err != nil {
		return fmt.Errorf("worker: check attempt %d before sending: %w", d.InvitationID, err)
	}
	if skipped {
		h.log.DebugContext(ctx, "attempt superseded before sending; nothing sent", "invitation_id", d.InvitationID)
		return nil
	}
	if sendErr != nil {
		return h.failed(ctx, d, sendErr)
	}
	if err := h.recordDelivery(ctx, d.InvitationID); err != nil {
		// The message went out; a retry sends another whose password works
		// too. Better a second message than a user stuck waiting.
		return storeFailure("record delivery", d.InvitationID, err)
	}
	h.outcome(d.Channel, OutcomeDelivered)
	h.log.InfoContext(ctx, "invitation delivered", "invitation_id", d.InvitationID, "user_id", d.UserID,
		"channel", d.Channel, "try", d.Attempts, "duration", time.Since(start))
	return nil
}

// Throttling is waited out in the handler when the provider asks for a short
// pause: the message (and its password, already recorded) is simply sent
// again. This slows the worker down to the provider's pace, which is the
// point, and keeps short throttles out of asynq's retry accounting, where
// one on the last try would end the task.
const (
	maxInlineThrottles = 5
	defaultThrottleGap = time.Second
)

func (h *Handler) send(ctx context.Context, msg invite.Message) error {
	for i := 0; ; i++ {
		err := h.sender.Send(ctx, msg)
		if err == nil || i >= maxInlineThrottles {
			return err
		}
		class, de := invite.ClassifyDelivery(err)
		if class != invite.RateLimited {
			return err
		}
		wait := de.RetryAfter
		if wait <= 0 {
			wait = defaultThrottleGap
		}
		if wait > h.cfg.MaxThrottleWait {
			return err
		}
		h.log.InfoContext(ctx, "provider rate limit; retrying later", "invitation_id", msg.InvitationID,
			"retry_after", wait, "provider_message", de.ProviderMessage)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// recordPauses are the waits between tries of recording a delivery: a
// database hiccup must not leave a sent message unrecorded, since a later
// try could then fail the attempt while the user holds a working message.
var recordPauses = [...]time.Duration{50 * time.Millisecond, 200 * time.Millisecond, time.Second}

func (h *Handler) recordDelivery(ctx context.Context, id int64) error {
	err := h.store.MarkDelivered(ctx, id, h.cfg.InviteTTL)
	for _, pause := range recordPauses {
		if err == nil || ctx.Err() != nil {
			break
		}
		h.log.WarnContext(ctx, "could not record a delivery; trying again", "invitation_id", id, "err", err)
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
			err = h.store.MarkDelivered(ctx, id, h.cfg.InviteTTL)
		}
	}
	return err
}
