package testenv

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// DefaultRedisAddr is the Redis server tests use unless TEST_REDIS_ADDR
// names another.
const DefaultRedisAddr = "127.0.0.1:6379"

// Redis is a test's own Redis logical database.
type Redis struct {
	Client *redis.Client
	Addr   string
	DB     int
	URL    string // redis://addr/db, for code that connects by itself
}

// AsynqOpt is the asynq connection option for this database.
func (r *Redis) AsynqOpt() asynq.RedisClientOpt {
	return asynq.RedisClientOpt{Addr: r.Addr, DB: r.DB}
}

// leaseTTL bounds how long a crashed test process can keep a database.
const leaseTTL = 30 * time.Minute

// NewRedis leases one of the server's logical databases 1..N-1 for the test
// (database 0 holds the leases and is left to `make run`), empties it, and
// empties and releases it when the test ends. When every database is leased
// by tests running in parallel, it waits for one to be released.
func NewRedis(t testing.TB) *Redis {
	t.Helper()
	addr := os.Getenv("TEST_REDIS_ADDR")
	if addr == "" {
		addr = DefaultRedisAddr
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	ctl := redis.NewClient(&redis.Options{Addr: addr})
	defer ctl.Close()
	count := 16
	if v, err := ctl.ConfigGet(ctx, "databases").Result(); err != nil {
		t.Fatalf("testenv: Redis is not reachable at %s (start it, see .ci/run): %v", addr, err)
	} else if n, err := strconv.Atoi(v["databases"]); err == nil {
		count = n
	}
	owner := fmt.Sprintf("%s/%d/%s", t.Name(), os.Getpid(), randomHex(t, 4))
	for {
		for db := 1; db < count; db++ {
			key := fmt.Sprintf("inviter-testenv:lease:%d", db)
			ok, err := ctl.SetNX(ctx, key, owner, leaseTTL).Result()
			if err != nil {
				t.Fatalf("testenv: lease Redis database: %v", err)
			}
			if ok {
				return openLeased(t, addr, db, key)
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("testenv: no free Redis database within the deadline")
		case <-time.After(50 * time.Millisecond): // poll interval while all are leased
		}
	}
}

func openLeased(t testing.TB, addr string, db int, key string) *Redis {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, DB: db})
	ctx := context.Background()
	if err := c.FlushDB(ctx).Err(); err != nil {
		t.Fatalf("testenv: flush Redis database %d: %v", db, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := c.FlushDB(ctx).Err(); err != nil {
			t.Errorf("testenv: flush Redis database %d: %v", db, err)
		}
		c.Close()
		ctl := redis.NewClient(&redis.Options{Addr: addr})
		defer ctl.Close()
		ctl.Del(ctx, key)
	})
	return &Redis{Client: c, Addr: addr, DB: db, URL: fmt.Sprintf("redis://%s/%d", addr, db)}
}
