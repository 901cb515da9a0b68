package postgres

import (
	"context"
	"sync"

	"github.com/jmoiron/sqlx"
)

// preparedStatements keeps the statements the worker runs thousands of
// times a second prepared: parsed and planned once per connection instead
// of at every call (planning cost as much as running a claim of 20 rows).
// database/sql prepares each on a connection the first time it runs there.
type preparedStatements struct {
	mu    sync.Mutex
	stmts map[string]*sqlx.Stmt
}

// prepared returns the prepared form of query, preparing it on first use.
// A failed preparation (the database unreachable) is tried again next time.
func (s *Store) prepared(ctx context.Context, query string) (*sqlx.Stmt, error) {
	p := &s.prep
	p.mu.Lock()
	defer p.mu.Unlock()
	if st, ok := p.stmts[query]; ok {
		return st, nil
	}
	st, err := s.db.PreparexContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if p.stmts == nil {
		p.stmts = make(map[string]*sqlx.Stmt)
	}
	p.stmts[query] = st
	return st, nil
}

// WithoutPreparedStatements makes s prepare nothing ahead (PERF_OFF=
// prepared_statements), for the benchmark that measures what the cache is
// worth. It returns s.
func (s *Store) WithoutPreparedStatements() *Store {
	s.unprepared = true
	return s
}

// selectHot runs a hot query into dest, prepared unless the cache is off.
func (s *Store) selectHot(ctx context.Context, dest any, query string, args ...any) error {
	if s.unprepared {
		return s.db.SelectContext(ctx, dest, query, args...)
	}
	st, err := s.prepared(ctx, query)
	if err != nil {
		return err
	}
	return st.SelectContext(ctx, dest, args...)
}

// execHot runs a hot statement in tx, prepared unless the cache is off.
func (s *Store) execHot(ctx context.Context, tx *sqlx.Tx, query string, args ...any) error {
	if s.unprepared {
		_, err := tx.ExecContext(ctx, query, args...)
		return err
	}
	st, err := s.prepared(ctx, query)
	if err != nil {
		return err
	}
	_, err = tx.StmtxContext(ctx, st).ExecContext(ctx, args...)
	return err
}

// selectHotTx runs a hot query into dest in tx, prepared unless the cache
// is off.
func (s *Store) selectHotTx(ctx context.Context, tx *sqlx.Tx, dest any, query string, args ...any) error {
	if s.unprepared {
		return tx.SelectContext(ctx, dest, query, args...)
	}
	st, err := s.prepared(ctx, query)
	if err != nil {
		return err
	}
	return tx.StmtxContext(ctx, st).SelectContext(ctx, dest, args...)
}
