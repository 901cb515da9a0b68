package userimport_test

import (
	"strings"
	"testing"

	"github.com/inviter/inviter/pkg/userimport"
)

func TestRowProblems(t *testing.T) {
	t.Parallel()
	f := newFixture(t, userimport.Limits{}, false)
	long := strings.Repeat("Я", 201)
	file := csvFile(t, ';',
		[]string{"login", "first_name", "last_name", "email", "phone"}, // line 1
		[]string{"anna", "Anna", "Ivanova", "Anna@Example.com", ""},    // 2: imported
		[]string{"", "No", "Contact", "", ""},                          // 3: no login, no e-mail, no phone
		[]string{"zed", "Zed", "", "zed@example.com", ""},              // 4: no last name; does not claim zed
		[]string{"ANNA", "Other", "Anna", "other@example.com", ""},     // 5: login of line 2
		[]string{"anna2", "Anna", "Twin", "anna@example.com", ""},      // 6: e-mail of line 2
		[]string{"longname", long, "X", "", "+79051111111"},            // 7: first name too long
		[]string{"badmail", "Bad", "Mail", "ivan@localhost", ""},       // 8: imported with a warning
		[]string{"", "", "", "", ""},                                   // 9: blank, not counted
		[]string{"", "Olga", "Petrova", "olga@example.com", ""},        // 10: login from the e-mail
		[]string{"zed", "Zed", "Valid", "zed2@example.com", ""},        // 11: line 4 failed, so zed is free
		[]string{"formula", "F", "G", "", "'+79052222222"},             // 12: an exported phone
		[]string{"", "Phone", "Only", "", "+7 905 333 33 33"},          // 13: login from the phone
	)
	rep := f.run(t, file, userimport.Options{})
	wantCounts(t, rep, 6, 0, 0, 5)
	if rep.Rows != 11 || rep.Warned != 1 {
		t.Errorf("rows %d warned %d; want 11 (the blank line not counted) and 1", rep.Rows, rep.Warned)
	}
	for _, w := range []struct {
		line         int
		column, code string
		severity     userimport.Severity
	}{
		{3, "login", "required", userimport.SeverityError},
		{4, "last_name", "required", userimport.SeverityError},
		{5, "login", "duplicate_in_file", userimport.SeverityError},
		{6, "email", "duplicate_in_file", userimport.SeverityError},
		{7, "first_name", "too_long", userimport.SeverityError},
		{8, "email", "invalid_email", userimport.SeverityWarning},
	} {
		is, ok := issue(rep, w.line, w.code)
		if !ok || is.Column != w.column || is.Severity != w.severity || is.Message == "" || is.Header != w.column {
			t.Errorf("line %d: want %s %s on %s; issues: %s", w.line, w.severity, w.code, w.column, issues(rep))
		}
	}
	if is, _ := issue(rep, 5, "duplicate_in_file"); !strings.Contains(is.Message, "line 2") {
		t.Errorf("the duplicate's message does not name line 2: %q", is.Message)
	}
	users := f.users(t)
	for _, login := range []string{"anna", "badmail", "olga@example.com", "zed", "formula", "+79053333333"} {
		if _, ok := users[login]; !ok {
			t.Errorf("user %s not imported; have %v", login, keys(users))
		}
	}
	if len(users) != 6 {
		t.Errorf("%d users, want 6: %v", len(users), keys(users))
	}
	if u := users["zed"]; u.LastName != "Valid" {
		t.Errorf("zed is %+v; want the valid row of line 11", u)
	}
	if u := users["formula"]; u.Phone != "+79052222222" {
		t.Errorf("the exported phone was stored as %q", u.Phone)
	}
	if u := users["anna"]; u.Email != "Anna@example.com" {
		t.Errorf("anna's e-mail %q; want the domain lower-cased as by hand", u.Email)
	}
}

func TestInvalidUTF8FailsTheRowOnly(t *testing.T) {
	t.Parallel()
	f := newFixture(t, userimport.Limits{}, false)
	file := []byte("login,first_name,last_name\r\nivan,Иван,Иванов\r\nbad,\xff\xfe,X\r\nnul,A\x00B,Y\r\n")
	rep := f.run(t, file, userimport.Options{Charset: "utf-8"})
	wantCounts(t, rep, 1, 0, 0, 2)
	if _, ok := issue(rep, 3, "invalid_encoding"); !ok {
		t.Errorf("no invalid_encoding on line 3: %s", issues(rep))
	}
	if _, ok := issue(rep, 4, "invalid_character"); !ok {
		t.Errorf("no invalid_character on line 4: %s", issues(rep))
	}
}

func TestHeaderOnlyFile(t *testing.T) {
	t.Parallel()
	f := newFixture(t, userimport.Limits{}, false)
	rep := f.run(t, []byte("Фамилия;Имя;Почта\r\n;;\r\n"), userimport.Options{})
	wantCounts(t, rep, 0, 0, 0, 0)
	if rep.Rows != 0 || len(rep.Columns) != 3 || rep.Issues == nil {
		t.Errorf("rows %d columns %v issues %v", rep.Rows, rep.Columns, rep.Issues)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
