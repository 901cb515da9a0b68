package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/inviter/inviter/pkg/invite"
)

type usersPage struct {
	base
	Query              listQuery
	Facets             []facet
	Columns            []column
	Users              []invite.User
	Total              int
	PrevHref, NextHref string
	Batch              int64
	// Invitable is how many matching users "select all matching" offers:
	// the matching users less the administrators, whom a send leaves alone.
	Invitable      int
	Add            invite.NewUser
	AddError       string
	ExportEnabled  bool
	ExportHref     string
	ExportXLSXHref string
	// Reasons are the error reasons under "Error" in the filter, with
	// their counts; Waiting is the "waiting too long" banner, if due.
	Reasons []facet
	Waiting *waitingAlert
	// Self is this page's address (filter, search, order, page), which the
	// card's "← Users" returns to.
	Self string
	// Sizes are the page sizes offered, with their addresses.
	Sizes []pageSizeChoice
}

type pageSizeChoice struct {
	Size    int
	Href    string
	Current bool
}

// exportHref is the export of the table as it is filtered and sorted, in
// the JSON API's parameters, which the export handler reads.
func exportHref(q listQuery, format string) string {
	v := q.values()
	if st := v.Get("status"); st != "" {
		v.Del("status")
		v.Set("invite_status", st)
	}
	// The table narrows to one send with in_batch (its own batch parameter
	// drives the progress bar); the API calls it batch.
	if b := v.Get("in_batch"); b != "" {
		v.Del("in_batch")
		v.Set("batch", b)
	}
	v.Del("size") // the export takes every matching user
	v.Set("format", format)
	return "/users/export?" + v.Encode()
}

// facet is one status filter with its count.
type facet struct {
	Value  invite.Status
	Label  string
	Count  int
	Href   string
	Active bool
}

// column is a sortable column header.
type column struct {
	Label, Href, AriaSort, Arrow string
	Class                        string // "wide", "wide-name": hidden on a phone
}

func (ui *UI) usersPage(w http.ResponseWriter, r *http.Request) {
	ui.renderUsers(w, r, http.StatusOK, invite.NewUser{Locale: "en"}, "")
}

func (ui *UI) renderUsers(w http.ResponseWriter, r *http.Request, status int, add invite.NewUser, addError string) {
	v := viewerFrom(r.Context())
	q := parseListQuery(r.URL.Query(), "")
	f := q.filter(q.Size)
	// The counts beside the filters, in the same query as the page's total.
	f.CountByStatus = true
	page, err := ui.Store.ListUsers(r.Context(), f)
	if invite.KindOf(err) == invite.KindInvalid {
		// A cursor from another order or a stale address: start over.
		f.After, f.Before = "", ""
		q.After, q.Before = "", ""
		page, err = ui.Store.ListUsers(r.Context(), f)
	}
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	counts := page.Counts
	p := usersPage{base: ui.base(r, "users.title", "users"), Query: q, Users: page.Items, Total: page.Total,
		Add: add, AddError: addError}
	for _, st := range []invite.Status{"", invite.StatusInvited, invite.StatusNotInvited, invite.StatusWaiting, invite.StatusError} {
		n := counts[st]
		if st == "" {
			n = 0
			for _, c := range counts {
				n += c
			}
		}
		p.Facets = append(p.Facets, facet{Value: st, Label: translate(v.lang, "status."+string(st)), Count: n, Active: q.Status == st,
			Href: q.href(func(v url.Values) { setOrDel(v, "status", string(st)); v.Del("error_code") })})
	}
	if err := ui.usersExtras(r, &p, f); err != nil {
		ui.fail(w, r, err)
		return
	}
	p.Columns = columns(v.lang, q)
	p.Self = q.href(func(v url.Values) {
		setOrDel(v, "after", q.After)
		setOrDel(v, "before", q.Before)
	})
	for _, n := range pageSizes {
		p.Sizes = append(p.Sizes, pageSizeChoice{Size: n, Current: n == q.Size,
			Href: q.href(func(v url.Values) { setOrDel(v, "size", strconv.Itoa(n)) })})
	}
	if page.PrevCursor != "" {
		p.PrevHref = q.href(func(v url.Values) { v.Set("before", page.PrevCursor) })
	}
	if page.NextCursor != "" {
		p.NextHref = q.href(func(v url.Values) { v.Set("after", page.NextCursor) })
	}
	if id, err := strconv.ParseInt(r.URL.Query().Get("batch"), 10, 64); err == nil && id > 0 {
		p.Batch = id
	}
	admins, err := ui.Store.CountAdmins(r.Context(), f)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	p.Invitable = page.Total - admins
	if ui.exportEnabled() {
		p.ExportEnabled = true
		p.ExportHref = exportHref(q, "csv")
		p.ExportXLSXHref = exportHref(q, "xlsx")
	}
	ui.render(w, r, status, "users", p)
}

func setOrDel(v url.Values, k, val string) {
	if val == "" {
		v.Del(k)
		return
	}
	v.Set(k, val)
}

// columns are the table's headers; a click sorts by the column, a second
// click reverses the order.
func columns(lang string, q listQuery) []column {
	cols := []struct {
		key   invite.SortKey
		label string
	}{
		{invite.SortLogin, "col.login"}, {invite.SortName, "col.name"}, {invite.SortEmail, "col.email"},
		{invite.SortPhone, "col.phone"}, {invite.SortStatus, "col.status"},
	}
	out := make([]column, len(cols))
	for i, c := range cols {
		next := invite.Sort{Key: c.key}
		col := column{Label: translate(lang, c.label)}
		switch c.key {
		case invite.SortEmail, invite.SortPhone:
			col.Class = "wide"
		case invite.SortName: // shown under the login on a phone
			col.Class = "wide-name"
		}
		if q.Sort.Key == c.key {
			next.Desc = !q.Sort.Desc
			col.AriaSort, col.Arrow = "ascending", "▲"
			if q.Sort.Desc {
				col.AriaSort, col.Arrow = "descending", "▼"
			}
		}
		col.Href = q.href(func(v url.Values) { v.Set("sort", next.String()) })
		out[i] = col
	}
	return out
}

// createUser adds a user from the form beside the table. Malformed contact
// data is stored with a warning, as in the API: the invitation refuses it.
func (ui *UI) createUser(w http.ResponseWriter, r *http.Request) {
	lang := viewerFrom(r.Context()).lang
	in := invite.NewUser{Login: r.PostFormValue("login"), FirstName: r.PostFormValue("first_name"), LastName: r.PostFormValue("last_name"),
		Email: r.PostFormValue("email"), Phone: r.PostFormValue("phone"), Locale: r.PostFormValue("locale")}
	n, _, err := in.Normalize()
	if err == nil {
		var u invite.User
		u, err = ui.Store.CreateUser(r.Context(), n)
		if err == nil {
			http.Redirect(w, r, "/users/"+strconv.FormatInt(u.ID, 10)+"?added=1", http.StatusSeeOther)
			return
		}
	}
	switch invite.KindOf(err) {
	case invite.KindInvalid:
		ui.renderUsers(w, r, http.StatusBadRequest, in, errorText(lang, err))
	case invite.KindConflict:
		ui.renderUsers(w, r, http.StatusConflict, in, errorText(lang, err))
	default:
		ui.fail(w, r, err)
	}
}
