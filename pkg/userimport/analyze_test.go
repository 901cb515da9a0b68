package userimport_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/inviter/inviter/pkg/userimport"
)

// After an import the planner knows the users it added: the tables it
// wrote are analysed, so that inviting them is planned from true counts.
// A dry run writes nothing and analyses nothing.
func TestImportAnalyzesWhatItChanged(t *testing.T) {
	t.Parallel()
	f := newFixture(t, userimport.Limits{}, false)
	var b strings.Builder
	b.WriteString("login,first_name,last_name,email\r\n")
	for i := range 500 {
		fmt.Fprintf(&b, "stat%d,First,Last,stat%d@example.com\r\n", i, i)
	}
	estimate := func() (rows float64, analyzed bool) {
		t.Helper()
		var v struct {
			Tuples   float64 `db:"reltuples"`
			Analyzed bool    `db:"analyzed"`
		}
		err := f.db.DB.GetContext(t.Context(), &v, `
			SELECT c.reltuples, s.last_analyze IS NOT NULL AS analyzed
			FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relname = 'users'`)
		if err != nil {
			t.Fatal(err)
		}
		return v.Tuples, v.Analyzed
	}
	f.run(t, []byte(b.String()), userimport.Options{DryRun: true})
	if _, analyzed := estimate(); analyzed {
		t.Fatal("a dry run analysed the users table")
	}
	if rep := f.run(t, []byte(b.String()), userimport.Options{}); rep.Created != 500 {
		t.Fatalf("created %d", rep.Created)
	}
	rows, analyzed := estimate()
	if !analyzed || rows < 500 {
		t.Errorf("after the import the planner counts %v users (analysed: %v), want 501", rows, analyzed)
	}
}
