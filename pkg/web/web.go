// Package web is the admin UI: server-rendered pages (html/template,
// embedded assets, a little plain JavaScript) for signing in, the user
// table with "Send invitation", the user card, settings and the queue
// dashboard. It signs in with a session cookie and protects every form
// against cross-site requests.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/inviter/inviter/pkg/account"
	"github.com/inviter/inviter/pkg/invite"
)

// Store is what the pages read and write in PostgreSQL.
type Store interface {
	ListUsers(ctx context.Context, f invite.UserFilter) (invite.UserPage, error)
	BatchProgress(ctx context.Context, id int64) (invite.BatchProgress, error)
	User(ctx context.Context, id int64) (invite.User, error)
	Invitations(ctx context.Context, userID int64) ([]invite.Invitation, error)
	CreateUser(ctx context.Context, n invite.NewUser) (invite.User, error)
	VerificationMethod(ctx context.Context) (invite.VerificationMethod, error)
	SetVerificationMethod(ctx context.Context, m invite.VerificationMethod, by int64) error
	sendStore
	invite.DuplicateChecker
	UserChanges(ctx context.Context, userID int64) ([]invite.Change, error)
	CountErrorsByCode(ctx context.Context, f invite.UserFilter) (map[string]int, error)
	OldestWaiting(ctx context.Context) (time.Time, bool, error)
}

// Inviter runs "Send invitation".
type Inviter interface {
	InviteWith(ctx context.Context, requestedBy int64, sel invite.Selection, opts invite.InviteOptions) (invite.BatchResult, error)
	Preview(ctx context.Context, sel invite.Selection) (invite.Preview, error)
	PreviewBoth(ctx context.Context, sel invite.Selection) (invite.Previews, error)
	Refused(ctx context.Context, sel invite.Selection, code string, limit int) ([]invite.RefusedUser, int, error)
}

// Deps are the UI's dependencies.
type Deps struct {
	Store    Store
	Inviter  Inviter
	Accounts *account.Service
	// Monitoring is the queue dashboard for super admins, and
	// MonitoringReadOnly the same for other admins; both are mounted at
	// /monitoring/ behind sign-in. Nil hides the page.
	Monitoring         http.Handler
	MonitoringReadOnly http.Handler
	// Imports runs the import page; nil hides it.
	Imports Importer
	// Export streams the user table as CSV or XLSX, given the JSON API's
	// list parameters (invite_status, q, login, ..., format); nil hides the
	// export button.
	Export http.Handler
	Log    *slog.Logger
	// Editor edits users from the card (the Edit form, a suggested fix);
	// nil hides the form.
	Editor Editor
	// DefaultRegion is where a phone number without its country code is
	// read for a suggested fix (DEFAULT_REGION).
	DefaultRegion string
	// WaitingAlertAfter is how long invitations may wait before the users
	// page says so (WAITING_ALERT_AFTER; 0: 5 minutes).
	WaitingAlertAfter time.Duration
	// ProductName is the product's name in the pages' titles (PRODUCT_NAME);
	// "" shows the catalog's.
	ProductName string
	// PlatformURL is where a user goes after choosing a password
	// (PLATFORM_URL); "" means the account page.
	PlatformURL string
	// TimeZone shows dates to a viewer whose browser has not told its zone
	// (DEFAULT_TIMEZONE); nil means UTC.
	TimeZone *time.Location
	// Uploads keeps checked import files for "Import this file"; nil
	// means the file must be chosen again.
	Uploads UploadStore
	// UploadTTL is how long a checked file is kept, UploadMax how many.
	UploadTTL time.Duration
	UploadMax int
	// Now is the clock of relative dates; nil means time.Now.
	Now func() time.Time
}

// UI is the admin UI as an http.Handler.
type UI struct {
	Deps
	mux   *http.ServeMux
	pages *pages
	csrf  *http.CrossOriginProtection
}

// New returns the admin UI. It panics only if the embedded templates do not
// parse, which the package's tests rule out.
func New(d Deps) *UI {
	ui := &UI{Deps: d, mux: http.NewServeMux(), pages: mustParsePages(), csrf: http.NewCrossOriginProtection()}
	ui.csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w.Header())
		ui.renderError(w, r, http.StatusForbidden, "error.csrf")
	}))
	ui.routes()
	return ui
}

func (ui *UI) ServeHTTP(w http.ResponseWriter, r *http.Request) { ui.mux.ServeHTTP(w, r) }

func (ui *UI) routes() {
	m := ui.mux
	m.Handle("GET /static/", staticHandler())
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/users", http.StatusSeeOther)
	})
	m.Handle("GET /login", ui.page(ui.loginForm))
	m.Handle("POST /login", ui.page(ui.login))
	m.Handle("POST /logout", ui.signedIn(ui.logout))
	m.Handle("GET /password", ui.signedIn(ui.passwordForm))
	m.Handle("POST /password", ui.signedIn(ui.changePassword))
	m.Handle("GET /account", ui.signedIn(ui.accountPage))

	m.Handle("GET /users", ui.admin(ui.usersPage))
	m.Handle("POST /users", ui.admin(ui.createUser))
	m.Handle("GET /users/{id}", ui.admin(ui.userCard))
	m.Handle("POST /users/{id}/edit", ui.admin(ui.editUser))
	m.Handle("POST /users/invite", ui.admin(ui.confirmInvite))
	m.Handle("POST /users/invite/send", ui.admin(ui.sendInvite))
	m.Handle("GET /users/batches/{id}", ui.admin(ui.batchProgress))
	m.Handle("GET /users/invite/refused", ui.admin(ui.refusedList))
	m.Handle("POST /users/{id}/role", ui.superAdmin(ui.setRole))

	if ui.Imports != nil {
		m.Handle("GET /import", ui.admin(ui.importForm))
		m.Handle("POST /import", ui.limitUpload(ui.admin(ui.startImport)))
		m.Handle("GET /import/{id}", ui.admin(ui.importJob))
		m.Handle("GET /import/{id}/progress", ui.admin(ui.importProgress))
	}
	if ui.Export != nil {
		m.Handle("GET /users/export", ui.admin(ui.Export.ServeHTTP))
	}

	m.Handle("GET /settings", ui.superAdmin(ui.settingsPage))
	m.Handle("POST /settings", ui.superAdmin(ui.saveSettings))

	m.Handle("/monitoring/", ui.monitoring())
	m.HandleFunc("/monitoring", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/monitoring/", http.StatusMovedPermanently)
	})
	m.Handle("/", ui.page(func(w http.ResponseWriter, r *http.Request) {
		ui.renderError(w, r, http.StatusNotFound, "error.not_found")
	}))
}

// importEnabled and exportEnabled tell whether the import page and the
// export button are offered.
func (ui *UI) importEnabled() bool { return ui.Imports != nil }
func (ui *UI) exportEnabled() bool { return ui.Export != nil }

func (ui *UI) now() time.Time {
	if ui.Now != nil {
		return ui.Now()
	}
	return time.Now()
}

// productName is the name the pages carry.
func (ui *UI) productName(lang string) string {
	if ui.ProductName != "" {
		return ui.ProductName
	}
	return translate(lang, "app.name")
}
