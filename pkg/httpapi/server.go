// Package httpapi is the JSON API admins and the admin UI use: users, "Send
// invitation", settings, and the sign-in of admins and invited users.
// NewServer returns one http.Handler with every route in routes().
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/inviter/inviter/pkg/health"
	"github.com/inviter/inviter/pkg/invite"
)

// Store is what the API needs from PostgreSQL.
type Store interface {
	CreateUser(ctx context.Context, n invite.NewUser) (invite.User, error)
	User(ctx context.Context, id int64) (invite.User, error)
	ListUsers(ctx context.Context, f invite.UserFilter) (invite.UserPage, error)
	Invitations(ctx context.Context, userID int64) ([]invite.Invitation, error)
	VerificationMethod(ctx context.Context) (invite.VerificationMethod, error)
	SetVerificationMethod(ctx context.Context, m invite.VerificationMethod, by int64) error
	CreateSession(ctx context.Context, tokenHash []byte, userID int64, mustChange bool, ttl time.Duration) error
	SessionByToken(ctx context.Context, tokenHash []byte) (invite.Session, error)
	DeleteSession(ctx context.Context, tokenHash []byte) error
	LoginCandidate(ctx context.Context, login string) (invite.LoginCandidate, error)
	SetPassword(ctx context.Context, userID int64, hash string, keepSession []byte) error
	OutboxMessages(ctx context.Context, limit int) ([]invite.OutboxMessage, error)
}

// Inviter runs "Send invitation".
type Inviter interface {
	Invite(ctx context.Context, requestedBy int64, sel invite.Selection) (invite.BatchResult, error)
}

// TemporaryVerifier checks a temporary password against its keyed hash.
type TemporaryVerifier interface {
	Verify(invitationID int64, password string, hash []byte) bool
}

// Deps are the server's dependencies.
type Deps struct {
	Store     Store
	Inviter   Inviter
	Temporary TemporaryVerifier
	Checks    map[string]health.Check // for /readyz
	Log       *slog.Logger
	// SessionTTL is how long a bearer token lives (default 12h).
	SessionTTL time.Duration
	// DevOutbox exposes GET /api/v1/dev/outbox to admins. Only for
	// development: the outbox stands in for mailboxes and holds passwords.
	DevOutbox bool
}

// Server is the JSON API.
type Server struct {
	Deps
	log     *slog.Logger
	mux     *http.ServeMux
	hashing *passwordHashing
}

// NewServer returns the API as an http.Handler.
func NewServer(d Deps) *Server {
	if d.SessionTTL <= 0 {
		d.SessionTTL = 12 * time.Hour
	}
	s := &Server{Deps: d, log: d.Log, mux: http.NewServeMux(), hashing: newPasswordHashing(runtime.GOMAXPROCS(0))}
	s.routes()
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Mux exposes the router so the binary can mount more handlers (the admin UI).
func (s *Server) Mux() *http.ServeMux { return s.mux }

func (s *Server) routes() {
	health.Register(s.mux, s.Checks)
	s.mux.HandleFunc("POST /api/v1/auth/login", s.handleLogin)
	s.mux.Handle("POST /api/v1/auth/password", s.authenticated(s.handleChangePassword))
	s.mux.Handle("POST /api/v1/auth/logout", s.authenticated(s.handleLogout))

	s.mux.Handle("POST /api/v1/users", s.admin(s.handleCreateUser))
	s.mux.Handle("GET /api/v1/users", s.admin(s.handleListUsers))
	s.mux.Handle("GET /api/v1/users/{id}", s.admin(s.handleGetUser))
	s.mux.Handle("POST /api/v1/invitations", s.admin(s.handleInvite))
	s.mux.Handle("GET /api/v1/settings/auth", s.admin(s.handleGetAuthSettings))
	s.mux.Handle("PUT /api/v1/settings/auth", s.superAdmin(s.handlePutAuthSettings))
	if s.DevOutbox {
		s.mux.Handle("GET /api/v1/dev/outbox", s.admin(s.handleOutbox))
	}
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, invite.Errorf(invite.KindNotFound, "not_found", "no such endpoint: %s %s", r.Method, r.URL.Path))
	})
}
