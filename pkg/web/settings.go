package web

import (
	"net/http"

	"github.com/inviter/inviter/pkg/invite"
)

type settingsPage struct {
	base
	Method  invite.VerificationMethod
	Methods []invite.VerificationMethod
}

func (ui *UI) settingsPage(w http.ResponseWriter, r *http.Request) {
	m, err := ui.Store.VerificationMethod(r.Context())
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	p := settingsPage{base: ui.base(r, "settings.title", "settings"), Method: m,
		Methods: []invite.VerificationMethod{invite.MethodEmailOrPhone, invite.MethodEmailOnly, invite.MethodPhoneOnly}}
	if r.URL.Query().Get("saved") == "1" {
		p.Flash = &flash{Kind: "ok", Text: translate(p.Lang, "settings.saved")}
	}
	ui.render(w, r, http.StatusOK, "settings", p)
}

func (ui *UI) saveSettings(w http.ResponseWriter, r *http.Request) {
	m, err := invite.ParseVerificationMethod(r.PostFormValue("verification_method"))
	if err != nil {
		ui.formError(w, r, err)
		return
	}
	by := viewerFrom(r.Context()).session.UserID
	if err := ui.Store.SetVerificationMethod(r.Context(), m, by); err != nil {
		ui.fail(w, r, err)
		return
	}
	ui.Log.InfoContext(r.Context(), "settings changed", "verification_method", m, "by", by)
	http.Redirect(w, r, "/settings?saved=1", http.StatusSeeOther)
}
