package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"samband/policies"
)

// maxCached bounds each of the cache's maps: the people (and pairs of
// people) whose grants it keeps. Past it, the map starts again empty.
const maxCached = 1 << 16

// versionReaders is how many connections the cache keeps for reading
// data_version, so that questions asked at once need not queue for one.
const versionReaders = 4

// factsCache keeps the grants that Facts' questions read, per subject (for
// consents) and per representative and grantor (for mandates), so that a
// question about people asked of before is answered from memory. It is
// exactly as fresh as the file: before every answer it reads SQLite's
// data_version on one of its reader connections, a number that changes
// whenever any other connection, of this process or another, commits to
// the file; if it changed since that connection last read it, everything
// kept is dropped before the connection is read again. A rescission or a
// revocation that has returned is therefore seen by the very next
// question, as without the cache. What is kept are the grants not
// rescinded or revoked, whatever their validity: a grant's time window is
// checked at every question (policies.Consent.Holds,
// policies.Mandate.Holds), so one that expires between two questions holds
// for the first and not the second.
//
// Reading data_version takes a read transaction, some 30 µs on a busy
// gateway. So before it, the cache reads the header of the file's
// wal-index (walIndex), which every commit changes before it returns: if
// the header is the one read before the last data_version that was read
// to the end, nothing has been committed since, and the answer needs no
// transaction.
type factsCache struct {
	readers chan *versionReader // those free
	all     []*versionReader
	wal     atomic.Pointer[walIndex] // nil where the wal-index cannot be read, and after close

	mu       sync.Mutex
	gen      uint64 // counts the times what is kept was dropped
	consents map[policies.Subject][]policies.Consent
	mandates map[[2]policies.Subject][]policies.Mandate
	// header is the wal-index header read before a check that read
	// data_version and has returned, once seen; a header read the same
	// since means nothing was committed since it.
	header walIndexHeader
	seen   bool
	slow   uint64 // checks that read data_version
}

// versionReader is a connection that never writes, and the data_version
// it read last.
type versionReader struct {
	conn    *sql.Conn
	version *sql.Stmt // PRAGMA data_version, on conn
	last    int64
	read    bool // last was read
}

// open takes the cache's connections from db, the file at path, and finds
// SQLite's mapping of the file's wal-index if it can: the connections,
// held until close, keep it mapped.
func (c *factsCache) open(ctx context.Context, db *sql.DB, path string) error {
	c.readers = make(chan *versionReader, versionReaders)
	for range versionReaders {
		r := &versionReader{}
		var err error
		if r.conn, err = db.Conn(ctx); err != nil {
			return err
		}
		c.all = append(c.all, r)
		if r.version, err = r.conn.PrepareContext(ctx, `PRAGMA data_version`); err != nil {
			return err
		}
		// The first read maps the wal-index for the connection and
		// takes SQLite's shared lock on it.
		if err := r.version.QueryRowContext(ctx).Scan(new(int64)); err != nil {
			return fmt.Errorf("data_version: %w", err)
		}
		c.readers <- r
	}
	// Without write-ahead logging there is no wal-index, and a commit
	// changes nothing that could be read without a transaction.
	var mode string
	if err := c.all[0].conn.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		return fmt.Errorf("journal_mode: %w", err)
	}
	if mode == "wal" {
		// A wal-index that cannot be found leaves every check to
		// data_version: slower, as fresh.
		if w, err := openWALIndex(path); err == nil {
			c.wal.Store(w)
		}
	}
	return nil
}

// close releases the cache's connections.
func (c *factsCache) close() error {
	// SQLite's mapping, which closing the connections may end; a check
	// under way that still reads it finds a fault or a header it has not
	// seen, and reads data_version.
	c.wal.Store(nil)
	var errs []error
	for _, r := range c.all {
		if r.version != nil {
			errs = append(errs, r.version.Close())
		}
		errs = append(errs, r.conn.Close())
	}
	return errors.Join(errs...)
}

// check drops what the cache keeps if anything was committed to the file
// since it was read, and returns the generation of what it keeps now. A
// commit that returned before check is called is seen: the reader's
// data_version differs from the one it read before the commit, and the
// cache is dropped before the reader is free again, so also before any
// later reading on it that finds no change.
func (c *factsCache) check(ctx context.Context) (uint64, error) {
	var h walIndexHeader
	fast := false
	if w := c.wal.Load(); w != nil {
		h, fast = w.read()
	}
	if fast {
		c.mu.Lock()
		if c.seen && h == c.header {
			gen := c.gen
			c.mu.Unlock()
			return gen, nil
		}
		c.mu.Unlock()
	}
	var r *versionReader
	select {
	case r = <-c.readers:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	defer func() { c.readers <- r }()
	// The pragma reads a counter in the shared memory: nothing to cancel.
	// Under a context that cannot be cancelled, neither database/sql nor
	// the driver starts a goroutine to watch it, a wake-up each, on every
	// question.
	var v int64
	if err := r.version.QueryRowContext(context.WithoutCancel(ctx)).Scan(&v); err != nil {
		return 0, fmt.Errorf("data_version: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !r.read || v != r.last || c.consents == nil {
		r.last, r.read = v, true
		c.gen++
		c.consents = map[policies.Subject][]policies.Consent{}
		c.mandates = map[[2]policies.Subject][]policies.Mandate{}
	}
	c.slow++
	// h was read before data_version: whatever was committed before h
	// is accounted for now, so a later header equal to h means the
	// cache is as fresh then as now.
	if fast {
		c.header, c.seen = h, true
	}
	return c.gen, nil
}

// consentsOf returns the consents subject has granted and not rescinded,
// the most recently granted first, from the cache or else from load.
func (c *factsCache) consentsOf(ctx context.Context, subject policies.Subject,
	load func(context.Context, policies.Subject) ([]policies.Consent, error)) ([]policies.Consent, error) {
	return cached(ctx, c, &c.consents, subject, func(ctx context.Context) ([]policies.Consent, error) { return load(ctx, subject) })
}

// mandatesOf returns the mandates grantor has given representative and
// that are not revoked, the most recently granted first, from the cache or
// else from load.
func (c *factsCache) mandatesOf(ctx context.Context, representative, grantor policies.Subject,
	load func(context.Context, policies.Subject, policies.Subject) ([]policies.Mandate, error)) ([]policies.Mandate, error) {
	return cached(ctx, c, &c.mandates, [2]policies.Subject{representative, grantor},
		func(ctx context.Context) ([]policies.Mandate, error) { return load(ctx, representative, grantor) })
}

// cached returns what the map *m (one of c's, guarded by c.mu) keeps for
// key once c is checked fresh, or else what load reads, keeping it.
func cached[K comparable, V any](ctx context.Context, c *factsCache, m *map[K][]V, key K,
	load func(context.Context) ([]V, error)) ([]V, error) {
	gen, err := c.check(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	vs, ok := (*m)[key]
	c.mu.Unlock()
	if ok {
		return vs, nil
	}
	// Read after the check: what load returns is at least as new as what
	// the cache keeps, unless it was dropped since (then it is not kept).
	if vs, err = load(ctx); err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.gen == gen {
		if len(*m) >= maxCached {
			clear(*m)
		}
		(*m)[key] = vs
	}
	c.mu.Unlock()
	return vs, nil
}
