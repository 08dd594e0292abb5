package audit

import (
	"context"
	"database/sql"
	"fmt"
)

// migration is one schema step: its SQL, then, if not nil, fill, which
// computes in Go what SQL cannot (rows decoded from entries), in the same
// transaction.
type migration struct {
	sql  string
	fill func(ctx context.Context, tx *sql.Tx) error
}

// migrations are the audit tables' schema steps; migration i+1 is
// migrations[i]. Appended to, never edited.
var migrations = []migration{
	{sql: `CREATE TABLE audit_entries (
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
	);`},
	// 2: the subject index, a row per entry for its Subject (role 0) and
	// its Representative (role 1) when not empty.
	{sql: `CREATE TABLE audit_subjects (
		subject TEXT NOT NULL,
		role INTEGER NOT NULL,
		"index" INTEGER NOT NULL,
		PRIMARY KEY (subject, "index", role)
	) WITHOUT ROWID;`, fill: fillSubjects},
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
	v, err := schemaVersion(ctx, tx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("migrate: audit schema version %d is newer than this program's %d", v, len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		m := migrations[i]
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("migrate to version %d: %w", i+1, err)
		}
		if m.fill != nil {
			if err := m.fill(ctx, tx); err != nil {
				return fmt.Errorf("migrate to version %d: %w", i+1, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_migrations(version) VALUES (?)`, i+1); err != nil {
			return fmt.Errorf("migrate to version %d: %w", i+1, err)
		}
	}
	return tx.Commit()
}

// schemaVersion returns the audit schema version q's file has (0: none).
func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (v int, err error) {
	err = q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM audit_migrations`).Scan(&v)
	return v, err
}

// fillSubjects fills the subject index from the entries already in the
// log, decoding them a chunk at a time. An entry that does not decode is
// left out: Verify names it.
func fillSubjects(ctx context.Context, tx *sql.Tx) error {
	ins, err := tx.PrepareContext(ctx, `INSERT INTO audit_subjects(subject, role, "index") VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for after := int64(-1); ; {
		chunk, read, last, err := decodeAfter(ctx, tx, after)
		if err != nil {
			return err
		}
		for _, x := range chunk {
			for role, s := range x.Entry.subjects() {
				if s == "" {
					continue
				}
				if _, err := ins.ExecContext(ctx, s, role, x.Index); err != nil {
					return fmt.Errorf("subject index of entry %d: %w", x.Index, err)
				}
			}
		}
		if read < verifyChunk {
			return nil
		}
		after = last
	}
}

// decodeAfter reads up to verifyChunk entries after index after, in
// order, and returns those that decode, how many it read, and the index of
// the last it read.
func decodeAfter(ctx context.Context, tx *sql.Tx, after int64) (out []Indexed, read, last int64, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT "index", data FROM audit_entries WHERE "index" > ? ORDER BY "index" LIMIT ?`, after, verifyChunk)
	if err != nil {
		return nil, 0, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var i int64
		var data []byte
		if err := rows.Scan(&i, &data); err != nil {
			return nil, 0, 0, err
		}
		read, last = read+1, i
		var e Entry
		if e.UnmarshalBinary(data) == nil {
			out = append(out, Indexed{Index: i, Entry: e})
		}
	}
	return out, read, last, rows.Err()
}
