package account

import (
	"context"
	"sync"

	"github.com/inviter/inviter/pkg/auth"
	"github.com/inviter/inviter/pkg/invite"
)

// passwordHashing runs the memory-hard password hash (argon2id, 64 MiB a
// call) for logins and password changes, a few at a time: a burst of logins
// must not take the API's memory and CPU from everything else.
type passwordHashing struct {
	slots chan struct{}
	// queue bounds the checks waiting for a slot (see admit): beyond it a
	// sign-in is refused at once rather than holding memory and a
	// connection while it waits.
	queue waitQueue
	// dummy is a hash to verify against when a login does not exist, so
	// that the answer takes as long as for one that does.
	dummyOnce sync.Once
	dummy     string
}

func newPasswordHashing(slots int) *passwordHashing {
	return &passwordHashing{slots: make(chan struct{}, max(slots, 1))}
}

var errBusy = invite.Errorf(invite.KindUnavailable, "busy", "too many sign-ins at once; try again in a moment")

func (p *passwordHashing) acquire(ctx context.Context) error {
	select {
	case p.slots <- struct{}{}:
		return nil
	default:
	}
	if !p.queue.enter() {
		return busyNow
	}
	defer p.queue.leave()
	select {
	case p.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return errBusy.Wrap(ctx.Err())
	}
}

func (p *passwordHashing) release() { <-p.slots }

// verify checks pw against an argon2id hash; encoded "" stands for a login
// that does not exist and costs the same.
func (p *passwordHashing) verify(ctx context.Context, encoded, pw string) (bool, error) {
	if err := p.acquire(ctx); err != nil {
		return false, err
	}
	defer p.release()
	if encoded == "" {
		p.dummyOnce.Do(func() { p.dummy, _ = auth.HashPassword("no such user, no such password") })
		auth.VerifyPassword(p.dummy, pw) //nolint:errcheck // only its cost matters
		return false, nil
	}
	return auth.VerifyPassword(encoded, pw)
}

// hash hashes a new chosen password.
func (p *passwordHashing) hash(ctx context.Context, pw string) (string, error) {
	if err := p.acquire(ctx); err != nil {
		return "", err
	}
	defer p.release()
	return auth.HashPassword(pw)
}
