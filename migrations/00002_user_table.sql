-- +goose Up
-- The admin's user table: sorting by a column and paging forward and back
-- from a cursor (pkg/postgres/userlist_sort.go). Each index
-- holds a sort key then the id, so one index scan both delivers the order
-- and starts right after (or before) the cursor row, whatever its depth.
-- The expressions and collations are those of the ORDER BY, character for
-- character; COLLATE "C" makes the order the same on every server, whatever
-- its locale. Missing e-mails and phones sort as ''. The status order is
-- served by invite_states_status_user_idx and the id order by the key.
CREATE INDEX users_login_sort_idx ON users ((lower(login)) COLLATE "C", id);
CREATE INDEX users_name_sort_idx ON users ((lower(last_name)) COLLATE "C", (lower(first_name)) COLLATE "C", id);
CREATE INDEX users_email_sort_idx ON users ((coalesce(lower(email), '')) COLLATE "C", id);
CREATE INDEX users_phone_sort_idx ON users ((coalesce(phone, '')) COLLATE "C", id);
CREATE INDEX users_created_sort_idx ON users (created_at, id);

-- The phone search matches digits: a number kept as typed ("8 905 111-11-11")
-- has them apart in users.search, so its trigram index cannot find them.
CREATE INDEX users_phone_digits_trgm_idx ON users
    USING gin ((regexp_replace(phone, '[^0-9]+', '', 'g')) gin_trgm_ops);

-- +goose Down
DROP INDEX users_phone_digits_trgm_idx, users_created_sort_idx, users_phone_sort_idx,
    users_email_sort_idx, users_name_sort_idx, users_login_sort_idx;
