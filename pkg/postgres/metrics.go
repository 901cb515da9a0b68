package postgres

import (
	"context"
	"fmt"
	"time"
)

// waitingStats counts the waiting attempts and measures the oldest one's
// age with the database's clock. The oldest is found through the partial
// index on waiting ids (ids grow with created_at), so a scrape reads one
// row of the heap, not every waiting one.
const waitingStats = `
SELECT (SELECT count(*) FROM invitations WHERE status = 'waiting'),
       COALESCE(EXTRACT(EPOCH FROM now() - (
           SELECT created_at FROM invitations WHERE status = 'waiting' ORDER BY id LIMIT 1)), 0)::float8`

// WaitingStats returns how many invitation attempts are waiting and how
// long the oldest of them has waited (0 when none is).
func (s *Store) WaitingStats(ctx context.Context) (count int64, oldest time.Duration, err error) {
	var secs float64
	if err := s.db.QueryRowContext(ctx, waitingStats).Scan(&count, &secs); err != nil {
		return 0, 0, fmt.Errorf("postgres: waiting stats: %w", err)
	}
	return count, time.Duration(secs * float64(time.Second)), nil
}
