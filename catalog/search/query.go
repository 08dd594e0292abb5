package search

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
)

// DefaultLimit is the number of hits Search returns when Query.Limit is zero
// or less; MaxLimit is the most it returns; MaxOffset is the deepest page.
const (
	DefaultLimit = 20
	MaxLimit     = 1000
	MaxOffset    = 10_000
)

// facetSize is how many values of each facet Search returns, most
// frequent first.
const facetSize = 20

// Sort orders of Query.Sort. A leading "-" reverses: "-modified" is the most
// recently modified first.
const (
	SortRelevance = "relevance" // best match first; the default with words
	SortTitle     = "title"
	SortModified  = "modified" // by dct:modified, else dct:issued; undated last either way
	SortQuality   = "quality"  // by MQA points; unscored last either way
)

// BM25 parameters, as Lucene's defaults.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// Query is a search: words, in a language or in any, narrowed by facet values.
type Query struct {
	// Text is the words to look for; a record must match every word (in
	// any of its title, description and keywords). Empty matches every
	// record; a text of stop words only matches none.
	Text string
	// Lang is the language of Text ("nb", "sv", ...): its words are
	// analysed as that language's (stemmed, stop words dropped) and as a
	// text without a language. Empty tries every language.
	Lang string
	// Filters narrows by facet (FacetCountry, ...): a record must have one of
	// the values given for each facet named.
	Filters map[string][]string
	// Sort is one of the Sort constants, "-" before it to reverse; empty is
	// relevance when there are words, else "-modified".
	Sort string
	// Limit and Offset page through the hits.
	Limit, Offset int
	// NoFacets leaves Result.Facets empty, for a caller that needs only the
	// hits.
	NoFacets bool
}

// Result is the answer to a Query.
type Result struct {
	Total  int                     `json:"total"`
	Hits   []Hit                   `json:"hits"`
	Facets map[string][]FacetCount `json:"facets,omitempty"`
}

// Hit is a record that matched.
type Hit struct {
	ID    string  `json:"id"`
	Score float64 `json:"score,omitempty"` // BM25; 0 without words
}

// FacetCount is how many of the hits have a facet value.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// ErrQuery is returned for a query Search cannot answer, such as an
// unknown facet or sort order.
var ErrQuery = errors.New("bad query")

// sortKey is a parsed Query.Sort.
type sortKey struct {
	by   string
	desc bool
}

func parseSort(s string, hasWords bool) (sortKey, error) {
	if s == "" {
		if hasWords {
			return sortKey{SortRelevance, true}, nil
		}
		return sortKey{SortModified, true}, nil
	}
	desc := strings.HasPrefix(s, "-")
	by := strings.TrimPrefix(s, "-")
	switch by {
	case SortRelevance:
		return sortKey{by, !desc}, nil // "relevance" is best first
	case SortTitle, SortModified, SortQuality:
		return sortKey{by, desc}, nil
	}
	return sortKey{}, fmt.Errorf("%w: unknown sort %q (want relevance, title, modified or quality, - before it to reverse)", ErrQuery, s)
}

// Validate reports whether Search can answer q, with the reason when not.
func (q Query) Validate() error {
	for f := range q.Filters {
		if !contains(FacetNames, f) {
			return fmt.Errorf("%w: unknown filter %q (want one of %s)", ErrQuery, f, strings.Join(FacetNames, ", "))
		}
	}
	if _, err := parseSort(q.Sort, true); err != nil {
		return err
	}
	if q.Offset < 0 || q.Offset > MaxOffset {
		return fmt.Errorf("%w: offset %d out of range 0 to %d", ErrQuery, q.Offset, MaxOffset)
	}
	if q.Limit > MaxLimit {
		return fmt.Errorf("%w: limit %d above %d", ErrQuery, q.Limit, MaxLimit)
	}
	return nil
}

// scratch is the per-search memory, reused.
type scratch struct {
	filter    bitset
	hitSet    bitset
	hits      []uint32
	heap      []scored
	merged    []plist
	bufs      []plist // union's memory, a word each
	tmp       plist
	rowCounts [][]int
	rowBuf    []uint64
}

var scratchPool = newScratchPool()

func newScratchPool() *sync.Pool { return &sync.Pool{New: func() any { return new(scratch) }} }

type scored struct {
	doc   uint32
	score float64
}

// plist is the postings of one query word: the union of its terms'.
type plist struct {
	docs []uint32
	tfs  []uint8
	idf  float64
	pos  int
}

// Search answers q: the hits in the order asked, and the most frequent
// values of every facet among all hits.
func (x *Index) Search(ctx context.Context, q Query) (Result, error) {
	if err := q.Validate(); err != nil {
		return Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	terms := queryTerms(q.Text, q.Lang)
	sk, _ := parseSort(q.Sort, len(terms) > 0)
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	s := scratchPool.Get().(*scratch)
	defer scratchPool.Put(s)

	x.mu.RLock()
	defer x.mu.RUnlock()
	c := collector{x: x, k: q.Offset + limit, sort: sk, heap: s.heap[:0], facets: !q.NoFacets, hits: s.hits[:0]}
	filter := x.filterSet(q.Filters, s)
	switch {
	case len(terms) > 0:
		x.matchWords(terms, filter, &c, s)
	case strings.TrimSpace(q.Text) != "":
		// Stop words only: nothing to look for.
	default:
		cands := x.live
		if filter != nil {
			cands = filter
		}
		for wi, w := range cands {
			for w != 0 {
				b := uint32(wi<<6) + uint32(trailingZeros(w))
				w &= w - 1
				c.collect(b, 0)
			}
		}
		if !q.NoFacets {
			c.hitSet = cands
		}
	}
	s.heap, s.hits = c.heap[:0], c.hits[:0]

	res := Result{Total: c.total, Hits: []Hit{}}
	c.sorted()
	for i := q.Offset; i < len(c.heap); i++ {
		res.Hits = append(res.Hits, Hit{ID: x.keys[c.heap[i].doc], Score: round(c.heap[i].score)})
	}
	if !q.NoFacets {
		res.Facets = x.countFacets(&c, s)
	}
	return res, nil
}

func round(f float64) float64 { return math.Round(f*1e4) / 1e4 }

// filterSet returns the live documents that pass the filters, nil when
// there are none.
func (x *Index) filterSet(filters map[string][]string, s *scratch) bitset {
	if len(filters) == 0 {
		return nil
	}
	s.filter = s.filter.reset(len(x.live))
	copy(s.filter, x.live)
	one := bitset(nil)
	for _, name := range FacetNames {
		vs, ok := filters[name]
		if !ok {
			continue
		}
		f := x.facets[name]
		one = one.reset(len(x.live))
		for _, v := range vs {
			if name == FacetCountry {
				v = strings.ToUpper(v)
			}
			id, ok := f.ids[v]
			if !ok {
				continue
			}
			if f.sparse {
				for _, n := range f.lists[id] {
					one[n>>6] |= 1 << (n & 63)
				}
			} else {
				one.or(f.bits[id][:min(len(f.bits[id]), len(one))])
			}
		}
		s.filter.and(one)
	}
	return s.filter
}

// matchWords collects the documents that have every word and pass filter.
func (x *Index) matchWords(words [][]string, filter bitset, c *collector, s *scratch) {
	lists := s.merged[:0]
	defer func() { s.merged = lists[:0] }()
	n := float64(max(x.nLive, 1))
	for _, variants := range words {
		var pl plist
		var found []*postings
		for _, t := range variants {
			if p := x.terms[t]; p != nil {
				found = append(found, p)
			}
		}
		switch len(found) {
		case 0:
			return // a word no record has: nothing matches every word
		case 1:
			pl = plist{docs: found[0].docs, tfs: found[0].tfs}
		default:
			for len(s.bufs) <= len(lists) {
				s.bufs = append(s.bufs, plist{})
			}
			pl = union(found, &s.bufs[len(lists)], &s.tmp)
			s.bufs[len(lists)] = pl
		}
		df := float64(len(pl.docs))
		pl.idf = math.Log(1 + (n-df+0.5)/(df+0.5))
		if pl.idf < 1e-6 {
			pl.idf = 1e-6 // dead documents make df exceed n
		}
		lists = append(lists, pl)
	}
	slices.SortFunc(lists, func(a, b plist) int { return cmp.Compare(len(a.docs), len(b.docs)) })

	tab := &x.bm25
	lenPart := &x.lenPart
	cands := x.live
	if filter != nil {
		cands = filter
	}
	drv := lists[0]
	rest := lists[1:]
next:
	for i, d := range drv.docs {
		if !cands.has(d) {
			continue
		}
		nm := x.norms[d]
		var score float64
		if tf := drv.tfs[i]; tf < bm25TabTF {
			score = drv.idf * float64(tab[nm][tf])
		} else {
			score = drv.idf * float64(tf) * (bm25K1 + 1) / (float64(tf) + lenPart[nm])
		}
		for j := range rest {
			r := &rest[j]
			r.pos = advance(r.docs, r.pos, d)
			if r.pos == len(r.docs) {
				break next
			}
			if r.docs[r.pos] != d {
				continue next
			}
			if tf := r.tfs[r.pos]; tf < bm25TabTF {
				score += r.idf * float64(tab[nm][tf])
			} else {
				score += r.idf * float64(tf) * (bm25K1 + 1) / (float64(tf) + lenPart[nm])
			}
		}
		c.collect(d, score)
	}
}

// union merges the postings of a word's terms, adding the frequencies of a
// document in more than one, into buf's memory.
func union(ps []*postings, buf *plist, tmp *plist) plist {
	slices.SortFunc(ps, func(a, b *postings) int { return cmp.Compare(len(b.docs), len(a.docs)) })
	out := merge2(ps[0].docs, ps[0].tfs, ps[1].docs, ps[1].tfs, buf)
	for _, p := range ps[2:] {
		*tmp, out = out, *tmp
		out = merge2(tmp.docs, tmp.tfs, p.docs, p.tfs, &out)
	}
	return out
}

// merge2 merges two postings into buf's memory.
func merge2(ad []uint32, at []uint8, bd []uint32, bt []uint8, buf *plist) plist {
	out := plist{docs: buf.docs[:0], tfs: buf.tfs[:0]}
	i, j := 0, 0
	for i < len(ad) && j < len(bd) {
		switch {
		case ad[i] < bd[j]:
			out.docs = append(out.docs, ad[i])
			out.tfs = append(out.tfs, at[i])
			i++
		case ad[i] > bd[j]:
			out.docs = append(out.docs, bd[j])
			out.tfs = append(out.tfs, bt[j])
			j++
		default:
			out.docs = append(out.docs, ad[i])
			out.tfs = append(out.tfs, uint8(min(int(at[i])+int(bt[j]), 255)))
			i++
			j++
		}
	}
	out.docs = append(append(out.docs, ad[i:]...), bd[j:]...)
	out.tfs = append(append(out.tfs, at[i:]...), bt[j:]...)
	return out
}

// advance returns the first position at or after pos whose document is at
// least target, galloping.
func advance(docs []uint32, pos int, target uint32) int {
	if pos >= len(docs) || docs[pos] >= target {
		return pos
	}
	lo, step := pos, 1
	hi := lo + step
	for hi < len(docs) && docs[hi] < target {
		lo = hi
		step <<= 1
		hi = lo + step
	}
	hi = min(hi, len(docs))
	// docs[lo] < target; docs[hi] >= target or hi == len(docs).
	for lo+1 < hi {
		mid := int(uint(lo+hi) >> 1)
		if docs[mid] < target {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// collector keeps the best k hits in a heap whose root is the worst kept,
// counts every hit and, for facets, lists them.
type collector struct {
	x      *Index
	k      int
	sort   sortKey
	heap   []scored
	total  int
	facets bool
	hits   []uint32
	hitSet bitset // when set, the hits as a bitset (match-all and filter-only searches)
}

// better reports whether a goes before b in the order asked.
func (c *collector) better(a, b scored) bool {
	x := c.x
	var d int
	switch c.sort.by {
	case SortRelevance:
		d = cmp.Compare(a.score, b.score)
	case SortTitle:
		d = strings.Compare(x.titles[a.doc], x.titles[b.doc])
	case SortModified:
		ma, mb := x.modified[a.doc], x.modified[b.doc]
		if (ma == math.MinInt64) != (mb == math.MinInt64) {
			return mb == math.MinInt64 // undated last, either way
		}
		d = cmp.Compare(ma, mb)
	case SortQuality:
		qa, qb := x.quality[a.doc], x.quality[b.doc]
		if (qa < 0) != (qb < 0) {
			return qb < 0 // unscored last, either way
		}
		d = cmp.Compare(qa, qb)
	}
	if !c.sort.desc {
		d = -d
	}
	if d == 0 {
		return x.keys[a.doc] < x.keys[b.doc]
	}
	return d > 0
}

func (c *collector) collect(d uint32, score float64) {
	c.total++
	if c.facets && c.hitSet == nil {
		c.hits = append(c.hits, d)
	}
	if c.k == 0 {
		return
	}
	h := scored{d, score}
	if len(c.heap) < c.k {
		c.heap = append(c.heap, h)
		c.up(len(c.heap) - 1)
		return
	}
	if c.sort.by == SortRelevance && c.sort.desc && score < c.heap[0].score {
		return
	}
	if !c.better(h, c.heap[0]) {
		return
	}
	c.heap[0] = h
	c.down(0)
}

// The heap's order: the root is the worst.
func (c *collector) worse(i, j int) bool { return c.better(c.heap[j], c.heap[i]) }

func (c *collector) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !c.worse(i, p) {
			return
		}
		c.heap[i], c.heap[p] = c.heap[p], c.heap[i]
		i = p
	}
}

func (c *collector) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(c.heap) {
			return
		}
		m := l
		if r := l + 1; r < len(c.heap) && c.worse(r, l) {
			m = r
		}
		if !c.worse(m, i) {
			return
		}
		c.heap[i], c.heap[m] = c.heap[m], c.heap[i]
		i = m
	}
}

// sorted orders the kept hits best first.
func (c *collector) sorted() {
	slices.SortFunc(c.heap, func(a, b scored) int {
		if c.better(a, b) {
			return -1
		}
		if c.better(b, a) {
			return 1
		}
		return 0
	})
}

// countFacets counts, for every facet, the hits with each value and returns
// the most frequent values.
//
// A facet's counts come from one of two places. Its values' bitsets ANDed
// with the hits cost a word per 64 documents and value, whatever the hits:
// cheap for many hits and few values. Otherwise from the hits' rows: one
// pass over the hits that reads each hit's row, one cache line holding all
// its facets' values.
func (x *Index) countFacets(c *collector, s *scratch) map[string][]FacetCount {
	nhits := c.total
	words := len(x.live)
	var fromRows, fromVals, fromCol []int // facets counted from the rows, each hit's value list, the column
	fromBits := make([]bool, len(FacetNames))
	// Many hits: every dense facet from its bitsets (about 1.5 ns a word of
	// 64 documents and value), the sparse ones from their narrow column,
	// rather than a row, a likely cache miss, for every hit.
	dense := 0
	for _, name := range FacetNames {
		if f := x.facets[name]; !f.sparse {
			dense += len(f.values)
		}
	}
	manyHits := !forceRows && (forceBits || nhits*24 > dense*words)
	for i, name := range FacetNames {
		f := x.facets[name]
		row := inRow(i, f)
		switch {
		case manyHits && f.sparse:
			fromCol = append(fromCol, i)
			continue
		case manyHits:
			fromBits[i] = true
		case forceRows:
			fromBits[i] = !row && !f.sparse && rowSlots[i].width > 0
		case !f.sparse:
			// A facet in the rows costs a few instructions a hit more, as
			// the rows are read anyway; outside them, its bitsets when
			// cheaper than its value lists.
			fromBits[i] = (!row && rowSlots[i].width > 0) || (!row && len(f.values)*words < nhits*2)
		}
		switch {
		case fromBits[i]:
		case row:
			fromRows = append(fromRows, i)
		default:
			fromVals = append(fromVals, i)
		}
	}
	if cap(s.rowCounts) < len(FacetNames) {
		s.rowCounts = make([][]int, len(FacetNames))
	}
	counts := s.rowCounts[:len(FacetNames)]
	for i, name := range FacetNames {
		n := len(x.facets[name].values)
		if cap(counts[i]) < n {
			counts[i] = make([]int, n)
		}
		counts[i] = counts[i][:n]
		clear(counts[i])
	}
	if len(fromRows) > 0 {
		// The facets whose slot holds a bitmask, and those whose slot
		// holds a value id.
		type counter struct {
			word, shift uint
			mask        uint64
			counts      []int
		}
		var masks, ids []counter
		for _, i := range fromRows {
			sl := rowSlots[i]
			c := counter{word: sl.word, shift: sl.shift, mask: ^uint64(0), counts: counts[i]}
			if sl.width < 64 {
				c.mask = 1<<sl.width - 1
			}
			if x.facets[FacetNames[i]].sparse {
				ids = append(ids, c)
			} else {
				masks = append(masks, c)
			}
		}
		// Rows are read in two passes a block of hits at a time: the first
		// only copies the hits' rows, loads that do not depend on each
		// other, so that the processor has many cache misses in flight;
		// the second counts from the copy, in the first-level cache.
		rows := x.rows
		const block = 256
		if cap(s.rowBuf) < block*rowStride {
			s.rowBuf = make([]uint64, block*rowStride)
		}
		buf := s.rowBuf[:block*rowStride]
		var pending [block]uint32
		n := 0
		flush := func() {
			for j, d := range pending[:n] {
				src := (*[rowStride]uint64)(rows[int(d)*rowStride : int(d)*rowStride+rowStride])
				dst := (*[rowStride]uint64)(buf[j*rowStride : (j+1)*rowStride])
				dst[0], dst[1], dst[2], dst[3] = src[0], src[1], src[2], src[3]
			}
			for j := range n {
				r := (*[rowStride]uint64)(buf[j*rowStride : (j+1)*rowStride])
				for k := range masks {
					c := &masks[k]
					for w := (r[c.word&(rowStride-1)] >> c.shift) & c.mask; w != 0; w &= w - 1 {
						c.counts[trailingZeros(w)]++
					}
				}
				for k := range ids {
					c := &ids[k]
					if w := (r[c.word&(rowStride-1)] >> c.shift) & c.mask; w != 0 {
						c.counts[w-1]++
					}
				}
			}
			n = 0
		}
		add := func(d uint32) {
			pending[n] = d
			n++
			if n == block {
				flush()
			}
		}
		if c.hitSet != nil {
			for wi, w := range c.hitSet {
				for w != 0 {
					add(uint32(wi<<6) + uint32(trailingZeros(w)))
					w &= w - 1
				}
			}
		} else {
			for _, d := range c.hits {
				add(d)
			}
		}
		flush()
	}
	for _, i := range fromCol {
		col, cs := x.facets[FacetNames[i]].col, counts[i]
		if c.hitSet != nil {
			for wi, w := range c.hitSet {
				for w != 0 {
					if v := col[uint32(wi<<6)+uint32(trailingZeros(w))]; v != 0 {
						cs[v-1]++
					}
					w &= w - 1
				}
			}
		} else {
			for _, d := range c.hits {
				if v := col[d]; v != 0 {
					cs[v-1]++
				}
			}
		}
	}
	for _, i := range fromVals {
		f := x.facets[FacetNames[i]]
		count := func(d uint32) {
			for _, id := range f.vals[f.off[d]:f.off[d+1]] {
				counts[i][id]++
			}
		}
		if c.hitSet != nil {
			for wi, w := range c.hitSet {
				for w != 0 {
					count(uint32(wi<<6) + uint32(trailingZeros(w)))
					w &= w - 1
				}
			}
		} else {
			for _, d := range c.hits {
				count(d)
			}
		}
	}
	hitSet := c.hitSet
	out := make(map[string][]FacetCount, len(FacetNames))
	for i, name := range FacetNames {
		if fromBits[i] {
			if hitSet == nil {
				s.hitSet = s.hitSet.reset(words)
				for _, d := range c.hits {
					s.hitSet[d>>6] |= 1 << (d & 63)
				}
				hitSet = s.hitSet
			}
			for id, b := range x.facets[name].bits {
				counts[i][id] = hitSet.andCount(b)
			}
		}
		out[name] = topCounts(x.facets[name].values, counts[i])
	}
	return out
}

// Tests set these to count every facet that can be from its rows, or from
// its bitsets.
var forceRows, forceBits bool

// topCounts returns the facetSize values with the highest counts, ties by
// value.
func topCounts(values []string, counts []int) []FacetCount {
	out := []FacetCount{}
	for id, n := range counts {
		if n == 0 {
			continue
		}
		fc := FacetCount{values[id], n}
		if len(out) == facetSize && !countBefore(fc, out[len(out)-1]) {
			continue
		}
		i, _ := slices.BinarySearchFunc(out, fc, func(a, b FacetCount) int {
			if countBefore(a, b) {
				return -1
			}
			if countBefore(b, a) {
				return 1
			}
			return 0
		})
		out = slices.Insert(out, i, fc)
		if len(out) > facetSize {
			out = out[:facetSize]
		}
	}
	return out
}

func countBefore(a, b FacetCount) bool {
	if a.Count != b.Count {
		return a.Count > b.Count
	}
	return a.Value < b.Value
}
