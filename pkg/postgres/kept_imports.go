package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/inviter/inviter/pkg/userimport"
)

// KeepImportFile stores a checked import file for ttl and returns its id.
// In the same transaction it forgets the files that expired and all but
// the max-1 newest others, so the table stays bounded in count and, with
// IMPORT_MAX_BYTES, in size.
func (s *Store) KeepImportFile(ctx context.Context, f userimport.KeptFile, ttl time.Duration, max int) (int64, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return 0, translate("keep import file", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	if _, err := tx.ExecContext(ctx, `
		DELETE FROM kept_import_files
		WHERE expires_at <= now()
		   OR id NOT IN (SELECT id FROM kept_import_files WHERE expires_at > now() ORDER BY id DESC LIMIT $1)`,
		max-1); err != nil {
		return 0, translate("forget old import files", err)
	}
	var id int64
	err = tx.GetContext(ctx, &id, `
		INSERT INTO kept_import_files (owner_id, file_name, content_type, size, data, expires_at)
		VALUES ($1, $2, $3, $4, $5, now() + $6 * interval '1 millisecond') RETURNING id`,
		f.OwnerID, f.FileName, f.ContentType, int64(len(f.Data)), f.Data, ttl.Milliseconds())
	if err != nil {
		return 0, translate("keep import file", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, translate("keep import file", err)
	}
	return id, nil
}

type keptFileRow struct {
	ID          int64     `db:"id"`
	OwnerID     int64     `db:"owner_id"`
	FileName    string    `db:"file_name"`
	ContentType string    `db:"content_type"`
	Size        int64     `db:"size"`
	Data        []byte    `db:"data"`
	ExpiresAt   time.Time `db:"expires_at"`
}

// KeptImportFile reads a kept file of owner that has not expired; withData
// false reads its description only. Another admin's file, or an expired
// one, is not found.
func (s *Store) KeptImportFile(ctx context.Context, id, owner int64, withData bool) (userimport.KeptFile, error) {
	data := `''::bytea`
	if withData {
		data = `data`
	}
	var r keptFileRow
	err := s.db.GetContext(ctx, &r, `
		SELECT id, owner_id, file_name, content_type, size, `+data+` AS data, expires_at
		FROM kept_import_files WHERE id = $1 AND owner_id = $2 AND expires_at > now()`, id, owner)
	if err != nil {
		return userimport.KeptFile{}, translate(fmt.Sprintf("kept import file %d", id), err)
	}
	f := userimport.KeptFile{ID: r.ID, OwnerID: r.OwnerID, FileName: r.FileName, ContentType: r.ContentType,
		Size: r.Size, ExpiresAt: r.ExpiresAt.UTC()}
	if withData {
		f.Data = r.Data
	}
	return f, nil
}

// ForgetImportFile removes a kept file of owner (once it was imported).
func (s *Store) ForgetImportFile(ctx context.Context, id, owner int64) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM kept_import_files WHERE id = $1 AND owner_id = $2`, id, owner)
	return translate(fmt.Sprintf("forget import file %d", id), err)
}
