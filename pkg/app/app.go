// Package app holds the start-up steps both binaries share: logging,
// the database (created and migrated), the server secret, the Redis
// connection, serving HTTP and stopping gracefully. It is wiring only.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"github.com/inviter/inviter/pkg/auth"
	"github.com/inviter/inviter/pkg/config"
	"github.com/inviter/inviter/pkg/postgres"
)

// NewLogger returns the JSON logger of a binary.
func NewLogger(w io.Writer, level slog.Level, binary string) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})).With("service", binary)
}

// OpenDatabase connects to PostgreSQL (creating the database when missing)
// and applies the migrations under a lock.
func OpenDatabase(ctx context.Context, cfg config.Config, log *slog.Logger) (*sqlx.DB, error) {
	db, err := openPool(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, cfg, log); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// temporaryKeyName is the server secret that keys temporary password hashes.
const temporaryKeyName = "temporary_password_key"

// TemporaryHasher returns the hasher of temporary passwords, keyed by
// SECRET_KEY or else by a key generated once and kept in PostgreSQL, so that
// every replica of both binaries shares it.
func TemporaryHasher(ctx context.Context, cfg config.Config, store *postgres.Store) (*auth.TemporaryHasher, error) {
	key := cfg.SecretKey
	if key == nil {
		var err error
		if key, err = store.SecretKey(ctx, temporaryKeyName, auth.NewSecretKey); err != nil {
			return nil, err
		}
	}
	return auth.NewTemporaryHasher(key)
}

// Redis opens a go-redis client on REDIS_URL (see RedisConnOpt), shared by
// asynq and the readiness check.
func Redis(cfg config.Config) (redis.UniversalClient, error) {
	opt, err := RedisConnOpt(cfg.RedisURL)
	if err != nil {
		return nil, err
	}
	rc, ok := opt.MakeRedisClient().(redis.UniversalClient)
	if !ok {
		return nil, errors.New("app: REDIS_URL: unsupported connection type")
	}
	return rc, nil
}

// Serve serves h on addr until ctx is done, then stops accepting and waits
// up to grace for requests in flight. It logs the bound address, which tells
// a caller that asked for port 0 where to connect.
func Serve(ctx context.Context, addr string, h http.Handler, grace time.Duration, log *slog.Logger, what string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("app: listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) }}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info(what+" listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("app: %s: %w", what, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("app: %s shutdown: %w", what, err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// PingDB adapts a database handle to a readiness check.
func PingDB(db *sqlx.DB) func(context.Context) error {
	return func(ctx context.Context) error { return db.PingContext(ctx) }
}

// PingRedis adapts a Redis client to a readiness check.
func PingRedis(rc redis.UniversalClient) func(context.Context) error {
	return func(ctx context.Context) error { return rc.Ping(ctx).Err() }
}
