package postgres

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/inviter/inviter/pkg/invite"
)

// Store implements the service's stores on one database handle.
type Store struct {
	db   *sqlx.DB
	prep preparedStatements
	// unprepared runs the hot statements unprepared: only for the benchmark
	// that weighs the statement cache against its absence.
	unprepared bool
	sends      sendSlots // see GuardSend
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
	WaitingSince     *time.Time     `db:"waiting_since"`
}

// selectUsers reads users with their invitation state; filters refer to
// the users as u and their states as s.
const selectUsers = `SELECT u.id, u.login, u.first_name, u.last_name, u.email, u.phone, u.locale, u.role,
	s.status AS invite_status, s.error_code AS invite_error_code, s.error_message AS invite_error_message,
	s.invited_at, u.created_at, CASE WHEN s.status = 'waiting' THEN s.updated_at END AS waiting_since
FROM users u JOIN invite_states s ON s.user_id = u.id`

func (r userRow) user() invite.User {
	u := invite.User{
		ID: r.ID, Login: r.Login, FirstName: r.FirstName, LastName: r.LastName,
		Email: r.Email.String, Phone: r.Phone.String, Locale: r.Locale, Role: invite.Role(r.Role),
		InviteStatus: invite.Status(r.InviteStatus), InvitedAt: r.InvitedAt, CreatedAt: r.CreatedAt,
		WaitingSince: r.WaitingSince,
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
