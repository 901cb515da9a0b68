package userimport_test

import (
	"testing"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/userimport"
)

// seed creates users the file below meets again.
func seed(t *testing.T, f *fixture) {
	t.Helper()
	for _, n := range []invite.NewUser{
		{Login: "anna", FirstName: "Anna", LastName: "Ivanova", Email: "anna@example.com", Phone: "+79050000001", Locale: "ru"},
		{Login: "bob", FirstName: "Bob", LastName: "Smith", Phone: "+79051111111"},
		{Login: "s1", FirstName: "S", LastName: "One", Email: "shared@example.com"},
		{Login: "s2", FirstName: "S", LastName: "Two", Email: "shared@example.com"},
		{Login: "same", FirstName: "Same", LastName: "Person", Email: "same@example.com"},
	} {
		n.Role = invite.RoleUser
		if _, err := f.store.CreateUser(t.Context(), n); err != nil {
			t.Fatal(err)
		}
	}
}

// againstDatabase is a file whose rows meet the seeded users every way.
func againstDatabase(t *testing.T) []byte {
	return csvFile(t, ',',
		[]string{"login", "first_name", "last_name", "email", "phone"},
		[]string{"ANNA", "Anna", "Petrova", "", ""},                     // 2: anna by login; new last name, e-mail left empty
		[]string{"robert", "Bob", "Smith", "", "+7 905 111-11-11"},      // 3: bob by phone; the login is kept
		[]string{"sam", "Sam", "Shared", "shared@example.com", ""},      // 4: two users have this e-mail
		[]string{"annie", "Anna", "I", "ANNA@example.com", ""},          // 5: anna again, by e-mail
		[]string{"same", "Same", "Person", "same@example.com", ""},      // 6: identical
		[]string{"boss", "Big", "Chief", "", ""},                        // 7: the administrator
		[]string{"newbie", "New", "Comer", "newbie@example.com", ""},    // 8: new
		[]string{"", "Mail", "Only", "new.mail@example.com", "bad-one"}, // 9: new, login from the e-mail, warned
	)
}

func TestDuplicatesAgainstTheDatabase(t *testing.T) {
	t.Parallel()
	f := newFixture(t, userimport.Limits{}, false)
	seed(t, f)
	file := againstDatabase(t)

	rep := f.run(t, file, userimport.Options{})
	// Without update_existing, matched users are left as they are: anna,
	// bob, same and the boss are unchanged; sam and annie fail.
	wantCounts(t, rep, 2, 0, 4, 2)
	for _, w := range []struct {
		line         int
		code, column string
	}{
		{2, "exists", "last_name"}, {3, "login_kept", "login"}, {4, "ambiguous_match", "email"},
		{5, "duplicate_match", "email"}, {7, "exists", "last_name"}, {9, "invalid_phone", "phone"},
	} {
		if is, ok := issue(rep, w.line, w.code); !ok || is.Column != w.column {
			t.Errorf("line %d: want %s on %s: %s", w.line, w.code, w.column, issues(rep))
		}
	}
	if _, ok := issue(rep, 6, "exists"); ok {
		t.Errorf("an identical row is reported as differing: %s", issues(rep))
	}
	users := f.users(t)
	if u := users["anna"]; u.LastName != "Ivanova" {
		t.Errorf("anna changed without update_existing: %+v", u)
	}
	if _, ok := users["robert"]; ok {
		t.Error("a user matched by phone was created again as robert")
	}
	total := f.count(t, "users")

	// Importing the same file again changes nothing.
	again := f.run(t, file, userimport.Options{})
	wantCounts(t, again, 0, 0, 6, 2)
	if n := f.count(t, "users"); n != total {
		t.Errorf("%d users after the second import, want %d", n, total)
	}
}

func TestUpdateExisting(t *testing.T) {
	t.Parallel()
	f := newFixture(t, userimport.Limits{}, false)
	seed(t, f)
	rep := f.run(t, againstDatabase(t), userimport.Options{UpdateExisting: true})
	// anna changes her last name; bob, matched by phone, has nothing new;
	// same is identical; the administrator is not changed by an import.
	wantCounts(t, rep, 2, 1, 2, 3)
	if is, ok := issue(rep, 7, "admin_account"); !ok || is.Severity != userimport.SeverityError {
		t.Errorf("line 7: want the admin_account error: %s", issues(rep))
	}
	users := f.users(t)
	anna := users["anna"]
	if anna.LastName != "Petrova" || anna.Email != "anna@example.com" || anna.Phone != "+79050000001" || anna.Locale != "ru" {
		t.Errorf("anna after the update: %+v; want the new last name and the rest kept (empty cells erase nothing)", anna)
	}
	boss, err := f.store.User(t.Context(), f.admin)
	if err != nil || boss.LastName != "Boss" {
		t.Errorf("the administrator was changed: %+v %v", boss, err)
	}

	// The same file again: nothing left to update.
	again := f.run(t, againstDatabase(t), userimport.Options{UpdateExisting: true})
	wantCounts(t, again, 0, 0, 5, 3)
}

func TestDryRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t, userimport.Limits{}, false)
	seed(t, f)
	users, states := f.count(t, "users"), f.count(t, "invite_states")
	dry := f.run(t, againstDatabase(t), userimport.Options{DryRun: true, UpdateExisting: true, SendInvitation: true})
	if !dry.DryRun || dry.Invitations != nil {
		t.Errorf("dry_run %v invitations %v; want a dry run that invites nobody", dry.DryRun, dry.Invitations)
	}
	if f.count(t, "users") != users || f.count(t, "invite_states") != states || f.users(t)["anna"].LastName != "Ivanova" {
		t.Fatal("a dry run changed the database")
	}
	real := f.run(t, againstDatabase(t), userimport.Options{UpdateExisting: true})
	real.DryRun = false
	dry.DryRun = false
	if dry.Created != real.Created || dry.Updated != real.Updated || dry.Unchanged != real.Unchanged ||
		dry.Failed != real.Failed || len(dry.Issues) != len(real.Issues) {
		t.Errorf("the dry run foretold %+v\nthe import did %+v", dry, real)
	}
}
