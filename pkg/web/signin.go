package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/inviter/inviter/pkg/auth"
	"github.com/inviter/inviter/pkg/invite"
)

type loginPage struct {
	base
	Next, Login, Error string
}

func (ui *UI) loginForm(w http.ResponseWriter, r *http.Request) {
	if v := viewerFrom(r.Context()); v.session != nil {
		http.Redirect(w, r, landing(v.session, safeNext(r.URL.Query().Get("next"))), http.StatusSeeOther)
		return
	}
	ui.render(w, r, http.StatusOK, "login", loginPage{base: ui.base(r, "login.title", ""), Next: safeNext(r.URL.Query().Get("next"))})
}

// login signs in and sets the session cookie. A temporary password leads
// to the password form before anything else.
func (ui *UI) login(w http.ResponseWriter, r *http.Request) {
	in, err := ui.Accounts.SignIn(r.Context(), r.PostFormValue("login"), r.PostFormValue("password"))
	if err != nil {
		status := http.StatusUnauthorized
		switch invite.KindOf(err) {
		case invite.KindInvalid:
			status = http.StatusBadRequest
		case invite.KindUnauthorized:
		case invite.KindUnavailable:
			status = http.StatusServiceUnavailable
		case invite.KindTooMany:
			status = http.StatusTooManyRequests
		default:
			ui.fail(w, r, err)
			return
		}
		setRetryAfter(w, err)
		lang := viewerFrom(r.Context()).lang
		ui.render(w, r, status, "login", loginPage{base: ui.base(r, "login.title", ""),
			Next: safeNext(r.PostFormValue("next")), Login: r.PostFormValue("login"), Error: errorText(lang, err)})
		return
	}
	// A fresh token on every sign-in: a cookie planted before cannot ride
	// into the new session (session fixation). The session it replaces
	// ends.
	if old := viewerFrom(r.Context()); old.session != nil {
		if err := ui.Accounts.SignOut(r.Context(), old.tokenHash); err != nil {
			ui.Log.WarnContext(r.Context(), "end the replaced session", "err", err)
		}
	}
	setCookie(w, r, sessionCookie, in.Token, int(ui.Accounts.SessionTTL().Seconds()))
	clearCookie(w, r, preCookie)
	ss := invite.Session{UserID: in.UserID, Role: in.Role, MustChangePassword: in.MustChangePassword}
	http.Redirect(w, r, landing(&ss, safeNext(r.PostFormValue("next"))), http.StatusSeeOther)
}

// landing is where a signed-in visitor goes: the password form while they
// owe a new password, next when it is given, the user table for admins,
// their account page for everyone else.
func landing(ss *invite.Session, next string) string {
	switch {
	case ss.MustChangePassword:
		return "/password"
	case next != "":
		return next
	case ss.Role.IsAdmin():
		return "/users"
	}
	return "/account"
}

// safeNext keeps a post-sign-in address only when it is a path on this
// site, so the sign-in form cannot be used to send people elsewhere.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" || u.Path == "/login" {
		return ""
	}
	return u.RequestURI()
}

func (ui *UI) logout(w http.ResponseWriter, r *http.Request) {
	if err := ui.Accounts.SignOut(r.Context(), viewerFrom(r.Context()).tokenHash); err != nil {
		ui.fail(w, r, err)
		return
	}
	clearCookie(w, r, sessionCookie)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

type passwordPage struct {
	base
	Temporary    bool
	Error, Field string
	// New and Confirm are what was typed, shown again after an error so
	// that nothing has to be typed twice.
	New, Confirm string
	MinChars     int
}

func (ui *UI) passwordForm(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	ui.allowPlatform(w)
	ui.render(w, r, http.StatusOK, "password", passwordPage{base: ui.base(r, "password.title", ""),
		Temporary: v.session.MustChangePassword, MinChars: auth.MinPasswordChars})
}

// changePassword sets the viewer's password. A session opened with a
// temporary password is not asked for it again; any other gives the
// current one. The new password is typed twice.
func (ui *UI) changePassword(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	newPW, confirm := r.PostFormValue("new_password"), r.PostFormValue("confirm_password")
	var err error
	switch {
	case newPW == "":
		err = invite.Errorf(invite.KindInvalid, "required", "new_password is required").WithField("new_password")
	case newPW != confirm:
		err = invite.Errorf(invite.KindInvalid, "password_mismatch", "the two new passwords differ").WithField("confirm_password")
	case v.session.MustChangePassword:
		err = ui.Accounts.ChooseFirstPassword(r.Context(), *v.session, v.tokenHash, newPW)
	default:
		err = ui.Accounts.ChangePassword(r.Context(), *v.session, v.tokenHash, r.PostFormValue("old_password"), newPW)
	}
	if err != nil {
		if invite.KindOf(err) != invite.KindInvalid {
			ui.fail(w, r, err)
			return
		}
		ui.allowPlatform(w)
		p := passwordPage{base: ui.base(r, "password.title", ""), Temporary: v.session.MustChangePassword,
			Error: errorText(v.lang, err), New: newPW, Confirm: confirm, MinChars: auth.MinPasswordChars}
		var e *invite.Error
		if errors.As(err, &e) {
			p.Field = e.Field
		}
		ui.render(w, r, http.StatusBadRequest, "password", p)
		return
	}
	ss := *v.session
	ss.MustChangePassword = false
	http.Redirect(w, r, ui.afterPassword(&ss), http.StatusSeeOther)
}

// allowPlatform lets the password form's redirect leave for the platform:
// browsers apply the form page's form-action to where its submission is
// redirected.
func (ui *UI) allowPlatform(w http.ResponseWriter) {
	u, err := url.Parse(ui.PlatformURL)
	if ui.PlatformURL == "" || err != nil || u.Host == "" {
		return
	}
	w.Header().Set("Content-Security-Policy", strings.Replace(w.Header().Get("Content-Security-Policy"),
		"form-action 'self'", "form-action 'self' "+u.Scheme+"://"+u.Host, 1))
}

// afterPassword is where a saved password leads: admins to their table, a
// user to the platform they were invited to (PLATFORM_URL), or to their
// account page when none is configured.
func (ui *UI) afterPassword(ss *invite.Session) string {
	if !ss.Role.IsAdmin() && ui.PlatformURL != "" {
		return ui.PlatformURL
	}
	return landing(ss, "")
}

type accountPage struct {
	base
	PlatformURL string
}

func (ui *UI) accountPage(w http.ResponseWriter, r *http.Request) {
	ui.render(w, r, http.StatusOK, "account", accountPage{base: ui.base(r, "account.title", ""), PlatformURL: ui.PlatformURL})
}
