package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"

	"github.com/inviter/inviter/pkg/auth"
	"github.com/inviter/inviter/pkg/bounce"
	"github.com/inviter/inviter/pkg/config"
	"github.com/inviter/inviter/pkg/delivery"
	"github.com/inviter/inviter/pkg/httpapi"
	"github.com/inviter/inviter/pkg/postgres"
)

// bounceVERP returns the VERP scheme of BOUNCE_ADDRESS, keyed by the server
// key every replica shares; nil when bounces are not configured.
func bounceVERP(ctx context.Context, cfg config.Config, store *postgres.Store) (*delivery.VERP, error) {
	if cfg.Bounce.Address == "" {
		return nil, nil
	}
	key := cfg.SecretKey
	if key == nil {
		var err error
		if key, err = store.SecretKey(ctx, temporaryKeyName, auth.NewSecretKey); err != nil {
			return nil, err
		}
	}
	return delivery.NewVERP(cfg.Bounce.Address, key)
}

// startBounces starts the bounce listener (BOUNCE_SMTP_ADDR) and the
// mailbox poller (BOUNCE_IMAP_URL) that are configured; wait returns when
// both have stopped after ctx is done. A listener that cannot bind is a
// start-up error.
func startBounces(ctx context.Context, cfg config.Config, store *postgres.Store, verp *delivery.VERP,
	log *slog.Logger) (wait func(), err error) {
	var wg sync.WaitGroup
	if verp == nil {
		return wg.Wait, nil
	}
	proc := bounce.NewProcessor(store, verp, log)
	if cfg.Bounce.SMTPAddr != "" {
		ln, err := net.Listen("tcp", cfg.Bounce.SMTPAddr)
		if err != nil {
			return nil, fmt.Errorf("app: bounce listener on %s: %w", cfg.Bounce.SMTPAddr, err)
		}
		host, _ := os.Hostname()
		l := bounce.NewListener(proc, verp, bounce.ListenerConfig{Hostname: host, MaxBytes: cfg.Bounce.MaxBytes}, log)
		wg.Go(func() {
			if err := l.Serve(ctx, ln); err != nil {
				log.Error("bounce listener stopped", "err", err)
			}
		})
	}
	if cfg.Bounce.IMAPURL != "" {
		u, err := url.Parse(cfg.Bounce.IMAPURL)
		if err != nil {
			return nil, fmt.Errorf("app: BOUNCE_IMAP_URL: %w", err)
		}
		p := bounce.NewPoller(proc, bounce.PollerConfig{URL: u, Interval: cfg.Bounce.PollInterval,
			MaxBytes: cfg.Bounce.MaxBytes}, log)
		wg.Go(func() { _ = p.Run(ctx) })
	}
	return wg.Wait, nil
}

// vonageReceipts mounts the delivery receipt webhook on the api's mux; it
// answers 404 unless VONAGE_DLR_TOKEN is set.
func vonageReceipts(cfg config.Config, mux *http.ServeMux, store *postgres.Store, log *slog.Logger) {
	httpapi.NewVonageReceipts(store, httpapi.VonageReceiptConfig{
		Token: cfg.Bounce.VonageReceiptToken, SignatureSecret: cfg.Bounce.VonageSignatureSecret,
	}, log).Register(mux)
}
