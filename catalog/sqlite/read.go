package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"samband/catalog"
)

// Every read first commits the writes not yet committed, so that it sees
// every write that returned before it started; a read's queries run in one
// read transaction, a snapshot of the file.

// readTx begins a read transaction after flushing pending writes.
func (s *Store) readTx(ctx context.Context) (*sql.Tx, error) {
	if err := s.flush(); err != nil {
		return nil, err
	}
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, s.readErr(err)
	}
	return tx, nil
}

const recordColumns = `r.id, r.owner, r.record, r.withdrawn_at, r.seq`

// scanRecord reads the recordColumns of a row, then into extra the
// columns that follow them.
func scanRecord(sc interface{ Scan(...any) error }, extra ...any) (catalog.Dataset, string, error) {
	var (
		d         catalog.Dataset
		id, owner string
		js        []byte
		withdrawn sql.NullInt64
		seq       int64
	)
	if err := sc.Scan(append([]any{&id, &owner, &js, &withdrawn, &seq}, extra...)...); err != nil {
		return d, "", err
	}
	if err := json.Unmarshal(js, &d); err != nil {
		return d, "", fmt.Errorf("decode record %s: %w", id, err)
	}
	d.ID = id
	d.Seq = seq
	d.WithdrawnAt = fromNullNano(withdrawn)
	d.Withdrawn = d.WithdrawnAt != nil
	return d, owner, nil
}

// Dataset returns a record by id, else by IRI, withdrawn or not, or
// catalog.ErrNotFound. Its Sources carry Original; the first is the
// source whose statement the record holds, the others follow in the order
// they first listed it.
func (s *Store) Dataset(ctx context.Context, idOrIRI string) (catalog.Dataset, error) {
	tx, err := s.readTx(ctx)
	if err != nil {
		return catalog.Dataset{}, fmt.Errorf("dataset %s: %w", idOrIRI, err)
	}
	defer tx.Rollback()
	d, err := s.datasetTx(ctx, tx, idOrIRI)
	if err != nil {
		return catalog.Dataset{}, fmt.Errorf("dataset %s: %w", idOrIRI, err)
	}
	d.Sources, err = s.provenance(ctx, tx, []string{d.ID}, true)
	if err != nil {
		return catalog.Dataset{}, fmt.Errorf("dataset %s: %w", idOrIRI, err)
	}
	if err := tx.Commit(); err != nil {
		return catalog.Dataset{}, fmt.Errorf("dataset %s: %w", idOrIRI, s.readErr(err))
	}
	return d, nil
}

// datasetTx returns a record by id or IRI, without Sources.
func (s *Store) datasetTx(ctx context.Context, tx *sql.Tx, idOrIRI string) (catalog.Dataset, error) {
	q := `SELECT ` + recordColumns + ` FROM records r WHERE r.id = ?`
	d, _, err := scanRecord(tx.QueryRowContext(ctx, q, idOrIRI))
	if errors.Is(err, sql.ErrNoRows) {
		d, _, err = scanRecord(tx.QueryRowContext(ctx, q+` AND r.iri = ?`, catalog.IDFor(idOrIRI), idOrIRI))
	}
	if errors.Is(err, sql.ErrNoRows) {
		return d, catalog.ErrNotFound
	}
	return d, s.readErr(err)
}

// provenance returns the provenance of the records ids, by record id when
// there are several (see sourcesOf), or as one list.
func (s *Store) provenance(ctx context.Context, tx *sql.Tx, ids []string, original bool) ([]catalog.SourceRecord, error) {
	m, err := s.sourcesOf(ctx, tx, ids, original)
	if err != nil {
		return nil, err
	}
	return m[ids[0]], nil
}

// sourcesOf returns the provenance of each of the records ids, the owner's
// first.
func (s *Store) sourcesOf(ctx context.Context, tx *sql.Tx, ids []string, original bool) (map[string][]catalog.SourceRecord, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	orig := `''`
	join := ``
	if original {
		orig = `coalesce(o.original, '')`
		join = `LEFT JOIN originals o ON o.record_id = p.record_id AND o.source = p.source`
	}
	js, _ := json.Marshal(ids)
	rows, err := tx.QueryContext(ctx, `SELECT p.record_id, p.source, p.country, p.first_seen, p.last_changed,
		p.last_seen, p.hash, p.withdrawn, `+orig+`
		FROM provenance p JOIN records r ON r.id = p.record_id `+join+`
		WHERE p.record_id IN (SELECT value FROM json_each(?))
		ORDER BY p.record_id, p.source = r.owner DESC, p.first_seen, p.source`, string(js))
	if err != nil {
		return nil, fmt.Errorf("provenance: %w", s.readErr(err))
	}
	defer rows.Close()
	m := make(map[string][]catalog.SourceRecord, len(ids))
	for rows.Next() {
		var (
			id                   string
			sr                   catalog.SourceRecord
			first, changed, seen int64
			withdrawn            sql.NullInt64
		)
		if err := rows.Scan(&id, &sr.Source, &sr.Country, &first, &changed, &seen, &sr.Hash, &withdrawn, &sr.Original); err != nil {
			return nil, fmt.Errorf("provenance: %w", s.readErr(err))
		}
		sr.FirstSeen, sr.LastChanged, sr.LastSeen = fromNano(first), fromNano(changed), fromNano(seen)
		sr.Withdrawn = fromNullNano(withdrawn)
		m[id] = append(m[id], sr)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("provenance: %w", s.readErr(err))
	}
	return m, nil
}

// Datasets returns a page of records ordered by id, with the total they
// are a page of. A Limit of zero or less means 100, a negative Offset 0.
// Sources carry no Original.
func (s *Store) Datasets(ctx context.Context, opt catalog.ListOptions) (catalog.Page, error) {
	if opt.Limit <= 0 {
		opt.Limit = 100
	}
	if opt.Offset < 0 {
		opt.Offset = 0
	}
	where := ` WHERE r.withdrawn_at IS NULL`
	if opt.IncludeWithdrawn {
		where = ``
	}
	page := catalog.Page{Items: []catalog.Dataset{}}
	tx, err := s.readTx(ctx)
	if err != nil {
		return page, fmt.Errorf("datasets: %w", err)
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM records r`+where).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("datasets: count: %w", s.readErr(err))
	}
	page.Items, err = s.list(ctx, tx, `SELECT `+recordColumns+` FROM records r`+where+` ORDER BY r.id LIMIT ? OFFSET ?`,
		opt.Limit, opt.Offset)
	if err != nil {
		return page, fmt.Errorf("datasets: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return page, fmt.Errorf("datasets: %w", s.readErr(err))
	}
	return page, nil
}

// DatasetsByID returns the records with the given ids, withdrawn or not, in
// the order of ids; an id no record has is left out. Sources carry no
// Original. A search answers with ids; this loads the page they name.
func (s *Store) DatasetsByID(ctx context.Context, ids []string) ([]catalog.Dataset, error) {
	if len(ids) == 0 {
		return []catalog.Dataset{}, nil
	}
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, fmt.Errorf("datasets by id: %w", err)
	}
	defer tx.Rollback()
	js, _ := json.Marshal(ids)
	items, err := s.list(ctx, tx, `SELECT `+recordColumns+` FROM records r WHERE r.id IN (SELECT value FROM json_each(?))`, string(js))
	if err != nil {
		return nil, fmt.Errorf("datasets by id: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("datasets by id: %w", s.readErr(err))
	}
	at := make(map[string]int, len(ids))
	for i, id := range ids {
		if _, dup := at[id]; !dup {
			at[id] = i
		}
	}
	slices.SortFunc(items, func(a, b catalog.Dataset) int { return at[a.ID] - at[b.ID] })
	return items, nil
}

// list runs a query of recordColumns and adds the records' Sources.
func (s *Store) list(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]catalog.Dataset, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, s.readErr(err)
	}
	defer rows.Close()
	items := []catalog.Dataset{}
	var ids []string
	for rows.Next() {
		d, _, err := scanRecord(rows)
		if err != nil {
			return nil, s.readErr(err)
		}
		items = append(items, d)
		ids = append(ids, d.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, s.readErr(err)
	}
	rows.Close()
	m, err := s.sourcesOf(ctx, tx, ids, false)
	if err != nil {
		return nil, err
	}
	for i := range items {
		items[i].Sources = m[items[i].ID]
	}
	return items, nil
}

// Changes returns up to limit records (100 when limit is zero or less)
// whose last change has a sequence number above afterSeq, in the order of
// their changes, withdrawn ones included: what a search index needs to
// follow the store. A record changed twice appears once, at its last
// change. Sources carry no Original.
func (s *Store) Changes(ctx context.Context, afterSeq int64, limit int) ([]catalog.Dataset, error) {
	if limit <= 0 {
		limit = 100
	}
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, fmt.Errorf("changes after %d: %w", afterSeq, err)
	}
	defer tx.Rollback()
	items, err := s.list(ctx, tx, `SELECT `+recordColumns+` FROM records r WHERE r.seq > ? ORDER BY r.seq LIMIT ?`, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("changes after %d: %w", afterSeq, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("changes after %d: %w", afterSeq, s.readErr(err))
	}
	return items, nil
}

// History returns the earlier versions of a record (by id, else IRI),
// newest first, or catalog.ErrNotFound. A version is the record as it was
// until a change replaced it: new content, a withdrawal or a come-back.
// Each carries the Seq, Withdrawn and WithdrawnAt it had, and one Sources
// entry: the source whose statement it was, with its Hash and, as
// LastChanged, when the version was written.
func (s *Store) History(ctx context.Context, id string) ([]catalog.Dataset, error) {
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", id, err)
	}
	defer tx.Rollback()
	d, err := s.datasetTx(ctx, tx, id)
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", id, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT record_id, owner, record, withdrawn_at, seq, changed, hash
		FROM record_versions WHERE record_id = ? ORDER BY seq DESC`, d.ID)
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", id, s.readErr(err))
	}
	defer rows.Close()
	versions := []catalog.Dataset{}
	for rows.Next() {
		var changed int64
		var hash string
		v, owner, err := scanRecord(rows, &changed, &hash)
		if err != nil {
			return nil, fmt.Errorf("history of %s: %w", id, s.readErr(err))
		}
		v.Sources = []catalog.SourceRecord{{Source: owner, Hash: hash, LastChanged: fromNano(changed)}}
		versions = append(versions, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history of %s: %w", id, s.readErr(err))
	}
	return versions, nil
}

// Sources returns every source, ordered by name, with the number of
// records it lists (those whose provenance of it is not withdrawn, merged
// ones included), its last run, running or finished, and the catalogues
// it publishes (see SetCatalogs).
func (s *Store) Sources(ctx context.Context) ([]catalog.SourceStatus, error) {
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, fmt.Errorf("sources: %w", err)
	}
	defer tx.Rollback()
	out, err := s.sources(ctx, tx, "")
	if err != nil {
		return nil, fmt.Errorf("sources: %w", err)
	}
	return out, nil
}

// Source returns one source like Sources, or catalog.ErrNotFound.
func (s *Store) Source(ctx context.Context, name string) (catalog.SourceStatus, error) {
	tx, err := s.readTx(ctx)
	if err != nil {
		return catalog.SourceStatus{}, fmt.Errorf("source %s: %w", name, err)
	}
	defer tx.Rollback()
	out, err := s.sources(ctx, tx, name)
	if err != nil {
		return catalog.SourceStatus{}, fmt.Errorf("source %s: %w", name, err)
	}
	if len(out) == 0 {
		return catalog.SourceStatus{}, fmt.Errorf("source %s: %w", name, catalog.ErrNotFound)
	}
	return out[0], nil
}

// sources returns the sources, or the one named name when name is set.
func (s *Store) sources(ctx context.Context, tx *sql.Tx, name string) ([]catalog.SourceStatus, error) {
	q := `SELECT s.name, s.country, s.kind, s.url, s.aggregator, s.etag, s.last_modified, s.catalogs,
		(SELECT count(*) FROM provenance p WHERE p.source = s.name AND p.withdrawn IS NULL),
		(SELECT max(id) FROM runs WHERE source = s.name)
		FROM sources s`
	args := []any{}
	if name != "" {
		q += ` WHERE s.name = ?`
		args = append(args, name)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY s.name`, args...)
	if err != nil {
		return nil, s.readErr(err)
	}
	defer rows.Close()
	out := []catalog.SourceStatus{}
	var lastRuns []sql.NullInt64
	for rows.Next() {
		var st catalog.SourceStatus
		var last sql.NullInt64
		var cats []byte
		if err := rows.Scan(&st.Name, &st.Country, &st.Kind, &st.URL, &st.Aggregator, &st.ETag, &st.LastModified, &cats,
			&st.Records, &last); err != nil {
			return nil, s.readErr(err)
		}
		if err := json.Unmarshal(cats, &st.Catalogs); err != nil {
			return nil, fmt.Errorf("decode catalogues of %s: %w", st.Name, err)
		}
		if len(st.Catalogs) == 0 {
			st.Catalogs = nil
		}
		out = append(out, st)
		lastRuns = append(lastRuns, last)
	}
	if err := rows.Err(); err != nil {
		return nil, s.readErr(err)
	}
	rows.Close()
	for i, last := range lastRuns {
		if !last.Valid {
			continue
		}
		rep, err := s.runTx(ctx, tx, last.Int64)
		if err != nil {
			return nil, err
		}
		out[i].LastRun = &rep
	}
	return out, nil
}

// Run returns a run's report, or catalog.ErrNotFound. A run still running
// reports its source, status and start.
func (s *Store) Run(ctx context.Context, id int64) (catalog.Report, error) {
	tx, err := s.readTx(ctx)
	if err != nil {
		return catalog.Report{}, fmt.Errorf("run %d: %w", id, err)
	}
	defer tx.Rollback()
	rep, err := s.runTx(ctx, tx, id)
	if err != nil {
		return catalog.Report{}, fmt.Errorf("run %d: %w", id, err)
	}
	return rep, nil
}

func (s *Store) runTx(ctx context.Context, tx *sql.Tx, id int64) (catalog.Report, error) {
	rep := catalog.Report{ID: id}
	var started int64
	var js []byte
	err := tx.QueryRowContext(ctx, `SELECT source, status, started, report FROM runs WHERE id = ?`, id).
		Scan(&rep.Source, &rep.Status, &started, &js)
	if errors.Is(err, sql.ErrNoRows) {
		return rep, catalog.ErrNotFound
	}
	if err != nil {
		return rep, s.readErr(err)
	}
	rep.Started = fromNano(started)
	if len(js) > 0 {
		if err := json.Unmarshal(js, &rep); err != nil {
			return rep, fmt.Errorf("decode report of run %d: %w", id, err)
		}
	}
	if rep.Errors == nil {
		rep.Errors = []catalog.Problem{}
	}
	return rep, nil
}
