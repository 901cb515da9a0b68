package userimport_test

import (
	"testing"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/userimport"
)

// Rows that store another user's e-mail or phone are imported with a
// warning, as POST /api/v1/users answers.
func TestImportWarnsOfDuplicateContacts(t *testing.T) {
	t.Parallel()
	f := newFixture(t, userimport.Limits{}, false)
	for _, n := range []invite.NewUser{
		{Login: "anna", FirstName: "Anna", LastName: "I", Email: "anna@example.com", Phone: "+79050000001", Role: invite.RoleUser},
		{Login: "bob", FirstName: "Bob", LastName: "S", Email: "bob@example.com", Role: invite.RoleUser},
	} {
		if _, err := f.store.CreateUser(t.Context(), n); err != nil {
			t.Fatal(err)
		}
	}
	file := csvFile(t, ',',
		[]string{"login", "first_name", "last_name", "email", "phone"},
		[]string{"bob", "Bob", "S", "ANNA@example.com", ""},                // 2: bob takes anna's e-mail
		[]string{"carl", "Carl", "C", "carl@example.com", "79058888888"},   // 3: new
		[]string{"dina", "Dina", "D", "dina@example.com", "79059999999"},   // 4: new
		[]string{"eva", "Eva", "E", "eva@example.com", "+7 905 888-88-88"}, // 5: new, carl's phone (line 3)
		[]string{"fred", "Fred", "F", "fred@example.com", ""},              // 6: clean
	)
	for _, update := range []bool{false, true} {
		rep := f.run(t, file, userimport.Options{DryRun: true, UpdateExisting: update})
		if _, ok := issue(rep, 5, invite.WarningDuplicatePhone); !ok {
			t.Errorf("update=%v: line 5 has no duplicate_phone: %s", update, issues(rep))
		}
		_, ok := issue(rep, 2, invite.WarningDuplicateEmail)
		if ok != update { // without update_existing bob keeps his e-mail
			t.Errorf("update=%v: duplicate_email on line 2 is %v: %s", update, ok, issues(rep))
		}
		for _, line := range []int{3, 4, 6} {
			for _, code := range []string{invite.WarningDuplicateEmail, invite.WarningDuplicatePhone} {
				if _, bad := issue(rep, line, code); bad {
					t.Errorf("update=%v: line %d has %s: %s", update, line, code, issues(rep))
				}
			}
		}
	}
	rep := f.run(t, file, userimport.Options{UpdateExisting: true})
	if rep.Created != 4 || rep.Updated != 1 || rep.Failed != 0 {
		t.Fatalf("import: %+v %s", rep, issues(rep))
	}
	if is, _ := issue(rep, 5, invite.WarningDuplicatePhone); is.Severity != userimport.SeverityWarning || is.Column != "phone" {
		t.Fatalf("issue %+v", is)
	}
}
