package postgres

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/lib/pq"

	"github.com/inviter/inviter/pkg/invite"
)

// inputErrorCodes are the SQLSTATEs PostgreSQL answers when the value a
// client sent cannot be stored or compared, not when the server is in
// trouble: they are the caller's invalid input, never a 500.
var inputErrorCodes = map[string]*invite.Error{
	"22021": invite.ErrInvalidText, // character_not_in_repertoire: NUL, bad UTF-8
	"22P05": invite.ErrInvalidText, // untranslatable_character
	"54000": invite.Errorf(invite.KindInvalid, "too_long",
		"a value is too large to store or search"), // program_limit_exceeded: index row size
	"22001": invite.Errorf(invite.KindInvalid, "too_long",
		"a value is longer than its column allows"), // string_data_right_truncation
}

// inputError maps an input-caused database error to an invalid-input error
// (the store cannot tell which field; the API's own checks name it before
// the database is reached), or returns nil.
func inputError(err error) error {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) {
		return nil
	}
	if e, ok := inputErrorCodes[string(pqErr.Code)]; ok {
		return e.Wrap(err)
	}
	return nil
}

// classify is the store's one reading of a driver error that is not "no
// rows" or a unique violation: the caller's input, the database being
// unavailable, or nil (an internal error, wrapped as it is).
func classify(err error) error {
	if e := inputError(err); e != nil {
		return e
	}
	return unavailableError(err)
}

// ErrDatabaseUnavailable is what a caller gets when PostgreSQL cannot be
// reached or cannot take the work now: the request may succeed later, and
// nothing about the input or the data is wrong. The worker does not count
// it as a delivery failure; the API answers 503.
var ErrDatabaseUnavailable = invite.Errorf(invite.KindUnavailable, "database_unavailable",
	"the database is unavailable; try again in a moment")

// unavailableCodes are SQLSTATEs of a server that is going away, full or
// busy, rather than of a wrong statement: class 08 (connection exception)
// is checked by prefix.
var unavailableCodes = map[string]bool{
	"57P01": true, // admin_shutdown
	"57P02": true, // crash_shutdown
	"57P03": true, // cannot_connect_now (starting up, recovering)
	"53300": true, // too_many_connections
	"53000": true, // insufficient_resources
	"40001": true, // serialization_failure
	"40P01": true, // deadlock_detected
	"55P03": true, // lock_not_available
	"57014": true, // query_canceled (statement_timeout)
	"25006": true, // read_only_sql_transaction (a failover in progress)
}

// unavailableError maps a connection-level failure to
// ErrDatabaseUnavailable, or returns nil.
func unavailableError(err error) error {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		if strings.HasPrefix(string(pqErr.Code), "08") || unavailableCodes[string(pqErr.Code)] {
			return ErrDatabaseUnavailable.Wrap(err)
		}
		return nil
	}
	var netErr net.Error
	if errors.Is(err, driver.ErrBadConn) || errors.As(err, &netErr) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return ErrDatabaseUnavailable.Wrap(err)
	}
	return nil
}
