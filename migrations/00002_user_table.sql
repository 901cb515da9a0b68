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

-- A column search is "u.search LIKE x AND <column> LIKE x": the trigram
-- index serves the first, the second sorts out which column matched. The
-- planner estimates a LIKE from the statistics of what it tests; without
-- any for the column's expression it guesses a tiny fraction, believes a
-- search that matches a third of the users matches a dozen, and sorts all
-- of them instead of walking the sort index (330 ms instead of 0.1 ms for
-- a page on 1M users). lower(login) and the phone digits have statistics
-- through their indexes; these give the other two theirs.
CREATE STATISTICS users_email_lower_stat ON (lower(email)) FROM users;
CREATE STATISTICS users_name_lower_stat ON (lower(first_name || ' ' || last_name)) FROM users;

-- +goose Down
DROP STATISTICS users_name_lower_stat, users_email_lower_stat;
DROP INDEX users_phone_digits_trgm_idx, users_created_sort_idx, users_phone_sort_idx,
    users_email_sort_idx, users_name_sort_idx, users_login_sort_idx;
