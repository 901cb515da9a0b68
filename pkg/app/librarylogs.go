package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/redis/go-redis/v9"
)

// routeLibraryLogs sends the log lines of libraries that write plain text
// to stderr by themselves — go-redis (a failed dial, a pool error: 20 of 53
// lines in 20 s while Redis was down), and anything that uses the standard
// log package — through the binary's slog logger, so every line is JSON.
// Both are process-wide settings of those libraries; the binaries call
// this once at start (in tests, the last service started gets them).
func routeLibraryLogs(log *slog.Logger) {
	redis.SetLogger(redisLogger{log.With("component", "go-redis")})
	slog.SetDefault(log)
}

// redisLogger adapts slog to go-redis's Printf-style logger. go-redis logs
// only trouble (dial failures, pool and cluster errors), hence warnings.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, args ...any) {
	l.log.WarnContext(ctx, strings.TrimPrefix(fmt.Sprintf(format, args...), "redis: "))
}
