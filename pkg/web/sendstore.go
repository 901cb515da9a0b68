package web

import (
	"context"

	"github.com/inviter/inviter/pkg/invite"
)

// sendStore is what the send's pages (the table's selection, the
// confirmation's refused users, the card's role) read and write beyond
// the table itself.
type sendStore interface {
	CountAdmins(ctx context.Context, f invite.UserFilter) (int, error)
	UsersByID(ctx context.Context, ids []int64) ([]invite.User, error)
	SetRole(ctx context.Context, id int64, role invite.Role) (invite.User, error)
}

// userReasonText is the reason shown beside a user's status: for a user
// still invited, the last send's failure, said as such (their password
// still works); otherwise why they are in error.
func userReasonText(lang string, u invite.User) string { return userReason(lang, u, reasonText) }

// userLabelText is userReasonText with the reason's short label, for the
// table's rows.
func userLabelText(lang string, u invite.User) string { return userReason(lang, u, reasonLabel) }

// userReason says u's reason with say, as userReasonText describes.
func userReason(lang string, u invite.User, say func(string, *invite.Reason) string) string {
	if u.InviteError == nil {
		return ""
	}
	if u.InviteStatus == invite.StatusInvited {
		return translate(lang, "users.last_send_failed", say(lang, u.InviteError))
	}
	return say(lang, u.InviteError)
}
