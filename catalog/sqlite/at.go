package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"samband/catalog"
)

// atBatch is how many records DatasetsAt reads at a time: its memory is
// about this many records, however large the catalogue.
const atBatch = 256

// DatasetsAt calls fn with every record as it stood at time at, ordered by
// id, as catalog.Store describes. The version of a record at at is the one
// written last at or before at: the current row when the record has not
// changed since, else the newest of its earlier versions (record_versions)
// written by then; a record none of whose versions was written by then
// did not exist yet. A record whose version at at is withdrawn is left
// out; the others are live (Withdrawn false, whatever happened later),
// with the Seq of their version.
//
// Sources are the provenance rows of the sources that had first listed
// the record by at, the version's owner first, without Original. The
// store keeps each source's latest provenance only, so: the owner's Hash
// and LastChanged are the version's; Withdrawn is set when the source
// withdrew the record at or before at (a source that withdrew it and
// listed it again since shows as listing it); LastSeen and the other
// sources' LastChanged are capped at at.
//
// The walk reads the records atBatch at a time, in one read transaction
// (a snapshot: writes during the walk are not seen), and stops at the
// first error of fn, which it returns as it is.
func (s *Store) DatasetsAt(ctx context.Context, at time.Time, fn func(catalog.Dataset) error) error {
	tx, err := s.readTx(ctx)
	if err != nil {
		return fmt.Errorf("datasets at %s: %w", at.Format(time.RFC3339), err)
	}
	defer tx.Rollback()
	t := clampNano(at)
	after := ""
	for {
		batch, err := s.versionsAt(ctx, tx, t, after)
		if err != nil {
			return fmt.Errorf("datasets at %s: %w", at.Format(time.RFC3339), err)
		}
		if len(batch) == 0 {
			return nil
		}
		if err := s.sourcesAt(ctx, tx, t, batch); err != nil {
			return fmt.Errorf("datasets at %s: %w", at.Format(time.RFC3339), err)
		}
		for _, v := range batch {
			if err := fn(v.d); err != nil {
				return err
			}
		}
		after = batch[len(batch)-1].d.ID
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// versionAt is a record's version at a time, with what sourcesAt needs.
type versionAt struct {
	d       catalog.Dataset
	owner   string
	hash    string
	changed int64
}

// versionsAt returns the versions at t of the next atBatch records after
// the id after that existed and were not withdrawn at t.
func (s *Store) versionsAt(ctx context.Context, tx *sql.Tx, t int64, after string) ([]versionAt, error) {
	return s.versionsWhere(ctx, tx, t, `r.id > ?2`, after, atBatch)
}

// versionsWhere returns the versions at t, as versionsAt, of the records
// that match where (which may use ?2 for arg), at most limit.
func (s *Store) versionsWhere(ctx context.Context, tx *sql.Tx, t int64, where string, arg any, limit int) ([]versionAt, error) {
	// For a record changed after t, v is its newest earlier version
	// written at or before t (none: the record did not exist yet).
	rows, err := tx.QueryContext(ctx, `SELECT r.id,
			CASE WHEN r.changed <= ?1 THEN r.owner ELSE v.owner END,
			CASE WHEN r.changed <= ?1 THEN r.record ELSE v.record END,
			CASE WHEN r.changed <= ?1 THEN r.seq ELSE v.seq END,
			CASE WHEN r.changed <= ?1 THEN r.hash ELSE v.hash END,
			CASE WHEN r.changed <= ?1 THEN r.changed ELSE v.changed END
		FROM records r
		LEFT JOIN record_versions v ON r.changed > ?1 AND v.record_id = r.id
			AND v.seq = (SELECT max(w.seq) FROM record_versions w WHERE w.record_id = r.id AND w.changed <= ?1)
		WHERE `+where+` AND (r.changed <= ?1 OR v.record_id IS NOT NULL)
			AND coalesce(CASE WHEN r.changed <= ?1 THEN r.withdrawn_at ELSE v.withdrawn_at END > ?1, true)
		ORDER BY r.id LIMIT ?3`, t, arg, limit)
	if err != nil {
		return nil, s.readErr(err)
	}
	defer rows.Close()
	var out []versionAt
	for rows.Next() {
		var (
			v  versionAt
			js []byte
		)
		if err := rows.Scan(&v.d.ID, &v.owner, &js, &v.d.Seq, &v.hash, &v.changed); err != nil {
			return nil, s.readErr(err)
		}
		id, seq := v.d.ID, v.d.Seq
		if err := json.Unmarshal(js, &v.d); err != nil {
			return nil, fmt.Errorf("decode record %s: %w", id, err)
		}
		v.d.ID, v.d.Seq = id, seq
		v.d.Sources, v.d.Withdrawn, v.d.WithdrawnAt = nil, false, nil
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, s.readErr(err)
	}
	return out, nil
}

// sourcesAt sets the Sources of the versions in batch as of t.
func (s *Store) sourcesAt(ctx context.Context, tx *sql.Tx, t int64, batch []versionAt) error {
	ids := make([]string, len(batch))
	byID := make(map[string]*versionAt, len(batch))
	for i := range batch {
		ids[i] = batch[i].d.ID
		byID[ids[i]] = &batch[i]
	}
	js, _ := json.Marshal(ids) // strings always encode
	rows, err := tx.QueryContext(ctx, `SELECT record_id, source, country, first_seen, last_changed, last_seen, hash, withdrawn
		FROM provenance WHERE record_id IN (SELECT value FROM json_each(?1)) AND first_seen <= ?2
		ORDER BY record_id, first_seen, source`, string(js), t)
	if err != nil {
		return fmt.Errorf("provenance: %w", s.readErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id                   string
			sr                   catalog.SourceRecord
			first, changed, seen int64
			withdrawn            sql.NullInt64
		)
		if err := rows.Scan(&id, &sr.Source, &sr.Country, &first, &changed, &seen, &sr.Hash, &withdrawn); err != nil {
			return fmt.Errorf("provenance: %w", s.readErr(err))
		}
		v := byID[id]
		if v == nil {
			continue
		}
		sr.FirstSeen = fromNano(first)
		sr.LastSeen = fromNano(min(seen, t))
		sr.LastChanged = fromNano(min(changed, t))
		if withdrawn.Valid && withdrawn.Int64 <= t {
			sr.Withdrawn = fromNullNano(withdrawn)
		}
		if sr.Source == v.owner {
			sr.Hash, sr.LastChanged = v.hash, fromNano(v.changed)
			v.d.Sources = append([]catalog.SourceRecord{sr}, v.d.Sources...)
			continue
		}
		v.d.Sources = append(v.d.Sources, sr)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("provenance: %w", s.readErr(err))
	}
	return nil
}

// ChangedSince calls fn with every record that changed after time at, as
// catalog.Store describes: its current version (Sources without Original;
// Withdrawn when it is) and its version at at, nil when it did not exist
// or was withdrawn then. A change is new content, a withdrawal or come-back,
// or a source that first listed the record, or withdrew it, after at. The
// records come atBatch at a time, in one read transaction, ordered by id.
func (s *Store) ChangedSince(ctx context.Context, at time.Time, fn func(now catalog.Dataset, then *catalog.Dataset) error) error {
	tx, err := s.readTx(ctx)
	if err != nil {
		return fmt.Errorf("changed since %s: %w", at.Format(time.RFC3339), err)
	}
	defer tx.Rollback()
	t := clampNano(at)
	rows, err := tx.QueryContext(ctx, `SELECT id FROM records WHERE changed > ?1
		UNION SELECT record_id FROM provenance WHERE first_seen > ?1
		UNION SELECT record_id FROM provenance WHERE withdrawn > ?1
		ORDER BY 1`, t)
	if err != nil {
		return fmt.Errorf("changed since %s: %w", at.Format(time.RFC3339), s.readErr(err))
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("changed since %s: %w", at.Format(time.RFC3339), s.readErr(err))
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("changed since %s: %w", at.Format(time.RFC3339), s.readErr(err))
	}
	for len(ids) > 0 {
		batch := ids[:min(atBatch, len(ids))]
		ids = ids[len(batch):]
		js, _ := json.Marshal(batch)
		now, err := s.list(ctx, tx, `SELECT `+recordColumns+` FROM records r WHERE r.id IN (SELECT value FROM json_each(?)) ORDER BY r.id`, string(js))
		if err != nil {
			return fmt.Errorf("changed since %s: %w", at.Format(time.RFC3339), err)
		}
		then, err := s.versionsWhere(ctx, tx, t, `r.id IN (SELECT value FROM json_each(?2))`, string(js), len(batch))
		if err != nil {
			return fmt.Errorf("changed since %s: %w", at.Format(time.RFC3339), err)
		}
		if err := s.sourcesAt(ctx, tx, t, then); err != nil {
			return fmt.Errorf("changed since %s: %w", at.Format(time.RFC3339), err)
		}
		byID := make(map[string]*catalog.Dataset, len(then))
		for i := range then {
			byID[then[i].d.ID] = &then[i].d
		}
		for _, d := range now {
			if err := fn(d, byID[d.ID]); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}
