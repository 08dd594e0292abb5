package harvest

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"samband/catalog"
)

// TestCorpus harvests every valid DCAT corpus file through a real HTTP
// server, under a path without extension and, for every other file, with a
// wrong Content-Type, and finds rdflib's number of datasets.
func TestCorpus(t *testing.T) {
	s := newSite(t)
	n := 0
	for i, row := range corpusRows(t) {
		if row.rdflib != "ok" || row.datasets <= 0 {
			continue
		}
		n++
		ct := contentTypeOf(row.path)
		if i%2 == 1 {
			ct = wrongContentType(row.path, i)
		}
		key := fmt.Sprintf("/doc/%d", i)
		s.set(key, page{body: readCorpus(t, row.path), contentType: ct})
		t.Run(row.path, func(t *testing.T) {
			// A store each: the examples share IRIs.
			st := newStore(t)
			h := newTestHarvester(st, Options{})
			name := fmt.Sprintf("corpus-%d", i)
			rep := mustRun(t, h, Config{Name: name, Kind: KindDCAT, URL: s.URL + key})
			if rep.Status != catalog.StatusComplete || len(rep.Errors) > 0 {
				t.Fatalf("served as %q: status %s, errors %v", ct, rep.Status, rep.Errors)
			}
			if got := countKind(records(t, st, name), catalog.KindDataset); got != row.datasets {
				t.Errorf("served as %q: %d datasets, want %d (report %+v)", ct, got, row.datasets, rep)
			}
			if rep.Pages != 1 || rep.Bytes != int64(len(readCorpus(t, row.path))) {
				t.Errorf("pages %d bytes %d, want 1 and the file's size", rep.Pages, rep.Bytes)
			}
		})
	}
	if n < 60 {
		t.Fatalf("only %d corpus files with datasets found; SOURCES.md not read right?", n)
	}
}

// TestMalformed harvests every file SOURCES.md marks MALFORMED: the run
// fails with the fault's line and column, and stores nothing.
func TestMalformed(t *testing.T) {
	st := newStore(t)
	h := newTestHarvester(st, Options{})
	s := newSite(t)
	n := 0
	for i, row := range corpusRows(t) {
		if !strings.Contains(row.notes, "MALFORMED") {
			continue
		}
		n++
		key := fmt.Sprintf("/bad/%d", i)
		s.set(key, page{body: readCorpus(t, row.path), contentType: contentTypeOf(row.path)})
		t.Run(row.path, func(t *testing.T) {
			name := fmt.Sprintf("bad-%d", i)
			rep := mustRun(t, h, Config{Name: name, Kind: KindDCAT, URL: s.URL + key})
			if rep.Status != catalog.StatusFailed {
				t.Fatalf("status %s, want failed", rep.Status)
			}
			if len(rep.Errors) != 1 {
				t.Fatalf("errors %v, want one", rep.Errors)
			}
			e := rep.Errors[0]
			if e.Line == 0 || e.Column == 0 || e.URL != s.URL+key || e.Severity != "error" {
				t.Errorf("error %+v: want line, column, severity and the page URL", e)
			}
			if got := len(records(t, st, name)); got != 0 {
				t.Errorf("%d records stored from a malformed page", got)
			}
		})
	}
	if n < 5 {
		t.Fatalf("only %d malformed files found", n)
	}
}

// hydraSite serves catalog_diff_0.ttl (15 datasets) as a 3-page Hydra
// collection; link(i) is the Turtle that points page i to page i+1.
func hydraSite(t *testing.T, link func(s *site, i int) string) *site {
	s := newSite(t)
	pages := splitCatalogue(t, "no-fdk-dataset-harvester/catalog_diff_0.ttl", 3)
	for i, ts := range pages {
		extra := ""
		if i < len(pages)-1 {
			extra = link(s, i+1)
		}
		s.set(fmt.Sprintf("/catalog?page=%d", i+1), page{body: turtle(ts, extra), contentType: "text/turtle"})
	}
	return s
}

const hydra = "http://www.w3.org/ns/hydra/core#"

func TestHydraPaging(t *testing.T) {
	tests := []struct {
		name string
		link func(s *site, i int) string // Turtle on page i (1-based) linking to page i+1
	}{
		{"view/next IRI absolute", func(s *site, i int) string {
			return fmt.Sprintf("<%s/catalog> <%sview> _:v .\n_:v a <%sPartialCollectionView> ; <%snext> <%s/catalog?page=%d> .\n",
				s.URL, hydra, hydra, hydra, s.URL, i+1)
		}},
		{"view/next IRI relative", func(s *site, i int) string {
			return fmt.Sprintf("<> <%sview> _:v .\n_:v a <%sPartialCollectionView> ; <%snext> <?page=%d> .\n", hydra, hydra, hydra, i+1)
		}},
		{"view/next string relative", func(s *site, i int) string {
			return fmt.Sprintf("<> <%sview> _:v .\n_:v <%snext> \"catalog?page=%d\" .\n", hydra, hydra, i+1)
		}},
		{"paged/nextPage string absolute", func(s *site, i int) string {
			return fmt.Sprintf("<> a <%sPagedCollection> ; <%snextPage> \"%s/catalog?page=%d\" ; <%stotalItems> 15 .\n",
				hydra, hydra, s.URL, i+1, hydra)
		}},
		{"paged/nextPage IRI", func(s *site, i int) string {
			return fmt.Sprintf("<> a <%sPagedCollection> ; <%snextPage> <%s/catalog?page=%d> .\n", hydra, hydra, s.URL, i+1)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := hydraSite(t, tc.link)
			st := newStore(t)
			h := newTestHarvester(st, Options{})
			rep := mustRun(t, h, Config{Name: "paged", Kind: KindDCAT, URL: s.URL + "/catalog?page=1"})
			if rep.Status != catalog.StatusComplete || rep.Pages != 3 || len(rep.Errors) > 0 {
				t.Fatalf("status %s pages %d errors %v, want complete, 3, none", rep.Status, rep.Pages, rep.Errors)
			}
			if got := countKind(records(t, st, "paged"), catalog.KindDataset); got != 15 {
				t.Errorf("%d datasets, want 15", got)
			}
			if rep.Added != len(records(t, st, "paged")) {
				t.Errorf("added %d, records %d", rep.Added, len(records(t, st, "paged")))
			}
		})
	}
}

func nextIRI(s *site, i int) string {
	return fmt.Sprintf("<> <%sview> _:v .\n_:v <%snext> <%s/catalog?page=%d> .\n", hydra, hydra, s.URL, i+1)
}

// TestPagingLoop: page 3 links back to page 1; the run fails and says so.
func TestPagingLoop(t *testing.T) {
	s := hydraSite(t, nextIRI)
	p3 := s.pages["/catalog?page=3"]
	p3.body = append(p3.body, fmt.Sprintf("<> <%snext> <%s/catalog?page=1> .\n", hydra, s.URL)...)
	s.set("/catalog?page=3", p3)
	st := newStore(t)
	rep := mustRun(t, newTestHarvester(st, Options{}), Config{Name: "loop", Kind: KindDCAT, URL: s.URL + "/catalog?page=1"})
	if rep.Status != catalog.StatusFailed || rep.Pages != 3 {
		t.Fatalf("status %s pages %d, want failed after 3", rep.Status, rep.Pages)
	}
	if len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Message, "loops") || !strings.Contains(rep.Errors[0].Message, "page 1") {
		t.Errorf("errors %v, want one saying the paging loops back to page 1", rep.Errors)
	}
	if s.hits["/catalog?page=1"] != 1 {
		t.Errorf("page 1 fetched %d times", s.hits["/catalog?page=1"])
	}
}

func TestMaxPages(t *testing.T) {
	s := hydraSite(t, nextIRI)
	st := newStore(t)
	rep := mustRun(t, newTestHarvester(st, Options{}), Config{Name: "max", Kind: KindDCAT, URL: s.URL + "/catalog?page=1",
		Limits: Limits{MaxPages: 2}})
	if rep.Status != catalog.StatusPartial || rep.Pages != 2 || len(rep.Errors) != 1 {
		t.Fatalf("status %s pages %d errors %v, want partial after 2 with one error", rep.Status, rep.Pages, rep.Errors)
	}
	if got := countKind(records(t, st, "max"), catalog.KindDataset); got != 10 {
		t.Errorf("%d datasets stored, want the 10 of two pages", got)
	}
	if s.hits["/catalog?page=3"] != 0 {
		t.Error("page 3 was fetched")
	}
}

func TestMaxBytes(t *testing.T) {
	s := hydraSite(t, nextIRI)
	p1 := int64(len(s.pages["/catalog?page=1"].body))
	p2 := int64(len(s.pages["/catalog?page=2"].body))
	tests := []struct {
		name     string
		limits   Limits
		status   string
		pages    int
		datasets int
	}{
		{"page 1 too large", Limits{MaxBytes: p1 - 1}, catalog.StatusFailed, 1, 0},
		{"page 2 too large", Limits{MaxBytes: max(p1, p2/2)}, catalog.StatusPartial, 2, 5},
		{"run too large", Limits{MaxRunBytes: p1 + 10}, catalog.StatusPartial, 2, 5},
		{"exact fit", Limits{MaxBytes: 1 << 20, MaxRunBytes: p1 + p2 + int64(len(s.pages["/catalog?page=3"].body))}, catalog.StatusComplete, 3, 15},
	}
	if p2 <= p1 {
		tests[1].limits.MaxBytes = p2 - 1
		tests[1].status, tests[1].pages, tests[1].datasets = catalog.StatusFailed, 1, 0
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := newStore(t)
			rep := mustRun(t, newTestHarvester(st, Options{}), Config{Name: "big", Kind: KindDCAT, URL: s.URL + "/catalog?page=1", Limits: tc.limits})
			if rep.Status != tc.status || rep.Pages != tc.pages {
				t.Fatalf("status %s pages %d errors %v, want %s after %d", rep.Status, rep.Pages, rep.Errors, tc.status, tc.pages)
			}
			if got := countKind(records(t, st, "big"), catalog.KindDataset); got != tc.datasets {
				t.Errorf("%d datasets stored, want %d", got, tc.datasets)
			}
			if tc.status != catalog.StatusComplete && (len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Message, "cut short")) {
				t.Errorf("errors %v, want one saying the page was cut short", rep.Errors)
			}
		})
	}
}

// TestDecodeErrorOnLaterPage: a broken page 2 stops the run partial, with
// the fault's place; page 1 stays stored and nothing is withdrawn.
func TestDecodeErrorOnLaterPage(t *testing.T) {
	s := hydraSite(t, nextIRI)
	bad := readCorpus(t, "no-fdk-legacy/datasett-syntax-error.ttl")
	s.set("/catalog?page=2", page{body: bad, contentType: "text/turtle"})
	st := newStore(t)
	rep := mustRun(t, newTestHarvester(st, Options{}), Config{Name: "p", Kind: KindDCAT, URL: s.URL + "/catalog?page=1"})
	if rep.Status != catalog.StatusPartial || rep.Withdrawn != 0 {
		t.Fatalf("status %s withdrawn %d, want partial, 0", rep.Status, rep.Withdrawn)
	}
	e := rep.Errors[0]
	if e.URL != s.URL+"/catalog?page=2" || e.Line != 21 || e.Column == 0 {
		t.Errorf("error %+v, want page 2's URL, line 21 and a column", e)
	}
	if got := countKind(records(t, st, "p"), catalog.KindDataset); got != 5 {
		t.Errorf("%d datasets, want page 1's 5", got)
	}
}

// TestDuplicateAcrossPages: a record on two pages of a run is counted once,
// with a warning.
func TestDuplicateAcrossPages(t *testing.T) {
	s := hydraSite(t, nextIRI)
	p1 := s.pages["/catalog?page=1"].body
	p2 := s.pages["/catalog?page=2"]
	p2.body = append(append([]byte{}, p2.body...), p1...)
	s.set("/catalog?page=2", p2)
	st := newStore(t)
	rep := mustRun(t, newTestHarvester(st, Options{}), Config{Name: "dup", Kind: KindDCAT, URL: s.URL + "/catalog?page=1"})
	if rep.Status != catalog.StatusComplete {
		t.Fatalf("status %s errors %v", rep.Status, rep.Errors)
	}
	n := len(records(t, st, "dup"))
	if rep.Added != n || rep.Updated != 0 || rep.Unchanged != 0 {
		t.Errorf("added %d updated %d unchanged %d, want %d added only", rep.Added, rep.Updated, rep.Unchanged, n)
	}
	dups := 0
	for _, w := range rep.Warnings {
		if strings.Contains(w.Message, "listed again") {
			dups++
		}
	}
	if dups == 0 {
		t.Errorf("no duplicate warning in %v", rep.Warnings)
	}
}

// notModifiedRuns harvests nav-2017-10-31.ttl twice from a server that
// answers the second, conditional, GET with 304. It returns the store, the
// second report, the requests and puts the second run made, and the
// conditional requests' If-Modified-Since headers.
func notModifiedRuns(t *testing.T) (st *testStore, second catalog.Report, requests int, puts int64, conditional []string) {
	t.Helper()
	s := newSite(t)
	body := readCorpus(t, "no-fdk-legacy/nav-2017-10-31.ttl")
	s.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, r)
		s.mu.Unlock()
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Tue, 31 Oct 2017 10:00:00 GMT")
		if r.Header.Get("If-None-Match") == `"v1"` {
			conditional = append(conditional, r.Header.Get("If-Modified-Since"))
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "text/turtle")
		w.Write(body)
	})
	st = newStore(t)
	h := newTestHarvester(st, Options{})
	cfg := Config{Name: "nav", Country: "NO", Kind: KindDCAT, URL: s.URL + "/nav.ttl"}
	first := mustRun(t, h, cfg)
	if first.Status != catalog.StatusComplete || first.Added != 42 || first.NotModified {
		t.Fatalf("first run: %+v", first)
	}
	src, _ := st.Source(context.Background(), "nav")
	if src.ETag != `"v1"` || src.LastModified == "" {
		t.Fatalf("validators not saved: %+v", src.Source)
	}
	before, puts0 := s.requests(), st.puts.Load()
	second = mustRun(t, h, cfg)
	return st, second, s.requests() - before, st.puts.Load() - puts0, conditional
}

// TestConditionalGET: the second run sends the validators, gets 304, makes
// one request and writes nothing; the run is complete and not modified.
func TestConditionalGET(t *testing.T) {
	_, second, requests, puts, conditional := notModifiedRuns(t)
	if second.Status != catalog.StatusComplete || !second.NotModified || second.Pages != 0 || second.Added+second.Updated+second.Unchanged != 0 {
		t.Fatalf("second run: %+v, want complete, not modified, nothing read", second)
	}
	if requests != 1 || len(conditional) != 1 || conditional[0] == "" {
		t.Errorf("second run made %d requests (%d conditional), want 1 with both validators", requests, len(conditional))
	}
	if puts != 0 {
		t.Errorf("second run wrote %d records", puts)
	}
}

// TestNotModifiedWithdrawsNothing: a 304 run withdraws nothing. This needs
// the store to honour Report.NotModified in FinishRun (catalog.Store contract).
func TestNotModifiedWithdrawsNothing(t *testing.T) {
	st, second, _, _, _ := notModifiedRuns(t)
	if second.Withdrawn != 0 {
		t.Errorf("the store withdrew %d records on a 304 run: FinishRun must not withdraw when rep.NotModified", second.Withdrawn)
	}
	for iri, r := range records(t, st, "nav") {
		if r.Withdrawn || provenance(r, "nav").Withdrawn != nil {
			t.Fatalf("%s withdrawn after a 304", iri)
		}
	}
}

// TestRetries: 503 twice with Retry-After, then 200; the wait is honoured.
func TestRetries(t *testing.T) {
	s := newSite(t)
	body := readCorpus(t, "dk-dcat-ap-dk/basic-example1.ttl")
	calls := 0
	s.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls <= 2 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write(body)
	})
	start := time.Now()
	rep := mustRun(t, newTestHarvester(newStore(t), Options{}), Config{Name: "dk", Kind: KindDCAT, URL: s.URL})
	if rep.Status != catalog.StatusComplete || calls != 3 || rep.Added != 1 {
		t.Fatalf("status %s calls %d added %d errors %v, want complete after 3 calls", rep.Status, calls, rep.Added, rep.Errors)
	}
	if d := time.Since(start); d < 2*time.Second {
		t.Errorf("took %v: Retry-After: 1 (twice) not honoured", d)
	}
}

// TestRetryAfterCapped: a Retry-After of a day waits at most MaxRetryAfter;
// one past the run's deadline is not waited for at all, and the report
// keeps the last status.
func TestRetryAfterCapped(t *testing.T) {
	body := readCorpus(t, "dk-dcat-ap-dk/basic-example1.ttl")
	serve := func(t *testing.T, failures int, retryAfter string) *site {
		s := newSite(t)
		calls := 0
		s.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls++
			if calls <= failures {
				w.Header().Set("Retry-After", retryAfter)
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			w.Write(body)
		})
		return s
	}
	t.Run("capped", func(t *testing.T) {
		s := serve(t, 1, "86400")
		h := newTestHarvester(newStore(t), Options{MaxRetryAfter: 50 * time.Millisecond})
		rep := mustRun(t, h, Config{Name: "dk", Kind: KindDCAT, URL: s.URL, Limits: Limits{Timeout: time.Minute}})
		if rep.Status != catalog.StatusComplete {
			t.Fatalf("status %s errors %v, want complete after a capped wait", rep.Status, rep.Errors)
		}
	})
	t.Run("past deadline", func(t *testing.T) {
		s := serve(t, 100, "30")
		h := newTestHarvester(newStore(t), Options{})
		rep := mustRun(t, h, Config{Name: "dk", Kind: KindDCAT, URL: s.URL, Limits: Limits{Timeout: 2 * time.Second}})
		if rep.Status != catalog.StatusFailed || len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Message, "429") {
			t.Fatalf("status %s errors %v, want failed with the 429", rep.Status, rep.Errors)
		}
	})
	t.Run("server error kept", func(t *testing.T) {
		s := newSite(t)
		s.set("/", page{status: http.StatusBadGateway})
		rep := mustRun(t, newTestHarvester(newStore(t), Options{}), Config{Name: "gw", Kind: KindDCAT, URL: s.URL + "/"})
		if rep.Status != catalog.StatusFailed || !strings.Contains(rep.Errors[0].Message, "502") || !strings.Contains(rep.Errors[0].Message, "4 attempts") {
			t.Fatalf("status %s errors %v, want failed with 502 after 4 attempts", rep.Status, rep.Errors)
		}
	})
}

// TestWithdrawal: the second response drops a dataset; a complete run
// withdraws it and it can still be read.
func TestWithdrawal(t *testing.T) {
	s := newSite(t)
	dir := "no-fdk-dataset-harvester/"
	s.set("/datasets", page{body: readCorpus(t, dir+"harvest_response_0.ttl"), contentType: "text/turtle"})
	st := newStore(t)
	h := newTestHarvester(st, Options{})
	cfg := Config{Name: "fdk", Kind: KindDCAT, URL: s.URL + "/datasets"}
	first := mustRun(t, h, cfg)
	if first.Status != catalog.StatusComplete {
		t.Fatalf("first: %+v", first)
	}
	before := records(t, st, "fdk")
	s.set("/datasets", page{body: readCorpus(t, dir+"harvest_response_0_old_dataset_removed.ttl"), contentType: "text/turtle"})
	second := mustRun(t, h, cfg)
	if second.Status != catalog.StatusComplete || second.Added != 1 || second.Withdrawn != len(before) {
		t.Fatalf("second: %+v, want 1 added and the %d earlier records withdrawn", second, len(before))
	}
	old, err := st.Dataset(context.Background(), "https://testdirektoratet.no/model/dataset/0")
	if err != nil || !old.Withdrawn || old.WithdrawnAt == nil {
		t.Fatalf("dataset/0 after withdrawal: %+v, %v; want it kept, withdrawn", old, err)
	}
	if n, err := st.Dataset(context.Background(), "https://testdirektoratet.no/model/dataset/new"); err != nil || n.Withdrawn {
		t.Errorf("dataset/new: %+v, %v", n, err)
	}
}

// TestFailedRunKeepsData: a good run, then a broken answer: the run fails,
// nothing is withdrawn, everything is still there.
func TestFailedRunKeepsData(t *testing.T) {
	s := newSite(t)
	s.set("/c", page{body: readCorpus(t, "no-fdk-legacy/export-oslokommune.ttl"), contentType: "text/turtle"})
	st := newStore(t)
	h := newTestHarvester(st, Options{})
	cfg := Config{Name: "oslo", Kind: KindDCAT, URL: s.URL + "/c"}
	if rep := mustRun(t, h, cfg); rep.Status != catalog.StatusComplete || rep.Added != 5 {
		t.Fatalf("first: %+v", rep)
	}
	for _, bad := range []page{
		{body: readCorpus(t, "no-fdk-legacy/datasett-syntax-error.ttl"), contentType: "text/turtle"},
		{body: []byte("<html><body>maintenance</body></html>"), contentType: "text/html"},
		{status: http.StatusInternalServerError},
		{body: nil, contentType: "text/turtle"},
	} {
		s.set("/c", bad)
		rep := mustRun(t, h, cfg)
		if rep.Status != catalog.StatusFailed || rep.Withdrawn != 0 || len(rep.Errors) == 0 {
			t.Errorf("broken answer %q: status %s withdrawn %d errors %v", bad.body, rep.Status, rep.Withdrawn, rep.Errors)
		}
	}
	recs := records(t, st, "oslo")
	if len(recs) != 5 {
		t.Fatalf("%d records, want 5", len(recs))
	}
	for iri, r := range recs {
		if r.Withdrawn {
			t.Errorf("%s withdrawn by a failed run", iri)
		}
	}
}

// TestConflictAndAggregator: two ordinary sources send the same IRI with
// different content: a conflict, the first keeps it. An aggregator sending
// it: one record, two provenances.
func TestConflictAndAggregator(t *testing.T) {
	s := newSite(t)
	orig := readCorpus(t, "se-dcat-ap-se/exempel_obligatoriskt.ttl")
	s.set("/se", page{body: orig, contentType: "text/turtle"})
	changed := strings.Replace(string(orig), "@prefix", "<http://example.org/x> <http://example.org/p> \"x\" .\n@prefix", 1)
	changed = strings.Replace(changed, "dcat:Dataset", "dcat:Dataset ; <http://purl.org/dc/terms/description> \"an other description\"@en", 1)
	s.set("/other", page{body: []byte(changed), contentType: "text/turtle"})
	s.set("/eu", page{body: orig, contentType: "text/turtle"})
	st := newStore(t)
	h := newTestHarvester(st, Options{})
	se := mustRun(t, h, Config{Name: "se", Country: "SE", Kind: KindDCAT, URL: s.URL + "/se"})
	n := se.Added
	if n < 1 || se.Status != catalog.StatusComplete {
		t.Fatalf("se: %+v", se)
	}
	// The changed dataset conflicts; the records said alike merge.
	other := mustRun(t, h, Config{Name: "other", Country: "NO", Kind: KindDCAT, URL: s.URL + "/other"})
	if other.Conflicts != 1 || other.Merged != n-1 || other.Added != 0 || other.Status != catalog.StatusComplete {
		t.Fatalf("other: %+v, want 1 conflict and %d merged", other, n-1)
	}
	ds, err := st.Dataset(context.Background(), "https://example.com/dataset1")
	if err != nil || len(ds.Sources) != 1 || ds.Sources[0].Source != "se" {
		t.Fatalf("dataset1 after the conflict: %+v, %v; want se's alone", ds.Sources, err)
	}
	if len(other.Warnings) == 0 || other.Warnings[0].Record == "" {
		t.Errorf("conflict warning %v names no record", other.Warnings)
	}
	eu := mustRun(t, h, Config{Name: "eu", Kind: KindDCAT, URL: s.URL + "/eu", Aggregator: true})
	if eu.Conflicts != 0 || eu.Merged != n || eu.Added != 0 {
		t.Fatalf("eu: %+v, want the records merged", eu)
	}
	for iri, r := range records(t, st, "eu") {
		if len(r.Sources) < 2 || r.Sources[0].Source != "se" {
			t.Errorf("%s has provenances %v, want se first, and eu", iri, r.Sources)
		}
	}
}

// TestPanicRecovered: a panic inside a run is a failed run with an error,
// and the harvester goes on.
func TestPanicRecovered(t *testing.T) {
	s := newSite(t)
	s.set("/c", page{body: readCorpus(t, "dk-dcat-ap-dk/basic-example1.ttl"), contentType: "text/turtle"})
	st := newStore(t)
	calls := 0
	h := newTestHarvester(st, Options{Progress: func(string, int, int, int64) {
		if calls++; calls == 1 {
			panic("progress bar fell over")
		}
	}})
	rep := mustRun(t, h, Config{Name: "dk", Kind: KindDCAT, URL: s.URL + "/c"})
	if rep.Status != catalog.StatusFailed || len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Message, "progress bar fell over") {
		t.Fatalf("status %s errors %v", rep.Status, rep.Errors)
	}
	if stored, _ := st.Run(context.Background(), rep.ID); stored.Status != catalog.StatusFailed {
		t.Errorf("stored run status %q", stored.Status)
	}
	if rep := mustRun(t, h, Config{Name: "dk", Kind: KindDCAT, URL: s.URL + "/c"}); rep.Status != catalog.StatusComplete {
		t.Errorf("next run: %s %v", rep.Status, rep.Errors)
	}
}

// TestTimeout: a server that never finishes its body; the run's timeout
// ends the run and the report says why.
func TestTimeout(t *testing.T) {
	s := newSite(t)
	release := make(chan struct{})
	defer close(release)
	s.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/turtle")
		w.Write([]byte("@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	st := newStore(t)
	rep := mustRun(t, newTestHarvester(st, Options{}), Config{Name: "slow", Kind: KindDCAT, URL: s.URL, Limits: Limits{Timeout: 300 * time.Millisecond}})
	if rep.Status != catalog.StatusFailed || len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Message, "timed out") {
		t.Fatalf("status %s errors %v, want failed, timed out", rep.Status, rep.Errors)
	}
	if stored, _ := st.Run(context.Background(), rep.ID); stored.Status != catalog.StatusFailed {
		t.Errorf("stored status %q: the report was not written after the deadline", stored.Status)
	}
}

// TestProblemsBounded: a report lists at most MaxProblems warnings and
// counts the rest.
func TestProblemsBounded(t *testing.T) {
	s2 := hydraSite(t, nextIRI)
	for i := 2; i <= 3; i++ {
		p := s2.pages[fmt.Sprintf("/catalog?page=%d", i)]
		p.body = append(append([]byte{}, p.body...), s2.pages["/catalog?page=1"].body...)
		s2.set(fmt.Sprintf("/catalog?page=%d", i), p)
	}
	rep := mustRun(t, newTestHarvester(newStore(t), Options{MaxProblems: 2}), Config{Name: "b", Kind: KindDCAT, URL: s2.URL + "/catalog?page=1"})
	if len(rep.Warnings) != 3 || !strings.Contains(rep.Warnings[2].Message, "more warnings not listed") {
		t.Fatalf("warnings %v, want 2 and a count of the rest", rep.Warnings)
	}
}

func TestFileSource(t *testing.T) {
	t.Run("file", func(t *testing.T) {
		st := newStore(t)
		rep := mustRun(t, newTestHarvester(st, Options{}), Config{Name: "f", Kind: KindFile, URL: corpusPath("no-fdk-legacy/nav-2017-10-31.ttl")})
		if rep.Status != catalog.StatusComplete || countKind(records(t, st, "f"), catalog.KindDataset) != 42 {
			t.Fatalf("status %s errors %v datasets %d", rep.Status, rep.Errors, countKind(records(t, st, "f"), catalog.KindDataset))
		}
	})
	t.Run("directory with a bad file", func(t *testing.T) {
		dir := t.TempDir()
		for name, src := range map[string]string{
			"a.ttl":      "no-fdk-legacy/export-oslokommune.ttl",    // 5 datasets
			"b.rdf":      "no-fdk-legacy/oljedir.xml",               // 3
			"c.ttl":      "no-fdk-legacy/datasett-syntax-error.ttl", // malformed
			"d.jsonld":   "no-fdk-legacy/entryscape.jsonld",         // 9
			".hidden.nt": "no-fdk-legacy/datasett-syntax-error.ttl", // skipped
		} {
			if err := os.WriteFile(filepath.Join(dir, name), readCorpus(t, src), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		st := newStore(t)
		rep := mustRun(t, newTestHarvester(st, Options{}), Config{Name: "d", Kind: KindFile, URL: "file://" + dir})
		if rep.Status != catalog.StatusPartial || rep.Pages != 4 || len(rep.Errors) != 1 ||
			rep.Errors[0].URL != fileURL(filepath.Join(dir, "c.ttl")) || rep.Errors[0].Line == 0 {
			t.Fatalf("status %s pages %d errors %v, want partial, 4 files, the error of c.ttl", rep.Status, rep.Pages, rep.Errors)
		}
		if n := countKind(records(t, st, "d"), catalog.KindDataset); n != 17 {
			t.Errorf("%d datasets, want 17", n)
		}
	})
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// TestChangeDetection: the corpus pair catalog_diff_0 / catalog_diff_1 (15
// datasets; seven change: 1, 3, 5, 7, 9, b, d). The second run rewrites
// exactly those, keeps the old versions as history, and leaves the rest alone.
func TestChangeDetection(t *testing.T) {
	s := newSite(t)
	dir := "no-fdk-dataset-harvester/"
	s.set("/c", page{body: readCorpus(t, dir+"catalog_diff_0.ttl"), contentType: "text/turtle"})
	st := newStore(t)
	h := newTestHarvester(st, Options{})
	cfg := Config{Name: "fdk", Country: "NO", Kind: KindDCAT, URL: s.URL + "/c"}
	if first := mustRun(t, h, cfg); first.Status != catalog.StatusComplete || first.Added != 15 {
		t.Fatalf("first run: %+v, want 15 added", first)
	}
	s.set("/c", page{body: readCorpus(t, dir+"catalog_diff_1.ttl"), contentType: "text/turtle"})
	second := mustRun(t, h, cfg)
	if second.Status != catalog.StatusComplete || second.Updated != 7 || second.Unchanged != 8 || second.Added != 0 || second.Withdrawn != 0 {
		t.Fatalf("second run: %+v, want 7 updated, 8 unchanged", second)
	}
	ctx := context.Background()
	for _, n := range []string{"1", "3", "5", "7", "9", "b", "d"} {
		iri := "https://testdirektoratet.no/model/dataset/" + n
		d, err := st.Dataset(ctx, iri)
		if err != nil {
			t.Fatal(err)
		}
		if hist, err := st.History(ctx, d.ID); err != nil || len(hist) != 1 {
			t.Errorf("History(%s) = %d versions, %v; want the one before the change", iri, len(hist), err)
		}
	}
	d0, _ := st.Dataset(ctx, "https://testdirektoratet.no/model/dataset/0")
	if hist, err := st.History(ctx, d0.ID); err != nil || len(hist) != 0 {
		t.Errorf("History(dataset/0) = %d versions, %v; want none: it did not change", len(hist), err)
	}
}
