-- +goose Up
-- "Send invitation" leaves some users exactly as they are: those already
-- invited when the admin asks so (skip_invited), and administrators always.
-- The batch records how many, beside what it queued and refused.
ALTER TABLE invite_batches
    ADD COLUMN skipped integer NOT NULL DEFAULT 0, -- already invited, left as they are
    ADD COLUMN admins  integer NOT NULL DEFAULT 0; -- administrators, left as they are

-- Administrators used to be refused (status error, admin_account) when a
-- selection swept them in. A selection no longer changes an administrator's
-- status: undo what it did. Their history keeps the refused attempts.
UPDATE invite_states s
SET status = 'not_invited', error_code = NULL, error_message = NULL, current_invitation_id = NULL, updated_at = now()
FROM users u
WHERE u.id = s.user_id AND u.role IN ('admin', 'super_admin')
  AND s.status = 'error' AND s.error_code = 'admin_account';

-- A send again that failed or was refused used to put in error a user whose
-- earlier password still signs them in. They are invited: the error stays
-- on them as the last send's, as it now does for new failures.
UPDATE invite_states s
SET status = 'invited', updated_at = now()
FROM users u
WHERE u.id = s.user_id AND s.status = 'error' AND u.role = 'user'
  AND (u.password_hash IS NOT NULL OR EXISTS (
      SELECT 1 FROM (
          SELECT consumed_at, expires_at FROM invitations
          WHERE user_id = u.id AND delivered_at IS NOT NULL ORDER BY id DESC LIMIT 1
      ) d WHERE d.consumed_at IS NULL AND d.expires_at > now()));

-- "Select all N matching" counts the users who can be invited: the matching
-- users less the matching administrators, whom this small index finds
-- without a scan of the users.
CREATE INDEX users_admins_idx ON users (id) WHERE role <> 'user';

-- +goose Down
DROP INDEX users_admins_idx;
ALTER TABLE invite_batches DROP COLUMN admins, DROP COLUMN skipped;
