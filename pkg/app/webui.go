package app

import (
	"log/slog"
	"net/http"

	"github.com/hibiken/asynqmon"

	"github.com/inviter/inviter/pkg/account"
	"github.com/inviter/inviter/pkg/config"
	"github.com/inviter/inviter/pkg/web"
)

// monitoringPath is where the queue dashboard lives (a contract of the UI).
const monitoringPath = "/monitoring"

// adminUI builds the admin pages and the queue dashboard and mounts them on
// the API's router beside /api/ and the health checks. close releases the
// dashboard's Redis connections.
func adminUI(cfg config.Config, mux *http.ServeMux, store web.Store, inviter web.Inviter, accounts *account.Service,
	imports web.Importer, export http.Handler, log *slog.Logger, editor web.Editor) (close func(), err error) {
	redisOpt, err := RedisConnOpt(cfg.RedisURL)
	if err != nil {
		return nil, err
	}
	full := asynqmon.New(asynqmon.Options{RootPath: monitoringPath, RedisConnOpt: redisOpt})
	readOnly := asynqmon.New(asynqmon.Options{RootPath: monitoringPath, RedisConnOpt: redisOpt, ReadOnly: true})
	d := web.Deps{Store: store, Inviter: inviter, Accounts: accounts,
		Monitoring: full, MonitoringReadOnly: readOnly, Imports: imports, Export: export, Log: log,
		Editor: editor, DefaultRegion: cfg.Users.DefaultRegion, WaitingAlertAfter: cfg.Users.WaitingAlertAfter}
	pageSettings(&d, cfg, store)
	ui := web.New(d)
	mux.Handle("/", ui)
	return func() {
		for _, h := range []*asynqmon.HTTPHandler{full, readOnly} {
			if err := h.Close(); err != nil {
				log.Warn("close queue dashboard", "err", err)
			}
		}
	}, nil
}

// pageSettings hands the pages what people read: the product's name, the
// platform's address, the default time zone, and the kept import files
// (when the store keeps them).
func pageSettings(d *web.Deps, cfg config.Config, store web.Store) {
	d.ProductName, d.PlatformURL, d.TimeZone = cfg.Pages.ProductName, cfg.Pages.PlatformURL, cfg.Pages.DefaultTimeZone
	if u, ok := store.(web.UploadStore); ok {
		d.Uploads, d.UploadTTL, d.UploadMax = u, cfg.Pages.ImportKeepTTL, cfg.Pages.ImportKeepMax
	}
}
