package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"samband/policies"
)

// maxCached bounds each of the cache's maps: the people (and pairs of
// people) whose grants it keeps. Past it, the map starts again empty.
const maxCached = 1 << 16

// factsCache keeps the grants that Facts' questions read, per subject (for
// consents) and per representative and grantor (for mandates), so that a
// question about people asked of before is answered from memory. It is
// exactly as fresh as the file: before every answer it asks SQLite's
// data_version on a reader connection of its own, which changes whenever
// any connection, of this process or another, commits to the file; then
// everything kept is dropped. A rescission or a revocation that has
// returned is therefore seen by the very next question, as without the
// cache. What is kept are the grants not rescinded or revoked, whatever
// their validity: a grant's time window is checked at every question
// (policies.Consent.Holds, policies.Mandate.Holds), so one that expires
// between two questions holds for the first and not the second.
type factsCache struct {
	mu       sync.Mutex
	conn     *sql.Conn // never writes: data_version counts everyone's commits
	version  *sql.Stmt // PRAGMA data_version, on conn
	at       int64     // the data_version what is kept was read at
	consents map[policies.Subject][]policies.Consent
	mandates map[[2]policies.Subject][]policies.Mandate
}

// open takes a connection of db for the cache's data_version.
func (c *factsCache) open(ctx context.Context, db *sql.DB) error {
	var err error
	if c.conn, err = db.Conn(ctx); err != nil {
		return err
	}
	if c.version, err = c.conn.PrepareContext(ctx, `PRAGMA data_version`); err != nil {
		return err
	}
	c.at = -1
	return nil
}

// close releases the cache's connection.
func (c *factsCache) close() error {
	var err error
	if c.version != nil {
		err = c.version.Close()
	}
	if c.conn != nil {
		if cerr := c.conn.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// fresh brings the cache up to the file's data_version, dropping what it
// keeps if the file changed, and returns that version. The caller holds
// c.mu.
func (c *factsCache) fresh(ctx context.Context) (int64, error) {
	var v int64
	if err := c.version.QueryRowContext(ctx).Scan(&v); err != nil {
		return 0, fmt.Errorf("data_version: %w", err)
	}
	if v != c.at || c.consents == nil {
		c.at = v
		c.consents = map[policies.Subject][]policies.Consent{}
		c.mandates = map[[2]policies.Subject][]policies.Mandate{}
	}
	return v, nil
}

// consentsOf returns the consents subject has granted and not rescinded,
// the most recently granted first, from the cache or else from load.
func (c *factsCache) consentsOf(ctx context.Context, subject policies.Subject,
	load func(context.Context, policies.Subject) ([]policies.Consent, error)) ([]policies.Consent, error) {
	c.mu.Lock()
	v, err := c.fresh(ctx)
	cs, ok := c.consents[subject]
	c.mu.Unlock()
	if err != nil || ok {
		return cs, err
	}
	// Read after v was: what load returns is at least as new as v, so it
	// may be kept as v's (a newer version drops it at the next question).
	if cs, err = load(ctx, subject); err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.at == v {
		if len(c.consents) >= maxCached {
			clear(c.consents)
		}
		c.consents[subject] = cs
	}
	c.mu.Unlock()
	return cs, nil
}

// mandatesOf returns the mandates grantor has given representative and
// that are not revoked, the most recently granted first, from the cache or
// else from load.
func (c *factsCache) mandatesOf(ctx context.Context, representative, grantor policies.Subject,
	load func(context.Context, policies.Subject, policies.Subject) ([]policies.Mandate, error)) ([]policies.Mandate, error) {
	key := [2]policies.Subject{representative, grantor}
	c.mu.Lock()
	v, err := c.fresh(ctx)
	ms, ok := c.mandates[key]
	c.mu.Unlock()
	if err != nil || ok {
		return ms, err
	}
	if ms, err = load(ctx, representative, grantor); err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.at == v {
		if len(c.mandates) >= maxCached {
			clear(c.mandates)
		}
		c.mandates[key] = ms
	}
	c.mu.Unlock()
	return ms, nil
}
