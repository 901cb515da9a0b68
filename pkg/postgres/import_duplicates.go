package postgres

import (
	"context"

	"github.com/inviter/inviter/pkg/userimport"
)

// selectImportDuplicates finds, after matching, the staged rows whose
// e-mail or phone a stored user other than their match has, and the rows
// whose phone an earlier row of the file has (e-mail addresses repeated in
// a file already fail as duplicate_in_file). Ambiguous rows fail anyway.
const selectImportDuplicates = `
SELECT r.line, 'email' AS field FROM import_rows r
WHERE r.email <> '' AND r.match_count <= 1 AND EXISTS (
    SELECT 1 FROM users u WHERE (coalesce(lower(u.email), '')) COLLATE "C" = lower(r.email)
                            AND u.id IS DISTINCT FROM r.user_id)
UNION ALL
SELECT r.line, 'phone' FROM import_rows r
WHERE r.phone <> '' AND r.match_count <= 1 AND (
    EXISTS (SELECT 1 FROM users u WHERE (coalesce(u.phone, '')) COLLATE "C" = r.phone
                                    AND u.id IS DISTINCT FROM r.user_id)
    OR EXISTS (SELECT 1 FROM import_rows r2 WHERE r2.phone = r.phone AND r2.line < r.line
                                              AND coalesce(r2.user_id, -r2.line) <> coalesce(r.user_id, -r.line)))
ORDER BY 1, 2`

// Duplicates lists the staged rows with another user's e-mail or phone.
func (t *importTx) Duplicates(ctx context.Context) ([]userimport.Duplicate, error) {
	var rows []struct {
		Line  int    `db:"line"`
		Field string `db:"field"`
	}
	if err := t.tx.SelectContext(ctx, &rows, selectImportDuplicates); err != nil {
		return nil, translate("find duplicate contacts in import", err)
	}
	out := make([]userimport.Duplicate, len(rows))
	for i, r := range rows {
		out[i] = userimport.Duplicate{Line: r.Line, Field: r.Field}
	}
	return out, nil
}
