package postgres

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/lib/pq"

	"github.com/inviter/inviter/pkg/invite"
)

// translate turns driver errors into the domain's kinds: no rows becomes not
// found, a unique violation a conflict naming the field. Other errors are
// wrapped as they are.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("postgres: %s: %w", op, invite.ErrNotFound)
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "23505" { // unique_violation
		field := map[string]string{"users_login_key": "login"}[pqErr.Constraint]
		e := invite.Errorf(invite.KindConflict, "conflict", "%s is already taken", nonEmpty(field, "a unique value")).WithField(field)
		return fmt.Errorf("postgres: %s: %w", op, e.Wrap(err))
	}
	if e := classify(err); e != nil {
		return fmt.Errorf("postgres: %s: %w", op, e)
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

func nonEmpty(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
