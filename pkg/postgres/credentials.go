package postgres

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/inviter/inviter/pkg/invite"
)

// hasCredentials tells, for the user u and their state s, whether they can
// sign in now, as LoginCandidate would let them: with a password they chose,
// or with a temporary password of their latest delivered invitation that is
// neither used nor expired. A user never invited cannot, so the look-up
// runs only for the others; it walks invitations_user_id_idx backwards.
//
// A refused or failed send again leaves such a user invited
// (invite.StatusAfterRefusal). The check costs an index probe per user, so
// a batch makes it for its refused users only (refusedStatuses) and the
// preview, which needs no status, never does: over 60,000 invited users it
// would multiply the time of reading the candidates by five.
const hasCredentials = `(s.status <> 'not_invited' AND (u.password_hash IS NOT NULL OR EXISTS (
    SELECT 1 FROM (
        SELECT consumed_at, expires_at FROM invitations
        WHERE user_id = u.id AND delivered_at IS NOT NULL ORDER BY id DESC LIMIT 1
    ) d WHERE d.consumed_at IS NULL AND d.expires_at > now())))`

// refusedStatuses sets the status of each refused user's outcome (cands[i]
// is the candidate of outcomes[outs[i]]) by the rule of
// invite.StatusAfterRefusal, checking the credentials of those who were
// ever invited in one statement.
func refusedStatuses(ctx context.Context, tx *sqlx.Tx, cands []invite.Candidate, outs []int, outcomes []invite.Outcome) error {
	ids := make([]int64, 0, len(cands))
	for _, c := range cands {
		if c.Status != invite.StatusNotInvited {
			ids = append(ids, c.UserID)
		}
	}
	can := map[int64]bool{}
	if len(ids) > 0 {
		var rows []int64
		err := tx.SelectContext(ctx, &rows, `SELECT u.id FROM users u JOIN invite_states s ON s.user_id = u.id
			WHERE u.id = ANY($1) AND `+hasCredentials, pq.Array(ids))
		if err != nil {
			return translate("check credentials of refused users", err)
		}
		for _, id := range rows {
			can[id] = true
		}
	}
	for i, c := range cands {
		c.HasCredentials = can[c.UserID]
		outcomes[outs[i]].Status = invite.StatusAfterRefusal(c)
	}
	return nil
}
