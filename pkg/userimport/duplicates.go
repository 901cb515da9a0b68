package userimport

import (
	"context"

	"github.com/inviter/inviter/pkg/invite"
)

// Duplicate is a staged row whose e-mail address or phone number another
// user already has (a stored user other than the one it matched, or, for a
// phone, an earlier row of the file).
type Duplicate struct {
	Line  int
	Field string // FieldEmail or FieldPhone
}

// duplicateFinder is the optional part of a Tx that finds duplicates; a Tx
// without it warns of none.
type duplicateFinder interface {
	Duplicates(ctx context.Context) ([]Duplicate, error)
}

// warnDuplicates warns of rows that will store an e-mail address or a
// phone number another user has: rows that create a user, and rows that
// update one with that value (update_existing). The data is imported (two
// employees may share a mailbox), as POST /api/v1/users does.
func (r *run) warnDuplicates(ctx context.Context, tx Tx, matches []Match) error {
	df, ok := tx.(duplicateFinder)
	if !ok {
		return nil
	}
	dups, err := df.Duplicates(ctx)
	if err != nil {
		return err
	}
	byLine := make(map[int]Match, len(matches))
	for _, m := range matches {
		byLine[m.Line] = m
	}
	for _, d := range dups {
		if r.failed[d.Line] {
			continue
		}
		if m, matched := byLine[d.Line]; matched {
			row, stored := m.Row.Email, m.User.Email
			if d.Field == FieldPhone {
				row, stored = m.Row.Phone, m.User.Phone
			}
			if !r.opts.UpdateExisting || row == "" || row == stored || m.User.Role.IsAdmin() {
				continue
			}
		}
		if d.Field == FieldEmail {
			r.warn(d.Line, FieldEmail, invite.WarningDuplicateEmail, "Another user already has this e-mail address.")
		} else {
			r.warn(d.Line, FieldPhone, invite.WarningDuplicatePhone, "Another user already has this phone number.")
		}
	}
	return nil
}
