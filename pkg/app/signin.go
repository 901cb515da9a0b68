package app

import (
	"log/slog"
	"net/http"

	"github.com/redis/go-redis/v9"

	"github.com/inviter/inviter/pkg/account"
	"github.com/inviter/inviter/pkg/clientaddr"
	"github.com/inviter/inviter/pkg/config"
	"github.com/inviter/inviter/pkg/signinlimit"
)

// signInGuard is the sign-in protection of the api: limits per account and
// per client address kept in Redis (shared by every replica), the bound on
// password checks waiting for CPU, and the sign-in log.
func signInGuard(cfg config.Config, rc redis.UniversalClient, log *slog.Logger) account.Guard {
	g := account.Guard{MaxWaiting: cfg.SignIn.MaxWaiting, Log: log}
	if cfg.SignIn.AccountLimit > 0 || cfg.SignIn.AddressLimit > 0 {
		g.Limiter = signinlimit.New(rc, signinlimit.Limits{PerAccount: cfg.SignIn.AccountLimit,
			PerAddress: cfg.SignIn.AddressLimit, Window: cfg.SignIn.Window})
	}
	return g
}

// withClientAddress records each request's client address (X-Forwarded-For
// believed only from TRUSTED_PROXIES) for the sign-in limits and logs.
func withClientAddress(cfg config.Config, h http.Handler) http.Handler {
	return clientaddr.Middleware(cfg.SignIn.TrustedProxies, h)
}
