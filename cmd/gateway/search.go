package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"samband/catalog"
	"samband/catalog/lifeevent"
	"samband/catalog/search"
	"samband/catalog/sqlite"
)

// datasetParams are the query parameters of GET /api/v1/datasets besides
// the filters (search.FacetNames).
var datasetParams = []string{"q", "lang", "sort", "limit", "offset", "facets", "withdrawn"}

// listFilters are the filters whose values may also come comma-separated
// (country=NO,SE); a publisher is an IRI and may hold commas.
var listFilters = map[string]bool{
	search.FacetCountry: true, search.FacetTheme: true, search.FacetFormat: true, search.FacetLicense: true,
	search.FacetAccess: true, search.FacetLifeEvent: true, search.FacetKind: true, search.FacetSource: true,
}

// hitItem is a record found by a search, with its score and the parts of
// its texts that matched.
type hitItem struct {
	catalog.Dataset
	Score      float64             `json:"score,omitempty"`
	Highlights map[string][]string `json:"highlights,omitempty"`
}

// searchPage is the answer of GET /api/v1/datasets.
type searchPage struct {
	Total  int                            `json:"total"`
	Items  []hitItem                      `json:"items"`
	Facets map[string][]search.FacetCount `json:"facets,omitempty"`
	// Seq is the store change the index has caught up with.
	Seq int64 `json:"seq"`
}

// filterParams reads the filters of a search from query parameters named
// for the facets: each repeated, or comma-separated but for publisher
// (an IRI may hold commas). Nil when there are none.
func filterParams(v url.Values) map[string][]string {
	var out map[string][]string
	for _, name := range search.FacetNames {
		for _, raw := range v[name] {
			vals := []string{raw}
			if listFilters[name] {
				vals = strings.Split(raw, ",")
			}
			for _, val := range vals {
				if val = strings.TrimSpace(val); val != "" {
					if out == nil {
						out = map[string][]string{}
					}
					out[name] = append(out[name], val)
				}
			}
		}
	}
	return out
}

// parseSearch reads a search.Query from the request's parameters, refusing
// any it does not know.
func parseSearch(r *http.Request) (search.Query, error) {
	v := r.URL.Query()
	var unknown []string
	for k := range v {
		if !slices.Contains(datasetParams, k) && !slices.Contains(search.FacetNames, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return search.Query{}, badRequest("unknown parameter %s; the parameters are %s and the filters %s",
			strings.Join(unknown, ", "), strings.Join(datasetParams, ", "), strings.Join(search.FacetNames, ", "))
	}
	q := search.Query{Text: v.Get("q"), Lang: v.Get("lang"), Sort: v.Get("sort")}
	if len(q.Text) > 1000 {
		return q, badRequest("q is %d bytes long; at most 1000", len(q.Text))
	}
	var err error
	if q.Limit, err = intParam(r, "limit", search.DefaultLimit, search.MaxLimit); err != nil {
		return q, err
	}
	if q.Offset, err = intParam(r, "offset", 0, search.MaxOffset); err != nil {
		return q, err
	}
	if f := v.Get("facets"); f != "" {
		with, err := strconv.ParseBool(f)
		if err != nil {
			return q, badRequest("facets=%q: want true or false", f)
		}
		q.NoFacets = !with
	}
	q.Filters = filterParams(v)
	if err := q.Validate(); err != nil {
		return q, badRequest("%s", strings.TrimPrefix(err.Error(), search.ErrQuery.Error()+": "))
	}
	return q, nil
}

// searchDatasets answers GET /api/v1/datasets from the search index: the
// page of records the query asks for, best first, with the facets of all
// its hits.
func (s *server) searchDatasets(w http.ResponseWriter, r *http.Request) error {
	q, err := parseSearch(r)
	if err != nil {
		return err
	}
	res, err := s.index.Search(r.Context(), q)
	if err != nil {
		if errors.Is(err, search.ErrQuery) {
			return badRequest("%s", err)
		}
		return err
	}
	recs, err := s.hitRecords(r.Context(), res)
	if err != nil {
		return err
	}
	page := searchPage{Total: res.Total, Items: make([]hitItem, 0, len(recs)), Facets: res.Facets, Seq: s.index.LastSeq()}
	scores := make(map[string]float64, len(res.Hits))
	for _, h := range res.Hits {
		scores[h.ID] = h.Score
	}
	for _, d := range recs {
		page.Items = append(page.Items, hitItem{Dataset: d, Score: scores[d.ID], Highlights: search.Highlight(d, q)})
	}
	return writeJSON(w, http.StatusOK, page)
}

// openIndex opens the search index at path; an unreadable snapshot is
// set aside (path + ".damaged") and the index rebuilt from the store.
func openIndex(path string, opt search.Options, logger *slog.Logger) (*search.Index, error) {
	idx, err := search.Open(path, opt)
	if errors.Is(err, search.ErrStale) {
		logger.Info("search index made with other life-event rules; rebuilding it from the store", "path", path)
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("search index: %w", err)
		}
		idx, err = search.Open(path, opt)
	}
	if errors.Is(err, search.ErrSnapshot) {
		logger.Warn("search index unreadable; rebuilding it from the store", "path", path, "err", err)
		if err := os.Rename(path, path+".damaged"); err != nil {
			return nil, fmt.Errorf("search index: %w", err)
		}
		idx, err = search.Open(path, opt)
	}
	if err != nil {
		return nil, err
	}
	return idx, nil
}

// followChanges keeps idx up to date with the store until ctx ends, saving
// it every saveEvery and when ctx ends. An error of the store is logged and
// retried.
func followChanges(ctx context.Context, idx *search.Index, store *sqlite.Store, saveEvery time.Duration, logger *slog.Logger) {
	if saveEvery <= 0 {
		saveEvery = 5 * time.Minute
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(saveEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := idx.Save(); err != nil {
					logger.Error("search index save", "err", err)
				}
			}
		}
	}()
	for {
		err := search.Follow(ctx, idx, store.Changes, 200*time.Millisecond)
		if err == nil || ctx.Err() != nil {
			break
		}
		logger.Error("search index follow", "err", err, "seq", idx.LastSeq())
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
			continue
		}
		break
	}
	<-done
	// The last changes, written after the last poll.
	if err := search.CatchUp(context.Background(), idx, store.Changes, nil); err != nil {
		logger.Error("search index follow", "err", err, "seq", idx.LastSeq())
	}
	if err := idx.Save(); err != nil {
		logger.Error("search index save", "err", err)
		return
	}
	logger.Info("search index saved", "path", idx.Path(), "seq", idx.LastSeq(), "records", idx.Count())
}

// indexOptions are the search index's options for the life-event rules.
func indexOptions(rules *lifeevent.Rules) search.Options {
	return search.Options{
		LifeEvents: func(d catalog.Dataset) []string {
			ms := rules.Classify(d)
			if len(ms) == 0 {
				return nil
			}
			ids := make([]string, len(ms))
			for i, m := range ms {
				ids[i] = m.Concept
			}
			return ids
		},
		Fingerprint: "life-events:" + rules.Fingerprint(),
	}
}

// hitRecords loads the records of a search's hits from the store, in the
// order of the hits (a record withdrawn since the search stays; one the
// store no longer has is left out).
func (s *server) hitRecords(ctx context.Context, res search.Result) ([]catalog.Dataset, error) {
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return s.store.DatasetsByID(ctx, ids)
}
