package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/inviter/inviter/pkg/invite"
)

// Store implements the service's stores on one database handle.
type Store struct {
	db   *sqlx.DB
	prep preparedStatements
}

// NewStore returns a Store on db.
func NewStore(db *sqlx.DB) *Store { return &Store{db: db} }

// userRow is a users row as the API shows it.
type userRow struct {
	ID               int64          `db:"id"`
	Login            string         `db:"login"`
	FirstName        string         `db:"first_name"`
	LastName         string         `db:"last_name"`
	Email            sql.NullString `db:"email"`
	Phone            sql.NullString `db:"phone"`
	Locale           string         `db:"locale"`
	Role             string         `db:"role"`
	InviteStatus     string         `db:"invite_status"`
	InviteErrCode    sql.NullString `db:"invite_error_code"`
	InviteErrMessage sql.NullString `db:"invite_error_message"`
	InvitedAt        *time.Time     `db:"invited_at"`
	CreatedAt        time.Time      `db:"created_at"`
}

// selectUsers reads users with their invitation state; filters refer to
// the users as u and their states as s.
const selectUsers = `SELECT u.id, u.login, u.first_name, u.last_name, u.email, u.phone, u.locale, u.role,
	s.status AS invite_status, s.error_code AS invite_error_code, s.error_message AS invite_error_message,
	s.invited_at, u.created_at
FROM users u JOIN invite_states s ON s.user_id = u.id`

func (r userRow) user() invite.User {
	u := invite.User{
		ID: r.ID, Login: r.Login, FirstName: r.FirstName, LastName: r.LastName,
		Email: r.Email.String, Phone: r.Phone.String, Locale: r.Locale, Role: invite.Role(r.Role),
		InviteStatus: invite.Status(r.InviteStatus), InvitedAt: r.InvitedAt, CreatedAt: r.CreatedAt,
	}
	if r.InviteErrCode.Valid {
		u.InviteError = &invite.Reason{Code: r.InviteErrCode.String, Message: r.InviteErrMessage.String}
	}
	return u
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

const insertUser = `
INSERT INTO users (login, first_name, last_name, email, phone, locale, role)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id, login, first_name, last_name, email, phone, locale, role, 'not_invited' AS invite_status, created_at`

// CreateUser inserts a user whose fields were normalized by the caller.
func (s *Store) CreateUser(ctx context.Context, n invite.NewUser) (invite.User, error) {
	var r userRow
	err := s.db.GetContext(ctx, &r, insertUser, n.Login, n.FirstName, n.LastName,
		nullString(n.Email), nullString(n.Phone), n.Locale, string(n.Role))
	if err != nil {
		return invite.User{}, translate("create user", err)
	}
	return r.user(), nil
}

// User returns the user with id.
func (s *Store) User(ctx context.Context, id int64) (invite.User, error) {
	var r userRow
	err := s.db.GetContext(ctx, &r, selectUsers+` WHERE u.id = $1`, id)
	if err != nil {
		return invite.User{}, translate("get user "+strconv.FormatInt(id, 10), err)
	}
	return r.user(), nil
}

// userWhere builds the WHERE clauses of a user filter, as a slice of clauses
// and their arguments, numbering placeholders from len(args)+1.
func userWhere(f invite.UserFilter, args []any) ([]string, []any) {
	var where []string
	if f.Status != "" {
		args = append(args, string(f.Status))
		where = append(where, fmt.Sprintf("s.status = $%d", len(args)))
	}
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		args = append(args, "%"+escapeLike(q)+"%")
		where = append(where, fmt.Sprintf("u.search LIKE $%d", len(args)))
	}
	return where, args
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func whereSQL(clauses []string) string {
	if len(clauses) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(clauses, " AND ")
}

// ListUsers returns a page of users matching f in id order, with the total
// count of matches. Pages are keyed by id (not OFFSET), so deep pages cost
// the same as the first.
func (s *Store) ListUsers(ctx context.Context, f invite.UserFilter) (invite.UserPage, error) {
	where, args := userWhere(f, nil)
	var page invite.UserPage
	if err := s.db.GetContext(ctx, &page.Total, `SELECT count(*) FROM users u JOIN invite_states s ON s.user_id = u.id`+whereSQL(where), args...); err != nil {
		return page, translate("count users", err)
	}
	if f.After > 0 {
		args = append(args, f.After)
		where = append(where, fmt.Sprintf("u.id > $%d", len(args)))
	}
	args = append(args, f.Limit+1)
	q := selectUsers + whereSQL(where) + fmt.Sprintf(` ORDER BY u.id LIMIT $%d`, len(args))
	var rows []userRow
	if err := s.db.SelectContext(ctx, &rows, q, args...); err != nil {
		return page, translate("list users", err)
	}
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		page.NextCursor = rows[len(rows)-1].ID
	}
	page.Items = make([]invite.User, len(rows))
	for i, r := range rows {
		page.Items[i] = r.user()
	}
	return page, nil
}
