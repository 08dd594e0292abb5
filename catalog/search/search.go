package search

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/analysis/lang/da"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/fi"
	"github.com/blevesearch/bleve/v2/analysis/lang/no"
	"github.com/blevesearch/bleve/v2/analysis/lang/sv"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"samband/catalog"
)

// Facet names: the keys of Query.Filters and Result.Facets.
const (
	FacetCountry   = "country"   // ISO 3166-1 alpha-2 of the sources that list the record
	FacetPublisher = "publisher" // the publisher's IRI, else its name
	FacetTheme     = "theme"     // EU data-theme code ("ECON")
	FacetFormat    = "format"    // EU file-type code of a distribution ("CSV")
	FacetLicense   = "license"   // EU licence code ("CC_BY_4_0")
	FacetAccess    = "access"    // EU access-right code ("PUBLIC")
)

// facetNames lists the facet names, in the order a client shows them.
var facetNames = []string{FacetCountry, FacetPublisher, FacetTheme, FacetFormat, FacetLicense, FacetAccess}

// DefaultLimit is the number of hits Search returns when Query.Limit is zero
// or less; MaxLimit is the most it returns.
const (
	DefaultLimit = 20
	MaxLimit     = 1000
)

// facetSize is how many values of each facet Search counts, most frequent first.
const facetSize = 20

// buckets are the analyzers of the per-language fields; "std" holds the
// texts in languages bleve has no analyzer for, and untagged ones.
var buckets = []string{en.AnalyzerName, da.AnalyzerName, fi.AnalyzerName, no.AnalyzerName, sv.AnalyzerName, "std"}

// textFields are the per-record texts, each indexed per language.
var textFields = []string{"title", "description", "keywords"}

// fieldAll is the language-agnostic field.
const fieldAll = "all"

// seqKey is where the index keeps the last sequence number applied.
var seqKey = []byte("samband.seq")

// bucket returns the per-language field suffix of a language tag: "no" for
// nb, nn and no (and nb-NO, ...), the tag's primary subtag where bleve has an
// analyzer for it, else "std".
func bucket(lang string) string {
	primary, _, _ := strings.Cut(strings.ToLower(lang), "-")
	switch primary {
	case "nb", "nn", "no":
		return no.AnalyzerName
	case en.AnalyzerName, da.AnalyzerName, fi.AnalyzerName, sv.AnalyzerName:
		return primary
	}
	return "std"
}

// Index is a search index on disk. Its methods are safe for concurrent use;
// Apply calls are serialised.
type Index struct {
	bi      bleve.Index
	close   sync.Once
	err     error
	applyMu sync.Mutex
	seq     atomic.Int64
}

// Open opens the index at path, creating it when there is none.
func Open(path string) (*Index, error) {
	bi, err := bleve.Open(path)
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		bi, err = bleve.New(path, newMapping())
	}
	if err != nil {
		return nil, fmt.Errorf("open search index %s: %w", path, err)
	}
	idx := &Index{bi: bi}
	raw, err := bi.GetInternal(seqKey)
	if err != nil {
		bi.Close()
		return nil, fmt.Errorf("open search index %s: read sequence: %w", path, err)
	}
	if len(raw) == 8 {
		idx.seq.Store(int64(binary.BigEndian.Uint64(raw)))
	}
	return idx, nil
}

// Close closes the index; closing it again does nothing.
func (x *Index) Close() error {
	x.close.Do(func() { x.err = x.bi.Close() })
	return x.err
}

// LastSeq returns the sequence number of the last change applied, 0 when
// none was.
func (x *Index) LastSeq() int64 { return x.seq.Load() }

// Count returns the number of records in the index.
func (x *Index) Count() (uint64, error) { return x.bi.DocCount() }

// Segments returns the number of segment files the index is made of now. The
// index merges them in the background after writes; a search visits every
// one, so it is slower while there are many.
func (x *Index) Segments() int {
	m, _ := x.bi.StatsMap()["index"].(map[string]any)
	n, _ := m["TotFileSegmentsAtRoot"].(uint64)
	return int(n)
}

// newMapping returns the index mapping: per-language text fields, the
// language-agnostic field, and keyword fields for the facets.
func newMapping() *mapping.IndexMappingImpl {
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = standard.Name
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	doc := bleve.NewDocumentStaticMapping()
	for _, f := range textFields {
		for _, b := range buckets {
			fm := bleve.NewTextFieldMapping()
			fm.Analyzer = b
			if b == "std" {
				fm.Analyzer = standard.Name
			}
			fm.IncludeInAll = false
			fm.DocValues = false
			// Titles and descriptions are stored, with term vectors, for highlights.
			fm.Store = f != "keywords"
			fm.IncludeTermVectors = f != "keywords"
			doc.AddFieldMappingsAt(f+"_"+b, fm)
		}
	}
	all := bleve.NewTextFieldMapping()
	all.Analyzer = standard.Name
	all.Store = false
	all.IncludeInAll = false
	all.IncludeTermVectors = false
	all.DocValues = false
	doc.AddFieldMappingsAt(fieldAll, all)
	for _, f := range facetNames {
		fm := bleve.NewKeywordFieldMapping()
		fm.Analyzer = keyword.Name
		fm.Store = false
		fm.IncludeInAll = false
		fm.IncludeTermVectors = false
		fm.DocValues = true
		doc.AddFieldMappingsAt(f, fm)
	}
	m.DefaultMapping = doc
	return m
}

// document returns what the index holds of a record.
func document(r catalog.Dataset) map[string]any {
	d := map[string]any{}
	var all []string
	for i, t := range []catalog.Text{r.Title, r.Description, r.Keywords} {
		for _, lang := range t.Languages() {
			key := textFields[i] + "_" + bucket(lang)
			vs, _ := d[key].([]string)
			d[key] = append(vs, t[lang]...)
			all = append(all, t[lang]...)
		}
	}
	if len(all) > 0 {
		d[fieldAll] = all
	}
	set := func(f string, vs ...string) {
		have, _ := d[f].([]string)
		for _, v := range vs {
			if v != "" && !contains(have, v) {
				have = append(have, v)
			}
		}
		if len(have) > 0 {
			d[f] = have
		}
	}
	for _, s := range r.Sources {
		set(FacetCountry, strings.ToUpper(s.Country))
	}
	if p := r.Publisher; p != nil {
		if p.IRI != "" {
			set(FacetPublisher, p.IRI)
		} else {
			set(FacetPublisher, p.Name.Get("en"))
		}
	}
	set(FacetTheme, r.EUThemes...)
	set(FacetLicense, catalog.LicenceCode(r.License))
	for _, dist := range r.Distributions {
		set(FacetFormat, dist.FormatEU)
		set(FacetLicense, dist.LicenseEU)
	}
	set(FacetAccess, r.AccessRightsEU)
	return d
}

func contains(vs []string, v string) bool {
	for _, w := range vs {
		if w == v {
			return true
		}
	}
	return false
}

// Apply brings the index up to date with records in the order of their
// changes, as catalog Store.Changes returns them: a live record is indexed
// (replacing what the index had of it), a withdrawn one is deleted. The
// largest Seq among recs is remembered with them, in the same batch, and
// LastSeq returns it from then on, also after the index is reopened.
func (x *Index) Apply(ctx context.Context, recs []catalog.Dataset) error {
	if len(recs) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	x.applyMu.Lock()
	defer x.applyMu.Unlock()
	b := x.bi.NewBatch()
	seq := x.seq.Load()
	for _, r := range recs {
		if r.ID == "" {
			continue
		}
		if r.Withdrawn {
			b.Delete(r.ID)
		} else if err := b.Index(r.ID, document(r)); err != nil {
			return fmt.Errorf("index %s: %w", r.ID, err)
		}
		seq = max(seq, r.Seq)
	}
	var raw [8]byte
	binary.BigEndian.PutUint64(raw[:], uint64(seq))
	b.SetInternal(seqKey, raw[:])
	if err := x.bi.Batch(b); err != nil {
		return fmt.Errorf("apply %d changes up to %d: %w", len(recs), seq, err)
	}
	x.seq.Store(seq)
	return nil
}

// Query is a search: words, in a language or in any, narrowed by facet values.
type Query struct {
	// Text is the words to look for; a record must match every word (in
	// any of its title, description and keywords). Empty matches every
	// record.
	Text string
	// Lang is the language of Text ("nb", "sv", ...): the words are stemmed
	// as that language's and looked for in the texts in it, and in the
	// language-agnostic field. Empty looks in the language-agnostic field
	// only, unstemmed.
	Lang string
	// Filters narrows by facet (FacetCountry, ...): a record must have one of
	// the values given for each facet named.
	Filters map[string][]string
	// Limit and Offset page through the hits, best first.
	Limit, Offset int
	// NoFacets leaves Result.Facets empty, for a caller that needs only
	// the hits: counting facets costs time in proportion to the hits.
	NoFacets bool
}

// Result is the answer to a Query.
type Result struct {
	Total  int                     `json:"total"`
	Hits   []Hit                   `json:"hits"`
	Facets map[string][]FacetCount `json:"facets"`
}

// Hit is a record that matched, with the fragments of its title and
// description (keys "title" and "description") that matched, the words
// marked with <mark>.
type Hit struct {
	ID         string              `json:"id"`
	Score      float64             `json:"score"`
	Highlights map[string][]string `json:"highlights,omitempty"`
}

// FacetCount is how many of the hits have a facet value.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// ErrQuery is returned for a query Search cannot answer, such as an
// unknown facet.
var ErrQuery = errors.New("search: bad query")

// Search answers q: the hits, best first, and the most frequent values of
// every facet among all hits.
func (x *Index) Search(ctx context.Context, q Query) (Result, error) {
	bq, err := buildQuery(q)
	if err != nil {
		return Result{}, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	req := bleve.NewSearchRequestOptions(bq, limit, max(q.Offset, 0), false)
	if !q.NoFacets {
		for _, f := range facetNames {
			req.AddFacet(f, bleve.NewFacetRequest(f, facetSize))
		}
	}
	if q.Text != "" {
		req.Highlight = bleve.NewHighlight()
		for _, f := range []string{"title", "description"} {
			for _, b := range buckets {
				req.Highlight.AddField(f + "_" + b)
			}
		}
	}
	res, err := x.bi.SearchInContext(ctx, req)
	if err != nil {
		return Result{}, fmt.Errorf("search %q: %w", q.Text, err)
	}
	out := Result{Total: int(res.Total), Hits: make([]Hit, 0, len(res.Hits)), Facets: map[string][]FacetCount{}}
	for _, h := range res.Hits {
		hit := Hit{ID: h.ID, Score: h.Score}
		for field, frags := range h.Fragments {
			name, _, _ := strings.Cut(field, "_")
			for _, f := range frags {
				if !strings.Contains(f, "<mark>") {
					continue // a field of the record that did not match
				}
				if hit.Highlights == nil {
					hit.Highlights = map[string][]string{}
				}
				hit.Highlights[name] = append(hit.Highlights[name], f)
			}
		}
		out.Hits = append(out.Hits, hit)
	}
	for _, f := range facetNames {
		if q.NoFacets {
			break
		}
		fr := res.Facets[f]
		counts := []FacetCount{}
		if fr != nil {
			for _, t := range fr.Terms.Terms() {
				counts = append(counts, FacetCount{Value: t.Term, Count: t.Count})
			}
		}
		sort.SliceStable(counts, func(i, j int) bool {
			if counts[i].Count != counts[j].Count {
				return counts[i].Count > counts[j].Count
			}
			return counts[i].Value < counts[j].Value
		})
		out.Facets[f] = counts
	}
	return out, nil
}

// buildQuery turns q into a bleve query: for every word, a disjunction over
// the fields it is looked for in; all words conjoined; then the filters.
func buildQuery(q Query) (query.Query, error) {
	var must []query.Query
	words := strings.Fields(q.Text)
	for _, w := range words {
		var should []query.Query
		add := func(field string, boost float64) {
			m := bleve.NewMatchQuery(w)
			m.SetField(field)
			m.SetBoost(boost)
			should = append(should, m)
		}
		if q.Lang != "" {
			b := bucket(q.Lang)
			add("title_"+b, 3)
			add("keywords_"+b, 2)
			add("description_"+b, 1)
		}
		add(fieldAll, 0.5)
		must = append(must, bleve.NewDisjunctionQuery(should...))
	}
	names := make([]string, 0, len(q.Filters))
	for f := range q.Filters {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		if !contains(facetNames, f) {
			return nil, fmt.Errorf("%w: unknown facet %q (want one of %s)", ErrQuery, f, strings.Join(facetNames, ", "))
		}
		var oneOf []query.Query
		for _, v := range q.Filters[f] {
			if f == FacetCountry {
				v = strings.ToUpper(v)
			}
			t := bleve.NewTermQuery(v)
			t.SetField(f)
			oneOf = append(oneOf, t)
		}
		if len(oneOf) == 0 {
			continue
		}
		must = append(must, bleve.NewDisjunctionQuery(oneOf...))
	}
	if len(must) == 0 {
		return bleve.NewMatchAllQuery(), nil
	}
	return bleve.NewConjunctionQuery(must...), nil
}
