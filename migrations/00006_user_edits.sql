-- +goose Up
-- Who changed what in a user's profile (PATCH /api/v1/users/{id}, the
-- card's Edit form): one row per changed field. Passwords are never edited
-- here and never recorded. The admin is kept as they were then (no foreign
-- key, as invitations.requested_by), so the record outlives their account.
CREATE TABLE user_changes (
    id               bigserial PRIMARY KEY,
    user_id          bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    changed_by       bigint,
    changed_by_login text,
    field            text        NOT NULL
                                 CHECK (field IN ('login', 'first_name', 'last_name', 'email', 'phone', 'locale')),
    old_value        text,
    new_value        text,
    changed_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_changes_user_idx ON user_changes (user_id, id DESC);

-- The reasons under "Error" in the user table's filter, with their counts,
-- and GET /api/v1/users?error_code=: an index-only count per reason.
CREATE INDEX invite_states_error_code_idx ON invite_states (error_code, user_id) WHERE status = 'error';

-- "Another user already has this e-mail/phone" (duplicate_email,
-- duplicate_phone) is an equality test on the sort indexes of 00002; the
-- phone is compared as stored (E.164 when valid).

-- +goose Down
DROP INDEX invite_states_error_code_idx;
DROP TABLE user_changes;
