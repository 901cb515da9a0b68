package httpapi

import "github.com/inviter/inviter/pkg/invite"

// reportsJSON is a history entry's reports (bounces, receipts): [] rather
// than null when nothing came back.
func reportsJSON(r []invite.Receipt) []invite.Receipt {
	if r == nil {
		return []invite.Receipt{}
	}
	return r
}
