// Package migrations holds the database schema as numbered goose SQL files,
// embedded so that the binaries, the tests and the deploy job all apply the
// very same files.
package migrations

import "embed"

// FS holds the migration files at its root.
//
//go:embed *.sql
var FS embed.FS
