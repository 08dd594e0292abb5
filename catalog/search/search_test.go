package search

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"samband/catalog"
	"samband/catalog/sqlite"
	"samband/harvest"
)

const corpus = "../../testdata/corpus/"

// sources are the corpus files the tests harvest, with their countries.
var testSources = []harvest.Config{
	{Name: "nav", Country: "NO", Kind: harvest.KindFile, URL: corpus + "no-fdk-legacy/nav-2017-10-31.ttl"},
	{Name: "se", Country: "SE", Kind: harvest.KindFile, URL: corpus + "se-dcat-ap-se/exempel_rekommenderat.ttl"},
	{Name: "dk", Country: "DK", Kind: harvest.KindFile, URL: corpus + "dk-dcat-ap-dk/extended-example1.ttl"},
}

// harvested returns a real SQLite store filled by harvesting srcs.
func harvested(t *testing.T, srcs ...harvest.Config) *sqlite.Store {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := harvest.New(st, nil, nil, harvest.Options{SkolemBase: "https://samband.example/.well-known/genid/"})
	for _, src := range srcs {
		rep, err := h.Run(ctx, src)
		if err != nil || rep.Status != "complete" {
			t.Fatalf("harvest %s = %s, %v; want complete", src.Name, rep.Status, err)
		}
	}
	return st
}

// catchUp applies every change of st to idx, ten at a time.
func catchUp(t *testing.T, idx *Index, st *sqlite.Store) {
	t.Helper()
	ctx := context.Background()
	for {
		recs, err := st.Changes(ctx, idx.LastSeq(), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			return
		}
		if err := idx.Apply(ctx, recs); err != nil {
			t.Fatal(err)
		}
	}
}

func openIndex(t *testing.T, dir string) *Index {
	t.Helper()
	idx, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	return idx
}

// ids returns the ids of r's hits, sorted.
func ids(r Result) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.ID)
	}
	slices.Sort(out)
	return out
}

func TestSearch(t *testing.T) {
	ctx := context.Background()
	st := harvested(t, testSources...)
	idx := openIndex(t, filepath.Join(t.TempDir(), "idx"))
	catchUp(t, idx, st)
	if n := idx.Count(); n != 45 || idx.LastSeq() != 45 {
		t.Fatalf("after catching up: %d records, LastSeq %d; want 45, 45", n, idx.LastSeq())
	}
	const (
		pension   = "vepfa2m6k3nn3a3g" // Individuelle pensjonsordninger
		libraries = "ero6hd7kuyi6mzwd" // Bibliotek i Sverige / Libraries in Sweden
		api       = "ylxrkt4lydbto7f4" // API exempel, keywords bibliotek and library
		dk001     = "ogrv7zk7pcvzik6l" // Datasæt 001
	)
	for _, tc := range []struct {
		name string
		q    Query
		want []string
	}{
		{"nb stemmed", Query{Text: "pensjonsordningen", Lang: "nb"}, []string{pension}},
		{"nb stemmed two words", Query{Text: "individuell pensjonsordningen", Lang: "no"}, []string{pension}},
		{"no language: every language's stemmer", Query{Text: "pensjonsordningen"}, []string{pension}},
		{"sv stop word only", Query{Text: "och", Lang: "sv"}, nil},
		{"no language, exact", Query{Text: "Pensjonsordninger"}, []string{pension}},
		{"sv stemmed", Query{Text: "biblioteken", Lang: "sv"}, []string{libraries, api}},
		{"sv two words", Query{Text: "öppettider biblioteken", Lang: "sv"}, []string{libraries}},
		{"en stemmed", Query{Text: "Sweden's", Lang: "en"}, []string{libraries}},
		{"da", Query{Text: "datasæt", Lang: "da"}, []string{dk001}},
		{"every word must match", Query{Text: "bibliotek pensjonsordninger"}, nil},
		{"filter by format", Query{Filters: map[string][]string{FacetFormat: {"CSV"}}}, []string{libraries, dk001}},
		{"filter by country and format", Query{Filters: map[string][]string{FacetCountry: {"se"}, FacetFormat: {"CSV", "XML"}}}, []string{libraries}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := idx.Search(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(tc.want)
			if got := ids(res); !slices.Equal(got, tc.want) || res.Total != len(tc.want) {
				t.Errorf("Search(%+v) = %d %v, want %v", tc.q, res.Total, got, tc.want)
			}
		})
	}

	t.Run("facets", func(t *testing.T) {
		res, err := idx.Search(ctx, Query{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 45 || len(res.Hits) != 1 {
			t.Fatalf("match all: total %d, %d hits; want 45, 1", res.Total, len(res.Hits))
		}
		for _, tc := range []struct {
			facet string
			want  []FacetCount
		}{
			{FacetCountry, []FacetCount{{"NO", 42}, {"SE", 2}, {"DK", 1}}},
			{FacetFormat, []FacetCount{{"CSV", 2}, {"JSON", 1}, {"XML", 1}}},
			{FacetAccess, []FacetCount{{"RESTRICTED", 37}, {"PUBLIC", 8}}},
		} {
			if got := res.Facets[tc.facet]; !slices.Equal(got, tc.want) {
				t.Errorf("facet %s = %v, want %v", tc.facet, got, tc.want)
			}
		}
		res, err = idx.Search(ctx, Query{Filters: map[string][]string{FacetFormat: {"CSV"}}})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := res.Facets[FacetCountry], []FacetCount{{"DK", 1}, {"SE", 1}}; !slices.Equal(got, want) {
			t.Errorf("country facet among CSV = %v, want %v", got, want)
		}
	})

	t.Run("no facets", func(t *testing.T) {
		res, err := idx.Search(ctx, Query{Text: "biblioteken", Lang: "sv", NoFacets: true})
		if err != nil || res.Total != 2 || len(res.Facets) != 0 {
			t.Errorf("Search(NoFacets) = %v, %v; want 2 hits and no facets", res, err)
		}
	})

	t.Run("highlights", func(t *testing.T) {
		q := Query{Text: "biblioteken", Lang: "sv"}
		res, err := idx.Search(ctx, q)
		if err != nil || len(res.Hits) != 2 || res.Hits[0].ID != libraries {
			t.Fatalf("Search = %v, %v; want the libraries first", res, err)
		}
		rec, err := st.Dataset(ctx, res.Hits[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		hl := Highlight(rec, q)
		if got := hl["title"]; len(got) == 0 || !strings.Contains(got[0], "<mark>Bibliotek</mark>") {
			t.Errorf("title highlights = %q, want <mark>Bibliotek</mark>", got)
		}
		for field, frags := range hl {
			for _, f := range frags {
				if !strings.Contains(f, "<mark>") {
					t.Errorf("%s fragment %q has no mark", field, f)
				}
			}
		}
	})

	t.Run("unknown facet", func(t *testing.T) {
		_, err := idx.Search(ctx, Query{Filters: map[string][]string{"colour": {"red"}}})
		if !errors.Is(err, ErrQuery) {
			t.Errorf("Search with an unknown facet: %v, want ErrQuery", err)
		}
	})
}

func TestWithdrawnAndReopen(t *testing.T) {
	ctx := context.Background()
	st := harvested(t, testSources...)
	dir := filepath.Join(t.TempDir(), "idx")
	idx, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	catchUp(t, idx, st)

	// Source "se" now lists the Danish record only: its two records are withdrawn.
	moved := testSources[1]
	moved.URL = testSources[2].URL
	h := harvest.New(st, nil, nil, harvest.Options{SkolemBase: "https://samband.example/.well-known/genid/"})
	if rep, err := h.Run(ctx, moved); err != nil || rep.Withdrawn != 2 {
		t.Fatalf("harvest = %+v, %v; want 2 withdrawn", rep, err)
	}
	before := idx.LastSeq()
	catchUp(t, idx, st)
	if idx.LastSeq() <= before {
		t.Errorf("LastSeq = %d after the withdrawals, want above %d", idx.LastSeq(), before)
	}
	res, err := idx.Search(ctx, Query{Text: "bibliotek", Lang: "sv"})
	if err != nil || res.Total != 0 {
		t.Errorf("withdrawn record still found: %v, %v", res, err)
	}
	if n := idx.Count(); n != 43 {
		t.Errorf("%d records after 2 withdrawn, want 43", n)
	}
	seq := idx.LastSeq()
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}

	if err := idx.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	idx = openIndex(t, dir)
	if idx.LastSeq() != seq {
		t.Errorf("reopened: LastSeq = %d, want %d", idx.LastSeq(), seq)
	}
	res, err = idx.Search(ctx, Query{Text: "pensjonsordningen", Lang: "nb"})
	if err != nil || res.Total != 1 {
		t.Errorf("reopened: Search = %v, %v; want 1 hit", res, err)
	}
	if n := idx.Count(); n != 43 {
		t.Errorf("reopened: %d records, want 43", n)
	}
}

func TestFollow(t *testing.T) {
	st := harvested(t, testSources[0])
	idx := openIndex(t, filepath.Join(t.TempDir(), "idx"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Follow(ctx, idx, st.Changes, 20*time.Millisecond) }()

	wait := func(want int64) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for idx.LastSeq() < want {
			if time.Now().After(deadline) {
				t.Fatalf("LastSeq = %d after 5s, want %d", idx.LastSeq(), want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	wait(42)
	// A harvest while Follow runs is searchable within a second.
	h := harvest.New(st, nil, nil, harvest.Options{SkolemBase: "https://samband.example/.well-known/genid/"})
	if _, err := h.Run(context.Background(), testSources[1]); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	wait(44)
	if d := time.Since(start); d > time.Second {
		t.Errorf("the harvested records took %v to be applied", d)
	}
	res, err := idx.Search(context.Background(), Query{Text: "biblioteken", Lang: "sv"})
	if err != nil || res.Total != 2 {
		t.Errorf("Search after Follow = %v, %v; want 2 hits", res, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Follow returned %v when ctx ended, want nil", err)
	}
}

func TestFollowError(t *testing.T) {
	idx := openIndex(t, filepath.Join(t.TempDir(), "idx"))
	boom := errors.New("boom")
	err := Follow(context.Background(), idx, func(context.Context, int64, int) ([]catalog.Dataset, error) { return nil, boom }, time.Millisecond)
	if !errors.Is(err, boom) {
		t.Errorf("Follow = %v, want the error of changes", err)
	}
}

func TestAnalyzerFor(t *testing.T) {
	for _, tc := range []struct{ lang, want string }{
		{"nb", "no"}, {"nn", "no"}, {"no", "no"}, {"nb-NO", "no"}, {"sv", "sv"}, {"SV", "sv"},
		{"en-GB", "en"}, {"da", "da"}, {"fi", "fi"}, {"is", "other"}, {"et", "other"}, {"", "other"},
	} {
		if got := analyzerFor(tc.lang).name; got != tc.want {
			t.Errorf("analyzerFor(%q) = %q, want %q", tc.lang, got, tc.want)
		}
	}
}
