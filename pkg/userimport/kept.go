package userimport

import "time"

// KeptFile is an import file kept after a dry run, so that the admin who
// checked it can import it without choosing it again. Data is nil when
// only the description was read.
type KeptFile struct {
	ID          int64
	OwnerID     int64 // the admin who uploaded it; nobody else may use it
	FileName    string
	ContentType string
	Size        int64
	Data        []byte
	ExpiresAt   time.Time
}
