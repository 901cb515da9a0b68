package app_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// With the system's temporary directory unwritable (a read-only root
// filesystem), imports spool to IMPORT_TMP_DIR and work. Not parallel:
// it changes TMPDIR for the process.
func TestImportUsesTheConfiguredTempDir(t *testing.T) {
	scratch := t.TempDir()
	t.Setenv("TMPDIR", filepath.Join(scratch, "missing")) // no such directory: nothing can be created there
	if f, err := os.CreateTemp("", "probe-*"); err == nil {
		f.Close()
		t.Fatal("the system temp dir is still writable; the test proves nothing")
	}
	s := startService(t, options{Env: map[string]string{"IMPORT_TMP_DIR": scratch}})
	tok := adminToken(t, s)
	var rep struct {
		Created int `json:"created"`
	}
	file := []byte("login,first_name,last_name,email\r\nscratch,Scratch,Dir,scratch@example.com\r\n")
	postFile(t, s.API+"/api/v1/users/import", tok, "text/csv", file, &rep, http.StatusOK)
	if rep.Created != 1 {
		t.Errorf("created %d users, want 1", rep.Created)
	}
	var job struct {
		State string `json:"state"`
	}
	// A background import spools the upload before its 202.
	postFile(t, s.API+"/api/v1/users/import?async=1&dry_run=1", tok, "text/csv", file, &job, http.StatusAccepted)
}
