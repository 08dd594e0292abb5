package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"samband/catalog"
)

// The coverage of the catalogue (see catalog.CoveragePoint) is kept in
// three parts (migrations/0004_coverage.sql): triggers on records keep the
// live counts by country and theme, and by country with the quality
// scores, at every change; FinishRun copies them into a snapshot, or,
// when they equal the last snapshot's, points the run at that one. A
// snapshot thus costs a few hundred rows at most, whatever the size of the
// catalogue, and nothing while the counts stand still.

type countRow struct {
	country, theme string
	records        int
}

type qualityRow struct {
	country                   string
	records, scored, scoreSum int
}

// snapshotLocked records the coverage of the catalogue as run leaves it.
// It runs inside FinishRun's transaction.
func (s *Store) snapshotLocked(ctx context.Context, run int64, source string, finished time.Time) error {
	counts, err := liveCounts(ctx, s.w)
	if err != nil {
		return err
	}
	quality, err := liveQuality(ctx, s.w)
	if err != nil {
		return err
	}
	snapshot := run
	var last int64
	err = s.w.QueryRowContext(ctx, `SELECT snapshot FROM coverage_runs ORDER BY finished DESC, run DESC LIMIT 1`).Scan(&last)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("last coverage snapshot: %w", err)
	default:
		lastCounts, lastQuality, err := snapshotRows(ctx, s.w, last)
		if err != nil {
			return err
		}
		if slices.Equal(counts, lastCounts) && slices.Equal(quality, lastQuality) {
			snapshot = last
		}
	}
	if snapshot == run {
		for _, c := range counts {
			if _, err := s.w.ExecContext(ctx, `INSERT INTO coverage_counts (snapshot, country, theme, records) VALUES (?, ?, ?, ?)`,
				run, c.country, c.theme, c.records); err != nil {
				return fmt.Errorf("coverage snapshot: %w", err)
			}
		}
		for _, q := range quality {
			if _, err := s.w.ExecContext(ctx, `INSERT INTO coverage_quality (snapshot, country, records, scored, score_sum) VALUES (?, ?, ?, ?, ?)`,
				run, q.country, q.records, q.scored, q.scoreSum); err != nil {
				return fmt.Errorf("coverage snapshot: %w", err)
			}
		}
	}
	if _, err := s.w.ExecContext(ctx, `INSERT INTO coverage_runs (run, source, finished, snapshot) VALUES (?, ?, ?, ?)`,
		run, source, unixNano(finished), snapshot); err != nil {
		return fmt.Errorf("coverage snapshot: %w", err)
	}
	return nil
}

// querier is a connection or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func liveCounts(ctx context.Context, q querier) ([]countRow, error) {
	return scanRows(ctx, q, func(r *countRow) []any { return []any{&r.country, &r.theme, &r.records} },
		`SELECT country, theme, records FROM coverage_live WHERE records > 0 ORDER BY country, theme`)
}

func liveQuality(ctx context.Context, q querier) ([]qualityRow, error) {
	return scanRows(ctx, q, func(r *qualityRow) []any { return []any{&r.country, &r.records, &r.scored, &r.scoreSum} },
		`SELECT country, records, scored, score_sum FROM coverage_live_quality WHERE records > 0 ORDER BY country`)
}

// snapshotRows returns the rows of one snapshot, in the order of
// liveCounts and liveQuality.
func snapshotRows(ctx context.Context, q querier, snapshot int64) ([]countRow, []qualityRow, error) {
	counts, err := scanRows(ctx, q, func(r *countRow) []any { return []any{&r.country, &r.theme, &r.records} },
		`SELECT country, theme, records FROM coverage_counts WHERE snapshot = ? ORDER BY country, theme`, snapshot)
	if err != nil {
		return nil, nil, err
	}
	quality, err := scanRows(ctx, q, func(r *qualityRow) []any { return []any{&r.country, &r.records, &r.scored, &r.scoreSum} },
		`SELECT country, records, scored, score_sum FROM coverage_quality WHERE snapshot = ? ORDER BY country`, snapshot)
	return counts, quality, err
}

// scanRows runs a query and scans every row into a T through the
// pointers fields returns.
func scanRows[T any](ctx context.Context, q querier, fields func(*T) []any, query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("coverage: %w", err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(fields(&v)...); err != nil {
			return nil, fmt.Errorf("coverage: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("coverage: %w", err)
	}
	return out, nil
}

// bounds returns from and to as stored times, a zero time meaning no
// bound.
func bounds(from, to time.Time) (int64, int64) {
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if !from.IsZero() {
		lo = clampNano(from)
	}
	if !to.IsZero() {
		hi = clampNano(to)
	}
	return lo, hi
}

// clampNano returns t as stored, times before 1678 or after 2261 (which
// Unix nanoseconds cannot hold) as the least or greatest time there is.
func clampNano(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// CoverageHistory returns, for every run that finished between from and
// to (inclusive; a zero time is no bound), how many live records the
// catalogue held of each country and EU theme when it finished: ordered by
// the time the runs finished, then run, country and theme. A (country,
// theme) without live records has no point.
func (s *Store) CoverageHistory(ctx context.Context, from, to time.Time) ([]catalog.CoveragePoint, error) {
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, fmt.Errorf("coverage history: %w", err)
	}
	defer tx.Rollback()
	lo, hi := bounds(from, to)
	rows, err := tx.QueryContext(ctx, `SELECT r.finished, r.run, r.source, c.country, c.theme, c.records
		FROM coverage_runs r JOIN coverage_counts c ON c.snapshot = r.snapshot
		WHERE r.finished BETWEEN ? AND ?
		ORDER BY r.finished, r.run, c.country, c.theme`, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("coverage history: %w", s.readErr(err))
	}
	defer rows.Close()
	out := []catalog.CoveragePoint{}
	for rows.Next() {
		var p catalog.CoveragePoint
		var finished int64
		if err := rows.Scan(&finished, &p.Run, &p.Source, &p.Country, &p.Theme, &p.Count); err != nil {
			return nil, fmt.Errorf("coverage history: %w", s.readErr(err))
		}
		p.Time = fromNano(finished)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("coverage history: %w", s.readErr(err))
	}
	return out, nil
}

// QualityHistory returns, for every run that finished between from and to
// (as CoverageHistory), how many live records the catalogue held of each
// country when it finished, how many of them were scored, and their mean
// score: ordered by the time the runs finished, then run and country.
func (s *Store) QualityHistory(ctx context.Context, from, to time.Time) ([]catalog.QualityPoint, error) {
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, fmt.Errorf("quality history: %w", err)
	}
	defer tx.Rollback()
	lo, hi := bounds(from, to)
	rows, err := tx.QueryContext(ctx, `SELECT r.finished, r.run, r.source, q.country, q.records, q.scored, q.score_sum
		FROM coverage_runs r JOIN coverage_quality q ON q.snapshot = r.snapshot
		WHERE r.finished BETWEEN ? AND ?
		ORDER BY r.finished, r.run, q.country`, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("quality history: %w", s.readErr(err))
	}
	defer rows.Close()
	out := []catalog.QualityPoint{}
	for rows.Next() {
		var p catalog.QualityPoint
		var finished, sum int64
		if err := rows.Scan(&finished, &p.Run, &p.Source, &p.Country, &p.Count, &p.Scored, &sum); err != nil {
			return nil, fmt.Errorf("quality history: %w", s.readErr(err))
		}
		p.Time = fromNano(finished)
		p.Mean = mean(sum, p.Scored)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("quality history: %w", s.readErr(err))
	}
	return out, nil
}

func mean(sum int64, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(sum) / float64(n)
}

// CoverageAt returns the coverage of the catalogue as the last run that
// finished at or before at left it (of runs that finished at the same
// time, the one with the higher id), with Previous set to that of the run
// that finished before it; catalog.ErrNotFound when none had finished.
func (s *Store) CoverageAt(ctx context.Context, at time.Time) (catalog.Coverage, error) {
	tx, err := s.readTx(ctx)
	if err != nil {
		return catalog.Coverage{}, fmt.Errorf("coverage at %s: %w", at.Format(time.RFC3339), err)
	}
	defer tx.Rollback()
	c, err := coverageBefore(ctx, tx, clampNano(at), math.MaxInt64)
	if err != nil {
		return catalog.Coverage{}, fmt.Errorf("coverage at %s: %w", at.Format(time.RFC3339), s.readErr(err))
	}
	prev, err := coverageBefore(ctx, tx, unixNano(c.Time), c.Run)
	switch {
	case errors.Is(err, catalog.ErrNotFound):
	case err != nil:
		return catalog.Coverage{}, fmt.Errorf("coverage at %s: %w", at.Format(time.RFC3339), s.readErr(err))
	default:
		c.Previous = &prev
	}
	return c, nil
}

// coverageBefore returns the coverage of the last run that finished at or
// before finished, with an id below run when it finished then.
func coverageBefore(ctx context.Context, tx *sql.Tx, finished, run int64) (catalog.Coverage, error) {
	var c catalog.Coverage
	var at, snapshot int64
	err := tx.QueryRowContext(ctx, `SELECT run, source, finished, snapshot FROM coverage_runs
		WHERE finished < ?1 OR (finished = ?1 AND run < ?2)
		ORDER BY finished DESC, run DESC LIMIT 1`, finished, run).Scan(&c.Run, &c.Source, &at, &snapshot)
	if errors.Is(err, sql.ErrNoRows) {
		return c, catalog.ErrNotFound
	}
	if err != nil {
		return c, err
	}
	c.Time = fromNano(at)
	counts, quality, err := snapshotRows(ctx, tx, snapshot)
	if err != nil {
		return c, err
	}
	c.Themes = make([]catalog.CoveragePoint, 0, len(counts))
	for _, r := range counts {
		c.Themes = append(c.Themes, catalog.CoveragePoint{Time: c.Time, Run: c.Run, Source: c.Source,
			Country: r.country, Theme: r.theme, Count: r.records})
	}
	c.Quality = make([]catalog.QualityPoint, 0, len(quality))
	for _, r := range quality {
		c.Quality = append(c.Quality, catalog.QualityPoint{Time: c.Time, Run: c.Run, Source: c.Source,
			Country: r.country, Count: r.records, Scored: r.scored, Mean: mean(int64(r.scoreSum), r.scored)})
	}
	return c, nil
}
