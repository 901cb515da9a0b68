// Package tasks defines the asynq tasks of the invitation pipeline (type
// names, payloads, ids) and the Enqueuer that puts invitation attempts in the
// queue. A payload carries only the attempt's id: the worker reads the rest
// from PostgreSQL, and no secret ever reaches Redis.
package tasks

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"github.com/inviter/inviter/pkg/invite"
)

// Task type names. They are stored in Redis and shown in asynqmon: never
// change them once released; payloads may only gain fields.
const (
	TypeEmail = "invite:email"
	TypeSMS   = "invite:sms"
)

// Queue is the asynq queue of invitation tasks.
const Queue = "invitations"

// Payload is the body of an invitation task.
type Payload struct {
	InvitationID int64 `json:"invitation_id"`
	// UserID was read by workers that waited for the API's commit when the
	// API enqueued before committing. Tasks are now enqueued after the
	// commit and carry none; the field stays so that payloads only gain
	// fields.
	UserID int64 `json:"user_id,omitempty"`
}

// TaskID is the asynq task id of an attempt. Deriving it from the attempt
// makes a repeated enqueue of the same attempt a no-op (ErrTaskIDConflict),
// while a new attempt (sending again) gets a task of its own.
func TaskID(invitationID int64) string {
	return "invitation:" + strconv.FormatInt(invitationID, 10)
}

// TypeFor returns the task type for a channel.
func TypeFor(c invite.Channel) (string, error) {
	switch c {
	case invite.ChannelEmail:
		return TypeEmail, nil
	case invite.ChannelSMS:
		return TypeSMS, nil
	}
	return "", fmt.Errorf("tasks: no task type for channel %q", c)
}

// Options are the per-task settings every invitation task gets.
type Options struct {
	MaxRetry int           // retries after the first try (MAX_RETRIES)
	Timeout  time.Duration // how long one try may run
}

// NewInvitationTask builds the task for an attempt.
func NewInvitationTask(q invite.Queued, o Options) (*asynq.Task, error) {
	typ, err := TypeFor(q.Channel)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(Payload{InvitationID: q.InvitationID})
	if err != nil {
		return nil, fmt.Errorf("tasks: encode payload: %w", err)
	}
	return asynq.NewTask(typ, body,
		asynq.TaskID(TaskID(q.InvitationID)), asynq.Queue(Queue),
		asynq.MaxRetry(o.MaxRetry), asynq.Timeout(o.Timeout)), nil
}

// ParsePayload decodes a task payload.
func ParsePayload(b []byte) (Payload, error) {
	var p Payload
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("tasks: decode payload: %w", err)
	}
	if p.InvitationID <= 0 {
		return p, fmt.Errorf("tasks: payload has no invitation_id")
	}
	return p, nil
}
