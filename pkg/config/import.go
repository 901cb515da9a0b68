package config

import (
	"strconv"
	"strings"
)

// Import bounds the files admins import users from; a file over either
// limit is refused whole with a 413.
type Import struct {
	MaxBytes int64  // IMPORT_MAX_BYTES
	MaxRows  int    // IMPORT_MAX_ROWS
	TempDir  string // IMPORT_TMP_DIR; "" is the system's (TMPDIR)
}

// Defaults of the import limits: about fifty times the 10 MB of a
// 100,000-row CSV file, and twice its rows. An XLSX file is read into
// memory whole, so the byte limit is also a memory bound.
const (
	DefaultImportMaxBytes = 64 << 20
	DefaultImportMaxRows  = 200_000
)

func (l *loader) importLimits() Import {
	return Import{
		MaxBytes: l.size("IMPORT_MAX_BYTES", DefaultImportMaxBytes, 1<<10, 1<<30),
		MaxRows:  l.int("IMPORT_MAX_ROWS", DefaultImportMaxRows, 1, 10_000_000),
	}
}

// sizeUnits are the suffixes a size may carry; K, M and G are binary, as
// everybody means them for files.
var sizeUnits = []struct {
	suffix string
	factor int64
}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30},
	{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}}

// size reads a number of bytes, plain (67108864) or with a unit (64MiB,
// 64M, 512K), between lo and hi.
func (l *loader) size(name string, def, lo, hi int64) int64 {
	s := l.str(name, "")
	if s == "" {
		return def
	}
	num, factor := strings.ToUpper(s), int64(1)
	for _, u := range sizeUnits {
		if n, ok := strings.CutSuffix(num, u.suffix); ok {
			num, factor = strings.TrimSpace(n), u.factor
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	switch {
	case err != nil || n < 0:
		l.fail(name, "must be a size in bytes such as 67108864, 64MiB or 512K, got %q", s)
	case n > hi/factor || n*factor < lo:
		l.fail(name, "must be between %d bytes (1KiB) and %d bytes (1GiB), got %q", lo, hi, s)
	default:
		return n * factor
	}
	return def
}
