package postgres

import (
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
// A previous page (f.Before) is always a full one: when fewer users than a
// page precede the cursor (some were deleted, or the cursor was not at a
// page boundary), the answer is the first page.
func (s *Store) ListUsers(ctx context.Context, f invite.UserFilter) (invite.UserPage, error) {
	after, before, err := f.PageCursors()
	if err != nil {
		return invite.UserPage{}, err
	}
	if f.Limit <= 0 {
		f.Limit = defaultPageSize
	}
	var page invite.UserPage
	if f.CountByStatus {
		if page.Counts, err = s.CountUsersByStatus(ctx, f); err != nil {
			return page, err
		}
		for st, n := range page.Counts {
			if f.Status == "" || f.Status == st {
				page.Total += n
			}
		}
	} else if page.Total, err = s.countUsers(ctx, f); err != nil {
		return page, err
	}
	if before != nil {
		rows, more, err := s.userRows(ctx, f, before, true)
		if err != nil {
			return page, err
		}
		if len(rows) == f.Limit {
			page.Items = users(rows)
			page.NextCursor = invite.CursorAt(f.Sort.Key, page.Items[len(page.Items)-1])
			if more {
				page.PrevCursor = invite.CursorAt(f.Sort.Key, page.Items[0])
			}
			return page, nil
		}
		// Fewer than a page precede the cursor: show the first page.
	}
	rows, more, err := s.userRows(ctx, f, after, false)
	if err != nil {
		return page, err
	}
	page.Items = users(rows)
	if more {
		page.NextCursor = invite.CursorAt(f.Sort.Key, page.Items[len(page.Items)-1])
	}
	switch {
	case after == nil:
	case len(page.Items) > 0:
		page.PrevCursor = invite.CursorAt(f.Sort.Key, page.Items[0])
	default: // past the end: the previous page is the one before the cursor
		page.PrevCursor = f.After
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

// countUsers counts the users matching f. Without a text search it reads
// invite_states alone (every user has exactly one row there): an index-only
// scan instead of a join of two million-row tables.
func (s *Store) countUsers(ctx context.Context, f invite.UserFilter) (int, error) {
	var (
		n    int
		q    = `SELECT count(*) FROM invite_states s`
		args []any
	)
	if f.Status != "" {
		args = append(args, string(f.Status))
		q += ` WHERE s.status = $1`
	}
	if f.Searches() {
		var where []string
		where, args = userWhere(f, nil)
		q = `SELECT count(*) FROM users u JOIN invite_states s ON s.user_id = u.id` + whereSQL(where)
	}
	if err := s.db.GetContext(ctx, &n, q, args...); err != nil {
		return 0, translate("count users", err)
	}
	return n, nil
}
