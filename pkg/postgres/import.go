package postgres

import (
	"context"
	"database/sql"
	"iter"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/userimport"
)

var _ userimport.Store = (*Store)(nil)

// createImportRows is the staging table of one import: the file's valid
// rows are copied in, matched with the users in two or three joins and
// inserted with one INSERT ... SELECT, whatever their number.
const createImportRows = `
CREATE TEMP TABLE import_rows (
    line        integer NOT NULL,
    login       text    NOT NULL,
    login_given boolean NOT NULL,
    first_name  text    NOT NULL,
    last_name   text    NOT NULL,
    email       text    NOT NULL, -- '' for none, as in the other columns
    phone       text    NOT NULL,
    locale      text    NOT NULL,
    login_key   text    GENERATED ALWAYS AS (lower(login)) STORED,
    user_id     bigint,
    matched_by  text,
    match_count integer NOT NULL DEFAULT 0
) ON COMMIT DROP`

const copyImportRows = `COPY import_rows (line, login, login_given, first_name, last_name, email, phone, locale) FROM STDIN`

// ImportUsers runs fn in a transaction with an empty staging table, and
// commits when commit is true and fn succeeds.
func (s *Store) ImportUsers(ctx context.Context, commit bool, fn func(userimport.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return translate("begin import", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	if _, err := tx.ExecContext(ctx, createImportRows); err != nil {
		return translate("create import table", err)
	}
	if err := fn(&importTx{tx: tx}); err != nil {
		return err
	}
	if !commit {
		return nil
	}
	if err := tx.Commit(); err != nil {
		return translate("commit import", err)
	}
	s.analyzeImported(ctx)
	return nil
}

type importTx struct{ tx *sqlx.Tx }

// Stage copies the rows with COPY as they come.
func (t *importTx) Stage(ctx context.Context, rows iter.Seq2[userimport.Row, error]) error {
	stmt, err := t.tx.PrepareContext(ctx, copyImportRows)
	if err != nil {
		return translate("start copy", err)
	}
	defer stmt.Close()
	for r, err := range rows {
		if err != nil {
			return err
		}
		u := r.User
		if _, err := stmt.ExecContext(ctx, r.Line, u.Login, r.LoginGiven, u.FirstName, u.LastName,
			u.Email, u.Phone, u.Locale); err != nil {
			return translate("copy row", err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return translate("end copy", err)
	}
	// A temporary table has no statistics until analysed, and the joins
	// below need them to pick a plan that suits 10 rows or 100,000.
	_, err = t.tx.ExecContext(ctx, `ANALYZE import_rows`)
	return translate("analyze import", err)
}

// The matching steps: by login, then by e-mail, then by phone, each for
// the rows still unmatched. E-mail and phone are not unique, so those
// steps count the users they find.
const (
	matchByLogin = `
UPDATE import_rows r SET user_id = u.id, matched_by = 'login', match_count = 1
FROM users u WHERE lower(u.login) = r.login_key`
	matchByEmail = `
UPDATE import_rows r SET user_id = CASE WHEN m.n = 1 THEN m.id END, matched_by = 'email', match_count = m.n
FROM (SELECT r2.line, min(u.id) AS id, count(*) AS n
      FROM import_rows r2 JOIN users u ON lower(u.email) = lower(r2.email)
      WHERE r2.match_count = 0 AND r2.email <> '' GROUP BY r2.line) m
WHERE r.line = m.line`
	matchByPhone = `
UPDATE import_rows r SET user_id = CASE WHEN m.n = 1 THEN m.id END, matched_by = 'phone', match_count = m.n
FROM (SELECT r2.line, min(u.id) AS id, count(*) AS n
      FROM import_rows r2 JOIN users u ON u.phone = r2.phone
      WHERE r2.match_count = 0 AND r2.phone <> '' GROUP BY r2.line) m
WHERE r.line = m.line`
)

// matchRow is a staged row with the user it matched, if one.
type matchRow struct {
	Line       int            `db:"line"`
	Login      string         `db:"login"`
	LoginGiven bool           `db:"login_given"`
	FirstName  string         `db:"first_name"`
	LastName   string         `db:"last_name"`
	Email      string         `db:"email"`
	Phone      string         `db:"phone"`
	Locale     string         `db:"locale"`
	MatchedBy  string         `db:"matched_by"`
	Count      int            `db:"match_count"`
	UserID     sql.NullInt64  `db:"u_id"`
	ULogin     sql.NullString `db:"u_login"`
	UFirstName sql.NullString `db:"u_first_name"`
	ULastName  sql.NullString `db:"u_last_name"`
	UEmail     sql.NullString `db:"u_email"`
	UPhone     sql.NullString `db:"u_phone"`
	ULocale    sql.NullString `db:"u_locale"`
	URole      sql.NullString `db:"u_role"`
	UStatus    sql.NullString `db:"u_status"`
}

const stagedColumns = `r.line, r.login, r.login_given, r.first_name, r.last_name, r.email, r.phone, r.locale,
       r.matched_by, r.match_count`

// selectMatched reads the matched users in id order, the order in which
// FOR UPDATE locks them (see "Lock order").
const selectMatched = `
SELECT ` + stagedColumns + `, u.id AS u_id, u.login AS u_login, u.first_name AS u_first_name,
       u.last_name AS u_last_name, u.email AS u_email, u.phone AS u_phone, u.locale AS u_locale,
       u.role AS u_role, s.status AS u_status
FROM import_rows r JOIN users u ON u.id = r.user_id JOIN invite_states s ON s.user_id = u.id
ORDER BY u.id`

const selectAmbiguous = `SELECT ` + stagedColumns + ` FROM import_rows r WHERE r.match_count > 1`

// Matches matches the staged rows with the users and returns the rows that
// matched, and those that matched more than one user.
func (t *importTx) Matches(ctx context.Context, lock bool) ([]userimport.Match, error) {
	for _, q := range []string{matchByLogin, matchByEmail, matchByPhone} {
		if _, err := t.tx.ExecContext(ctx, q); err != nil {
			return nil, translate("match import rows", err)
		}
	}
	q := selectMatched
	if lock {
		q += ` FOR UPDATE OF u`
	}
	var rows []matchRow
	if err := t.tx.SelectContext(ctx, &rows, q); err != nil {
		return nil, translate("read matched users", err)
	}
	var ambiguous []matchRow
	if err := t.tx.SelectContext(ctx, &ambiguous, selectAmbiguous); err != nil {
		return nil, translate("read ambiguous rows", err)
	}
	out := make([]userimport.Match, 0, len(rows)+len(ambiguous))
	for _, r := range append(rows, ambiguous...) {
		m := userimport.Match{Line: r.Line, LoginGiven: r.LoginGiven, By: r.MatchedBy, Count: r.Count,
			Row: invite.NewUser{Login: r.Login, FirstName: r.FirstName, LastName: r.LastName,
				Email: r.Email, Phone: r.Phone, Locale: r.Locale}}
		if r.UserID.Valid {
			m.User = invite.User{ID: r.UserID.Int64, Login: r.ULogin.String, FirstName: r.UFirstName.String,
				LastName: r.ULastName.String, Email: r.UEmail.String, Phone: r.UPhone.String, Locale: r.ULocale.String,
				Role: invite.Role(r.URole.String), InviteStatus: invite.Status(r.UStatus.String)}
		}
		out = append(out, m)
	}
	return out, nil
}

const updateImported = `
UPDATE users u
SET first_name = v.first_name, last_name = v.last_name, email = nullif(v.email, ''),
    phone = nullif(v.phone, ''), locale = v.locale, updated_at = now()
FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
     AS v(id, first_name, last_name, email, phone, locale)
WHERE u.id = v.id`

// Update writes the new data of matched users in one statement.
func (t *importTx) Update(ctx context.Context, us []userimport.Update) error {
	if len(us) == 0 {
		return nil
	}
	ids := make([]int64, len(us))
	cols := make([][]string, 5)
	for i, u := range us {
		ids[i] = u.UserID
		for c, v := range []string{u.FirstName, u.LastName, u.Email, u.Phone, u.Locale} {
			cols[c] = append(cols[c], v)
		}
	}
	_, err := t.tx.ExecContext(ctx, updateImported, pq.Array(ids), pq.Array(cols[0]), pq.Array(cols[1]),
		pq.Array(cols[2]), pq.Array(cols[3]), pq.Array(cols[4]))
	return translate("update imported users", err)
}

// insertImported creates the unmatched rows' users in file order; the
// statement-level trigger gives them their invite_states rows. A login
// taken since the match (by another transaction) skips its row.
const insertImported = `
WITH ins AS (
    INSERT INTO users (login, first_name, last_name, email, phone, locale)
    SELECT login, first_name, last_name, nullif(email, ''), nullif(phone, ''), locale
    FROM import_rows WHERE match_count = 0 ORDER BY line
    ON CONFLICT ((lower(login))) DO NOTHING
    RETURNING id, lower(login) AS login_key
)
SELECT r.line, ins.id FROM ins JOIN import_rows r ON r.login_key = ins.login_key AND r.match_count = 0`

// Insert creates the users of the rows that matched nobody.
func (t *importTx) Insert(ctx context.Context) (map[int]int64, error) {
	rows, err := t.tx.QueryContext(ctx, insertImported)
	if err != nil {
		return nil, translate("insert imported users", err)
	}
	defer rows.Close()
	ids := map[int]int64{}
	for rows.Next() {
		var (
			line int
			id   int64
		)
		if err := rows.Scan(&line, &id); err != nil {
			return nil, translate("insert imported users", err)
		}
		ids[line] = id
	}
	return ids, translate("insert imported users", rows.Err())
}
