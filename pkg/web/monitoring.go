package web

import (
	"net/http"

	"github.com/inviter/inviter/pkg/invite"
)

// monitoring serves the queue dashboard (asynqmon) to signed-in admins:
// super admins may act on tasks, other admins only look. The dashboard's
// own script calls its API with fetch and no form token, so requests are
// guarded by the session, the role and the browser's cross-origin headers.
func (ui *UI) monitoring() http.Handler {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := ui.viewer(w, r)
		r = r.WithContext(withViewer(r.Context(), v))
		if err != nil || v.session == nil || ui.Monitoring == nil {
			ui.monitoringRefusal(w, r, v)
			return
		}
		ss := *v.session
		switch {
		case ss.MustChangePassword:
			http.Redirect(w, r, "/password", http.StatusSeeOther)
		case ss.Role == invite.RoleSuperAdmin:
			serveDashboard(ui.Monitoring, w, r)
		case ss.Role.IsAdmin() && ui.MonitoringReadOnly != nil:
			serveDashboard(ui.MonitoringReadOnly, w, r)
		default:
			securityHeaders(w.Header())
			ui.renderError(w, r, http.StatusForbidden, "error.not_admin")
		}
	})
	return ui.csrf.Handler(h)
}

func (ui *UI) monitoringRefusal(w http.ResponseWriter, r *http.Request, v *viewer) {
	securityHeaders(w.Header())
	if ui.Monitoring == nil {
		ui.renderError(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	if r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next=/monitoring/", http.StatusSeeOther)
		return
	}
	http.Error(w, "sign in first", http.StatusUnauthorized)
}
