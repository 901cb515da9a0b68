-- +goose Up
-- One row per "Send invitation" request: who asked, and what the request
-- decided at once. What became of each new attempt is read from invitations
-- (batch_id) when asked for, so the workers' hot path writes nothing here:
-- counters kept on this row would make every delivery of a batch queue up
-- behind one row lock.
CREATE TABLE invite_batches (
    id                 bigserial PRIMARY KEY,
    -- Who asked, as they were then (no foreign key: see invitations).
    requested_by       bigint,
    requested_by_login text,
    selected           integer     NOT NULL, -- users the selection matched: queued + kept + refused
    queued             integer     NOT NULL, -- new attempts, made waiting by this batch
    kept               integer     NOT NULL, -- users already waiting on the same route: their earlier attempt goes on
    refused            integer     NOT NULL, -- refused at once (contact data, administrators)
    not_found          integer     NOT NULL, -- requested ids that matched no user
    created_at         timestamptz NOT NULL DEFAULT now()
);

-- The batch that created an attempt; NULL for attempts made before batches
-- were recorded. No foreign key: it would cost a lookup of the same batch
-- row for every attempt inserted. Indexed with the status so that the
-- progress of a batch is one index-only count (rows of earlier attempts
-- stay out of the index).
ALTER TABLE invitations ADD COLUMN batch_id bigint;
CREATE INDEX invitations_batch_status_idx ON invitations (batch_id, status) WHERE batch_id IS NOT NULL;

-- +goose Down
DROP INDEX invitations_batch_status_idx;
ALTER TABLE invitations DROP COLUMN batch_id;
DROP TABLE invite_batches;
