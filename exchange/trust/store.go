package trust

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"

	"samband/internal/sqlmigrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store keeps, in a SQLite file, every party of the configuration and
// every public key the parties ever showed, with when it was first and
// last seen and when it was revoked, and the last good copy of each URL
// key set. The registry writes it; an auditor reads it with KeyHistory to
// find the key that signed an old receipt. Its tables and its migrations
// table (trust_migrations) have names of their own, so the file may be
// the catalogue's.
type Store struct {
	path   string
	db     *sql.DB
	closed atomic.Bool
}

// KeyRecord is one public key of a party as the store keeps it: a party's
// key is known by its kid and thumbprint together, so a kid that a party
// reused for another key is two records.
type KeyRecord struct {
	PartyID    string
	Kid        string
	Thumbprint string // RFC 7638, SHA-256, base64url
	// JWK is the public key as last seen, nbf and exp members included.
	JWK json.RawMessage
	// NotBefore and Expires are the key's nbf and exp, nil without them.
	NotBefore, Expires *time.Time
	// FirstSeen and LastSeen are when a key set first and last held the key.
	FirstSeen, LastSeen time.Time
	// RevokedAt is when the configuration first revoked the kid, or nil.
	RevokedAt *time.Time
}

// OpenStore opens the store in the SQLite file at path (WAL, a busy
// timeout of 10 seconds), creating the file if need be, and brings its
// tables up to date. A file whose trust schema is newer than this program
// knows is refused.
func OpenStore(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("open trust store: empty path")
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(FULL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open trust store %s: %w", path, err)
	}
	// Writes are few (a start, a refresh); one connection serialises them.
	db.SetMaxOpenConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open trust store %s: %w", path, err)
	}
	return &Store{path: path, db: db}, nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	return sqlmigrate.ApplyFS(ctx, db, migrations, "migrations", "trust_migrations", "the file's trust schema")
}

// Close closes the file. It returns nil when called again.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close trust store %s: %w", s.path, err)
	}
	return nil
}

// KeyHistory returns every key the store holds for the party, in the
// order they were first seen. A party the store never held is
// ErrUnknownParty.
func (s *Store) KeyHistory(ctx context.Context, partyID string) ([]KeyRecord, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM trust_parties WHERE id = ?", partyID).Scan(&n); err != nil {
		return nil, fmt.Errorf("key history of %s: %w", partyID, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("key history of %s: %w", partyID, ErrUnknownParty)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT kid, thumbprint, jwk, nbf, exp, first_seen, last_seen, revoked_at
		FROM trust_keys WHERE party_id = ? ORDER BY first_seen, kid, thumbprint`, partyID)
	if err != nil {
		return nil, fmt.Errorf("key history of %s: %w", partyID, err)
	}
	defer rows.Close()
	var out []KeyRecord
	for rows.Next() {
		r := KeyRecord{PartyID: partyID}
		var jwkText string
		var nbf, exp, revoked sql.NullInt64
		var first, last int64
		if err := rows.Scan(&r.Kid, &r.Thumbprint, &jwkText, &nbf, &exp, &first, &last, &revoked); err != nil {
			return nil, fmt.Errorf("key history of %s: %w", partyID, err)
		}
		r.JWK = json.RawMessage(jwkText)
		r.NotBefore, r.Expires, r.RevokedAt = optTime(nbf), optTime(exp), optTime(revoked)
		r.FirstSeen, r.LastSeen = time.UnixMilli(first), time.UnixMilli(last)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("key history of %s: %w", partyID, err)
	}
	return out, nil
}

// recordParties records the configured parties and the revocations of
// their kids, in one transaction.
func (s *Store) recordParties(ctx context.Context, ps []*checked, now time.Time) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, p := range ps {
			if _, err := tx.ExecContext(ctx, `INSERT INTO trust_parties
				(id, kind, scheme, name, base_url, jwks_url, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, scheme = excluded.scheme, name = excluded.name,
				base_url = excluded.base_url, jwks_url = excluded.jwks_url, last_seen = excluded.last_seen`,
				p.ID, string(p.Kind), p.Scheme, p.Name, p.BaseURL, p.url, now.UnixMilli(), now.UnixMilli()); err != nil {
				return fmt.Errorf("party %s: %w", p.ID, err)
			}
			for kid := range p.revoked {
				if _, err := tx.ExecContext(ctx, `UPDATE trust_keys SET revoked_at = ?
					WHERE party_id = ? AND kid = ? AND revoked_at IS NULL`, now.UnixMilli(), p.ID, kid); err != nil {
					return fmt.Errorf("party %s: revoke %q: %w", p.ID, kid, err)
				}
			}
		}
		return nil
	})
}

// recordSet records the keys of one good key set of a party, and, for a
// URL set (src not empty), the set itself as the party's last good copy.
func (s *Store) recordSet(ctx context.Context, p *checked, src string, ks *keySet, now time.Time) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for kid, e := range ks.keys {
			var revoked any
			if p.revoked[kid] {
				revoked = now.UnixMilli()
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO trust_keys
				(party_id, kid, thumbprint, jwk, nbf, exp, first_seen, last_seen, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (party_id, kid, thumbprint) DO UPDATE SET jwk = excluded.jwk, nbf = excluded.nbf, exp = excluded.exp,
				last_seen = excluded.last_seen, revoked_at = coalesce(trust_keys.revoked_at, excluded.revoked_at)`,
				p.ID, kid, e.thumbprint, string(e.json), nullTime(e.nbf), nullTime(e.exp), now.UnixMilli(), now.UnixMilli(), revoked); err != nil {
				return fmt.Errorf("key %q: %w", kid, err)
			}
		}
		if src == "" {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO trust_sets (party_id, url, body, fetched) VALUES (?, ?, ?, ?)
			ON CONFLICT (party_id) DO UPDATE SET url = excluded.url, body = excluded.body, fetched = excluded.fetched`,
			p.ID, src, ks.body, now.UnixMilli()); err != nil {
			return fmt.Errorf("last good copy: %w", err)
		}
		return nil
	})
}

// lastSet returns the last good copy of the party's key set from src and
// when it was fetched; ok is false when the store has none from src.
func (s *Store) lastSet(ctx context.Context, partyID, src string) (body []byte, fetched time.Time, ok bool, err error) {
	var ms int64
	err = s.db.QueryRowContext(ctx, "SELECT body, fetched FROM trust_sets WHERE party_id = ? AND url = ?", partyID, src).Scan(&body, &ms)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, time.Time{}, false, nil
	case err != nil:
		return nil, time.Time{}, false, err
	}
	return body, time.UnixMilli(ms), true, nil
}

// write runs fn in one transaction and commits it. A write once begun is
// not cut short by ctx: fn gets a context without its cancellation.
func (s *Store) write(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ctx = context.WithoutCancel(ctx)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(ctx, tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

func optTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := time.UnixMilli(v.Int64)
	return &t
}
