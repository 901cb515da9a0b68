-- +goose Up
-- What became of each message after the provider accepted it: bounces
-- (SMTP listener, IMAP mailbox), automatic replies, and Vonage delivery
-- receipts. One row per report, so the history shows the path of each
-- message; the invitation's receipt is the latest of them. Only what the
-- history needs is kept (status, diagnostic, reporting server, time): never
-- the body of a returned message, which may carry the temporary password.
CREATE TABLE delivery_receipts (
    id            bigserial PRIMARY KEY,
    invitation_id bigint      NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    status        text        NOT NULL CHECK (status IN ('accepted', 'delivered', 'delayed', 'bounced', 'failed')),
    kind          text        NOT NULL, -- bounce, delay, auto_reply, delivered, sms
    source        text        NOT NULL, -- smtp, imap, vonage
    code          text,                 -- enhanced status code (5.1.1) or Vonage's err-code
    detail        text        NOT NULL DEFAULT '',
    reporter      text,                 -- reporting MTA, or the mobile network
    effect        text        NOT NULL, -- user_failed, history, superseded
    reported_at   timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- The same report twice (a relay that retries, a mailbox read again, a
    -- receipt Vonage sends again) is one row.
    dedupe_key    text        NOT NULL,
    UNIQUE (invitation_id, dedupe_key)
);

-- The message ids Vonage gave each SMS (one per part), which its delivery
-- receipts carry back with client-ref. A table of their own, not a column of
-- invitations: they are written while the send holds a share lock on the
-- attempt's row (postgres/sendguard.go), which an UPDATE of that row would
-- wait for until the send ends, and the send waits for them.
CREATE TABLE invitation_provider_refs (
    invitation_id bigint NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    ref           text   NOT NULL,
    PRIMARY KEY (invitation_id, ref)
);
CREATE INDEX invitation_provider_refs_ref_idx ON invitation_provider_refs (ref);

-- +goose Down
DROP TABLE invitation_provider_refs;
DROP TABLE delivery_receipts;
