package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/inviter/inviter/pkg/invite"
)

// defaultPageSize is the page of a filter that names none.
const defaultPageSize = 50

// ListUsers returns a page of the users matching f in f.Sort's order, with
// the count of every match. Pages are keyed by the sort key's values and
// the id (not OFFSET), so a page deep in a million users costs what the
// first one does.
//
// A page is full whenever enough users match, and empty only when none
// does: when fewer than a page precede f.Before (users were deleted, or the
// cursor was not at a page boundary) the answer is the first page, and when
// nothing follows f.After (users were deleted) it is the last page.
func (s *Store) ListUsers(ctx context.Context, f invite.UserFilter) (invite.UserPage, error) {
	after, before, err := f.PageCursors()
	if err != nil {
		return invite.UserPage{}, err
	}
	if _, err := invite.ParseSort(f.Sort.String()); err != nil { // a key set by hand
		return invite.UserPage{}, err
	}
	if f.Limit <= 0 {
		f.Limit = defaultPageSize
	}
	page, err := s.countPage(ctx, f)
	if err != nil {
		return page, err
	}
	var (
		rows             []userRow
		more             bool
		backward         = before != nil
		hasPrev, hasNext = after != nil, before != nil
	)
	if rows, more, err = s.userRows(ctx, f, cmp.Or(before, after), backward); err != nil {
		return page, err
	}
	switch {
	case backward && len(rows) < f.Limit: // the start is nearer than a page
		backward, hasNext = false, false
		rows, more, err = s.userRows(ctx, f, nil, false)
	case !backward && after != nil && len(rows) == 0: // past the end
		backward, hasPrev = true, false
		rows, more, err = s.userRows(ctx, f, nil, true)
	}
	if err != nil {
		return page, err
	}
	page.Items = users(rows)
	if len(rows) == 0 {
		return page, nil
	}
	// Forward, more means a next page; backward, a previous one. The other
	// side has a page when the request came from it.
	if more && !backward || hasNext && backward {
		page.NextCursor = invite.CursorAt(f.Sort.Key, page.Items[len(page.Items)-1])
	}
	if more && backward || hasPrev && !backward {
		page.PrevCursor = invite.CursorAt(f.Sort.Key, page.Items[0])
	}
	return page, nil
}

// countPage starts a page with the total and, when f asks, the counts per
// status (and then the total is their sum: one query instead of two).
func (s *Store) countPage(ctx context.Context, f invite.UserFilter) (invite.UserPage, error) {
	var (
		page invite.UserPage
		err  error
	)
	if f.SkipTotal && !f.CountByStatus {
		return page, nil
	}
	if !f.CountByStatus {
		page.Total, err = s.countUsers(ctx, f)
		return page, err
	}
	if page.Counts, err = s.CountUsersByStatus(ctx, f); err != nil {
		return page, err
	}
	if f.ErrorCode != "" { // the counts ignore it: the total cannot be their sum
		page.Total, err = s.countUsers(ctx, f)
		return page, err
	}
	for st, n := range page.Counts {
		if f.Status == "" || f.Status == st {
			page.Total += n
		}
	}
	return page, nil
}

// userRows reads up to f.Limit rows past c (from the start when c is nil)
// in f's order, or, backward, up to f.Limit rows before c, nearest last,
// returned in f's order. more reports whether rows remain beyond them.
func (s *Store) userRows(ctx context.Context, f invite.UserFilter, c *invite.Cursor, backward bool) (rows []userRow, more bool, err error) {
	where, args := userWhere(f, nil)
	key := sortKeyOf(f.Sort.Key)
	desc := f.Sort.Desc != backward // walk against the order to go back
	if c != nil {
		var clause string
		clause, args = key.keyset(*c, desc, args)
		where = append(where, clause)
	}
	args = append(args, f.Limit+1)
	q := selectUsers + whereSQL(where) + key.orderBy(desc) + fmt.Sprintf(" LIMIT $%d", len(args))
	if err := s.db.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, false, translate("list users", err)
	}
	if more = len(rows) > f.Limit; more {
		rows = rows[:f.Limit]
	}
	if backward {
		slices.Reverse(rows)
	}
	return rows, more, nil
}

func users(rows []userRow) []invite.User {
	out := make([]invite.User, len(rows))
	for i, r := range rows {
		out[i] = r.user()
	}
	return out
}

// countUsers counts the users matching f, reading only the table its
// filter needs: invite_states alone without a text search (every user has
// exactly one row there, and its indexes answer by themselves), users alone
// without a status (a third less time for a search that matches a third of
// a million users).
func (s *Store) countUsers(ctx context.Context, f invite.UserFilter) (int, error) {
	where, args := userWhere(f, nil)
	from := ` FROM users u JOIN invite_states s ON s.user_id = u.id`
	switch {
	case !f.Searches():
		from = ` FROM invite_states s`
	case f.Status == "" && f.ErrorCode == "":
		from = ` FROM users u`
	}
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT count(*)`+from+whereSQL(where), args...); err != nil {
		return 0, translate("count users", err)
	}
	return n, nil
}
