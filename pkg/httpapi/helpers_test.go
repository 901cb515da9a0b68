package httpapi_test

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/inviter/inviter/pkg/auth"
	"github.com/inviter/inviter/pkg/health"
	"github.com/inviter/inviter/pkg/httpapi"
	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/tasks"
	"github.com/inviter/inviter/pkg/testenv"
)

// The accounts every env starts with.
const (
	rootLogin     = "root"
	rootPassword  = "root-Password-1234"
	adminLogin    = "admin"
	adminPassword = "admin-Password-5678"
)

func passwordHash(t testing.TB, pw string) string { return testenv.PasswordHash(t, pw) }

// env is one test's API server over its own PostgreSQL database and Redis
// DB, with a super admin (root) and a plain admin signed in.
type env struct {
	srv       *httptest.Server
	store     *postgres.Store
	hasher    *auth.TemporaryHasher
	inspector *asynq.Inspector

	rootID, adminID       int64
	rootToken, adminToken string

	mu      sync.Mutex
	secrets []string // strings no response may contain
}

type options struct {
	// checks replaces the readiness checks (default: ping PostgreSQL and Redis).
	checks map[string]health.Check
	// queue, when set, is where the Enqueuer connects instead of a test Redis DB.
	queue *asynq.RedisClientOpt
	// log receives the server's log (default: discarded).
	log *slog.Logger
}

func newEnv(t *testing.T) *env { return newEnvWith(t, options{}) }

// newEnvWith builds the server the way pkg/app/api.go does.
func newEnvWith(t *testing.T, o options) *env {
	t.Helper()
	ctx := t.Context()
	db := testenv.NewDatabase(t)
	store := postgres.NewStore(db.DB)

	checks := o.checks
	qopt := o.queue
	if qopt == nil {
		r := testenv.NewRedis(t)
		opt := r.AsynqOpt()
		qopt = &opt
		if checks == nil {
			checks = map[string]health.Check{
				"postgres": func(ctx context.Context) error { return db.DB.PingContext(ctx) },
				"redis":    func(ctx context.Context) error { return r.Client.Ping(ctx).Err() },
			}
		}
	}
	log := o.log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rc := redis.NewClient(&redis.Options{Addr: qopt.Addr, DB: qopt.DB})
	inspector := asynq.NewInspectorFromRedisClient(rc)
	t.Cleanup(func() { rc.Close() })
	enq := tasks.NewEnqueuer(rc, tasks.Options{MaxRetry: 3, Timeout: time.Minute}, 4)

	key := make([]byte, auth.MinSecretKeyBytes)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	hasher, err := auth.NewTemporaryHasher(key)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.NewServer(httpapi.Deps{
		Store:     store,
		Inviter:   invite.NewInviter(store, enq, log),
		Temporary: hasher,
		// Edits read phone numbers without a country code as Russian ones
		// for the suggested fix (DEFAULT_REGION=RU).
		Editor:        invite.NewEditor(store, enq, "RU", log),
		DefaultRegion: "RU",
		Checks:        checks,
		Log:           log,
		DevOutbox:     true,
	}))
	t.Cleanup(srv.Close)
	e := &env{srv: srv, store: store, hasher: hasher, inspector: inspector,
		secrets: []string{rootPassword, adminPassword, "$argon2id$", "password_hash"}}

	if _, err := store.EnsureSuperAdmin(ctx, rootLogin, func() (string, error) { return passwordHash(t, rootPassword), nil }); err != nil {
		t.Fatal(err)
	}
	root, err := store.LoginCandidate(ctx, rootLogin)
	if err != nil {
		t.Fatal(err)
	}
	e.rootID = root.UserID
	e.rootToken = e.session(t, e.rootID)
	e.adminID = e.createAccount(t, adminLogin, adminPassword, invite.RoleAdmin)
	e.adminToken = e.session(t, e.adminID)
	return e
}

// session opens a session for a user the way a successful login does. The
// fixture accounts get theirs this way because each real login costs an
// argon2id verification; TestLogin signs them in through the API.
func (e *env) session(t *testing.T, userID int64) string {
	t.Helper()
	token, hash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateSession(t.Context(), hash, userID, false, time.Hour); err != nil {
		t.Fatal(err)
	}
	return token
}

// createAccount creates a user with role and a chosen password, through the
// store (the API creates users with role user and no password).
func (e *env) createAccount(t *testing.T, login, password string, role invite.Role) int64 {
	t.Helper()
	u, err := e.store.CreateUser(t.Context(), invite.NewUser{Login: login, FirstName: "First " + login,
		LastName: "Last " + login, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetPassword(t.Context(), u.ID, passwordHash(t, password), nil); err != nil {
		t.Fatal(err)
	}
	e.addSecret(password)
	return u.ID
}

// addSecret records a string that no response may ever contain.
func (e *env) addSecret(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.secrets = append(e.secrets, s)
}

// createUser creates a user through the API as root.
func (e *env) createUser(t *testing.T, fields map[string]any) userBody {
	t.Helper()
	r := e.do(t, "POST", "/api/v1/users", e.rootToken, fields)
	want(t, r, http.StatusCreated)
	return decode[userBody](t, r)
}

// getUser returns a user with their invitation history.
func (e *env) getUser(t *testing.T, id int64) userBody {
	t.Helper()
	r := e.do(t, "GET", "/api/v1/users/"+strconv.FormatInt(id, 10), e.rootToken, nil)
	want(t, r, http.StatusOK)
	return decode[userBody](t, r)
}

// invite posts a "Send invitation" request and requires 202.
func (e *env) invite(t *testing.T, token string, body any) inviteBody {
	t.Helper()
	r := e.do(t, "POST", "/api/v1/invitations", token, body)
	want(t, r, http.StatusAccepted)
	return decode[inviteBody](t, r)
}

// inviteIDs invites users by id as the plain admin.
func (e *env) inviteIDs(t *testing.T, ids ...int64) inviteBody {
	t.Helper()
	return e.invite(t, e.adminToken, map[string]any{"user_ids": ids})
}

// currentInvitation returns the id of the user's newest invitation.
func (e *env) currentInvitation(t *testing.T, userID int64) int64 {
	t.Helper()
	u := e.getUser(t, userID)
	if len(u.Invitations) == 0 {
		t.Fatalf("user %d has no invitation", userID)
	}
	return u.Invitations[0].ID
}

// deliver does what a worker does when the provider accepts the message:
// it generates a temporary password, records its hash on the attempt, and
// marks the attempt delivered with the password valid for ttl. It returns
// the password.
func (e *env) deliver(t *testing.T, invitationID int64, ttl time.Duration) string {
	t.Helper()
	pw, err := auth.NewTemporaryPassword()
	if err != nil {
		t.Fatal(err)
	}
	e.addSecret(pw)
	if _, err := e.store.ClaimAttempt(t.Context(), invitationID, e.hasher.Hash(invitationID, pw)); err != nil {
		t.Fatalf("claim attempt %d: %v", invitationID, err)
	}
	if err := e.store.MarkDelivered(t.Context(), invitationID, ttl); err != nil {
		t.Fatalf("mark attempt %d delivered: %v", invitationID, err)
	}
	return pw
}

// pendingTasks lists the tasks waiting in the invitation queue.
func (e *env) pendingTasks(t *testing.T) []*asynq.TaskInfo {
	t.Helper()
	ts, err := e.inspector.ListPendingTasks(tasks.Queue, asynq.PageSize(10_000))
	if errors.Is(err, asynq.ErrQueueNotFound) {
		return nil
	}
	if err != nil {
		t.Fatalf("list pending tasks: %v", err)
	}
	return ts
}
