package harvest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"samband/internal/corpus"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"samband/catalog"
	"samband/catalog/rdf"
)

func corpusPath(parts ...string) string {
	return filepath.Join(append([]string{"..", "testdata", "corpus"}, parts...)...)
}

func readCorpus(t *testing.T, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(corpusPath(parts...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fastClient retries quickly, so that tests of retries take milliseconds.
func fastClient() *retryablehttp.Client {
	c := retryablehttp.NewClient()
	c.RetryMax = 3
	c.RetryWaitMin = 5 * time.Millisecond
	c.RetryWaitMax = 20 * time.Millisecond
	c.Logger = nil
	return c
}

func newTestHarvester(st Store, opts Options) *Harvester {
	if opts.SkolemBase == "" {
		opts.SkolemBase = "https://samband.example/.well-known/genid/"
	}
	return New(st, fastClient(), nil, opts)
}

// mustRun runs a source and fails the test if the run could not be recorded.
func mustRun(t *testing.T, h *Harvester, cfg Config) catalog.Report {
	t.Helper()
	rep, err := h.Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run(%s) error: %v", cfg.Name, err)
	}
	return rep
}

// site is a test server of fixed pages that counts requests.
type site struct {
	*httptest.Server
	mu    sync.Mutex
	pages map[string]page // by path?query
	hits  map[string]int
	reqs  []*http.Request
}

type page struct {
	body        []byte
	contentType string
	status      int
	header      map[string]string
}

func newSite(t *testing.T) *site {
	s := &site{pages: map[string]page{}, hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Path
		if r.URL.RawQuery != "" {
			key += "?" + r.URL.RawQuery
		}
		s.mu.Lock()
		s.hits[key]++
		s.reqs = append(s.reqs, r)
		p, ok := s.pages[key]
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		for k, v := range p.header {
			w.Header().Set(k, v)
		}
		if p.contentType != "" {
			w.Header().Set("Content-Type", p.contentType)
		}
		if p.status != 0 {
			w.WriteHeader(p.status)
		}
		w.Write(p.body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *site) set(key string, p page) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[key] = p
}

func (s *site) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

func countKind(recs map[string]catalog.Dataset, kind string) int {
	n := 0
	for _, r := range recs {
		if r.Kind == kind {
			n++
		}
	}
	return n
}

// corpusRow is one file of testdata/corpus/SOURCES.md.
type corpusRow struct {
	path     string // under testdata/corpus
	datasets int    // -1 when not given
	rdflib   string
	notes    string
}

func corpusRows(t *testing.T) []corpusRow {
	t.Helper()
	files, err := corpus.Files()
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]corpusRow, 0, len(files))
	for _, f := range files {
		rows = append(rows, corpusRow{path: f.Path, datasets: f.Datasets, rdflib: f.RDFLib, notes: f.Notes})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].path < rows[j].path })
	return rows
}

// contentTypeOf is the right Content-Type of a corpus file.
func contentTypeOf(p string) string {
	switch filepath.Ext(p) {
	case ".ttl":
		return "text/turtle; charset=utf-8"
	case ".nt":
		return "application/n-triples"
	case ".rdf", ".xml":
		return "application/rdf+xml"
	case ".jsonld":
		return "application/ld+json"
	}
	return "application/octet-stream"
}

// wrongContentType is a plausible wrong Content-Type for a corpus file.
func wrongContentType(p string, i int) string {
	wrong := []string{"text/plain", "application/octet-stream", "text/html; charset=utf-8"}
	switch filepath.Ext(p) {
	case ".ttl", ".nt":
		wrong = append(wrong, "application/rdf+xml", "application/ld+json")
	case ".rdf", ".xml":
		wrong = append(wrong, "text/turtle")
	case ".jsonld":
		wrong = append(wrong, "text/turtle", "application/rdf+xml")
	}
	return wrong[i%len(wrong)]
}

// splitCatalogue splits a corpus catalogue into n pages of triples: every
// dataset with the blank nodes it reaches goes to one page (round robin),
// everything else to the first.
func splitCatalogue(t *testing.T, file string, n int) [][]rdf.Triple {
	t.Helper()
	var ts []rdf.Triple
	f, err := os.Open(corpusPath(file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := rdf.DecodeAny(f, file, rdf.Options{Base: "http://example.org/"}, func(tr rdf.Triple) error {
		ts = append(ts, tr)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	bySubj := map[string][]rdf.Triple{}
	var datasets []string
	for _, tr := range ts {
		k := termKey(tr.Subj)
		bySubj[k] = append(bySubj[k], tr)
		if tr.Pred.String() == rdf.NSRDF+"type" && tr.Obj.String() == "http://www.w3.org/ns/dcat#Dataset" {
			if _, ok := tr.Subj.(rdf.IRI); ok {
				datasets = append(datasets, k)
			}
		}
	}
	pageOf := map[string]int{}
	var reach func(k string, p int)
	reach = func(k string, p int) {
		if _, done := pageOf[k]; done {
			return
		}
		pageOf[k] = p
		for _, tr := range bySubj[k] {
			if b, ok := tr.Obj.(rdf.Blank); ok {
				reach(termKey(b), p)
			}
		}
	}
	for i, d := range datasets {
		reach(d, i%n)
	}
	pages := make([][]rdf.Triple, n)
	for _, tr := range ts {
		pages[pageOf[termKey(tr.Subj)]] = append(pages[pageOf[termKey(tr.Subj)]], tr)
	}
	return pages
}

func termKey(t rdf.Term) string {
	if b, ok := t.(rdf.Blank); ok {
		return "_:" + b.String()
	}
	return t.String()
}

// turtle writes triples as N-Triples lines (which are Turtle), then extra Turtle.
func turtle(ts []rdf.Triple, extra string) []byte {
	var b strings.Builder
	for _, tr := range ts {
		b.WriteString(tr.Serialize(0))
	}
	b.WriteString(extra)
	return []byte(b.String())
}
