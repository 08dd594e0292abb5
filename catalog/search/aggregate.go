package search

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Cell is one combination of values of the facets an Aggregate is by, with
// what the records that have it add up to. A record with no value of a
// facet counts under "".
type Cell struct {
	Values []string `json:"values"`
	// Records is how many records have the values; Scored how many of
	// them have an MQA score.
	Records int `json:"records"`
	Scored  int `json:"scored"`
	// Score is the sum of the scored records' MQA points, Dimensions the
	// sums by dimension (in the order of Dimensions).
	Score      int64   `json:"score"`
	Dimensions []int64 `json:"dimensions"`
}

// maxDenseCells bounds the cells Aggregate keeps in an array; more go in a map.
const maxDenseCells = 1 << 20

// Aggregate counts the records that match q (its words and filters; not its
// paging, sort or facets) by the values of one or two facets, with their
// MQA points: what coverage and quality reports are made of. A record with
// several values of a facet counts under each. Cells come ordered by their
// values.
func (x *Index) Aggregate(ctx context.Context, by []string, q Query) ([]Cell, error) {
	if len(by) == 0 || len(by) > 2 {
		return nil, fmt.Errorf("%w: aggregate by one or two facets, not %d", ErrQuery, len(by))
	}
	for _, f := range by {
		if !contains(FacetNames, f) {
			return nil, fmt.Errorf("%w: unknown facet %q (want one of %s)", ErrQuery, f, strings.Join(FacetNames, ", "))
		}
	}
	if len(by) == 2 && by[0] == by[1] {
		return nil, fmt.Errorf("%w: aggregate by two different facets", ErrQuery)
	}
	q.Sort, q.Limit, q.Offset, q.NoFacets = "", 0, 0, false
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	terms := queryTerms(q.Text, q.Lang)
	s := scratchPool.Get().(*scratch)
	defer scratchPool.Put(s)

	x.mu.RLock()
	defer x.mu.RUnlock()
	// Every hit, in a collector that keeps none for ranking.
	c := collector{x: x, k: 0, sort: sortKey{SortRelevance, true}, facets: true, hits: s.hits[:0]}
	filter := x.filterSet(q.Filters, s)
	switch {
	case len(terms) > 0:
		x.matchWords(terms, filter, &c, s)
	case strings.TrimSpace(q.Text) != "":
	default:
		c.hitSet = x.live
		if filter != nil {
			c.hitSet = filter
		}
	}
	defer func() { s.hits = c.hits[:0] }()

	fs := make([]*facet, len(by))
	sizes := make([]int, len(by))
	total := 1
	for i, name := range by {
		fs[i] = x.facets[name]
		sizes[i] = len(fs[i].values) + 1 // the last: no value
		total *= sizes[i]
	}
	nd := len(Dimensions)
	type acc struct {
		records, scored int
		score           int64
		dims            [8]int64
	}
	var dense []acc
	var sparse map[int]*acc
	if total <= maxDenseCells {
		dense = make([]acc, total)
	} else {
		sparse = map[int]*acc{}
	}
	cell := func(key int) *acc {
		if dense != nil {
			return &dense[key]
		}
		a := sparse[key]
		if a == nil {
			a = &acc{}
			sparse[key] = a
		}
		return a
	}
	var vals [2][]uint32
	none := [2][]uint32{{math.MaxUint32}, {math.MaxUint32}}
	add := func(d uint32) {
		for i, f := range fs {
			vals[i] = f.vals[f.off[d]:f.off[d+1]]
			if len(vals[i]) == 0 {
				vals[i] = none[i]
			}
		}
		index := func(i int, v uint32) int {
			if v == math.MaxUint32 {
				return sizes[i] - 1
			}
			return int(v)
		}
		q := x.quality[d]
		dims := x.dims[int(d)*nd : int(d)*nd+nd]
		visit := func(key int) {
			a := cell(key)
			a.records++
			if q >= 0 {
				a.scored++
				a.score += int64(q)
				for j, p := range dims {
					a.dims[j] += int64(p)
				}
			}
		}
		for _, v0 := range vals[0] {
			k0 := index(0, v0)
			if len(fs) == 1 {
				visit(k0)
				continue
			}
			for _, v1 := range vals[1] {
				visit(k0*sizes[1] + index(1, v1))
			}
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

	value := func(i, k int) string {
		if k == sizes[i]-1 {
			return ""
		}
		return fs[i].values[k]
	}
	var out []Cell
	emit := func(key int, a *acc) {
		if a.records == 0 {
			return
		}
		c := Cell{Records: a.records, Scored: a.scored, Score: a.score, Dimensions: slices.Clone(a.dims[:nd])}
		if len(fs) == 1 {
			c.Values = []string{value(0, key)}
		} else {
			c.Values = []string{value(0, key/sizes[1]), value(1, key%sizes[1])}
		}
		out = append(out, c)
	}
	if dense != nil {
		for k := range dense {
			emit(k, &dense[k])
		}
	} else {
		for k, a := range sparse {
			emit(k, a)
		}
	}
	slices.SortFunc(out, func(a, b Cell) int {
		for i := range a.Values {
			if c := strings.Compare(a.Values[i], b.Values[i]); c != 0 {
				return c
			}
		}
		return 0
	})
	return out, nil
}
