package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// writeStmts are the statements of the write path, prepared once on the
// writer connection.
type writeStmts struct {
	maxSeq     *sql.Stmt
	savepoint  *sql.Stmt
	rollbackTo *sql.Stmt
	release    *sql.Stmt

	lookup       *sql.Stmt
	byIdentifier *sql.Stmt
	insertRecord *sql.Stmt
	updateRecord *sql.Stmt
	reviveRecord *sql.Stmt
	bumpRecord   *sql.Stmt
	saveVersion  *sql.Stmt
	deleteIdents *sql.Stmt
	insertIdent  *sql.Stmt
	upsertProv   *sql.Stmt
	touchProv    *sql.Stmt
	upsertOrig   *sql.Stmt

	setQuality   *sql.Stmt
	setLink      *sql.Stmt
	linkStatuses *sql.Stmt

	all []*sql.Stmt
}

func (st *writeStmts) prepare(ctx context.Context, c *sql.Conn) error {
	for _, p := range []struct {
		s   **sql.Stmt
		sql string
	}{
		{&st.maxSeq, `SELECT coalesce(max(seq), 0) FROM records`},
		{&st.savepoint, `SAVEPOINT w`},
		{&st.rollbackTo, `ROLLBACK TO w`},
		{&st.release, `RELEASE w`},

		// The record, its owner's standing and the sender's provenance.
		{&st.lookup, `SELECT r.iri, r.owner, r.hash, r.withdrawn_at IS NOT NULL,
			o.source IS NOT NULL AND o.withdrawn IS NULL, coalesce(os.aggregator, 0),
			p.source IS NOT NULL, coalesce(p.hash, ''), p.withdrawn IS NOT NULL
			FROM records r
			LEFT JOIN provenance o ON o.record_id = r.id AND o.source = r.owner
			LEFT JOIN sources os ON os.name = r.owner
			LEFT JOIN provenance p ON p.record_id = r.id AND p.source = ?2
			WHERE r.id = ?1`},
		{&st.byIdentifier, `SELECT record_id FROM identifiers WHERE identifier = ? LIMIT 2`},
		{&st.insertRecord, `INSERT INTO records (id, iri, kind, owner, hash, record, withdrawn_at, changed, seq, country, themes, quality)
			VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)`},
		{&st.updateRecord, `UPDATE records SET kind = ?2, owner = ?3, hash = ?4, record = ?5,
			withdrawn_at = NULL, changed = ?6, seq = ?7, country = ?8, themes = ?9, quality = ?10 WHERE id = ?1`},
		{&st.reviveRecord, `UPDATE records SET withdrawn_at = NULL, changed = ?2, seq = ?3 WHERE id = ?1`},
		{&st.bumpRecord, `UPDATE records SET seq = ?2 WHERE id = ?1`},
		{&st.saveVersion, `INSERT INTO record_versions (record_id, seq, changed, owner, hash, withdrawn_at, record)
			SELECT id, seq, changed, owner, hash, withdrawn_at, record FROM records WHERE id = ?`},
		{&st.deleteIdents, `DELETE FROM identifiers WHERE record_id = ?`},
		{&st.insertIdent, `INSERT OR IGNORE INTO identifiers (identifier, record_id) VALUES (?, ?)`},
		{&st.upsertProv, `INSERT INTO provenance (record_id, source, country, first_seen, last_changed, last_seen, hash, withdrawn, last_run)
			VALUES (?1, ?2, ?3, ?4, ?4, ?4, ?5, NULL, ?6)
			ON CONFLICT (record_id, source) DO UPDATE SET
				country = excluded.country,
				last_changed = CASE WHEN hash = excluded.hash THEN last_changed ELSE excluded.last_seen END,
				last_seen = excluded.last_seen,
				hash = excluded.hash,
				withdrawn = NULL,
				last_run = excluded.last_run`},
		{&st.touchProv, `UPDATE provenance SET last_seen = ?3, last_run = ?4 WHERE record_id = ?1 AND source = ?2`},
		{&st.upsertOrig, `INSERT INTO originals (record_id, source, original) VALUES (?, ?, ?)
			ON CONFLICT (record_id, source) DO UPDATE SET original = excluded.original`},

		// Link checking (links.go): the quality rewritten in place, and the
		// links table.
		{&st.setQuality, `UPDATE records SET record = json_set(record, '$.quality', json(?3)), seq = ?4
			WHERE id = ?1 AND seq = ?2`},
		{&st.setLink, `INSERT INTO links (url, checked, answered, status, final_url, error) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (url) DO UPDATE SET checked = excluded.checked, answered = excluded.answered,
				status = excluded.status, final_url = excluded.final_url, error = excluded.error`},
		{&st.linkStatuses, `SELECT url, checked, answered, status, final_url, error FROM links
			WHERE url IN (SELECT value FROM json_each(?))`},
	} {
		s, err := c.PrepareContext(ctx, p.sql)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", p.sql, err)
		}
		*p.s = s
		st.all = append(st.all, s)
	}
	return nil
}

func (st *writeStmts) close() {
	for _, s := range st.all {
		s.Close()
	}
	st.all = nil
}
