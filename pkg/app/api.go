package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/inviter/inviter/pkg/account"
	"github.com/inviter/inviter/pkg/auth"
	"github.com/inviter/inviter/pkg/config"
	"github.com/inviter/inviter/pkg/health"
	"github.com/inviter/inviter/pkg/httpapi"
	"github.com/inviter/inviter/pkg/httplog"
	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/tasks"
	"github.com/inviter/inviter/pkg/userimport"
)

// taskTimeout bounds one delivery try; the worker's tasks and the API's
// enqueues use the same value.
const taskTimeout = 2 * time.Minute

// API is the whole api program (cmd/api), callable from tests: it returns
// when ctx is done, after a graceful shutdown, or on a start-up error. With
// args "migrate" it applies the migrations and returns.
func API(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	log := NewLogger(stdout, cfg.LogLevel, "api")
	routeLibraryLogs(log)
	log.Info("starting", "config", cfg)

	db, err := OpenDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if len(args) > 0 {
		switch args[0] {
		case "migrate":
			log.Info("migrations applied")
			return nil
		default:
			return fmt.Errorf("unknown command %q (known: migrate)", args[0])
		}
	}
	store := postgres.NewStore(db)
	if err := ensureSuperAdmin(ctx, cfg, store, log); err != nil {
		return err
	}
	hasher, err := TemporaryHasher(ctx, cfg, store)
	if err != nil {
		return err
	}
	rc, err := Redis(cfg)
	if err != nil {
		return err
	}
	defer rc.Close()
	enq := tasks.NewEnqueuer(rc, tasks.Options{MaxRetry: cfg.MaxRetries, Timeout: taskTimeout}, cfg.EnqueueConcurrency)

	dev := cfg.EmailDev() || cfg.SMSDev()
	if dev {
		log.Warn("DEVELOPMENT OUTBOX (DEV_OUTBOX=1): no SMTP server or Vonage account configured; admins can read the outbox, temporary passwords included, at GET /api/v1/dev/outbox")
	}
	reg, m := newMetrics()
	defer registerStateCollectors(reg, store, rc, log)()
	deliverable := channels(cfg, log)
	inviter := invite.NewInviter(store, enq, log).WithChannels(deliverable).WithDirectEnqueue(cfg.Perf.DirectEnqueue)
	accounts := account.New(store, hasher, 0).Guarded(signInGuard(cfg, rc, log))
	accounts.CountSignIns(m)
	imports := userimport.New(userimport.Config{Store: store, Jobs: store, Inviter: inviter, Log: log,
		Limits: userimport.Limits{MaxBytes: cfg.Import.MaxBytes, MaxRows: cfg.Import.MaxRows}, Rows: m, TempDir: cfg.Import.TempDir})
	defer shutdownImports(imports, cfg.ShutdownTimeout)
	editor := invite.NewEditor(store, enq, cfg.Users.DefaultRegion, log).WithChannels(deliverable)
	srv := httpapi.NewServer(httpapi.Deps{
		Store:         store,
		Inviter:       inviter,
		Temporary:     hasher,
		Accounts:      accounts,
		Checks:        map[string]health.Check{"postgres": PingDB(db), "redis": PingRedis(rc)},
		Log:           log,
		DevOutbox:     dev,
		Imports:       imports,
		Editor:        editor,
		DefaultRegion: cfg.Users.DefaultRegion,
	})
	closeUI, err := adminUI(cfg, srv.Mux(), store, inviter, accounts, imports, srv.ExportHandler(), log, editor)
	if err != nil {
		return err
	}
	defer closeUI()
	mountMetrics(srv.Mux(), reg, cfg)
	vonageReceipts(cfg, srv.Mux(), store, log)
	return Serve(ctx, cfg.HTTPAddr, withClientAddress(cfg, httplog.Middleware(srv, log, m)), cfg.ShutdownTimeout, log, "api")
}

// shutdownImports lets background imports finish after the server stops,
// for as long as SHUTDOWN_TIMEOUT allows; those cut short roll back.
func shutdownImports(im *userimport.Importer, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	im.Shutdown(ctx)
}

// ensureSuperAdmin creates the first super admin from ADMIN_LOGIN and
// ADMIN_PASSWORD when there is none.
func ensureSuperAdmin(ctx context.Context, cfg config.Config, store *postgres.Store, log *slog.Logger) error {
	if cfg.AdminPassword == "" {
		log.Warn("ADMIN_PASSWORD is not set: no super admin is created if none exists yet")
		return nil
	}
	created, err := store.EnsureSuperAdmin(ctx, cfg.AdminLogin, func() (string, error) {
		return auth.HashPassword(cfg.AdminPassword)
	})
	if err != nil {
		return err
	}
	if created {
		log.Info("super admin created", "login", cfg.AdminLogin)
	}
	return nil
}
