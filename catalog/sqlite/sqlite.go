package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"

	"samband/catalog"
	"samband/internal/sqlmigrate"
)

var _ catalog.Store = (*Store)(nil)

//go:embed migrations/*.sql
var migrations embed.FS

// Batching of writes: a batch is committed after this many puts, when it is
// this old, at FinishRun, at any other write and before any read.
const (
	batchPuts = 1000
	batchAge  = 250 * time.Millisecond
)

// Store is a catalogue store in one SQLite file. Writes go through one
// connection and are batched into transactions; reads use a pool of their
// own and see every write that returned before they started.
type Store struct {
	path string
	wdb  *sql.DB // one connection: SQLite has one writer
	w    *sql.Conn
	rdb  *sql.DB // readers
	ckdb *sql.DB // the checkpointer's connection
	st   writeStmts

	closed atomic.Bool
	dirty  atomic.Bool // a batch is open
	frames atomic.Bool // commits not yet checkpointed

	mu      sync.Mutex // guards what follows and every use of w
	inTx    bool
	txStart time.Time
	txPuts  int
	txRuns  map[int64]bool // runs with writes in the open batch
	seq     int64          // the change sequence, valid while inTx
	runs    map[int64]*openRun

	stop chan struct{}
	done chan struct{}
}

// openRun is a running harvest run as Put needs it.
type openRun struct {
	source     string
	country    string
	aggregator bool
	lost       error // why writes of the run were lost, if they were
}

// Open opens the store in the SQLite file at path, creating it if need be,
// and brings its schema up to date. A file whose schema is newer than this
// program knows is refused.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("open sqlite store: empty path")
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)"
	// The writer's page cache holds a whole batch, so that no page is
	// written twice before the commit; its checkpoints are left to the
	// checkpointer (see flusher) while the WAL is under 64 MiB.
	wdb, err := sql.Open("sqlite", dsn+"&_pragma=cache_size(-32768)&_pragma=wal_autocheckpoint(16384)")
	if err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	wdb.SetConnMaxIdleTime(0)
	s := &Store{
		path:   path,
		wdb:    wdb,
		txRuns: map[int64]bool{},
		runs:   map[int64]*openRun{},
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	fail := func(err error) (*Store, error) {
		s.st.close()
		if s.w != nil {
			s.w.Close()
		}
		wdb.Close()
		if s.rdb != nil {
			s.rdb.Close()
		}
		if s.ckdb != nil {
			s.ckdb.Close()
		}
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	if s.w, err = wdb.Conn(ctx); err != nil {
		return fail(err)
	}
	if err := migrate(ctx, s.w); err != nil {
		return fail(err)
	}
	if err := s.st.prepare(ctx, s.w); err != nil {
		return fail(err)
	}
	s.rdb, err = sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		return fail(err)
	}
	s.rdb.SetMaxOpenConns(4)
	s.rdb.SetMaxIdleConns(4)
	if err := s.rdb.PingContext(ctx); err != nil {
		return fail(err)
	}
	if s.ckdb, err = sql.Open("sqlite", dsn); err != nil {
		return fail(err)
	}
	s.ckdb.SetMaxOpenConns(1)
	go s.flusher()
	return s, nil
}

// Close commits the writes not yet committed and closes the file. Runs not
// finished stay running in the file; the next StartRun of their source
// marks them failed. Every method called after Close returns
// catalog.ErrClosed; Close itself returns nil when called again.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed.Load() {
		s.mu.Unlock()
		return nil
	}
	s.closed.Store(true)
	err := s.commitLocked()
	s.mu.Unlock()
	close(s.stop)
	<-s.done
	s.st.close()
	errs := []error{err, s.w.Close(), s.wdb.Close(), s.rdb.Close(), s.ckdb.Close()}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close sqlite store %s: %w", s.path, err)
	}
	return nil
}

// flusher commits a batch that has waited batchAge, and checkpoints the
// WAL into the database file twice a second on a connection of its own,
// so that the copying is done beside the writer rather than by it. A
// passive checkpoint waits for no one; the writer still checkpoints by
// itself should the WAL reach 64 MiB.
func (s *Store) flusher() {
	defer close(s.done)
	t := time.NewTicker(batchAge / 2)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if i%4 == 0 && s.frames.Swap(false) {
				s.ckdb.Exec("PRAGMA wal_checkpoint(PASSIVE)") // best effort: the next tick tries again
			}
			if !s.dirty.Load() {
				continue
			}
			s.mu.Lock()
			if s.inTx && time.Since(s.txStart) >= batchAge && !s.closed.Load() {
				s.commitLocked() // a failure marks the batch's runs lost
			}
			s.mu.Unlock()
		}
	}
}

// wctx is the context of a write once begun: it is not cancelled half-way,
// so that a batch is never cut short by one caller's deadline.
func wctx(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

// beginLocked opens a batch unless one is open. s.mu is held.
func (s *Store) beginLocked(ctx context.Context) error {
	if s.inTx {
		return nil
	}
	if _, err := s.w.ExecContext(wctx(ctx), "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	// The sequence is read inside the write lock, so it is right even if
	// another process wrote to the file meanwhile.
	if err := s.st.maxSeq.QueryRowContext(wctx(ctx)).Scan(&s.seq); err != nil {
		s.w.ExecContext(wctx(ctx), "ROLLBACK")
		return fmt.Errorf("begin: read change sequence: %w", err)
	}
	s.inTx = true
	s.txStart = time.Now()
	s.txPuts = 0
	s.dirty.Store(true)
	return nil
}

// commitLocked commits the open batch, if any. When the commit fails the
// batch is rolled back and every run with writes in it is marked lost, so
// that it cannot finish complete and withdraw what it did list. s.mu is held.
func (s *Store) commitLocked() error {
	if !s.inTx {
		return nil
	}
	_, err := s.w.ExecContext(context.Background(), "COMMIT")
	if err != nil {
		err = fmt.Errorf("commit: %w", err)
		s.abortLocked(err)
		return err
	}
	s.endTxLocked()
	s.frames.Store(true)
	return nil
}

// abortLocked rolls the open batch back and marks its runs lost with cause.
func (s *Store) abortLocked(cause error) {
	if !s.inTx {
		return
	}
	s.w.ExecContext(context.Background(), "ROLLBACK") // fails only if SQLite rolled back already
	for id := range s.txRuns {
		if r := s.runs[id]; r != nil && r.lost == nil {
			r.lost = cause
		}
	}
	s.endTxLocked()
}

func (s *Store) endTxLocked() {
	s.inTx = false
	s.txPuts = 0
	clear(s.txRuns)
	s.dirty.Store(false)
}

// flush commits writes not yet committed, so that a read sees them.
func (s *Store) flush() error {
	if s.closed.Load() {
		return catalog.ErrClosed
	}
	if !s.dirty.Load() {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return catalog.ErrClosed
	}
	return s.commitLocked()
}

// write runs fn inside the open batch (opening one if need be) within a
// savepoint, so that a failed fn leaves nothing behind, then commits the
// batch when commit is set or the batch is full or old. When all went well
// it calls the function fn returned, if any, still holding s.mu: fn changes
// what is in memory there, so that memory never runs ahead of the file.
// s.mu must not be held.
func (s *Store) write(ctx context.Context, commit bool, fn func(ctx context.Context) (func(), error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return catalog.ErrClosed
	}
	return s.writeLocked(ctx, commit, fn)
}

func (s *Store) writeLocked(ctx context.Context, commit bool, fn func(ctx context.Context) (func(), error)) error {
	wc := wctx(ctx)
	if err := s.beginLocked(wc); err != nil {
		return err
	}
	if _, err := s.st.savepoint.ExecContext(wc); err != nil {
		err = fmt.Errorf("savepoint: %w", err)
		s.abortLocked(err)
		return err
	}
	seq := s.seq
	after, err := fn(wc)
	if err != nil {
		s.seq = seq
		if _, rerr := s.st.rollbackTo.ExecContext(wc); rerr != nil {
			// SQLite rolled the whole batch back (disk full, I/O error).
			s.abortLocked(fmt.Errorf("batch rolled back: %w", err))
		} else if _, rerr := s.st.release.ExecContext(wc); rerr != nil {
			s.abortLocked(fmt.Errorf("batch rolled back: %w", rerr))
		}
		return err
	}
	if _, err := s.st.release.ExecContext(wc); err != nil {
		err = fmt.Errorf("release savepoint: %w", err)
		s.abortLocked(err)
		return err
	}
	if commit || s.txPuts >= batchPuts || time.Since(s.txStart) >= batchAge {
		if err := s.commitLocked(); err != nil {
			return err
		}
	}
	if after != nil {
		after()
	}
	return nil
}

// nextSeq returns the next number of the change sequence. s.mu is held
// inside a batch.
func (s *Store) nextSeq() int64 {
	s.seq++
	return s.seq
}

// migrate applies, in one transaction, every embedded migration the file
// lacks.
func migrate(ctx context.Context, c *sql.Conn) error {
	ms, err := sqlmigrate.FromFS(migrations, "migrations")
	if err != nil {
		return err
	}
	if _, err := c.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := sqlmigrate.Apply(ctx, c, "schema_migrations", "the file's schema", ms); err != nil {
		c.ExecContext(ctx, "ROLLBACK")
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := c.ExecContext(ctx, "COMMIT"); err != nil {
		c.ExecContext(ctx, "ROLLBACK")
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// SchemaVersion returns the version of the newest migration applied to
// the file.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	if s.closed.Load() {
		return 0, catalog.ErrClosed
	}
	var v int
	if err := s.rdb.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&v); err != nil {
		return 0, fmt.Errorf("schema version: %w", s.readErr(err))
	}
	return v, nil
}

// Ping reads the file once, as cheaply as a read can (the schema's
// version), and returns why it could not: a readiness probe's question
// whether the store answers reads. Unlike the other reads it does not
// first commit the writes not yet committed.
func (s *Store) Ping(ctx context.Context) error {
	if _, err := s.SchemaVersion(ctx); err != nil {
		return fmt.Errorf("ping sqlite store %s: %w", s.path, err)
	}
	return nil
}

// readErr maps the error of a read racing Close to catalog.ErrClosed.
func (s *Store) readErr(err error) error {
	if s.closed.Load() {
		return catalog.ErrClosed
	}
	return err
}

// Times are stored as Unix nanoseconds.
func unixNano(t time.Time) int64 { return t.UnixNano() }

func fromNano(n int64) time.Time { return time.Unix(0, n).UTC() }

func fromNullNano(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromNano(n.Int64)
	return &t
}
