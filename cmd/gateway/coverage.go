package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"samband/catalog"
	"samband/catalog/search"
)

// coverageDims are the dimensions of GET /api/v1/coverage, by the names the
// API gives them, with the facets they count.
var coverageDims = map[string]string{
	"country": search.FacetCountry, "publisher": search.FacetPublisher, "theme": search.FacetTheme,
	"accessRights": search.FacetAccess, "format": search.FacetFormat, "license": search.FacetLicense,
	"lifeEvent": search.FacetLifeEvent, "kind": search.FacetKind, "source": search.FacetSource,
}

// coverageDimNames lists coverageDims in the order the API documents them.
var coverageDimNames = []string{"country", "publisher", "theme", "accessRights", "format", "license", "lifeEvent", "kind", "source"}

// pastIndexes builds, and keeps a few of, facet-only indexes of the
// catalogue as it stood at past times, for coverage at a date and the
// change since the previous harvest. A build reads every record as it
// stood then (Store.DatasetsAt), once per time asked; requests for the same
// time wait for the one build.
type pastIndexes struct {
	store interface {
		DatasetsAt(ctx context.Context, at time.Time, fn func(catalog.Dataset) error) error
	}
	opt search.Options

	mu    sync.Mutex
	built map[time.Time]*pastIndex
	order []time.Time // oldest first
}

type pastIndex struct {
	done chan struct{}
	idx  *search.Index
	err  error
}

// keepPast is how many past indexes pastIndexes keeps.
const keepPast = 4

// at returns the index of the catalogue as it stood at t.
func (p *pastIndexes) at(ctx context.Context, t time.Time) (*search.Index, error) {
	p.mu.Lock()
	if p.built == nil {
		p.built = map[time.Time]*pastIndex{}
	}
	b, ok := p.built[t]
	if !ok {
		b = &pastIndex{done: make(chan struct{})}
		p.built[t] = b
		p.order = append(p.order, t)
		if len(p.order) > keepPast {
			delete(p.built, p.order[0])
			p.order = p.order[1:]
		}
		go p.build(t, b)
	}
	p.mu.Unlock()
	select {
	case <-b.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if b.err != nil {
		return nil, b.err
	}
	return b.idx, nil
}

// build fills b with the catalogue at t; a failed build is forgotten, to be
// tried again by the next request.
func (p *pastIndexes) build(t time.Time, b *pastIndex) {
	defer close(b.done)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	opt := p.opt
	opt.FacetsOnly = true
	idx := search.New(opt)
	batch := make([]catalog.Dataset, 0, 1000)
	err := p.store.DatasetsAt(ctx, t, func(d catalog.Dataset) error {
		batch = append(batch, d)
		if len(batch) == cap(batch) {
			err := idx.Apply(ctx, batch)
			batch = batch[:0]
			return err
		}
		return nil
	})
	if err == nil {
		err = idx.Apply(ctx, batch)
	}
	if err != nil {
		b.err = fmt.Errorf("the catalogue at %s: %w", t.Format(time.RFC3339), err)
		p.mu.Lock()
		if p.built[t] == b {
			delete(p.built, t)
			p.order = slices.DeleteFunc(p.order, func(u time.Time) bool { return u.Equal(t) })
		}
		p.mu.Unlock()
		return
	}
	b.idx = idx
}

// parseAt reads a time parameter: a date (the catalogue as it stood at
// the end of that day, UTC) or an RFC 3339 date-time.
func parseAt(name, v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if d, err := time.Parse("2006-01-02", v); err == nil {
		return d.AddDate(0, 0, 1).Add(-time.Nanosecond), nil
	}
	return time.Time{}, badRequest("%s=%q: want a date (2026-11-01) or an RFC 3339 date-time (2026-11-01T12:00:00Z)", name, v)
}

// coverageRow is one combination of values: what the catalogue has, how
// good its metadata is, and how that changed since the harvest before.
type coverageRow struct {
	Values  map[string]string `json:"values"`
	Records int               `json:"records"`
	// Change is Records less the records of the same values in the
	// catalogue as the previous harvest left it; absent when there was none.
	Change  *int     `json:"change,omitempty"`
	Scored  int      `json:"scored"`
	Quality *float64 `json:"quality"` // mean MQA points of the scored records; null when none is
	Percent *float64 `json:"percent"` // the same, of 405
}

// coverageSince says what a coverage's change is against.
type coverageSince struct {
	Run    int64     `json:"run"`
	Source string    `json:"source"`
	Time   time.Time `json:"time"`
}

// coverage answers GET /api/v1/coverage?by=A,B[&at=DATE]: records by the
// values of one or two dimensions, with their mean quality and the change
// since the previous harvest, of the whole catalogue or of a search, now
// or as it stood at a date; JSON or CSV.
func (s *server) coverage(w http.ResponseWriter, r *http.Request) error {
	if s.index == nil {
		return &httpError{status: http.StatusServiceUnavailable, detail: "the search index is not open"}
	}
	q, err := aggregateParams(r, "by", "at", "format")
	if err != nil {
		return err
	}
	v := r.URL.Query()
	byParam := v.Get("by")
	if byParam == "" {
		byParam = "country,theme"
	}
	dims := strings.Split(byParam, ",")
	var facets []string
	for _, d := range dims {
		f, ok := coverageDims[strings.TrimSpace(d)]
		if !ok {
			return badRequest("by=%s: %q is not a dimension; give one or two of %s", byParam, d, strings.Join(coverageDimNames, ", "))
		}
		facets = append(facets, f)
	}
	if len(facets) > 2 || (len(facets) == 2 && facets[0] == facets[1]) {
		return badRequest("by=%s: give one or two different dimensions", byParam)
	}

	now := time.Now()
	idx := s.index
	var at *time.Time
	if raw := v.Get("at"); raw != "" {
		t, err := parseAt("at", raw)
		if err != nil {
			return err
		}
		if t.After(now) {
			return badRequest("at=%s is in the future", raw)
		}
		if strings.TrimSpace(q.Text) != "" {
			return badRequest("at and q do not go together: the catalogue at a past date is counted by its facets; narrow it with the filters instead")
		}
		at, now = &t, t
		if idx, err = s.past.at(r.Context(), t); err != nil {
			return err
		}
	}
	cells, err := idx.Aggregate(r.Context(), facets, q)
	if err != nil {
		if errors.Is(err, search.ErrQuery) {
			return badRequest("%s", strings.TrimPrefix(err.Error(), search.ErrQuery.Error()+": "))
		}
		return err
	}
	// The catalogue as the harvest before the last one left it.
	var since *coverageSince
	var before map[string]int
	cov, err := s.store.CoverageAt(r.Context(), now)
	switch {
	case errors.Is(err, catalog.ErrNotFound):
	case err != nil:
		return err
	case cov.Previous != nil:
		since = &coverageSince{cov.Previous.Run, cov.Previous.Source, cov.Previous.Time}
		if at == nil {
			// Now: what the index counts, less the records changed since,
			// plus those records as they were then.
			before, err = s.countsBefore(r.Context(), cells, cov.Previous.Time, facets, q)
			if err != nil {
				return err
			}
			break
		}
		past, err := s.past.at(r.Context(), cov.Previous.Time)
		if err != nil {
			return err
		}
		old, err := past.Aggregate(r.Context(), facets, q)
		if err != nil {
			return err
		}
		before = map[string]int{}
		for _, c := range old {
			before[strings.Join(c.Values, "\x00")] = c.Records
		}
	}
	rows := make([]coverageRow, 0, len(cells))
	seen := map[string]bool{}
	row := func(values []string, c search.Cell) coverageRow {
		out := coverageRow{Values: map[string]string{}, Records: c.Records, Scored: c.Scored}
		for i, d := range dims {
			out.Values[strings.TrimSpace(d)] = values[i]
		}
		if c.Scored > 0 {
			mean := round1(float64(c.Score) / float64(c.Scored))
			pct := round1(100 * float64(c.Score) / float64(c.Scored) / catalog.MaxScore)
			out.Quality, out.Percent = &mean, &pct
		}
		if before != nil {
			change := c.Records - before[strings.Join(values, "\x00")]
			out.Change = &change
		}
		return out
	}
	for _, c := range cells {
		key := strings.Join(c.Values, "\x00")
		seen[key] = true
		rows = append(rows, row(c.Values, c))
	}
	// What the harvest before had and the catalogue no longer has.
	var gone []string
	for key := range before {
		if !seen[key] {
			gone = append(gone, key)
		}
	}
	slices.Sort(gone)
	for _, key := range gone {
		rows = append(rows, row(strings.Split(key, "\x00"), search.Cell{}))
	}
	if wantsCSV(r) {
		header := append(append([]string{}, dims...), "records", "change", "scored", "quality", "percent")
		var lines [][]string
		for _, row := range rows {
			var line []string
			for _, d := range dims {
				line = append(line, row.Values[strings.TrimSpace(d)])
			}
			line = append(line, strconv.Itoa(row.Records), optInt(row.Change), strconv.Itoa(row.Scored), optFloat(row.Quality), optFloat(row.Percent))
			lines = append(lines, line)
		}
		return writeCSV(w, "coverage-by-"+strings.ReplaceAll(byParam, ",", "-")+".csv", header, lines)
	}
	return writeJSON(w, http.StatusOK, map[string]any{
		"by": dims, "at": at, "since": since, "max": catalog.MaxScore, "items": rows,
	})
}

// countsBefore returns the records by values of the catalogue as it stood at
// t, from cells (the catalogue now) and the records changed since t: their
// versions now are taken away and their versions then added, each counted
// in a facet-only index of its own. It reads only what changed.
func (s *server) countsBefore(ctx context.Context, cells []search.Cell, t time.Time, facets []string, q search.Query) (map[string]int, error) {
	// Full indexes, so that a search's words match: they hold only what
	// changed.
	now, then := search.New(s.past.opt), search.New(s.past.opt)
	var nowBatch, thenBatch []catalog.Dataset
	flush := func(force bool) error {
		if len(nowBatch) >= 1000 || (force && len(nowBatch) > 0) {
			if err := now.Apply(ctx, nowBatch); err != nil {
				return err
			}
			nowBatch = nowBatch[:0]
		}
		if len(thenBatch) >= 1000 || (force && len(thenBatch) > 0) {
			if err := then.Apply(ctx, thenBatch); err != nil {
				return err
			}
			thenBatch = thenBatch[:0]
		}
		return nil
	}
	err := s.store.ChangedSince(ctx, t, func(n catalog.Dataset, old *catalog.Dataset) error {
		if !n.Withdrawn {
			nowBatch = append(nowBatch, n)
		}
		if old != nil {
			thenBatch = append(thenBatch, *old)
		}
		return flush(false)
	})
	if err == nil {
		err = flush(true)
	}
	if err != nil {
		return nil, fmt.Errorf("the catalogue at %s: %w", t.Format(time.RFC3339), err)
	}
	out := map[string]int{}
	for _, c := range cells {
		out[strings.Join(c.Values, "\x00")] += c.Records
	}
	for sign, idx := range map[int]*search.Index{-1: now, 1: then} {
		part, err := idx.Aggregate(ctx, facets, q)
		if err != nil {
			return nil, err
		}
		for _, c := range part {
			out[strings.Join(c.Values, "\x00")] += sign * c.Records
		}
	}
	for k, n := range out {
		if n <= 0 {
			delete(out, k)
		}
	}
	return out, nil
}

func optInt(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func optFloat(p *float64) string {
	if p == nil {
		return ""
	}
	return ftoa(*p)
}

// coverageHistory answers GET /api/v1/coverage/history: live records per
// country and EU theme after every harvest run between from and to.
func (s *server) coverageHistory(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	for k := range v {
		if !slices.Contains([]string{"from", "to", "country", "theme", "format"}, k) {
			return badRequest("unknown parameter %s; the parameters are from, to, country, theme and format", k)
		}
	}
	var from, to time.Time
	var err error
	if raw := v.Get("from"); raw != "" {
		if from, err = parseAt("from", raw); err != nil {
			return err
		}
		if len(raw) == len("2006-01-02") {
			from = from.Add(time.Nanosecond).AddDate(0, 0, -1) // the start of that day
		}
	}
	if raw := v.Get("to"); raw != "" {
		if to, err = parseAt("to", raw); err != nil {
			return err
		}
	}
	points, err := s.store.CoverageHistory(r.Context(), from, to)
	if err != nil {
		return err
	}
	countries, themes := splitList(v["country"]), splitList(v["theme"])
	out := make([]catalog.CoveragePoint, 0, len(points))
	for _, p := range points {
		if (len(countries) == 0 || slices.Contains(countries, p.Country)) && (len(themes) == 0 || slices.Contains(themes, p.Theme)) {
			out = append(out, p)
		}
	}
	if wantsCSV(r) {
		var lines [][]string
		for _, p := range out {
			lines = append(lines, []string{p.Time.Format(time.RFC3339), strconv.FormatInt(p.Run, 10), p.Source, p.Country, p.Theme, strconv.Itoa(p.Count)})
		}
		return writeCSV(w, "coverage-history.csv", []string{"time", "run", "source", "country", "theme", "records"}, lines)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": out})
}

// splitList splits repeated and comma-separated values.
func splitList(raw []string) []string {
	var out []string
	for _, r := range raw {
		for _, v := range strings.Split(r, ",") {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}
