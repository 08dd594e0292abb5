// Command search measures catalog/search on a large generated catalogue:
// how fast the index is built, how much disk and memory it takes, and how
// fast it answers a mix of one- and two-word queries with facets.
//
//	go run ./bench/search -n 100000 -queries 4000 -clients 2
//
// The catalogue is made in memory from the real records of the corpus
// (testdata/corpus: every file that maps to records with a title): record i
// takes the languages, country and kind of a real record, and in each of its
// languages a title (3 to 8 words), a description (15 to 60 words) and 1 to 4
// keywords drawn from the words the corpus uses in that language, at the
// frequencies it uses them. The corpus is small (some 2,000 distinct words), so
// three tokens in ten are instead a compound of two of those words
// ("befolkning"+"statistikk"), a long tail as in real catalogues. Publishers
// are 2,000, variants of those seen, drawn with a Zipf law; themes, formats,
// licences and access rights from the EU vocabularies the corpus uses,
// country from the source's folder (no-, se-, dk-, fi-; the EU and CKAN
// examples get one of NO, SE, DK, FI, IS, EE).
//
// The index is built with Apply in batches of 1,000 changes, as Follow does,
// saved, and opened again from its file, as a gateway does after a restart.
// The queries are drawn from the 200 most frequent words of the generated
// catalogue (three letters or more, not a stop word of their language):
// half one word, half two words of the same language; three in four in that
// language, one in four without a language. Clients send them concurrently,
// each query asking for 10 hits and all facets; then the same queries again
// without facets, to show what facets cost. Highlighting the 10 hits of a
// query is measured on its own (the gateway highlights the records it
// loads from the store for the page).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"samband/catalog"
	"samband/catalog/rdf"
	"samband/catalog/search"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "search bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fl := flag.NewFlagSet("search", flag.ContinueOnError)
	n := fl.Int("n", 100_000, "datasets to generate and index")
	nq := fl.Int("queries", 4000, "queries to send (each mode)")
	clients := fl.Int("clients", 2, "concurrent clients")
	dir := fl.String("dir", "", "directory for the index (default: a temporary one, removed after)")
	corpus := fl.String("corpus", "testdata/corpus", "the corpus of real records")
	seed := fl.Uint64("seed", 1, "random seed")
	cpuprofile := fl.String("cpuprofile", "", "write a CPU profile of the queries with facets to this file")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "search-bench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	path := filepath.Join(*dir, "search.idx")
	if err := os.RemoveAll(path); err != nil {
		return err
	}

	bases, err := readCorpus(*corpus)
	if err != nil {
		return err
	}
	g := newGenerator(bases, *seed)
	fmt.Fprintf(stdout, "corpus: %d records, %d languages, %d distinct words; %d publishers\n",
		len(bases), len(g.words), g.distinct(), len(g.publishers))

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heap0 := ms.HeapAlloc
	idx, err := search.Open(path, search.Options{})
	if err != nil {
		return err
	}

	// Build.
	start := time.Now()
	const batch = 1000
	recs := make([]catalog.Dataset, 0, batch)
	for i := 0; i < *n; i++ {
		recs = append(recs, g.dataset(i))
		if len(recs) == batch || i == *n-1 {
			if err := idx.Apply(ctx, recs); err != nil {
				return err
			}
			recs = recs[:0]
		}
		if (i+1)%100_000 == 0 {
			fmt.Fprintf(stdout, "  %d indexed, %.0f/s\n", i+1, float64(i+1)/time.Since(start).Seconds())
		}
	}
	build := time.Since(start)
	fmt.Fprintf(stdout, "build: %d datasets in %v: %.0f datasets/s\n", idx.Count(), build.Round(time.Millisecond), float64(*n)/build.Seconds())
	per := func(b uint64) float64 { return float64(b) / float64(*n) * 100_000 / (1 << 20) }
	runtime.GC()
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(stdout, "heap after build and GC: %.1f MiB (%.1f MiB per 100k); RSS %.1f MiB\n",
		float64(ms.HeapAlloc-heap0)/(1<<20), per(ms.HeapAlloc-heap0), float64(rss())/(1<<20))
	start = time.Now()
	if err := idx.Save(); err != nil {
		return err
	}
	disk := du(*dir)
	fmt.Fprintf(stdout, "save: %v; file %.1f MiB (%.1f MiB per 100k)\n", time.Since(start).Round(time.Millisecond), float64(disk)/(1<<20), per(disk))

	// Open again, as a gateway does after a restart.
	idx = nil
	runtime.GC()
	runtime.ReadMemStats(&ms)
	heap0 = ms.HeapAlloc
	start = time.Now()
	idx, err = search.Open(path, search.Options{})
	if err != nil {
		return err
	}
	open := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(stdout, "open: %v; heap after open and GC: %.1f MiB (%.1f MiB per 100k); RSS %.1f MiB\n",
		open.Round(time.Millisecond), float64(ms.HeapAlloc-heap0)/(1<<20), per(ms.HeapAlloc-heap0), float64(rss())/(1<<20))

	qs := g.queries(*nq)
	for _, noFacets := range []bool{false, true} {
		for i := range qs {
			qs[i].NoFacets = noFacets
		}
		// One warm-up pass over a few queries, unmeasured.
		for _, q := range qs[:min(100, len(qs))] {
			if _, err := idx.Search(ctx, q); err != nil {
				return err
			}
		}
		if *cpuprofile != "" && !noFacets {
			f, err := os.Create(*cpuprofile)
			if err != nil {
				return err
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				return err
			}
		}
		st, err := runQueries(ctx, idx, qs, *clients)
		if *cpuprofile != "" && !noFacets {
			pprof.StopCPUProfile()
		}
		if err != nil {
			return err
		}
		mode := "with facets"
		if noFacets {
			mode = "without facets"
		}
		fmt.Fprintf(stdout, "queries %s, %d clients: %d in %v: %.0f queries/s\n", mode, *clients, len(qs), st.wall.Round(time.Millisecond), float64(len(qs))/st.wall.Seconds())
		for _, c := range st.classes() {
			fmt.Fprintf(stdout, "  %-28s n=%-5d p50 %7.2f ms  p90 %7.2f ms  p99 %7.2f ms  max %7.2f ms  mean hits %.0f\n",
				c.name, c.n, c.p(50), c.p(90), c.p(99), c.p(100), c.meanHits)
		}
	}
	// Highlights of the 10 hits of each query, from the generated records.
	var hl time.Duration
	var nhl int
	byID := map[string]int{}
	for _, q := range qs[:min(500, len(qs))] {
		res, err := idx.Search(ctx, search.Query{Text: q.Text, Lang: q.Lang, Limit: 10, NoFacets: true})
		if err != nil {
			return err
		}
		var hits []catalog.Dataset
		for _, h := range res.Hits {
			i, ok := byID[h.ID]
			if !ok {
				i = g.find(h.ID, *n)
				byID[h.ID] = i
			}
			hits = append(hits, g.dataset(i))
		}
		t := time.Now()
		for _, r := range hits {
			search.Highlight(r, q)
		}
		hl += time.Since(t)
		nhl++
	}
	fmt.Fprintf(stdout, "highlights of 10 hits: %.1f µs a query (%d queries)\n", float64(hl.Microseconds())/float64(max(nhl, 1)), nhl)
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(stdout, "heap after queries: %.1f MiB; RSS %.1f MiB\n", float64(ms.HeapAlloc)/(1<<20), float64(rss())/(1<<20))
	return nil
}

// readCorpus returns the records of every corpus file that maps to records
// with a title, with the country of their source set.
func readCorpus(dir string) ([]catalog.Dataset, error) {
	var out []catalog.Dataset
	others := []string{"NO", "SE", "DK", "FI", "IS", "EE"}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		doc := catalog.NewDocument()
		if _, err := rdf.DecodeAny(f, p, rdf.Options{Base: "file:///" + filepath.ToSlash(p)}, doc.Add); err != nil {
			return nil // not RDF, or not for us: the corpus has broken files on purpose
		}
		rel, _ := filepath.Rel(dir, p)
		country := strings.ToUpper(strings.SplitN(rel, "-", 2)[0])
		_, err = doc.Records(catalog.MapOptions{Source: "bench"}, func(r catalog.Dataset) error {
			if len(r.Title) == 0 {
				return nil
			}
			c := country
			if len(c) != 2 || c == "EU" {
				c = others[len(out)%len(others)]
			}
			r.Sources = []catalog.SourceRecord{{Source: "bench", Country: c}}
			out = append(out, r)
			return nil
		})
		return err
	})
	if len(out) == 0 && err == nil {
		err = fmt.Errorf("no records in %s", dir)
	}
	return out, err
}

// generator makes datasets from the corpus records.
type generator struct {
	bases      []catalog.Dataset
	seed       uint64
	words      map[string][]string // language to its words, as often as the corpus uses them
	keywords   map[string][]string
	publishers []string
	themes     []string
	formats    []string
	licences   []string
	access     []string

	mu     sync.Mutex
	counts map[string]map[string]int // language to word to uses, as generated
	ids    map[string]int            // dataset id to i, made by find
}

func newGenerator(bases []catalog.Dataset, seed uint64) *generator {
	g := &generator{bases: bases, seed: seed, words: map[string][]string{}, keywords: map[string][]string{}, counts: map[string]map[string]int{}}
	seen := func(pool *[]string, vs ...string) {
		for _, v := range vs {
			if v != "" && !contains(*pool, v) {
				*pool = append(*pool, v)
			}
		}
	}
	var pubs []string
	for _, r := range bases {
		for _, t := range []catalog.Text{r.Title, r.Description} {
			for lang, vs := range t {
				for _, v := range vs {
					g.words[lang] = append(g.words[lang], tokens(v)...)
				}
			}
		}
		for lang, vs := range r.Keywords {
			g.keywords[lang] = append(g.keywords[lang], vs...)
		}
		if r.Publisher != nil && r.Publisher.IRI != "" {
			seen(&pubs, r.Publisher.IRI)
		}
		seen(&g.themes, r.EUThemes...)
		seen(&g.access, r.AccessRightsEU)
		for _, d := range r.Distributions {
			seen(&g.formats, d.FormatEU)
			seen(&g.licences, d.LicenseEU)
		}
	}
	// Languages with too few words to make a text of are left out; their
	// records are written in their other languages.
	for lang, ws := range g.words {
		if len(ws) < 5 {
			delete(g.words, lang)
		}
	}
	if len(pubs) == 0 {
		pubs = []string{"https://publisher.example/"}
	}
	for i := 0; len(g.publishers) < 2000; i++ {
		g.publishers = append(g.publishers, fmt.Sprintf("%s#unit-%d", pubs[i%len(pubs)], i/len(pubs)))
	}
	for _, pool := range []*[]string{&g.themes, &g.formats, &g.licences, &g.access} {
		if len(*pool) == 0 {
			*pool = []string{"OTHER"}
		}
	}
	return g
}

func (g *generator) distinct() int {
	seen := map[string]bool{}
	for lang, ws := range g.words {
		for _, w := range ws {
			seen[lang+" "+w] = true
		}
	}
	return len(seen)
}

func contains(vs []string, v string) bool {
	for _, w := range vs {
		if w == v {
			return true
		}
	}
	return false
}

// tokens returns the words of s, lower case, without punctuation.
func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// find returns the i of the generated dataset with the given id, -1 when
// none of the first n has it.
func (g *generator) find(id string, n int) int {
	if g.ids == nil {
		g.ids = make(map[string]int, n)
		for i := range n {
			rng := rand.New(rand.NewPCG(g.seed, uint64(i)))
			base := g.bases[rng.IntN(len(g.bases))]
			g.ids[catalog.IDFor(fmt.Sprintf("%s-g%d", base.IRI, i))] = i
		}
	}
	if i, ok := g.ids[id]; ok {
		return i
	}
	return -1
}

// dataset returns generated dataset i; the same i gives the same dataset.
func (g *generator) dataset(i int) catalog.Dataset {
	rng := rand.New(rand.NewPCG(g.seed, uint64(i)))
	base := g.bases[rng.IntN(len(g.bases))]
	iri := fmt.Sprintf("%s-g%d", base.IRI, i)
	r := catalog.Dataset{
		ID: catalog.IDFor(iri), IRI: iri, Kind: base.Kind, Seq: int64(i + 1),
		Title: catalog.Text{}, Description: catalog.Text{}, Keywords: catalog.Text{},
		Sources: base.Sources,
	}
	local := map[string]map[string]int{}
	text := func(lang string, lo, hi int) string {
		ws := g.words[lang]
		k := lo + rng.IntN(hi-lo+1)
		out := make([]string, k)
		for j := range out {
			if rng.IntN(10) < 3 {
				// A compound: the long tail, never among the most frequent.
				out[j] = ws[rng.IntN(len(ws))] + ws[rng.IntN(len(ws))]
				continue
			}
			out[j] = ws[rng.IntN(len(ws))]
			if local[lang] == nil {
				local[lang] = map[string]int{}
			}
			local[lang][out[j]]++
		}
		return strings.Join(out, " ")
	}
	for _, lang := range base.Title.Languages() {
		if _, ok := g.words[lang]; !ok {
			continue
		}
		r.Title[lang] = []string{text(lang, 3, 8)}
		r.Description[lang] = []string{text(lang, 15, 60)}
		if kws := g.keywords[lang]; len(kws) > 0 {
			for range 1 + rng.IntN(4) {
				r.Keywords.Add(lang, kws[rng.IntN(len(kws))])
			}
		}
	}
	if len(r.Title) == 0 { // no language with words: an untagged English text
		lang := "en"
		r.Title[""] = []string{text(lang, 3, 8)}
		r.Description[""] = []string{text(lang, 15, 60)}
	}
	zipf := rand.NewZipf(rng, 1.1, 1, uint64(len(g.publishers)-1))
	r.Publisher = &catalog.Agent{IRI: g.publishers[zipf.Uint64()]}
	r.EUThemes = []string{g.themes[rng.IntN(len(g.themes))]}
	if rng.IntN(3) == 0 {
		if t := g.themes[rng.IntN(len(g.themes))]; t != r.EUThemes[0] {
			r.EUThemes = append(r.EUThemes, t)
		}
	}
	r.AccessRightsEU = g.access[rng.IntN(len(g.access))]
	lic := g.licences[rng.IntN(len(g.licences))]
	for range 1 + rng.IntN(3) {
		r.Distributions = append(r.Distributions, catalog.Distribution{FormatEU: g.formats[rng.IntN(len(g.formats))], LicenseEU: lic})
	}
	g.mu.Lock()
	for lang, m := range local {
		if g.counts[lang] == nil {
			g.counts[lang] = map[string]int{}
		}
		for w, c := range m {
			g.counts[lang][w] += c
		}
	}
	g.mu.Unlock()
	return r
}

// queries returns n queries drawn from the 200 most frequent words of what
// was generated, stop words of their language's analyzer left out.
func (g *generator) queries(n int) []search.Query {
	type word struct {
		lang, w string
		n       int
	}
	var all []word
	for lang, ws := range g.counts {
		for w, c := range ws {
			if len([]rune(w)) < 3 || len(search.Terms(lang, w)) == 0 {
				continue // short, or a stop word
			}
			all = append(all, word{lang, w, c})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].n != all[j].n {
			return all[i].n > all[j].n
		}
		return all[i].lang+all[i].w < all[j].lang+all[j].w
	})
	top := all[:min(200, len(all))]
	byLang := map[string][]word{}
	for _, w := range top {
		byLang[w.lang] = append(byLang[w.lang], w)
	}
	rng := rand.New(rand.NewPCG(g.seed, 1<<62))
	qs := make([]search.Query, n)
	for i := range qs {
		w := top[rng.IntN(len(top))]
		q := search.Query{Text: w.w, Lang: w.lang, Limit: 10}
		if rng.IntN(2) == 0 {
			same := byLang[w.lang]
			q.Text += " " + same[rng.IntN(len(same))].w
		}
		if rng.IntN(4) == 0 {
			q.Lang = ""
		}
		qs[i] = q
	}
	return qs
}

type sample struct {
	class string
	d     time.Duration
	hits  int
}

type stats struct {
	wall    time.Duration
	samples []sample
}

type class struct {
	name     string
	n        int
	ms       []float64
	meanHits float64
}

func (c class) p(q float64) float64 {
	if len(c.ms) == 0 {
		return 0
	}
	i := int(q/100*float64(len(c.ms))+0.5) - 1
	return c.ms[max(0, min(i, len(c.ms)-1))]
}

// classes returns the latencies of all queries, and of one- and two-word
// queries, with and without a language, and by hit count.
func (s stats) classes() []class {
	groups := map[string][]sample{}
	order := []string{"all", "1 word", "2 words", "with language", "without language",
		"hits < 1%", "hits 1-10%", "hits >= 10%"}
	total := 0
	for _, x := range s.samples {
		total = max(total, x.hits)
	}
	for _, x := range s.samples {
		groups["all"] = append(groups["all"], x)
		for _, c := range strings.Split(x.class, ",") {
			groups[c] = append(groups[c], x)
		}
	}
	var out []class
	for _, name := range order {
		xs := groups[name]
		if len(xs) == 0 {
			continue
		}
		c := class{name: name, n: len(xs)}
		sum := 0
		for _, x := range xs {
			c.ms = append(c.ms, float64(x.d.Microseconds())/1000)
			sum += x.hits
		}
		sort.Float64s(c.ms)
		c.meanHits = float64(sum) / float64(len(xs))
		out = append(out, c)
	}
	return out
}

func runQueries(ctx context.Context, idx *search.Index, qs []search.Query, clients int) (stats, error) {
	n := idx.Count()
	samples := make([]sample, len(qs))
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				next.Lock()
				j := i
				i++
				next.Unlock()
				if j >= len(qs) {
					return
				}
				q := qs[j]
				t := time.Now()
				res, err := idx.Search(ctx, q)
				d := time.Since(t)
				if err != nil {
					errs <- err
					return
				}
				cls := "1 word"
				if strings.Contains(q.Text, " ") {
					cls = "2 words"
				}
				if q.Lang != "" {
					cls += ",with language"
				} else {
					cls += ",without language"
				}
				switch share := float64(res.Total) / float64(max(n, 1)); {
				case share < 0.01:
					cls += ",hits < 1%"
				case share < 0.10:
					cls += ",hits 1-10%"
				default:
					cls += ",hits >= 10%"
				}
				samples[j] = sample{cls, d, res.Total}
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return stats{}, err
	}
	return stats{wall: wall, samples: samples}, nil
}

// du returns the bytes of the files under dir.
func du(dir string) uint64 {
	var n uint64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += uint64(info.Size())
			}
		}
		return nil
	})
	return n
}

// rss returns the resident set size of the process, 0 where /proc has none.
func rss() uint64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			var kb uint64
			fmt.Sscan(f[1], &kb)
			return kb << 10
		}
	}
	return 0
}
