package audit

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// verifyChunk is how many entries Verify holds in memory at once.
const verifyChunk = 256

// Verify recomputes the log from its entries and checks what is stored:
// every entry's record hash and every stored hash of the tree, that no
// hash is missing or extra, that the subject index has exactly the rows
// the entries give (none missing, none extra), and every checkpoint's
// signature, size and root hash. It reads one consistent snapshot and calls progress, if not nil,
// with the number of entries checked so far. The error it returns for a
// difference wraps ErrTampered and names the first entry, stored hash or
// checkpoint that differs.
func (l *Log) Verify(ctx context.Context, progress func(n int64)) error {
	if err := l.stored(ctx, l.Size()); err != nil {
		return fmt.Errorf("verify audit log: %w", err)
	}
	tx, err := l.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("verify audit log: %w", err)
	}
	defer tx.Rollback()
	if err := l.verify(ctx, tx, progress); err != nil {
		return fmt.Errorf("verify audit log: %w", err)
	}
	return nil
}

func (l *Log) verify(ctx context.Context, tx *sql.Tx, progress func(n int64)) error {
	var maxIndex sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX("index") FROM audit_entries`).Scan(&maxIndex); err != nil {
		return err
	}
	var n int64 // entries, as the last index says; a gap is found below
	if maxIndex.Valid {
		n = maxIndex.Int64 + 1
	}
	get, err := tx.PrepareContext(ctx, `SELECT hash FROM audit_hashes WHERE "index" = ?`)
	if err != nil {
		return err
	}
	defer get.Close()
	stored := stmtHashReader{ctx: ctx, stmt: get}
	hasRow, err := tx.PrepareContext(ctx, `SELECT EXISTS (SELECT 1 FROM audit_subjects WHERE subject = ? AND "index" = ? AND role = ?)`)
	if err != nil {
		return err
	}
	defer hasRow.Close()
	var subjectRows int64 // rows the subject index should have

	// Entries are checked in index order. The stored hashes that
	// StoredHashesForRecordHash reads for entry i were all recomputed and
	// compared for earlier entries, so reading them from the table is as
	// good as reading the recomputed ones.
	for start := int64(0); start < n; start += verifyChunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(start+verifyChunk, n)
		datas, err := readEntries(ctx, tx, start, end)
		if err != nil {
			return err
		}
		lo, hi := tlog.StoredHashIndex(0, start), tlog.StoredHashCount(end)
		have, err := readHashRange(ctx, tx, lo, hi)
		if err != nil {
			return err
		}
		for k, data := range datas {
			i := start + int64(k)
			want, err := tlog.StoredHashesForRecordHash(i, tlog.RecordHash(data), stored)
			if err != nil {
				return fmt.Errorf("%w: entry %d: %v", ErrTampered, i, err)
			}
			at := tlog.StoredHashIndex(0, i)
			for j, h := range want {
				x := at + int64(j)
				got, ok := have[x]
				switch {
				case !ok:
					return fmt.Errorf("%w: stored hash %d (of entry %d) is missing", ErrTampered, x, i)
				case j == 0 && got != h:
					return fmt.Errorf("%w: entry %d: its data hashes to %s but stored hash %d is %s: the entry or its hash was changed",
						ErrTampered, i, h, x, got)
				case got != h:
					return fmt.Errorf("%w: stored hash %d (tree node above entry %d) is %s, recomputed %s",
						ErrTampered, x, i, got, h)
				}
			}
			n, err := checkSubjectRows(ctx, hasRow, i, data)
			if err != nil {
				return err
			}
			subjectRows += n
		}
		if progress != nil {
			progress(end)
		}
	}
	var hashes int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_hashes`).Scan(&hashes); err != nil {
		return err
	}
	if want := tlog.StoredHashCount(n); hashes != want {
		return fmt.Errorf("%w: %d stored hashes for %d entries, want %d", ErrTampered, hashes, n, want)
	}
	if err := findExtraSubjectRow(ctx, tx, subjectRows, n); err != nil {
		return err
	}
	return l.verifyCheckpoints(ctx, tx, n, stored)
}

// verifyCheckpoints checks every stored checkpoint, one at a time, against
// the tree of n entries whose stored hashes r reads (already verified).
func (l *Log) verifyCheckpoints(ctx context.Context, tx *sql.Tx, n int64, r tlog.HashReader) error {
	verifiers := note.VerifierList(l.verifier)
	after := int64(-1)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var size int64
		var text []byte
		err := tx.QueryRowContext(ctx, `SELECT size, text FROM audit_checkpoints WHERE size > ? ORDER BY size LIMIT 1`, after).Scan(&size, &text)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		after = size
		msg, err := note.Open(text, verifiers)
		if err != nil {
			return fmt.Errorf("%w: checkpoint at size %d: signature: %v", ErrTampered, size, err)
		}
		tree, err := tlog.ParseTree([]byte(msg.Text))
		if err != nil {
			return fmt.Errorf("%w: checkpoint at size %d: %v", ErrTampered, size, err)
		}
		if tree.N != size {
			return fmt.Errorf("%w: checkpoint stored at size %d signs size %d", ErrTampered, size, tree.N)
		}
		if tree.N > n {
			return fmt.Errorf("%w: checkpoint at size %d is beyond the %d entries: entries were removed", ErrTampered, size, n)
		}
		h, err := tlog.TreeHash(tree.N, r)
		if err != nil {
			return fmt.Errorf("%w: checkpoint at size %d: %v", ErrTampered, size, err)
		}
		if h != tree.Hash {
			return fmt.Errorf("%w: checkpoint at size %d signs root %s, the entries give %s", ErrTampered, size, tree.Hash, h)
		}
	}
}

// checkSubjectRows decodes entry i and checks that the subject index has
// its rows; it returns how many it has.
func checkSubjectRows(ctx context.Context, hasRow *sql.Stmt, i int64, data []byte) (int64, error) {
	var e Entry
	if err := e.UnmarshalBinary(data); err != nil {
		return 0, fmt.Errorf("%w: entry %d does not decode: %v", ErrTampered, i, err)
	}
	var n int64
	for role, s := range e.subjects() {
		if s == "" {
			continue
		}
		var ok bool
		if err := hasRow.QueryRowContext(ctx, s, i, role).Scan(&ok); err != nil {
			return 0, err
		}
		if !ok {
			return 0, fmt.Errorf("%w: subject index: the row of entry %d's %s (%.12s…) is missing", ErrTampered, i, roleNames[role], s)
		}
		n++
	}
	return n, nil
}

var roleNames = [...]string{RoleSubject: "subject", RoleRepresentative: "representative"}

// findExtraSubjectRow checks that the subject index has want rows, every
// one of which was found for an entry; if it has more, it names one that
// no entry of the n gives.
func findExtraSubjectRow(ctx context.Context, tx *sql.Tx, want, n int64) error {
	var have int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_subjects`).Scan(&have); err != nil {
		return err
	}
	if have == want {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT subject, role, "index" FROM audit_subjects ORDER BY "index", role`)
	if err != nil {
		return err
	}
	defer rows.Close()
	get, err := tx.PrepareContext(ctx, `SELECT data FROM audit_entries WHERE "index" = ?`)
	if err != nil {
		return err
	}
	defer get.Close()
	for rows.Next() {
		var s string
		var role, i int64
		if err := rows.Scan(&s, &role, &i); err != nil {
			return err
		}
		extra := fmt.Errorf("%w: subject index: a row names %.12s… as %s of entry %d, which does not name them",
			ErrTampered, s, roleName(role), i)
		if i < 0 || i >= n || role < 0 || role >= int64(len(roleNames)) {
			return extra
		}
		var data []byte
		if err := get.QueryRowContext(ctx, i).Scan(&data); err != nil {
			return err
		}
		var e Entry
		if err := e.UnmarshalBinary(data); err != nil || e.subjects()[role] != s {
			return extra
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return fmt.Errorf("%w: subject index: %d rows, the entries give %d", ErrTampered, have, want)
}

// roleName names a role of the subject index, known or not.
func roleName(role int64) string {
	if role >= 0 && role < int64(len(roleNames)) {
		return roleNames[role]
	}
	return fmt.Sprintf("role %d", role)
}

// readEntries returns the data of the entries start to end-1, in order,
// failing if one is missing.
func readEntries(ctx context.Context, tx *sql.Tx, start, end int64) ([][]byte, error) {
	rows, err := tx.QueryContext(ctx, `SELECT "index", data FROM audit_entries WHERE "index" >= ? AND "index" < ? ORDER BY "index"`, start, end)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([][]byte, 0, end-start)
	for rows.Next() {
		var i int64
		var data []byte
		if err := rows.Scan(&i, &data); err != nil {
			return nil, err
		}
		if want := start + int64(len(out)); i != want {
			return nil, fmt.Errorf("%w: entry %d is missing", ErrTampered, want)
		}
		out = append(out, bytes.Clone(data))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if want := start + int64(len(out)); want != end {
		return nil, fmt.Errorf("%w: entry %d is missing", ErrTampered, want)
	}
	return out, nil
}

// readHashRange returns the stored hashes lo to hi-1 that are present. A
// value of the wrong length is reported as tampering.
func readHashRange(ctx context.Context, tx *sql.Tx, lo, hi int64) (map[int64]tlog.Hash, error) {
	rows, err := tx.QueryContext(ctx, `SELECT "index", hash FROM audit_hashes WHERE "index" >= ? AND "index" < ?`, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64]tlog.Hash, hi-lo)
	for rows.Next() {
		var x int64
		var b []byte
		if err := rows.Scan(&x, &b); err != nil {
			return nil, err
		}
		if len(b) != tlog.HashSize {
			return nil, fmt.Errorf("%w: stored hash %d is %d bytes, want %d", ErrTampered, x, len(b), tlog.HashSize)
		}
		var h tlog.Hash
		copy(h[:], b)
		out[x] = h
	}
	return out, rows.Err()
}
