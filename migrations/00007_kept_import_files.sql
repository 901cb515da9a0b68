-- +goose Up
-- Import files kept after a dry run, so that "Import this file" imports
-- what was checked without the admin choosing it again. In PostgreSQL, not
-- on a replica's disk, because the next request may reach another replica.
-- Only the admin who uploaded a file may use it; a file lives until its
-- expires_at (IMPORT_KEEP_TTL) and at most IMPORT_KEEP_MAX are kept: each
-- new one removes the expired and the oldest beyond the limit.
CREATE TABLE kept_import_files (
    id           bigserial PRIMARY KEY,
    owner_id     bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    file_name    text        NOT NULL,
    content_type text        NOT NULL,
    size         bigint      NOT NULL,
    data         bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX kept_import_files_expires_idx ON kept_import_files (expires_at);

-- +goose Down
DROP TABLE kept_import_files;
