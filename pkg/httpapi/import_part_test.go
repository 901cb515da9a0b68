package httpapi_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/inviter/inviter/pkg/userimport"
)

// A multipart upload cut off before its closing boundary is a 400, as
// the README promises, whether the import runs now or in the background.
func TestImportCutOffMultipartIsA400(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t, userimport.Limits{MaxBytes: 1 << 20, MaxRows: 100})
	for _, query := range []string{"", "?async=1", "?dry_run=1"} {
		ct, body := form(t, nil, "users.csv", "text/csv", []byte("login,first_name,last_name\r\nivan,Ivan,Ivanov\r\n"))
		full, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		cut := full[:bytes.LastIndex(full, []byte("\r\n--"))] // the closing boundary is gone
		r := e.doRaw(t, "POST", "/api/v1/users/import"+query, e.adminToken, ct, bytes.NewReader(cut))
		wantError(t, r, http.StatusBadRequest, "upload_failed", "file")
	}
}
