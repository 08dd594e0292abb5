package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"

	"samband/internal/sqlmigrate"
	"samband/policies"
)

var _ policies.Facts = (*Registry)(nil)

//go:embed migrations/*.sql
var migrations embed.FS

// ErrClosed is returned by every method of a Registry after Close.
var ErrClosed = errors.New("registry closed")

// Registry is the consent and mandate registry in a SQLite file. Every
// write is its own transaction, committed (and synced) before it returns;
// every read asks the file (Facts' questions through a cache exactly as
// fresh as the file), so an answer reflects every write that returned
// before the question, from this process or another.
type Registry struct {
	path string
	wdb  *sql.DB // one connection: SQLite has one writer
	rdb  *sql.DB // readers
	// What Facts' two questions read, prepared once on the readers, and
	// the cache of what they read.
	consentsQ *sql.Stmt
	mandatesQ *sql.Stmt
	cache     factsCache
	closed    atomic.Bool
}

// Open opens the registry in the SQLite file at path, creating the file if
// need be, and brings the registry's tables up to date. The file may be the
// catalogue's: the registry's tables and its migrations table
// (policies_migrations) have names of their own. A file whose registry
// schema is newer than this program knows is refused.
func Open(ctx context.Context, path string) (*Registry, error) {
	if path == "" {
		return nil, errors.New("open policy registry: empty path")
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"
	r := &Registry{path: path}
	fail := func(err error) (*Registry, error) {
		r.closeAll()
		return nil, fmt.Errorf("open policy registry %s: %w", path, err)
	}
	var err error
	// A rescission must survive a power cut once it has been confirmed, so
	// the writer syncs every commit (synchronous FULL); writes are few.
	if r.wdb, err = sql.Open("sqlite", dsn+"&_pragma=synchronous(FULL)&_txlock=immediate"); err != nil {
		return fail(err)
	}
	r.wdb.SetMaxOpenConns(1)
	r.wdb.SetMaxIdleConns(1)
	r.wdb.SetConnMaxLifetime(0)
	r.wdb.SetConnMaxIdleTime(0)
	if err := migrate(ctx, r.wdb); err != nil {
		return fail(err)
	}
	// Readers map the file (up to 256 MiB) rather than copy its pages with
	// a system call each: about a fifth off every lookup (docs/benchmarks.md).
	if r.rdb, err = sql.Open("sqlite", dsn+"&_pragma=query_only(1)&_pragma=mmap_size(268435456)"); err != nil {
		return fail(err)
	}
	r.rdb.SetMaxOpenConns(8 + versionReaders) // the cache keeps its own
	r.rdb.SetMaxIdleConns(8 + versionReaders)
	if r.consentsQ, err = r.rdb.PrepareContext(ctx, heldConsentsQuery); err != nil {
		return fail(err)
	}
	if r.mandatesQ, err = r.rdb.PrepareContext(ctx, heldMandatesQuery); err != nil {
		return fail(err)
	}
	if err := r.cache.open(ctx, r.rdb, path); err != nil {
		return fail(err)
	}
	return r, nil
}

// Close closes the file. Every method called after Close returns
// ErrClosed; Close itself returns nil when called again.
func (r *Registry) Close() error {
	if r.closed.Swap(true) {
		return nil
	}
	if err := r.closeAll(); err != nil {
		return fmt.Errorf("close policy registry %s: %w", r.path, err)
	}
	return nil
}

func (r *Registry) closeAll() error {
	errs := []error{r.cache.close()}
	for _, s := range []*sql.Stmt{r.consentsQ, r.mandatesQ} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	for _, db := range []*sql.DB{r.rdb, r.wdb} {
		if db != nil {
			errs = append(errs, db.Close())
		}
	}
	return errors.Join(errs...)
}

// SchemaVersion returns the version of the newest registry migration
// applied to the file.
func (r *Registry) SchemaVersion(ctx context.Context) (int, error) {
	if r.closed.Load() {
		return 0, ErrClosed
	}
	var v int
	if err := r.rdb.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM policies_migrations").Scan(&v); err != nil {
		return 0, fmt.Errorf("schema version: %w", r.readErr(err))
	}
	return v, nil
}

// readErr maps the error of a read racing Close to ErrClosed.
func (r *Registry) readErr(err error) error {
	if r.closed.Load() {
		return ErrClosed
	}
	return err
}

// write runs fn in one immediate transaction on the writer and commits it.
// A write once begun is not cut short by ctx: a caller that gave up still
// finds it done or not done, never half-done.
func (r *Registry) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if r.closed.Load() {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	tx, err := r.wdb.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return r.readErr(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// read runs fn in one read transaction, so that what it reads in several
// queries is one state of the file.
func (r *Registry) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if r.closed.Load() {
		return ErrClosed
	}
	tx, err := r.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return r.readErr(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return r.readErr(err)
	}
	return nil
}

// newID returns a fresh id: 80 random bits in 16 lower-case base32
// characters, the form of the catalogue's ids.
func newID() string {
	b := make([]byte, 10)
	rand.Read(b) // never fails (crypto/rand)
	return strings.ToLower(base32.StdEncoding.EncodeToString(b))
}

// checkNote refuses a reason or channel that could not be kept as it is.
func checkNote(n policies.Note, kind error) error {
	switch {
	case len(n.Via) > 64, strings.ContainsFunc(n.Via, isControl):
		return fmt.Errorf("%w: via: at most 64 bytes without control characters", kind)
	case len(n.Reason) > 2048:
		return fmt.Errorf("%w: reason: longer than 2048 bytes", kind)
	case strings.ContainsFunc(n.Reason, func(r rune) bool { return isControl(r) && r != '\n' }):
		return fmt.Errorf("%w: reason: holds a control character", kind)
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || 0x80 <= r && r < 0xa0 }

func listJSON(l []string) string {
	b, _ := json.Marshal(l) // a []string always marshals
	return string(b)
}

func fromListJSON(s string) ([]string, error) {
	var l []string
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, fmt.Errorf("list %q in the file: %w", s, err)
	}
	return l, nil
}

// Times are stored as Unix nanoseconds.
func fromNano(n int64) time.Time { return time.Unix(0, n).UTC() }

func fromNullNano(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromNano(n.Int64)
	return &t
}

// event is a history row as read, before it is given to its owner.
type event struct {
	owner string
	ev    policies.Event
}

func scanEvents(rows *sql.Rows) ([]event, error) {
	defer rows.Close()
	var out []event
	for rows.Next() {
		var e event
		var at int64
		if err := rows.Scan(&e.owner, &e.ev.Kind, &at, &e.ev.Via, &e.ev.Reason); err != nil {
			return nil, err
		}
		e.ev.At = fromNano(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// migrate applies, in one transaction, every embedded migration the file
// lacks.
func migrate(ctx context.Context, db *sql.DB) error {
	return sqlmigrate.ApplyFS(ctx, db, migrations, "migrations", "policies_migrations", "the file's registry schema")
}
