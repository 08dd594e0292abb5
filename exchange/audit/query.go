package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"samband/policies"
)

// The roles a person plays in an entry, as Indexed.Role and the subject
// index keep them.
const (
	RoleSubject        = 0 // the entry's Subject: the person whose data was asked for
	RoleRepresentative = 1 // the entry's Representative: who acted for the subject
)

// MaxBySubject is the most entries one BySubject call returns.
const MaxBySubject = 1000

// sinceSlack is how much older than the time asked for an entry may be
// before Since stops reading: entries are appended in nearly, not
// strictly, increasing time.
const sinceSlack = time.Minute

// Indexed is an entry with its index in the log and the role the person
// asked about plays in it (RoleSubject or RoleRepresentative).
type Indexed struct {
	Index int64
	Entry Entry
	Role  int
}

// subjects returns the entry's rows of the subject index by role: the
// subject, then the representative; "" for none.
func (e Entry) subjects() [2]string {
	return [2]string{RoleSubject: string(e.Subject), RoleRepresentative: string(e.Representative)}
}

// BySubject returns the entries in which s is the subject or the
// representative, newest first: those with an index below before (before
// <= 0: from the newest), at most limit (1 to MaxBySubject). A person who
// is both in one entry gets it once, as RoleSubject. The next page starts
// before the last index returned.
func (l *Log) BySubject(ctx context.Context, s policies.Subject, before int64, limit int) ([]Indexed, error) {
	if s == "" || !isKeyedHash(string(s)) {
		return nil, errors.New("audit entries by subject: not a subject (64 lower-case hex digits)")
	}
	if limit < 1 || limit > MaxBySubject {
		return nil, fmt.Errorf("audit entries by subject: limit %d: want 1 to %d", limit, MaxBySubject)
	}
	if size := l.Size(); before <= 0 || before > size {
		before = size
	}
	if err := l.stored(ctx, before); err != nil {
		return nil, fmt.Errorf("audit entries by subject: %w", err)
	}
	tx, err := l.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("audit entries by subject: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT "index", MIN(role) FROM audit_subjects
		WHERE subject = ? AND "index" < ? GROUP BY "index" ORDER BY "index" DESC LIMIT ?`, string(s), before, limit)
	if err != nil {
		return nil, fmt.Errorf("audit entries by subject: %w", err)
	}
	var out []Indexed
	for rows.Next() {
		var x Indexed
		if err := rows.Scan(&x.Index, &x.Role); err != nil {
			rows.Close()
			return nil, fmt.Errorf("audit entries by subject: %w", err)
		}
		out = append(out, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit entries by subject: %w", err)
	}
	get, err := tx.PrepareContext(ctx, `SELECT data FROM audit_entries WHERE "index" = ?`)
	if err != nil {
		return nil, fmt.Errorf("audit entries by subject: %w", err)
	}
	defer get.Close()
	for i := range out {
		var data []byte
		if err := get.QueryRowContext(ctx, out[i].Index).Scan(&data); err != nil {
			return nil, fmt.Errorf("audit entries by subject: entry %d: %w", out[i].Index, err)
		}
		if err := out[i].Entry.UnmarshalBinary(data); err != nil {
			return nil, fmt.Errorf("audit entries by subject: entry %d: %w", out[i].Index, err)
		}
	}
	return out, nil
}

// Since calls fn with every entry whose Time is t or later, newest first,
// reading backwards from the end of the log. Times are nearly monotonic
// (concurrent requests commit in any order), so it reads on past the
// first older entry and stops at the first more than a minute older than
// t. An error from fn stops it and is returned. It reads one consistent
// snapshot, a chunk of entries at a time.
func (l *Log) Since(ctx context.Context, t time.Time, fn func(index int64, e Entry) error) error {
	stop := t.Add(-sinceSlack)
	if err := l.stored(ctx, l.Size()); err != nil {
		return fmt.Errorf("audit entries since %s: %w", t.Format(time.RFC3339), err)
	}
	tx, err := l.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("audit entries since %s: %w", t.Format(time.RFC3339), err)
	}
	defer tx.Rollback()
	var end sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX("index") + 1 FROM audit_entries`).Scan(&end); err != nil {
		return fmt.Errorf("audit entries since %s: %w", t.Format(time.RFC3339), err)
	}
	for before := end.Int64; before > 0; {
		chunk, err := entriesBefore(ctx, tx, before)
		if err != nil {
			return fmt.Errorf("audit entries since %s: %w", t.Format(time.RFC3339), err)
		}
		if len(chunk) == 0 {
			return nil
		}
		for _, x := range chunk {
			if x.Entry.Time.Before(stop) {
				return nil
			}
			if !x.Entry.Time.Before(t) {
				if err := fn(x.Index, x.Entry); err != nil {
					return err
				}
			}
		}
		before = chunk[len(chunk)-1].Index
	}
	return nil
}

// entriesBefore returns up to verifyChunk entries with an index below
// before, newest first, decoded.
func entriesBefore(ctx context.Context, tx *sql.Tx, before int64) ([]Indexed, error) {
	rows, err := tx.QueryContext(ctx, `SELECT "index", data FROM audit_entries WHERE "index" < ? ORDER BY "index" DESC LIMIT ?`, before, verifyChunk)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Indexed
	for rows.Next() {
		var x Indexed
		var data []byte
		if err := rows.Scan(&x.Index, &data); err != nil {
			return nil, err
		}
		if err := x.Entry.UnmarshalBinary(data); err != nil {
			return nil, fmt.Errorf("entry %d: %w", x.Index, err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
