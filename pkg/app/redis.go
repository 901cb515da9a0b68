package app

import (
	"fmt"

	"github.com/hibiken/asynq"

	"github.com/inviter/inviter/pkg/config"
)

// RedisConnOpt maps REDIS_URL to asynq's connection option: a single
// server (asynq's own URL parser), a Sentinel set (RedisFailoverClientOpt:
// the master is found through the sentinels, and found again after a
// failover) or a cluster (RedisClusterClientOpt). Everything else that uses
// Redis (asynq's server and client, the rate limiter, the readiness check)
// shares the go-redis client the option makes.
func RedisConnOpt(redisURL string) (asynq.RedisConnOpt, error) {
	t, err := config.ParseRedisURL(redisURL)
	if err != nil {
		return nil, fmt.Errorf("app: REDIS_URL: %w", err)
	}
	switch t.Mode {
	case config.RedisSentinel:
		return asynq.RedisFailoverClientOpt{MasterName: t.Master, SentinelAddrs: t.Addrs,
			Password: t.Password, DB: t.DB}, nil
	case config.RedisCluster:
		return asynq.RedisClusterClientOpt{Addrs: t.Addrs, Password: t.Password}, nil
	}
	opt, err := asynq.ParseRedisURI(t.URL)
	if err != nil {
		return nil, fmt.Errorf("app: REDIS_URL: %w", err)
	}
	return opt, nil
}
