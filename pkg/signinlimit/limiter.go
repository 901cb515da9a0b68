// Package signinlimit limits sign-in attempts per account and per client
// address, with the counts in Redis so that every api replica sees the same
// ones. It uses go-redis/redis_rate (GCRA: a steady refill with a burst), a
// small, maintained library whose whole decision is one Lua script run
// atomically by Redis.
package signinlimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// Limits are the attempts allowed per Window; 0 turns a limit off.
type Limits struct {
	PerAccount int
	PerAddress int
	Window     time.Duration
}

// Limiter counts sign-in attempts in Redis.
type Limiter struct {
	rl     *redis_rate.Limiter
	limits Limits
}

// New returns a Limiter over a Redis client.
func New(rc redis.UniversalClient, l Limits) *Limiter {
	return &Limiter{rl: redis_rate.NewLimiter(rc), limits: l}
}

// keys: the login is hashed (lower case) so that a key is short whatever
// was typed, and no login sits in Redis in clear.
func accountKey(login string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(login))))
	return "inviter:signin:account:" + hex.EncodeToString(sum[:16])
}

func addressKey(a netip.Addr) string {
	if a.Is6() {
		// One IPv6 host usually has a whole /64: count the /64.
		a = netip.PrefixFrom(a, 64).Masked().Addr()
	}
	return "inviter:signin:address:" + a.String()
}

// Attempt counts one sign-in attempt for login from addr (an invalid addr
// counts for the account only). It returns 0 when the attempt may go on,
// else how long until the next one may: the attempt is then refused
// before any password is looked at, so the answer is the same whether or
// not the password was right.
func (l *Limiter) Attempt(ctx context.Context, login string, addr netip.Addr) (time.Duration, error) {
	var wait time.Duration
	check := func(key string, n int) error {
		if n <= 0 {
			return nil
		}
		res, err := l.rl.Allow(ctx, key, l.limit(n))
		if err != nil {
			return fmt.Errorf("signinlimit: %w", err)
		}
		if res.Allowed == 0 {
			wait = max(wait, res.RetryAfter, time.Second)
		}
		return nil
	}
	if err := check(accountKey(login), l.limits.PerAccount); err != nil {
		return 0, err
	}
	if addr.IsValid() {
		if err := check(addressKey(addr), l.limits.PerAddress); err != nil {
			return 0, err
		}
	}
	return wait, nil
}

// Succeeded clears the account's count: whoever knows the password need
// not wait for the guesses others made. The address's count stays.
func (l *Limiter) Succeeded(ctx context.Context, login string) error {
	if l.limits.PerAccount <= 0 {
		return nil
	}
	if err := l.rl.Reset(ctx, accountKey(login)); err != nil {
		return fmt.Errorf("signinlimit: %w", err)
	}
	return nil
}

// limit is n attempts at once, then one more every Window/n.
func (l *Limiter) limit(n int) redis_rate.Limit {
	return redis_rate.Limit{Rate: n, Burst: n, Period: l.limits.Window}
}
