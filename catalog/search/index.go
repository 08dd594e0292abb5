package search

import (
	"context"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

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
	FacetLifeEvent = "lifeEvent" // life-event concept id (Options.LifeEvents)
	FacetKind      = "kind"      // Dataset, DatasetSeries or DataService
	FacetSource    = "source"    // name of a source that lists the record
)

// FacetNames lists the facet names, in the order a client shows them.
var FacetNames = []string{FacetCountry, FacetPublisher, FacetTheme, FacetFormat, FacetLicense, FacetAccess, FacetLifeEvent, FacetKind, FacetSource}

// sparseFacets keep a list of documents per value rather than a bitset:
// those with thousands of values.
var sparseFacets = map[string]bool{FacetPublisher: true}

// Dimensions are the MQA dimensions whose points the index keeps per
// record, in this order (see catalog.Quality).
var Dimensions = []string{catalog.Findability, catalog.Accessibility, catalog.Interoperability, catalog.Reusability, catalog.Contextuality}

// Field weights: a word in a title counts as three in a description, a
// keyword as two.
const (
	weightTitle       = 3
	weightKeyword     = 2
	weightDescription = 1
)

// Options configure an Index.
type Options struct {
	// LifeEvents returns the life events a record serves (concept ids), the
	// values of FacetLifeEvent; nil gives none.
	LifeEvents func(catalog.Dataset) []string
	// Fingerprint names what the options make of a record (the life-event
	// rules' fingerprint): an index saved with another is stale, and Open
	// refuses it with ErrStale.
	Fingerprint string
	// FacetsOnly leaves the texts out: such an index answers Aggregate and
	// searches without words, in a fraction of the memory.
	FacetsOnly bool
}

// Index is the catalogue's search index: an inverted index with BM25
// ranking over titles, descriptions and keywords in every language, and a
// column per facet, all in memory, saved to one file (see Open and Save).
// Its methods are safe for concurrent use: searches run in parallel, Apply
// excludes them only while it links the new documents in.
type Index struct {
	opt  Options
	path string

	applyMu sync.Mutex // serialises Apply, Save and Close

	mu sync.RWMutex
	// Documents, by number; numbers are given in order and reused only by
	// compact.
	keys     []string // record id
	norms    []uint8  // quantised weighted length (see norm)
	modified []int64  // dct:modified, Unix seconds; math.MinInt64 when unknown
	titles   []string // sort key: the first title, lower case
	quality  []int32  // MQA points; -1 when not scored
	dims     []uint8  // MQA points by dimension, len(Dimensions) a document
	// rows hold each document's facet values, a word per facet in the
	// order of FacetNames (see facet.add), so that counting the facets of
	// a hit reads one cache line.
	rows   []uint64
	live   bitset
	nLive  int
	dead   int
	sumLen float64 // weighted length of the live documents
	byKey  map[string]uint32
	terms  map[string]*postings
	facets map[string]*facet

	// BM25's part for a term frequency and a norm, for the average length
	// of now: bm25[norm][tf] for tf below bm25TabTF; lenPart[norm] for
	// the others. Set by setBM25 whenever the documents change.
	bm25    [256][bm25TabTF]float32
	lenPart [256]float64

	seq   atomic.Int64
	saved atomic.Int64 // seq of the last Save
	dirty atomic.Bool
}

// postings are the documents a term occurs in, ascending, with its
// weighted frequency in each (capped at 255).
type postings struct {
	docs []uint32
	tfs  []uint8
}

// facet is the values of one facet per document, and the documents per
// value.
type facet struct {
	name   string
	sparse bool
	values []string
	ids    map[string]uint32
	bits   []bitset   // !sparse: documents by value
	lists  [][]uint32 // sparse: documents by value, ascending, dead ones too
	off    []uint32   // document n's values are vals[off[n]:off[n+1]]
	vals   []uint32
	// col is, for a sparse facet, document n's first value's id plus one
	// (0: none): a narrow column that stays in the processor's caches
	// where rows do not.
	col []uint32
}

func newFacet(name string) *facet {
	return &facet{name: name, sparse: sparseFacets[name], ids: map[string]uint32{}, off: []uint32{0}}
}

// value returns the number of a value, adding it when new.
func (f *facet) value(v string) uint32 {
	if id, ok := f.ids[v]; ok {
		return id
	}
	id := uint32(len(f.values))
	f.values = append(f.values, v)
	f.ids[v] = id
	if f.sparse {
		f.lists = append(f.lists, nil)
	} else {
		f.bits = append(f.bits, nil)
	}
	return id
}

// A document's row holds its values of the first facets, each in a slot
// of a word: a bitmask of the value ids below the slot's width, or for a
// sparse facet the first value's id plus one. A facet with more values
// than its slot holds is counted from its bitsets or value lists instead.
type slot struct{ word, shift, width uint }

// rowSlots are the slots of the facets, by FacetNames; width 0: no slot.
var rowSlots = func() []slot {
	at := map[string]slot{
		FacetCountry: {0, 0, 16}, FacetAccess: {0, 16, 8}, FacetKind: {0, 24, 8}, FacetLifeEvent: {0, 32, 32},
		FacetTheme: {1, 0, 32}, FacetPublisher: {1, 32, 32},
		FacetFormat: {2, 0, 64}, FacetLicense: {3, 0, 64},
	}
	out := make([]slot, len(FacetNames))
	for i, name := range FacetNames {
		out[i] = at[name]
	}
	return out
}()

// rowStride is the words of a row: four, two rows a cache line.
const rowStride = 4

// inRow reports whether the row holds every value of facet i, f.
func inRow(i int, f *facet) bool {
	w := rowSlots[i].width
	return w > 0 && (f.sparse || uint(len(f.values)) <= w)
}

// get returns the slot's bits of a row.
func (sl slot) get(row []uint64) uint64 {
	w := row[sl.word] >> sl.shift
	if sl.width < 64 {
		w &= 1<<sl.width - 1
	}
	return w
}

// add appends document n's values, n the next document, and returns them
// as its row's slot sl holds them, shifted into place.
func (f *facet) add(n uint32, vs []string, sl slot) uint64 {
	var word uint64
	for i, v := range vs {
		id := f.value(v)
		switch {
		case sl.width == 0:
		case f.sparse && i == 0 && (sl.width == 64 || uint64(id)+1 < 1<<sl.width):
			word = (uint64(id) + 1) << sl.shift
		case !f.sparse && uint(id) < sl.width:
			word |= 1 << (uint(id) + sl.shift)
		}
		f.vals = append(f.vals, id)
		if f.sparse {
			f.lists[id] = append(f.lists[id], n)
		} else {
			f.bits[id].set(n)
		}
	}
	f.off = append(f.off, uint32(len(f.vals)))
	if f.sparse {
		first := uint32(0)
		if len(vs) > 0 {
			first = f.vals[len(f.vals)-len(vs)] + 1
		}
		f.col = append(f.col, first)
	}
	return word
}

// remove forgets document n for the value bitsets (sparse lists keep it:
// searches skip dead documents).
func (f *facet) remove(n uint32) {
	if f.sparse {
		return
	}
	for _, id := range f.vals[f.off[n]:f.off[n+1]] {
		f.bits[id].clear(n)
	}
}

// New returns an empty index kept in memory only (Save does nothing).
func New(opt Options) *Index {
	x := &Index{opt: opt, byKey: map[string]uint32{}, terms: map[string]*postings{}, facets: map[string]*facet{}}
	for _, name := range FacetNames {
		x.facets[name] = newFacet(name)
	}
	return x
}

// LastSeq returns the sequence number of the last change applied, 0 when
// none was.
func (x *Index) LastSeq() int64 { return x.seq.Load() }

// Count returns the number of records in the index.
func (x *Index) Count() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.nLive
}

// prepared is a record analysed, ready to link in.
type prepared struct {
	key       string
	withdrawn bool
	terms     []termFreq
	length    int
	modified  int64
	title     string
	quality   int32
	dims      []uint8
	facets    [][]string // by FacetNames
}

type termFreq struct {
	term string
	tf   int
}

// prepare analyses a record.
func (x *Index) prepare(r catalog.Dataset) prepared {
	p := prepared{key: r.ID, withdrawn: r.Withdrawn}
	if r.Withdrawn {
		return p
	}
	tfs := map[string]int{}
	for _, f := range []struct {
		t      catalog.Text
		weight int
	}{{r.Title, weightTitle}, {r.Keywords, weightKeyword}, {r.Description, weightDescription}} {
		if x.opt.FacetsOnly {
			break
		}
		for lang, vs := range f.t {
			a := analyzerFor(lang)
			for _, v := range vs {
				words(v, func(w word) bool {
					if t := a.term(w.lower); t != "" {
						tfs[t] += f.weight
						p.length += f.weight
					}
					return true
				})
			}
		}
	}
	p.terms = make([]termFreq, 0, len(tfs))
	for t, n := range tfs {
		p.terms = append(p.terms, termFreq{t, n})
	}
	p.modified = parseTime(r.Modified)
	if p.modified == math.MinInt64 {
		p.modified = parseTime(r.Issued)
	}
	p.title = strings.ToLower(r.Title.Get("en", "nb", "no", "nn", "sv", "da", "fi"))
	p.quality = -1
	p.dims = make([]uint8, len(Dimensions))
	if r.Quality != nil {
		p.quality = int32(r.Quality.Score)
		for _, d := range r.Quality.Dimensions {
			if i := slices.Index(Dimensions, d.Name); i >= 0 {
				p.dims[i] = uint8(max(0, min(d.Score, 255)))
			}
		}
	}
	p.facets = make([][]string, len(FacetNames))
	for i, name := range FacetNames {
		p.facets[i] = facetValues(name, r, x.opt)
	}
	return p
}

// facetValues returns a record's values of one facet, without repeats.
func facetValues(name string, r catalog.Dataset, opt Options) []string {
	var out []string
	add := func(vs ...string) {
		for _, v := range vs {
			if v != "" && !contains(out, v) {
				out = append(out, v)
			}
		}
	}
	switch name {
	case FacetCountry:
		for _, s := range r.Sources {
			if s.Withdrawn == nil {
				add(strings.ToUpper(s.Country))
			}
		}
	case FacetPublisher:
		if p := r.Publisher; p != nil {
			if p.IRI != "" {
				add(p.IRI)
			} else {
				add(p.Name.Get("en"))
			}
		}
	case FacetTheme:
		add(r.EUThemes...)
	case FacetFormat:
		for _, d := range r.Distributions {
			add(d.FormatEU)
		}
	case FacetLicense:
		add(catalog.LicenceCode(r.License))
		for _, d := range r.Distributions {
			add(d.LicenseEU)
		}
	case FacetAccess:
		add(r.AccessRightsEU)
	case FacetLifeEvent:
		if opt.LifeEvents != nil {
			add(opt.LifeEvents(r)...)
		}
	case FacetKind:
		add(r.Kind)
	case FacetSource:
		for _, s := range r.Sources {
			if s.Withdrawn == nil {
				add(s.Source)
			}
		}
	}
	return out
}

// parseTime returns the Unix seconds of a date or date-time as a source
// gave it, math.MinInt64 when it is none.
func parseTime(s string) int64 {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Unix()
		}
	}
	if len(s) > 10 { // a date with a zone or fraction the layouts miss
		if t, err := time.Parse("2006-01-02", s[:10]); err == nil {
			return t.Unix()
		}
	}
	return math.MinInt64
}

// norm quantises a weighted length to a byte, on a log scale: lengths up
// to 15 exactly, then 16 steps per doubling.
func norm(length int) uint8 {
	if length < 16 {
		return uint8(length)
	}
	v := 16 + 16*(math.Log2(float64(length))-4)
	return uint8(min(255, v))
}

// normLength is the length a norm stands for.
func normLength(n uint8) float64 {
	if n < 16 {
		return float64(n)
	}
	return math.Exp2((float64(n)-16)/16 + 4)
}

// Apply brings the index up to date with records in the order of their
// changes, as catalog Store.Changes returns them: a live record is indexed
// (replacing what the index had of it), a withdrawn one is removed. The
// largest Seq among recs is remembered with them; LastSeq returns it from
// then on, and after Save, also after the index is opened again.
func (x *Index) Apply(ctx context.Context, recs []catalog.Dataset) error {
	if len(recs) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	x.applyMu.Lock()
	defer x.applyMu.Unlock()
	// Analyse outside the lock, on every core.
	ps := make([]prepared, len(recs))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(recs)/64))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(recs); i += workers {
				ps[i] = x.prepare(recs[i])
			}
		}()
	}
	wg.Wait()
	seq := x.seq.Load()
	x.mu.Lock()
	for i, p := range ps {
		if p.key == "" {
			continue
		}
		x.link(p)
		seq = max(seq, recs[i].Seq)
	}
	if x.dead > 50_000 && x.dead > x.nLive/2 {
		x.compact()
	}
	x.setBM25()
	x.mu.Unlock()
	x.seq.Store(seq)
	x.dirty.Store(true)
	return nil
}

// link adds or replaces a prepared record; x.mu is held.
func (x *Index) link(p prepared) {
	if old, ok := x.byKey[p.key]; ok {
		x.kill(old)
	}
	if p.withdrawn {
		return
	}
	n := uint32(len(x.keys))
	x.keys = append(x.keys, p.key)
	x.norms = append(x.norms, norm(p.length))
	x.modified = append(x.modified, p.modified)
	x.titles = append(x.titles, p.title)
	x.quality = append(x.quality, p.quality)
	x.dims = append(x.dims, p.dims...)
	x.live.set(n)
	x.nLive++
	x.sumLen += normLength(x.norms[n])
	x.byKey[p.key] = n
	for _, t := range p.terms {
		pl := x.terms[t.term]
		if pl == nil {
			pl = &postings{}
			x.terms[t.term] = pl
		}
		pl.docs = append(pl.docs, n)
		pl.tfs = append(pl.tfs, uint8(min(t.tf, 255)))
	}
	var row [rowStride]uint64
	for i, name := range FacetNames {
		sl := rowSlots[i]
		row[sl.word] |= x.facets[name].add(n, p.facets[i], sl)
	}
	x.rows = append(x.rows, row[:]...)
}

// kill removes document n; x.mu is held.
func (x *Index) kill(n uint32) {
	if !x.live.has(n) {
		return
	}
	x.live.clear(n)
	x.nLive--
	x.dead++
	x.sumLen -= normLength(x.norms[n])
	delete(x.byKey, x.keys[n])
	for _, f := range x.facets {
		f.remove(n)
	}
}

// compact renumbers the live documents and drops the dead ones from every
// structure; x.mu is held.
func (x *Index) compact() {
	renum := make([]uint32, len(x.keys))
	next := uint32(0)
	for n := range x.keys {
		if x.live.has(uint32(n)) {
			renum[n] = next
			next++
		} else {
			renum[n] = math.MaxUint32
		}
	}
	keep := func(n uint32) bool { return renum[n] != math.MaxUint32 }
	keys, norms, modified, titles, quality, dims := x.keys[:0], x.norms[:0], x.modified[:0], x.titles[:0], x.quality[:0], x.dims[:0]
	for n := range x.keys {
		if keep(uint32(n)) {
			keys = append(keys, x.keys[n])
			norms = append(norms, x.norms[n])
			modified = append(modified, x.modified[n])
			titles = append(titles, x.titles[n])
			quality = append(quality, x.quality[n])
			dims = append(dims, x.dims[n*len(Dimensions):(n+1)*len(Dimensions)]...)
		}
	}
	clear(x.keys[len(keys):])
	clear(x.titles[len(titles):])
	x.keys, x.norms, x.modified, x.titles, x.quality, x.dims = keys, norms, modified, titles, quality, dims
	x.live = make(bitset, 0)
	for n := range keys {
		x.live.set(uint32(n))
		x.byKey[keys[n]] = uint32(n)
	}
	for t, pl := range x.terms {
		j := 0
		for i, d := range pl.docs {
			if keep(d) {
				pl.docs[j], pl.tfs[j] = renum[d], pl.tfs[i]
				j++
			}
		}
		if j == 0 {
			delete(x.terms, t)
			continue
		}
		pl.docs, pl.tfs = pl.docs[:j:j], pl.tfs[:j:j]
	}
	rows := make([]uint64, len(keys)*rowStride)
	for i, name := range FacetNames {
		f := x.facets[name]
		nf := newFacet(name)
		for n := range renum {
			if keep(uint32(n)) {
				vs := make([]string, 0, f.off[n+1]-f.off[n])
				for _, id := range f.vals[f.off[n]:f.off[n+1]] {
					vs = append(vs, f.values[id])
				}
				sl := rowSlots[i]
				rows[int(renum[n])*rowStride+int(sl.word)] |= nf.add(renum[n], vs, sl)
			}
		}
		x.facets[name] = nf
	}
	x.rows = rows
	x.dead = 0
	x.sumLen = 0
	for _, nm := range x.norms {
		x.sumLen += normLength(nm)
	}
}

// bm25TabTF bounds the term frequencies whose BM25 part is in the table.
const bm25TabTF = 32

// setBM25 fills the BM25 tables for the average length of the live
// documents; x.mu is held (or x is not shared yet).
func (x *Index) setBM25() {
	avg := x.sumLen / float64(max(x.nLive, 1))
	if avg <= 0 {
		avg = 1
	}
	for n := range 256 {
		lp := bm25K1 * (1 - bm25B + bm25B*normLength(uint8(n))/avg)
		x.lenPart[n] = lp
		for tf := range bm25TabTF {
			x.bm25[n][tf] = float32(float64(tf) * (bm25K1 + 1) / (float64(tf) + lp))
		}
	}
}
