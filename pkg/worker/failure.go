package worker

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/hibiken/asynq"

	"github.com/inviter/inviter/pkg/invite"
)

// failed decides what asynq does with a failed delivery, and records it:
//   - rejected destination: the user ends in error (delivery_rejected), no retry;
//   - other permanent refusal: error (delivery_failed), no retry;
//   - rate limited: retried after the provider's delay, not counted as a
//     failure; on the last try asynq would archive it whatever IsFailure
//     says, so there the user ends in error (delivery_failed) instead of
//     waiting for the reconciler;
//   - transient: retried with backoff; on the last try the user ends in error
//     (delivery_failed) with the provider's last message.
func (h *Handler) failed(ctx context.Context, d invite.Delivery, sendErr error) error {
	if rescheduled(sendErr) {
		return sendErr
	}
	class, de := invite.ClassifyDelivery(sendErr)
	id := d.InvitationID
	log := h.log.With("invitation_id", id, "user_id", d.UserID, "channel", d.Channel, "try", d.Attempts,
		"class", class.String(), "provider_code", de.ProviderCode, "provider_message", de.ProviderMessage)
	switch class {
	case invite.Rejected:
		return h.giveUp(ctx, log, d, OutcomeRejected, invite.ReasonDeliveryRejected, de)
	case invite.Permanent:
		return h.giveUp(ctx, log, d, OutcomeRefused, invite.ReasonDeliveryFailed, de)
	}
	retried, maxRetry, left := retriesLeft(ctx)
	if !left {
		return h.giveUp(ctx, log, d, OutcomeFailed, invite.ReasonDeliveryFailed, de)
	}
	h.outcome(d.Channel, OutcomeRetried)
	if class == invite.RateLimited {
		log.InfoContext(ctx, "provider rate limit; retrying later", "retry_after", de.RetryAfter)
		h.recordRetry(ctx, log, id, de)
		return &rateLimited{de}
	}
	log.WarnContext(ctx, "delivery failed; will retry", "retried", retried, "max_retry", maxRetry)
	h.recordRetry(ctx, log, id, de)
	return fmt.Errorf("worker: deliver attempt %d: %w", id, de)
}

func (h *Handler) giveUp(ctx context.Context, log *slog.Logger, d invite.Delivery, outcome, code string,
	de *invite.DeliveryError) error {
	id := d.InvitationID
	reason := invite.NewReason(code, de.ProviderMessage)
	if err := h.store.MarkFailed(ctx, id, *reason, de.ProviderMessage); err != nil {
		// Not recorded: let asynq retry, the next try will decide again.
		return storeFailure("record failure", id, err)
	}
	h.outcome(d.Channel, outcome)
	log.WarnContext(ctx, "delivery failed for good", "reason", code, "outcome", outcome)
	return fmt.Errorf("worker: attempt %d: %s: %w", id, de, asynq.SkipRetry)
}

func (h *Handler) recordRetry(ctx context.Context, log *slog.Logger, id int64, de *invite.DeliveryError) {
	if err := h.store.RecordRetry(ctx, id, de.ProviderMessage); err != nil {
		log.WarnContext(ctx, "could not record the failed try", "err", err)
	}
}

// retriesLeft reads asynq's retry counters from ctx. Outside asynq (a
// direct call) there are none, and the caller decides: retries are left.
func retriesLeft(ctx context.Context) (retried, maxRetry int, left bool) {
	retried, ok1 := asynq.GetRetryCount(ctx)
	maxRetry, ok2 := asynq.GetMaxRetry(ctx)
	return retried, maxRetry, !ok1 || !ok2 || retried < maxRetry
}

// rateLimited is a provider's throttling: asynq retries it after the
// provider's delay without counting it against MAX_RETRIES.
type rateLimited struct{ *invite.DeliveryError }

func (e *rateLimited) Unwrap() error { return e.DeliveryError }
