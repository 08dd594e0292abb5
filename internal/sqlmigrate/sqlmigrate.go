// Package sqlmigrate applies the numbered SQL migrations embedded in a
// binary to a SQLite file: one runner for every store that keeps its own
// tables in a file (the catalogue, the consent and mandate registry, the
// exchange's trust store).
package sqlmigrate

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migration is one step of a schema: NNNN_name.sql.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// FromFS reads the migrations in dir of fsys, every *.sql whose name starts
// with its version number, in version order.
func FromFS(fsys fs.FS, dir string) ([]Migration, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.sql"))
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, n := range names {
		base := path.Base(n)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with its version number", base)
		}
		body, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{v, base, string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// Execer is a transaction, or a connection inside one.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Apply runs, in ex, which the caller commits, every migration above the
// version recorded in table (created if need be), recording each. A file
// whose recorded version is newer than any of ms is refused: what names the
// schema in that error ("the file's schema", "the file's registry schema").
func Apply(ctx context.Context, ex Execer, table, what string, ms []Migration) error {
	known := 0
	if len(ms) > 0 {
		known = ms[len(ms)-1].Version
	}
	if _, err := ex.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+table+` (
		version INTEGER PRIMARY KEY,
		name    TEXT NOT NULL,
		applied INTEGER NOT NULL)`); err != nil {
		return err
	}
	var have int
	if err := ex.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM "+table).Scan(&have); err != nil {
		return err
	}
	if have > known {
		return fmt.Errorf("%s is version %d, newer than this program knows (%d): use a newer Samband", what, have, known)
	}
	for _, m := range ms {
		if m.Version <= have {
			continue
		}
		if _, err := ex.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("apply %s: %w", m.Name, err)
		}
		if _, err := ex.ExecContext(ctx, "INSERT INTO "+table+" (version, name, applied) VALUES (?, ?, ?)",
			m.Version, m.Name, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("apply %s: %w", m.Name, err)
		}
	}
	return nil
}

// ApplyFS reads the migrations in dir of fsys and applies them to db in
// one transaction of its own (Apply), committing it: the whole migration of
// a store that opens the file with a *sql.DB.
func ApplyFS(ctx context.Context, db *sql.DB, fsys fs.FS, dir, table, what string) error {
	ms, err := FromFS(fsys, dir)
	if err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	if err := Apply(ctx, tx, table, what, ms); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}
