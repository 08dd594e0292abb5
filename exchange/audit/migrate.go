package audit

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are the audit tables' schema steps; migration i+1 is
// migrations[i]. Appended to, never edited.
var migrations = []string{
	`CREATE TABLE audit_entries (
		"index" INTEGER PRIMARY KEY,
		data BLOB NOT NULL
	);
	CREATE TABLE audit_hashes (
		"index" INTEGER PRIMARY KEY, -- tlog stored-hash index
		hash BLOB NOT NULL
	);
	CREATE TABLE audit_checkpoints (
		size INTEGER PRIMARY KEY,
		text BLOB NOT NULL -- a signed note: tlog.FormatTree
	);`,
}

// migrate brings the audit tables of db up to date, in one transaction.
func migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS audit_migrations (
		version INTEGER PRIMARY KEY,
		applied TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
	)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var v int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM audit_migrations`).Scan(&v); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("migrate: audit schema version %d is newer than this program's %d", v, len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return fmt.Errorf("migrate to version %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_migrations(version) VALUES (?)`, i+1); err != nil {
			return fmt.Errorf("migrate to version %d: %w", i+1, err)
		}
	}
	return tx.Commit()
}
