package app

import (
	"context"
	"log/slog"

	"github.com/jmoiron/sqlx"

	"github.com/inviter/inviter/pkg/config"
	"github.com/inviter/inviter/pkg/postgres"
)

// openPool opens the process's PostgreSQL pool: DB_MAX_CONNS connections,
// DB_STATEMENT_TIMEOUT per statement, waiting up to DB_START_TIMEOUT for a
// database that is not up yet.
func openPool(ctx context.Context, cfg config.Config, log *slog.Logger) (*sqlx.DB, error) {
	return postgres.OpenPool(ctx, cfg.DatabaseURL, postgres.PoolOptions{MaxConns: cfg.Database.MaxConns,
		StatementTimeout: cfg.Database.StatementTimeout, StartTimeout: cfg.Database.StartTimeout, Log: log})
}

// migrate applies the migrations over a small pool of its own without the
// statement timeout: building an index on a large table may take longer
// than any request should.
func migrate(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	db, err := postgres.OpenPool(ctx, cfg.DatabaseURL, postgres.PoolOptions{MaxConns: 2,
		StartTimeout: cfg.Database.StartTimeout, Log: log})
	if err != nil {
		return err
	}
	defer db.Close()
	return postgres.Migrate(ctx, db, log)
}
