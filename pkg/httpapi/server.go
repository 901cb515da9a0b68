// Package httpapi is the JSON API admins and the admin UI use: users, "Send
// invitation", settings, and the sign-in of admins and invited users.
// NewServer returns one http.Handler with every route in routes().
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/inviter/inviter/pkg/account"
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
	account.Store
	OutboxMessages(ctx context.Context, limit int) ([]invite.OutboxMessage, error)
	BatchProgress(ctx context.Context, id int64) (invite.BatchProgress, error)
	SetRole(ctx context.Context, id int64, role invite.Role) (invite.User, error)
	invite.DuplicateChecker
	UserChanges(ctx context.Context, userID int64) ([]invite.Change, error)
	CountErrorsByCode(ctx context.Context, f invite.UserFilter) (map[string]int, error)
	OldestWaiting(ctx context.Context) (time.Time, bool, error)
}

// Inviter runs "Send invitation", and previews it.
type Inviter interface {
	InviteWith(ctx context.Context, requestedBy int64, sel invite.Selection, opts invite.InviteOptions) (invite.BatchResult, error)
	Preview(ctx context.Context, sel invite.Selection) (invite.Preview, error)
}

// Deps are the server's dependencies.
type Deps struct {
	Store     Store
	Inviter   Inviter
	Temporary account.TemporaryVerifier
	Checks    map[string]health.Check // for /readyz
	Log       *slog.Logger
	// SessionTTL is how long a bearer token lives (default 12h).
	SessionTTL time.Duration
	// Accounts signs people in; when nil, one is made from Store,
	// Temporary and SessionTTL. The binary shares one with the admin pages
	// so that both draw on one pool of password hashing.
	Accounts *account.Service
	// Imports runs user imports from files (POST /api/v1/users/import and
	// GET /api/v1/users/imports/{id}); without it those routes are absent.
	Imports Importer
	// DevOutbox exposes GET /api/v1/dev/outbox to admins. Only for
	// development: the outbox stands in for mailboxes and holds passwords.
	DevOutbox bool
	// Editor edits users (PATCH /api/v1/users/{id}); without it that
	// route is absent. DefaultRegion (DEFAULT_REGION) is where a number
	// without its country code is read for a suggested fix.
	Editor        Editor
	DefaultRegion string
}

// Server is the JSON API.
type Server struct {
	Deps
	log      *slog.Logger
	mux      *http.ServeMux
	accounts *account.Service
}

// NewServer returns the API as an http.Handler.
func NewServer(d Deps) *Server {
	if d.Accounts == nil {
		d.Accounts = account.New(d.Store, d.Temporary, d.SessionTTL)
	}
	s := &Server{Deps: d, log: d.Log, mux: http.NewServeMux(), accounts: d.Accounts}
	s.routes()
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Mux exposes the router so the binary can mount more handlers (the admin UI).
func (s *Server) Mux() *http.ServeMux { return s.mux }

func (s *Server) routes() {
	health.Register(s.mux, s.Checks)
	r := router{s: s, allowed: map[string][]string{}}
	r.handle("POST", "/api/v1/auth/login", http.HandlerFunc(s.handleLogin))
	r.handle("POST", "/api/v1/auth/password", s.authenticated(s.handleChangePassword))
	r.handle("POST", "/api/v1/auth/logout", s.authenticated(s.handleLogout))

	r.handle("POST", "/api/v1/users", s.admin(s.handleCreateUser))
	r.handle("GET", "/api/v1/users", s.admin(s.handleListUsers))
	r.handle("GET", "/api/v1/users/{id}", s.admin(s.handleGetUser))
	if s.Editor != nil {
		r.handle("PATCH", "/api/v1/users/{id}", s.admin(s.handlePatchUser))
	}
	r.handle("GET", "/api/v1/users/export", s.admin(s.handleExport))
	s.mux.Handle("PUT "+userSubPath, s.superAdmin(s.handleUserSub)) // PUT /api/v1/users/{id}/role; see userSubPath
	if s.Imports != nil {
		r.handle("POST", "/api/v1/users/import", s.admin(s.handleImport))
		r.handle("GET", "/api/v1/users/imports/{id}", s.admin(s.handleImportJob))
	}
	r.handle("POST", "/api/v1/invitations", s.admin(s.handleInvite))
	r.handle("POST", "/api/v1/invitations/preview", s.admin(s.handlePreview))
	r.handle("GET", "/api/v1/invitations/batches/{id}", s.admin(s.handleBatchProgress))
	r.handle("GET", "/api/v1/settings/auth", s.admin(s.handleGetAuthSettings))
	r.handle("PUT", "/api/v1/settings/auth", s.superAdmin(s.handlePutAuthSettings))
	if s.DevOutbox {
		r.handle("GET", "/api/v1/dev/outbox", s.admin(s.handleOutbox))
	}
	r.methodNotAllowed()
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, invite.Errorf(invite.KindNotFound, "not_found", "no such endpoint: %s %s", r.Method, r.URL.Path))
	})
}

// router registers routes and remembers each path's methods, so that a
// wrong method gets a JSON 405 like every other error (the standard mux
// would answer in plain text).
type router struct {
	s       *Server
	allowed map[string][]string
	order   []string
}

func (r *router) handle(method, path string, h http.Handler) {
	if _, ok := r.allowed[path]; !ok {
		r.order = append(r.order, path)
	}
	r.allowed[path] = append(r.allowed[path], method)
	r.s.mux.Handle(method+" "+path, r.s.checkedQuery(h))
}

// methodNotAllowed registers the 405s one method at a time: a pattern
// without a method ("/api/v1/users/export") would conflict with one that has
// a method and a wildcard ("GET /api/v1/users/{id}").
func (r *router) methodNotAllowed() {
	for _, path := range r.order {
		allowed := r.allowed[path]
		allow := strings.Join(allowed, ", ")
		h := func(w http.ResponseWriter, req *http.Request) {
			w.Header().Set("Allow", allow)
			writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: errorDetail{
				Code: "method_not_allowed", Message: req.Method + " is not allowed here; use " + allow}})
		}
		for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
			if !slices.Contains(allowed, m) && (m != "HEAD" || !slices.Contains(allowed, "GET")) {
				r.s.mux.HandleFunc(m+" "+path, h)
			}
		}
	}
}
