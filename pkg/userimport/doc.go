// Package userimport reads the spreadsheets HR departments hand to
// administrators (CSV in UTF-8 or Windows-1251, comma or semicolon
// separated, or XLSX), checks every row with the same rules as creating a
// user by hand, writes the valid rows in one transaction and answers with a
// report: rows created, updated, unchanged and failed, with the line, the
// column and the reason of every problem. With "Send invitation" the
// imported users are invited as POST /api/v1/invitations would invite them.
//
// The JSON API and the admin pages both call Importer: Import runs an
// import while the caller waits, Start runs one in the background and Job
// follows it (its progress is kept in PostgreSQL, so any replica answers).
//
// Files stream: a CSV file is read once, row by row, and its valid rows are
// copied into the database as they are read; only the keys that find
// duplicates within the file stay in memory. An XLSX file is a zip archive,
// which is read whole (once) before its sheet streams.
package userimport
