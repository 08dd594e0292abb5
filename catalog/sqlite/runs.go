package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"samband/catalog"
)

// UpsertSource records a configured source, name being the key. The
// validators of a known source are kept when its URL stays the same and
// src carries none, and dropped when the URL changes: they belong to the
// old address.
func (s *Store) UpsertSource(ctx context.Context, src catalog.Source) error {
	if src.Name == "" {
		return errors.New("upsert source: empty name")
	}
	err := s.write(ctx, true, func(ctx context.Context) (func(), error) {
		_, err := s.w.ExecContext(ctx, `INSERT INTO sources (name, country, kind, url, aggregator, etag, last_modified)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
			ON CONFLICT (name) DO UPDATE SET
				country = excluded.country,
				kind = excluded.kind,
				url = excluded.url,
				aggregator = excluded.aggregator,
				etag = CASE WHEN excluded.etag <> '' OR excluded.last_modified <> '' THEN excluded.etag
					WHEN url = excluded.url THEN etag ELSE '' END,
				last_modified = CASE WHEN excluded.etag <> '' OR excluded.last_modified <> '' THEN excluded.last_modified
					WHEN url = excluded.url THEN last_modified ELSE '' END`,
			src.Name, src.Country, src.Kind, src.URL, src.Aggregator, src.ETag, src.LastModified)
		if err != nil {
			return nil, err
		}
		return func() {
			for _, r := range s.runs {
				if r.source == src.Name {
					r.country, r.aggregator = src.Country, src.Aggregator
				}
			}
		}, nil
	})
	if err != nil {
		return fmt.Errorf("upsert source %s: %w", src.Name, err)
	}
	return nil
}

// SetValidators stores the ETag and Last-Modified of a source's last
// complete fetch, or returns catalog.ErrNotFound for an unknown source.
func (s *Store) SetValidators(ctx context.Context, source, etag, lastModified string) error {
	err := s.write(ctx, true, func(ctx context.Context) (func(), error) {
		res, err := s.w.ExecContext(ctx, `UPDATE sources SET etag = ?, last_modified = ? WHERE name = ?`, etag, lastModified, source)
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, err
		} else if n == 0 {
			return nil, catalog.ErrNotFound
		}
		return nil, nil
	})
	if err != nil {
		return fmt.Errorf("set validators of %s: %w", source, err)
	}
	return nil
}

// SetCatalogs replaces the catalogues a source publishes, as
// catalog.Store describes, or returns catalog.ErrNotFound for an unknown
// source.
func (s *Store) SetCatalogs(ctx context.Context, source string, cats []catalog.Catalog) error {
	if cats == nil {
		cats = []catalog.Catalog{}
	}
	js, err := json.Marshal(cats)
	if err != nil {
		return fmt.Errorf("set catalogues of %s: encode: %w", source, err)
	}
	err = s.write(ctx, true, func(ctx context.Context) (func(), error) {
		res, err := s.w.ExecContext(ctx, `UPDATE sources SET catalogs = ? WHERE name = ?`, js, source)
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, err
		} else if n == 0 {
			return nil, catalog.ErrNotFound
		}
		return nil, nil
	})
	if err != nil {
		return fmt.Errorf("set catalogues of %s: %w", source, err)
	}
	return nil
}

// StartRun opens a harvest run of a known source (else catalog.ErrNotFound)
// and returns its id; started defaults to now. A source has one run at a
// time: a run of the source still running, here or left behind by a
// process that stopped, is marked failed with an error saying so, and
// further Puts to it fail.
func (s *Store) StartRun(ctx context.Context, source string, started time.Time) (int64, error) {
	if started.IsZero() {
		started = time.Now()
	}
	var id int64
	err := s.write(ctx, true, func(ctx context.Context) (func(), error) {
		var r openRun
		err := s.w.QueryRowContext(ctx, `SELECT country, aggregator FROM sources WHERE name = ?`, source).Scan(&r.country, &r.aggregator)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, catalog.ErrNotFound
		}
		if err != nil {
			return nil, err
		}
		r.source = source
		if err := s.w.QueryRowContext(ctx, `INSERT INTO runs (source, status, started) VALUES (?, ?, ?) RETURNING id`,
			source, catalog.StatusRunning, unixNano(started)).Scan(&id); err != nil {
			return nil, err
		}
		stale, err := s.staleRunsLocked(ctx, source, id)
		if err != nil {
			return nil, err
		}
		for _, st := range stale {
			msg := fmt.Sprintf("the run never finished: run %d of the same source replaced it", id)
			if s.runs[st.ID] == nil {
				msg = fmt.Sprintf("the run never finished: the gateway stopped during it (found by run %d)", id)
			}
			st.Status = catalog.StatusFailed
			st.Finished = started
			st.DurationMS = started.Sub(st.Started).Milliseconds()
			st.Errors = append(st.Errors, catalog.Problem{Severity: "error", Message: msg})
			if err := s.saveReportLocked(ctx, st); err != nil {
				return nil, err
			}
		}
		return func() {
			s.runs[id] = &r
			for _, st := range stale {
				delete(s.runs, st.ID)
			}
		}, nil
	})
	if err != nil {
		return 0, fmt.Errorf("start run of %s: %w", source, err)
	}
	return id, nil
}

// staleRunsLocked returns the runs of source still running, but for except.
func (s *Store) staleRunsLocked(ctx context.Context, source string, except int64) ([]catalog.Report, error) {
	rows, err := s.w.QueryContext(ctx, `SELECT id, started FROM runs WHERE source = ? AND status = ? AND id <> ?`,
		source, catalog.StatusRunning, except)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var reps []catalog.Report
	for rows.Next() {
		rep := catalog.Report{Source: source, Status: catalog.StatusRunning}
		var started int64
		if err := rows.Scan(&rep.ID, &started); err != nil {
			return nil, err
		}
		rep.Started = fromNano(started)
		reps = append(reps, rep)
	}
	return reps, rows.Err()
}

func (s *Store) saveReportLocked(ctx context.Context, rep catalog.Report) error {
	if rep.Errors == nil {
		rep.Errors = []catalog.Problem{}
	}
	js, err := json.Marshal(rep)
	if err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE runs SET status = ?, finished = ?, report = ? WHERE id = ?`,
		rep.Status, unixNano(rep.Finished), js, rep.ID); err != nil {
		return fmt.Errorf("store report of run %d: %w", rep.ID, err)
	}
	return nil
}

// runLocked returns a running run, from memory or, for a run this Store
// did not start, from the file.
func (s *Store) runLocked(ctx context.Context, id int64) (*openRun, error) {
	if r := s.runs[id]; r != nil {
		return r, nil
	}
	var r openRun
	var status string
	err := s.w.QueryRowContext(ctx, `SELECT r.source, r.status, s.country, s.aggregator
		FROM runs r JOIN sources s ON s.name = r.source WHERE r.id = ?`, id).Scan(&r.source, &status, &r.country, &r.aggregator)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("run %d: %w", id, catalog.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("run %d: %w", id, err)
	}
	if status != catalog.StatusRunning {
		return nil, fmt.Errorf("run %d is %s, not running", id, status)
	}
	s.runs[id] = &r
	return &r, nil
}

// FinishRun closes a running run with its report, as catalog.Store
// describes, and commits every write of the run. The store completes the
// report: ID, Source, Started (when zero), Finished (now, when zero),
// DurationMS (when zero) and Withdrawn, which it counts itself.
//
// Withdrawn counts the records the source no longer lists: their provenance
// of the source is withdrawn, and those no source lists any more are marked
// withdrawn, with the previous version kept in their history.
//
// Every finished run, whatever its status, leaves a snapshot of the
// catalogue's coverage as of rep.Finished (see CoverageHistory), written in
// the same transaction; it costs as many rows as there are countries and
// themes with live records, or one row when nothing they count changed.
//
// A complete run some of whose writes were lost (a batch that failed to
// commit) is stored as partial, with an error saying why, and withdraws
// nothing; FinishRun then returns an error too.
func (s *Store) FinishRun(ctx context.Context, run int64, rep catalog.Report) (int, error) {
	switch rep.Status {
	case catalog.StatusComplete, catalog.StatusPartial, catalog.StatusFailed:
	default:
		return 0, fmt.Errorf("finish run %d: status %q is not complete, partial or failed", run, rep.Status)
	}
	var withdrawn int
	var lost error
	err := s.write(ctx, true, func(ctx context.Context) (func(), error) {
		withdrawn = 0
		r, err := s.runLocked(ctx, run)
		if err != nil {
			return nil, err
		}
		var started int64
		if err := s.w.QueryRowContext(ctx, `SELECT started FROM runs WHERE id = ?`, run).Scan(&started); err != nil {
			return nil, err
		}
		rep.ID, rep.Source = run, r.source
		if rep.Started.IsZero() {
			rep.Started = fromNano(started)
		}
		if rep.Finished.IsZero() {
			rep.Finished = time.Now()
		}
		if rep.DurationMS == 0 {
			rep.DurationMS = rep.Finished.Sub(rep.Started).Milliseconds()
		}
		if lost = r.lost; lost != nil && rep.Status == catalog.StatusComplete {
			rep.Status = catalog.StatusPartial
			rep.Errors = append(rep.Errors, catalog.Problem{Severity: "error",
				Message: fmt.Sprintf("some records of the run were not stored (%v): nothing withdrawn", lost)})
		}
		// A complete run that was answered "304 Not Modified" read no
		// records: it lists nothing, so it must withdraw nothing.
		if rep.Status == catalog.StatusComplete && !rep.NotModified {
			if withdrawn, err = s.withdrawLocked(ctx, run, r.source, rep.Finished); err != nil {
				return nil, err
			}
		}
		rep.Withdrawn = withdrawn
		if err := s.snapshotLocked(ctx, run, r.source, rep.Finished); err != nil {
			return nil, err
		}
		s.txRuns[run] = true
		return func() { delete(s.runs, run) }, s.saveReportLocked(ctx, rep)
	})
	if err != nil {
		return 0, fmt.Errorf("finish run %d: %w", run, err)
	}
	if lost != nil {
		return 0, fmt.Errorf("finish run %d: stored as partial: %w", run, lost)
	}
	return withdrawn, nil
}

// withdrawLocked withdraws the source's provenance of every record run did
// not list, and every record that no source lists any more.
func (s *Store) withdrawLocked(ctx context.Context, run int64, source string, at time.Time) (int, error) {
	rows, err := s.w.QueryContext(ctx, `UPDATE provenance SET withdrawn = ?
		WHERE source = ? AND withdrawn IS NULL AND last_run <> ? RETURNING record_id`,
		unixNano(at), source, run)
	if err != nil {
		return 0, fmt.Errorf("withdraw: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("withdraw: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("withdraw: %w", err)
	}
	for _, id := range ids {
		var listed bool
		if err := s.w.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM provenance WHERE record_id = ? AND withdrawn IS NULL)`, id).Scan(&listed); err != nil {
			return 0, fmt.Errorf("withdraw %s: %w", id, err)
		}
		if listed {
			// Another source still lists it: no version, but a new
			// sequence number, so that followers see its sources change.
			if _, err := s.st.bumpRecord.ExecContext(ctx, id, s.nextSeq()); err != nil {
				return 0, fmt.Errorf("withdraw %s: %w", id, err)
			}
			continue
		}
		if _, err := s.st.saveVersion.ExecContext(ctx, id); err != nil {
			return 0, fmt.Errorf("withdraw %s: keep version: %w", id, err)
		}
		if _, err := s.w.ExecContext(ctx, `UPDATE records SET withdrawn_at = ?2, changed = ?2, seq = ?3 WHERE id = ?1`,
			id, unixNano(at), s.nextSeq()); err != nil {
			return 0, fmt.Errorf("withdraw %s: %w", id, err)
		}
	}
	return len(ids), nil
}
