package postgres

import (
	"fmt"

	"github.com/inviter/inviter/pkg/invite"
)

// batchWhere adds the clause of a batch filter: the user has an attempt
// of the batch (with the outcome, when given), which
// invitations_batch_status_idx finds.
func batchWhere(b invite.BatchFilter, where []string, args []any) ([]string, []any) {
	args = append(args, b.ID)
	clause := fmt.Sprintf("EXISTS (SELECT 1 FROM invitations bi WHERE bi.batch_id = $%d AND bi.user_id = u.id", len(args))
	if b.Outcome != "" {
		args = append(args, string(b.Outcome))
		clause += fmt.Sprintf(" AND bi.status = $%d", len(args))
	}
	return append(where, clause+")"), args
}
