package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/inviter/inviter/pkg/invite"
)

// listQuery is the user table's state as it travels in the address: the
// status filter, the searches, the order and the page.
type listQuery struct {
	Status                       invite.Status
	Q, Login, Name, Email, Phone string
	Sort                         invite.Sort
	After, Before                string
	// Batch keeps the users of one send, by outcome (the progress bar's
	// links to the users refused or failed): in_batch and outcome in the
	// address (batch is the progress bar's own parameter).
	Batch *invite.BatchFilter
	// ErrorCode lists the users in error for one reason (the reasons
	// under "Error" in the filter).
	ErrorCode string
	Size      int // rows a page shows: one of pageSizes
}

// pageSizes are the page sizes the table offers; defaultPageSize is the
// one it starts with.
var pageSizes = []int{25, 50, 100, 500}

const defaultPageSize = 50

// defaultSort is the table's order when none is chosen: the newest users
// first, as an admin adding people through the day expects.
var defaultSort = invite.Sort{Key: invite.SortID, Desc: true}

// SortParam is the sort as the address writes it.
func (q listQuery) SortParam() string {
	if q.Sort == defaultSort {
		return ""
	}
	return q.Sort.String()
}

// HasColumnSearch reports whether a per-column search is in use.
func (q listQuery) HasColumnSearch() bool { return q.Login+q.Name+q.Email+q.Phone != "" }

// parseListQuery reads the table's state; values it cannot use (an unknown
// status or sort) fall back to the defaults rather than failing the page.
func parseListQuery(v url.Values, prefix string) listQuery {
	get := func(k string) string { return strings.TrimSpace(v.Get(prefix + k)) }
	q := listQuery{Q: get("q"), Login: get("login"), Name: get("name"), Email: get("email"), Phone: get("phone")}
	q.Status, _ = invite.ParseStatus(get("status"))
	q.Sort = defaultSort
	if s, err := invite.ParseSort(get("sort")); err == nil && get("sort") != "" {
		q.Sort = s
	}
	q.Size = defaultPageSize
	if n, err := strconv.Atoi(get("size")); err == nil && slices.Contains(pageSizes, n) {
		q.Size = n
	}
	q.After, q.Before = v.Get("after"), v.Get("before")
	q.Batch, _ = invite.ParseBatchFilter(get("in_batch"), get("outcome"))
	q.ErrorCode, _ = invite.ParseErrorCode(get("error_code"))
	return q
}

// filter is the store's filter for the table's state.
func (q listQuery) filter(limit int) invite.UserFilter {
	return invite.UserFilter{Status: q.Status, Query: q.Q, Login: q.Login, Name: q.Name, Email: q.Email, Phone: q.Phone,
		Sort: q.Sort, Limit: limit, After: q.After, Before: q.Before, Batch: q.Batch, ErrorCode: q.ErrorCode}
}

// values writes the state back as address parameters, page excluded.
func (q listQuery) values() url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("status", string(q.Status))
	set("q", q.Q)
	set("login", q.Login)
	set("name", q.Name)
	set("email", q.Email)
	set("phone", q.Phone)
	set("sort", q.SortParam())
	if q.Batch != nil {
		set("in_batch", strconv.FormatInt(q.Batch.ID, 10))
		set("outcome", q.Batch.OutcomeParam())
	}
	set("error_code", q.ErrorCode)
	if q.Size != defaultPageSize && q.Size != 0 {
		v.Set("size", strconv.Itoa(q.Size))
	}
	return v
}

// href is the table's address with changes applied to its parameters.
func (q listQuery) href(change func(url.Values)) string {
	v := q.values()
	if change != nil {
		change(v)
	}
	if len(v) == 0 {
		return "/users"
	}
	return "/users?" + v.Encode()
}
