package search

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"samband/catalog"
)

// vocabulary of the random records: words of real catalogue titles.
var vocabulary = map[string][]string{
	"nb": {"befolkning", "kommune", "skatt", "arbeid", "arbeidsledighet", "bolig", "statistikk", "helse", "barn", "dødsfall"},
	"sv": {"befolkning", "kommun", "skatt", "arbete", "bostad", "statistik", "hälsa", "barn", "dödsfall", "bibliotek"},
	"en": {"population", "municipality", "tax", "work", "unemployment", "housing", "statistics", "health", "children", "deaths"},
	"fi": {"väestö", "kunta", "vero", "työ", "työttömyys", "asunto", "tilasto", "terveys", "lapset", "kuolemat"},
	"is": {"mannfjöldi", "sveitarfélag", "skattur", "vinna", "atvinnuleysi", "húsnæði", "tölfræði", "heilsa", "börn", "dauðsföll"},
}

// randomRecord returns record i, version v.
func randomRecord(rng *rand.Rand, i, v int) catalog.Dataset {
	langs := []string{"nb", "sv", "en", "fi", "is"}
	r := catalog.Dataset{
		ID: fmt.Sprintf("r%04d", i), Kind: catalog.KindDataset,
		Title: catalog.Text{}, Description: catalog.Text{}, Keywords: catalog.Text{},
		Modified:  fmt.Sprintf("20%02d-%02d-01", 10+rng.IntN(15), 1+rng.IntN(12)),
		Sources:   []catalog.SourceRecord{{Source: fmt.Sprintf("src-%d", rng.IntN(5)), Country: []string{"no", "SE", "FI", "IS"}[rng.IntN(4)]}},
		Publisher: &catalog.Agent{IRI: fmt.Sprintf("https://pub.example/%d", rng.IntN(30))},
		EUThemes:  []string{[]string{"SOCI", "ECON", "HEAL", "GOVE"}[rng.IntN(4)]},
		Quality:   &catalog.Quality{Score: rng.IntN(405)},
	}
	for range 1 + rng.IntN(2) {
		lang := langs[rng.IntN(len(langs))]
		text := func(n int) string {
			ws := make([]string, n)
			for j := range ws {
				ws[j] = vocabulary[lang][rng.IntN(len(vocabulary[lang]))]
			}
			return strings.Join(ws, " ")
		}
		r.Title.Add(lang, strings.ToUpper(text(1)[:1])+text(2)[1:]+fmt.Sprintf(" %d", v))
		r.Description.Add(lang, text(5+rng.IntN(20)))
		r.Keywords.Add(lang, text(1))
	}
	for range rng.IntN(3) {
		format := []string{"CSV", "JSON", "XML"}[rng.IntN(3)]
		if rng.IntN(4) == 0 {
			format = fmt.Sprintf("F%02d", rng.IntN(80)) // more values than a row's bitmask holds
		}
		r.Distributions = append(r.Distributions, catalog.Distribution{FormatEU: format})
	}
	return r
}

// naive answers a query by looking at every record: the reference the
// index must agree with.
func naive(recs map[string]catalog.Dataset, q Query) (ids []string, facets map[string]map[string]int) {
	terms := queryTerms(q.Text, q.Lang)
	facets = map[string]map[string]int{}
	for id, r := range recs {
		have := map[string]bool{}
		for _, t := range []catalog.Text{r.Title, r.Keywords, r.Description} {
			for lang, vs := range t {
				a := analyzerFor(lang)
				for _, v := range vs {
					words(v, func(w word) bool { have[a.term(w.lower)] = true; return true })
				}
			}
		}
		ok := q.Text == "" || len(terms) > 0
		for _, variants := range terms {
			any := false
			for _, t := range variants {
				any = any || have[t]
			}
			ok = ok && any
		}
		for name, want := range q.Filters {
			vs := facetValues(name, r, Options{})
			any := false
			for _, w := range want {
				if name == FacetCountry {
					w = strings.ToUpper(w)
				}
				any = any || contains(vs, w)
			}
			ok = ok && any
		}
		if !ok {
			continue
		}
		ids = append(ids, id)
		for _, name := range FacetNames {
			for _, v := range facetValues(name, r, Options{}) {
				if facets[name] == nil {
					facets[name] = map[string]int{}
				}
				facets[name][v]++
			}
		}
	}
	slices.Sort(ids)
	return ids, facets
}

// TestAgainstNaive applies random records, updates and withdrawals, then
// checks random queries against a search that looks at every record: the
// same hits, the same facet counts, the orders asked for.
func TestAgainstNaive(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 7))
	idx := New(Options{})
	recs := map[string]catalog.Dataset{}
	seq := int64(0)
	for round := range 3 {
		var batch []catalog.Dataset
		for range 400 {
			i := rng.IntN(600)
			seq++
			r := randomRecord(rng, i, round)
			r.Seq = seq
			if rng.IntN(8) == 0 {
				r = catalog.Dataset{ID: r.ID, Seq: seq, Withdrawn: true}
				delete(recs, r.ID)
			} else {
				recs[r.ID] = r
			}
			batch = append(batch, r)
		}
		if err := idx.Apply(ctx, batch); err != nil {
			t.Fatal(err)
		}
		if round == 1 {
			idx.mu.Lock()
			idx.compact()
			idx.mu.Unlock()
		}
		if idx.Count() != len(recs) || idx.LastSeq() != seq {
			t.Fatalf("round %d: Count %d, LastSeq %d; want %d, %d", round, idx.Count(), idx.LastSeq(), len(recs), seq)
		}
	}

	var queries []Query
	for _, lang := range []string{"nb", "sv", "en", "fi", "is", ""} {
		for _, w := range vocabulary[cmp.Or(lang, "nb")] {
			queries = append(queries, Query{Text: w, Lang: lang})
		}
	}
	queries = append(queries,
		Query{},
		Query{Text: "befolkning statistikk", Lang: "nb"},
		Query{Text: "health statistikk"},   // a word of one term, then one of several
		Query{Text: "barn tölfræði helse"}, // several terms a word
		Query{Text: "statistics befolkning", Lang: "en"},
		Query{Text: "Children's health", Lang: "en"},
		Query{Text: "tölfræði", Lang: "is"},
		Query{Text: "tölfræðinnar", Lang: "is"}, // the fallback's five letters
		Query{Text: "barn", Filters: map[string][]string{FacetCountry: {"se", "no"}}},
		Query{Filters: map[string][]string{FacetPublisher: {"https://pub.example/3", "https://pub.example/4"}, FacetFormat: {"CSV"}}},
		Query{Filters: map[string][]string{FacetTheme: {"HEAL"}, FacetCountry: {"FI"}}},
		Query{Filters: map[string][]string{FacetTheme: {"NONE"}}},
		Query{Text: "nothingatall"},
	)
	// Facets counted by the way Search picks, then from the rows, then
	// from the bitsets.
	for i := range 3 * len(queries) {
		q := queries[i%len(queries)]
		q.Limit = MaxLimit
		forceRows, forceBits = i/len(queries) == 1, i/len(queries) == 2
		if i < len(queries) {
			scratchPool = newScratchPool() // fresh memory first, reused after
		}
		res, err := idx.Search(ctx, q)
		forceRows, forceBits = false, false
		if err != nil {
			t.Fatal(err)
		}
		want, facets := naive(recs, q)
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.ID)
		}
		slices.Sort(got)
		if res.Total != len(want) || !slices.Equal(got, want) {
			t.Errorf("%+v: %d hits %v\nwant %d %v", q, res.Total, got, len(want), want)
			continue
		}
		for _, name := range FacetNames {
			fc := res.Facets[name]
			wantN := min(len(facets[name]), facetSize)
			if len(fc) != wantN {
				t.Errorf("%+v: facet %s has %d values, want %d", q, name, len(fc), wantN)
			}
			for i, c := range fc {
				if facets[name][c.Value] != c.Count {
					t.Errorf("%+v: facet %s %s = %d, want %d", q, name, c.Value, c.Count, facets[name][c.Value])
				}
				if i > 0 && countBefore(c, fc[i-1]) {
					t.Errorf("%+v: facet %s out of order: %v", q, name, fc)
				}
			}
		}
		for i := 1; i < len(res.Hits); i++ {
			if q.Text != "" && res.Hits[i].Score > res.Hits[i-1].Score {
				t.Errorf("%+v: hit %d scores %v above hit %d's %v", q, i, res.Hits[i].Score, i-1, res.Hits[i-1].Score)
				break
			}
		}
	}

	// Aggregates: by one and by two facets, of everything and of a search,
	// against counting every record.
	for _, tc := range []struct {
		by []string
		q  Query
	}{
		{[]string{FacetCountry, FacetTheme}, Query{}},
		{[]string{FacetPublisher}, Query{Filters: map[string][]string{FacetCountry: {"NO"}}}},
		{[]string{FacetFormat, FacetCountry}, Query{Text: "barn"}},
		{[]string{FacetLifeEvent, FacetSource}, Query{Text: "statistikk"}},
	} {
		cells, err := idx.Aggregate(ctx, tc.by, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		ids, _ := naive(recs, tc.q)
		want := map[string]*Cell{}
		for _, id := range ids {
			r := recs[id]
			var combos [][]string
			orNone := func(vs []string) []string {
				if len(vs) == 0 {
					return []string{""}
				}
				return vs
			}
			for _, v0 := range orNone(facetValues(tc.by[0], r, Options{})) {
				if len(tc.by) == 1 {
					combos = append(combos, []string{v0})
					continue
				}
				for _, v1 := range orNone(facetValues(tc.by[1], r, Options{})) {
					combos = append(combos, []string{v0, v1})
				}
			}
			for _, vs := range combos {
				k := strings.Join(vs, "|")
				if want[k] == nil {
					want[k] = &Cell{Values: vs}
				}
				want[k].Records++
				want[k].Scored++
				want[k].Score += int64(r.Quality.Score)
			}
		}
		if len(cells) != len(want) {
			t.Errorf("Aggregate(%v, %+v): %d cells, want %d", tc.by, tc.q, len(cells), len(want))
		}
		for i, c := range cells {
			w := want[strings.Join(c.Values, "|")]
			if w == nil || w.Records != c.Records || w.Scored != c.Scored || w.Score != c.Score {
				t.Errorf("Aggregate(%v, %+v): cell %+v, want %+v", tc.by, tc.q, c, w)
			}
			if i > 0 && strings.Join(cells[i-1].Values, "\x00") >= strings.Join(c.Values, "\x00") {
				t.Errorf("Aggregate(%v): cells out of order at %v", tc.by, c.Values)
			}
		}
	}
	if _, err := idx.Aggregate(ctx, []string{FacetCountry, FacetCountry}, Query{}); !errors.Is(err, ErrQuery) {
		t.Errorf("Aggregate by a facet twice: %v, want ErrQuery", err)
	}

	// The other orders, and paging through them.
	for _, sort := range []string{"title", "-title", "modified", "-modified", "quality", "-quality"} {
		q := Query{Sort: sort, Limit: MaxLimit}
		all, err := idx.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		key := func(id string) string {
			r := recs[id]
			switch strings.TrimPrefix(sort, "-") {
			case "title":
				return strings.ToLower(r.Title.Get("en", "nb", "no", "nn", "sv", "da", "fi"))
			case "modified":
				return r.Modified
			}
			return fmt.Sprintf("%03d", r.Quality.Score)
		}
		for i := 1; i < len(all.Hits); i++ {
			a, b := key(all.Hits[i-1].ID), key(all.Hits[i].ID)
			if c := strings.Compare(a, b); (strings.HasPrefix(sort, "-") && c < 0) || (!strings.HasPrefix(sort, "-") && c > 0) ||
				(c == 0 && all.Hits[i-1].ID > all.Hits[i].ID) {
				t.Fatalf("sort %s: %s (%s) before %s (%s)", sort, all.Hits[i-1].ID, a, all.Hits[i].ID, b)
			}
		}
		page, err := idx.Search(ctx, Query{Sort: sort, Offset: 37, Limit: 25, NoFacets: true})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(page.Hits, all.Hits[37:62]) || page.Total != all.Total || page.Facets != nil {
			t.Errorf("sort %s: page at 37 = %v, want %v", sort, page.Hits, all.Hits[37:62])
		}
	}

	// What a save holds is what a reopen finds.
	path := filepath.Join(t.TempDir(), "index")
	saved := New(Options{})
	saved.path = path
	for _, r := range recs {
		if err := saved.Apply(ctx, []catalog.Dataset{r}); err != nil {
			t.Fatal(err)
		}
	}
	if err := saved.Apply(ctx, []catalog.Dataset{{ID: "r0001", Seq: seq + 1, Withdrawn: true}}); err != nil {
		t.Fatal(err)
	}
	if err := saved.Save(); err != nil {
		t.Fatal(err)
	}
	back, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if back.LastSeq() != saved.LastSeq() || back.Count() != saved.Count() || back.SavedSeq() != saved.LastSeq() {
		t.Errorf("reopened: LastSeq %d, Count %d; want %d, %d", back.LastSeq(), back.Count(), saved.LastSeq(), saved.Count())
	}
	for _, q := range queries {
		a, _ := saved.Search(ctx, q)
		b, _ := back.Search(ctx, q)
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%+v: saved %v\nreopened %v", q, a, b)
		}
	}
}

func TestSnapshotDamaged(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "index")
	idx, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var recs []catalog.Dataset
	for i := range 50 {
		r := randomRecord(rng, i, 0)
		r.Seq = int64(i + 1)
		recs = append(recs, r)
	}
	if err := idx.Apply(ctx, recs); err != nil {
		t.Fatal(err)
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, Options{Fingerprint: "other rules"}); !errors.Is(err, ErrStale) || errors.Is(err, ErrSnapshot) {
		t.Errorf("Open with another fingerprint = %v, want ErrStale", err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"cut short":   raw[:len(raw)/2],
		"empty":       {},
		"other file":  []byte("SQLite format 3\x00"),
		"one bit off": append(append([]byte{}, raw[:100]...), append([]byte{raw[100] ^ 4}, raw[101:]...)...),
	} {
		if err := os.WriteFile(path, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(path, Options{}); !errors.Is(err, ErrSnapshot) {
			t.Errorf("%s: Open = %v, want ErrSnapshot", name, err)
		}
	}
}

// FuzzSnapshot: whatever the file holds, Open returns an index or an
// error, and never panics.
func FuzzSnapshot(f *testing.F) {
	idx := New(Options{})
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 5 {
		r := randomRecord(rng, i, 0)
		r.Seq = int64(i + 1)
		idx.Apply(context.Background(), []catalog.Dataset{r})
	}
	idx.Apply(context.Background(), []catalog.Dataset{{ID: "r0002", Seq: 9, Withdrawn: true}})
	path := filepath.Join(f.TempDir(), "seed")
	idx.path = path
	if err := idx.Save(); err != nil {
		f.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	f.Add(raw)
	f.Fuzz(func(t *testing.T, data []byte) {
		x := New(Options{})
		if err := x.read(data); err != nil {
			return
		}
		x.Search(context.Background(), Query{Text: "befolkning", Limit: 5})
		x.Search(context.Background(), Query{Filters: map[string][]string{FacetFormat: {"CSV"}}})
	})
}

// FuzzSearch: whatever a client asks, Search answers or refuses, and never
// panics.
func FuzzSearch(f *testing.F) {
	idx := New(Options{})
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 200 {
		r := randomRecord(rng, i, 0)
		r.Seq = int64(i + 1)
		idx.Apply(context.Background(), []catalog.Dataset{r})
	}
	f.Add("befolkning statistikk", "nb", "country", "NO", "-modified", 10, 0)
	f.Add("Children's", "en", "format", "CSV", "title", 1, 5)
	f.Add("’’'s ' \x00\xff", "is", "publisher", "x", "relevance", -1, 10001)
	f.Fuzz(func(t *testing.T, text, lang, facet, value, sort string, limit, offset int) {
		q := Query{Text: text, Lang: lang, Filters: map[string][]string{facet: {value}}, Sort: sort, Limit: limit, Offset: offset}
		res, err := idx.Search(context.Background(), q)
		if err != nil {
			if !errors.Is(err, ErrQuery) {
				t.Fatalf("Search(%+v) = %v, not ErrQuery", q, err)
			}
			return
		}
		if len(res.Hits) > max(limit, DefaultLimit) || res.Total < len(res.Hits) {
			t.Fatalf("Search(%+v): %d hits of %d", q, len(res.Hits), res.Total)
		}
		for _, h := range res.Hits {
			r := randomRecord(rand.New(rand.NewPCG(0, 0)), 0, 0)
			r.Title = catalog.Text{lang: {text}}
			Highlight(r, q)
			_ = h
		}
	})
}
