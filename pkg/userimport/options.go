package userimport

import (
	"strings"

	"github.com/inviter/inviter/pkg/invite"
)

// Options are the choices an admin makes for one import.
type Options struct {
	// SendInvitation invites the imported users once they are saved (the
	// "Send invitation" box): every user of a valid row whose invitation
	// status is not already invited.
	SendInvitation bool
	// UpdateExisting overwrites the stored data of users the file matches
	// (by login, else e-mail, else phone) with the file's non-empty cells.
	// Without it such rows leave the users as they are.
	UpdateExisting bool
	// DryRun checks the file against the database and reports what the
	// import would do, then changes nothing.
	DryRun bool
	// Charset of a CSV file: "" (detect), "utf-8" or "windows-1251".
	Charset string
	// RequestedBy is the admin running the import: the invitations are
	// recorded as theirs and background imports are followed by them.
	RequestedBy int64
	// FileName and Size describe the uploaded file for the admin following
	// the import (Size: 0 when unknown); the content decides how it is read.
	// A Size over the limit is refused before anything is read.
	FileName string
	Size     int64
}

// The charsets of a CSV file an admin may name.
const (
	CharsetUTF8        = "utf-8"
	CharsetWindows1251 = "windows-1251"
	CharsetUTF16       = "utf-16" // detected by its byte order mark only
)

// ParseCharset reads a charset option or the charset parameter of a
// Content-Type. "" and "auto" mean: detect it.
func ParseCharset(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return "", nil
	case "utf-8", "utf8":
		return CharsetUTF8, nil
	case "windows-1251", "cp1251", "cp-1251", "win-1251", "x-cp1251":
		return CharsetWindows1251, nil
	}
	return "", invite.Errorf(invite.KindInvalid, "invalid_charset",
		"charset must be utf-8 or windows-1251 (or left out to detect it); got %q", s).WithField("charset")
}

// Limits bound what one import may read. A file over either limit is
// refused as a whole (HTTP 413) and nothing is written.
type Limits struct {
	MaxBytes int64 // size of the file as uploaded
	MaxRows  int   // data rows, the header not counted
}

// Default limits: about 50 times the 100,000-row file a large company
// sends (10 MB as CSV), and twice its rows.
const (
	DefaultMaxBytes = 64 << 20
	DefaultMaxRows  = 200_000
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxRows <= 0 {
		l.MaxRows = DefaultMaxRows
	}
	return l
}

// Phase is the step an import is at.
type Phase string

// The phases, in order.
const (
	PhaseReading  Phase = "reading"  // rows are read, checked and copied to the database
	PhaseSaving   Phase = "saving"   // the rows are matched with existing users and written
	PhaseInviting Phase = "inviting" // the imported users are being invited
	PhaseDone     Phase = "done"
)

// Progress is how far an import has gone.
type Progress struct {
	Phase      Phase
	BytesRead  int64 // of the file as uploaded
	BytesTotal int64 // 0 when unknown (a raw body without Content-Length)
	RowsRead   int
}
