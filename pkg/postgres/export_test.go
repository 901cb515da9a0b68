package postgres

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// ReadLockedBy reads the candidates of users ids (ascending) as a batch page
// does, by range or by id, and returns how many it read.
func ReadLockedBy(ctx context.Context, tx *sqlx.Tx, ids []int64, byRange bool) (int, error) {
	read := readByIDs
	if byRange {
		read = readRange
	}
	rows, err := read(ctx, tx, ids)
	return len(rows), err
}
