package config

import (
	"strings"
	"testing"
)

func TestImportLimits(t *testing.T) {
	for _, c := range []struct {
		bytes, rows string
		want        Import
	}{
		{"", "", Import{MaxBytes: 64 << 20, MaxRows: 200_000}},
		{"1048576", "10", Import{MaxBytes: 1 << 20, MaxRows: 10}},
		{"64MiB", "", Import{MaxBytes: 64 << 20, MaxRows: 200_000}},
		{" 512k ", "", Import{MaxBytes: 512 << 10, MaxRows: 200_000}},
		{"1G", "10000000", Import{MaxBytes: 1 << 30, MaxRows: 10_000_000}},
		{"2048 B", "", Import{MaxBytes: 2048, MaxRows: 200_000}},
	} {
		cfg, err := Load(env(map[string]string{"IMPORT_MAX_BYTES": c.bytes, "IMPORT_MAX_ROWS": c.rows}))
		if err != nil || cfg.Import != c.want {
			t.Errorf("IMPORT_MAX_BYTES=%q IMPORT_MAX_ROWS=%q: %+v, %v; want %+v", c.bytes, c.rows, cfg.Import, err, c.want)
		}
	}
	for _, c := range []struct{ name, value, want string }{
		{"IMPORT_MAX_BYTES", "lots", `IMPORT_MAX_BYTES: must be a size in bytes such as 67108864, 64MiB or 512K, got "lots"`},
		{"IMPORT_MAX_BYTES", "-5", `IMPORT_MAX_BYTES: must be a size in bytes such as 67108864, 64MiB or 512K, got "-5"`},
		{"IMPORT_MAX_BYTES", "100", `IMPORT_MAX_BYTES: must be between 1024 bytes (1KiB) and 1073741824 bytes (1GiB), got "100"`},
		{"IMPORT_MAX_BYTES", "2GiB", `IMPORT_MAX_BYTES: must be between 1024 bytes (1KiB) and 1073741824 bytes (1GiB), got "2GiB"`},
		{"IMPORT_MAX_ROWS", "0", `IMPORT_MAX_ROWS: must be between 1 and 10000000, got 0`},
	} {
		_, err := Load(env(map[string]string{c.name: c.value}))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s=%q: %v; want %s", c.name, c.value, err, c.want)
		}
	}
}
