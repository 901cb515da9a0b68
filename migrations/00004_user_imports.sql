-- +goose Up
-- Background imports of users from files (POST /api/v1/users/import?async=1):
-- state, progress and report, kept here so that whichever replica an admin
-- reaches can answer GET /api/v1/users/imports/{id}. The file itself is
-- never stored; it stays on the replica that reads it. The replica's
-- heartbeat (updated_at) tells a running import from one whose replica died.
CREATE TABLE user_imports (
    id            bigserial PRIMARY KEY,
    requested_by  bigint      REFERENCES users (id) ON DELETE SET NULL,
    state         text        NOT NULL DEFAULT 'queued'
                              CHECK (state IN ('queued', 'running', 'done', 'failed')),
    options       jsonb       NOT NULL, -- send_invitation, update_existing, dry_run, charset, file_name
    phase         text        NOT NULL DEFAULT '',
    bytes_read    bigint      NOT NULL DEFAULT 0,
    bytes_total   bigint      NOT NULL DEFAULT 0,
    rows_read     integer     NOT NULL DEFAULT 0,
    report        jsonb,      -- when done
    error_code    text,       -- when failed
    error_message text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);
CREATE INDEX user_imports_requested_by_idx ON user_imports (requested_by, id DESC);

-- +goose Down
DROP TABLE user_imports;
