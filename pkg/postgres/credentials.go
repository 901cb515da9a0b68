package postgres

// hasCredentials tells, for the user u and their state s, whether they can
// sign in now, as LoginCandidate would let them: with a password they chose,
// or with a temporary password of their latest delivered invitation that is
// neither used nor expired. A user never invited cannot, so the look-up
// runs only for the others; it walks invitations_user_id_idx backwards.
//
// A refused or failed send again leaves such a user invited
// (invite.StatusAfterRefusal).
const hasCredentials = `(s.status <> 'not_invited' AND (u.password_hash IS NOT NULL OR EXISTS (
    SELECT 1 FROM (
        SELECT consumed_at, expires_at FROM invitations
        WHERE user_id = u.id AND delivered_at IS NOT NULL ORDER BY id DESC LIMIT 1
    ) d WHERE d.consumed_at IS NULL AND d.expires_at > now())))`
