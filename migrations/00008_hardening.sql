-- +goose Up
-- Issue 9. Development outbox messages hold temporary passwords: they
-- expire (OUTBOX_TTL), and are neither listed nor kept after that.
ALTER TABLE dev_outbox ADD COLUMN expires_at timestamptz;
CREATE INDEX dev_outbox_expires_at_idx ON dev_outbox (expires_at);

-- A session opened with a temporary password belongs to the invitation
-- that carried it, and ends when that password stops working: a newer
-- invitation delivered, INVITE_TTL, a password chosen.
ALTER TABLE sessions ADD COLUMN invitation_id bigint REFERENCES invitations (id) ON DELETE CASCADE;
CREATE INDEX sessions_invitation_id_idx ON sessions (invitation_id) WHERE invitation_id IS NOT NULL;

-- +goose Down
DROP INDEX sessions_invitation_id_idx;
ALTER TABLE sessions DROP COLUMN invitation_id;
DROP INDEX dev_outbox_expires_at_idx;
ALTER TABLE dev_outbox DROP COLUMN expires_at;
