package userimport

import (
	"slices"

	"github.com/inviter/inviter/pkg/invite"
)

// Report is the answer to an import: what was done with every row.
type Report struct {
	DryRun    bool   `json:"dry_run"`
	Format    string `json:"format"`              // csv or xlsx
	Charset   string `json:"charset,omitempty"`   // of a CSV file, as detected or given
	Delimiter string `json:"delimiter,omitempty"` // of a CSV file, as detected
	Sheet     string `json:"sheet,omitempty"`     // of an XLSX file: the first one
	// Columns maps the file's headers to the fields they fill; headers that
	// fill none are left out (and reported as warnings when unknown).
	Columns []Column `json:"columns"`

	Rows      int `json:"rows"`      // data rows read, blank ones not counted
	Created   int `json:"created"`   // new users
	Updated   int `json:"updated"`   // existing users changed (update_existing)
	Unchanged int `json:"unchanged"` // existing users left as they were
	Failed    int `json:"failed"`    // rows not imported
	Warned    int `json:"warned"`    // imported rows that carry a warning

	// Issues lists the problems, in line order: errors of failed rows and
	// warnings of imported ones. At most MaxIssues are kept; the counts
	// above stay exact.
	Issues          []Issue `json:"issues"`
	IssuesTruncated bool    `json:"issues_truncated"`

	// Invitations is the outcome of "Send invitation" for the imported users
	// (nil when it was not asked for, in a dry run, or nobody was left to
	// invite). InvitationError says why it failed when the users were
	// imported but could not be invited; they can be invited from the table.
	Invitations     *invite.BatchResult `json:"invitations"`
	InvitationError *invite.Reason      `json:"invitation_error,omitempty"`
}

// Column is one header of the file and the field it fills.
type Column struct {
	Header string `json:"header"`
	Field  string `json:"field"`
}

// Issue is a problem with a row (or with the header, on its line).
type Issue struct {
	Line     int      `json:"line"`             // in the file as a spreadsheet shows it, the header on line 1 or later
	Column   string   `json:"column,omitempty"` // the field: login, first_name, last_name, email, phone, locale
	Header   string   `json:"header,omitempty"` // the column's header as written in the file
	Severity Severity `json:"severity"`
	Code     string   `json:"code"`
	Message  string   `json:"message"`
	// Args are the particulars the message names (login, line, value,
	// count, fields), so that a page can word the issue in its reader's
	// language.
	Args map[string]string `json:"args,omitempty"`
}

// Severity says whether the row was imported despite the issue.
type Severity string

// The severities.
const (
	SeverityError   Severity = "error"   // the row was not imported
	SeverityWarning Severity = "warning" // the row was imported
)

// MaxIssues bounds the issues listed in a report, so that a file whose every
// row lacks a country code does not produce a report larger than itself.
const MaxIssues = 10_000

// finish sorts the issues by line (stable: a row's issues keep the order
// they were found in) and keeps the first MaxIssues.
func (r *Report) finish() {
	slices.SortStableFunc(r.Issues, func(a, b Issue) int { return a.Line - b.Line })
	if len(r.Issues) > MaxIssues {
		r.Issues, r.IssuesTruncated = r.Issues[:MaxIssues:MaxIssues], true
	}
	if r.Issues == nil {
		r.Issues = []Issue{}
	}
	if r.Columns == nil {
		r.Columns = []Column{}
	}
}
