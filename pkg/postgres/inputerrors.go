package postgres

import (
	"errors"

	"github.com/lib/pq"

	"github.com/inviter/inviter/pkg/invite"
)

// inputErrorCodes are the SQLSTATEs PostgreSQL answers when the value a
// client sent cannot be stored or compared, not when the server is in
// trouble: they are the caller's invalid input, never a 500.
var inputErrorCodes = map[pq.ErrorCode]*invite.Error{
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
	if e, ok := inputErrorCodes[pqErr.Code]; ok {
		return e.Wrap(err)
	}
	return nil
}
