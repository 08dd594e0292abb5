package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"samband/catalog"
	"samband/catalog/rdf"
	"samband/catalog/sqlite"
	"samband/harvest"
)

// feedSources are real catalogues of four profiles: 48 records in all.
var feedSources = []struct{ name, country, file string }{
	{"no-nav", "NO", "no-fdk-legacy/nav-2017-10-31.ttl"},
	{"se-example", "SE", "se-dcat-ap-se/exempel_rekommenderat.ttl"},
	{"dk-example", "DK", "dk-dcat-ap-dk/extended-example1.ttl"},
	{"eu-hvd", "BE", "eu-semic-dcat-ap/hvd-examples-3.0.0/example-ms_dataset_data_service.ttl"},
}

// openStore opens a real SQLite store in the test's own directory.
func openStore(t *testing.T, name string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// feedServer harvests the feed sources into a new store and serves the
// gateway's HTTP API on it.
func feedServer(t *testing.T) (*sqlite.Store, *httptest.Server) {
	t.Helper()
	st := openStore(t, "first.db")
	h := harvest.New(st, nil, nil, harvest.Options{})
	for _, src := range feedSources {
		path, err := filepath.Abs(filepath.Join(corpus, src.file))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := h.Run(context.Background(), harvest.Config{Name: src.name, Country: src.country, Kind: harvest.KindFile, URL: path})
		if err != nil || rep.Status != catalog.StatusComplete {
			t.Fatalf("harvest %s = %+v, %v", src.file, rep, err)
		}
	}
	reg := prometheus.NewRegistry()
	srv := httptest.NewServer(newServer(st, slog.New(slog.DiscardHandler), reg).routes(reg))
	t.Cleanup(srv.Close)
	return st, srv
}

// storeRecords returns every record of a store, by IRI.
func storeRecords(t *testing.T, st *sqlite.Store) map[string]catalog.Dataset {
	t.Helper()
	out := map[string]catalog.Dataset{}
	page, err := st.Datasets(context.Background(), catalog.ListOptions{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range page.Items {
		out[d.IRI] = d
	}
	return out
}

// get fetches a URL with an Accept header ("" for none).
func get(t *testing.T, u, accept string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// feedDoc is a decoded feed page: its records, its catalogues and the
// objects of the properties a test asks about.
type feedDoc struct {
	records  []catalog.Dataset
	catalogs []catalog.Catalog
	links    map[string][]string // property IRI -> objects (IRIs and lexical forms)
}

func decodeFeed(t *testing.T, body []byte, syn rdf.Syntax, base string) feedDoc {
	t.Helper()
	doc := catalog.NewDocument()
	fd := feedDoc{links: map[string][]string{}}
	err := rdf.Decode(bytes.NewReader(body), syn, rdf.Options{Base: base}, func(tr rdf.Triple) error {
		switch o := tr.Obj.(type) {
		case rdf.IRI:
			fd.links[tr.Pred.String()] = append(fd.links[tr.Pred.String()], o.String())
		case rdf.Literal:
			fd.links[tr.Pred.String()] = append(fd.links[tr.Pred.String()], o.String())
		}
		return doc.Add(tr)
	})
	if err != nil {
		t.Fatalf("decode %s feed: %v\n%s", syn, err, clipBody(body))
	}
	if _, err := doc.Records(catalog.MapOptions{Source: "feed"}, func(d catalog.Dataset) error {
		fd.records = append(fd.records, d)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	fd.catalogs, _ = doc.Catalogs()
	return fd
}

func clipBody(b []byte) string {
	if len(b) > 3000 {
		return string(b[:3000]) + "…"
	}
	return string(b)
}

// sameRecord reports whether two records say the same, provenance, the
// quality score (derived from the rest) and the rule checks (of the
// description the harvester read, here the feed's) aside.
func sameRecord(a, b catalog.Dataset) bool {
	a.Sources, b.Sources, a.Seq, b.Seq = nil, nil, 0, 0
	a.Quality, b.Quality, a.Checks, b.Checks = nil, nil, nil, nil
	return reflect.DeepEqual(a, b)
}

func recordDiff(got, want catalog.Dataset) string {
	got.Sources, want.Sources, got.Seq, want.Seq = nil, nil, 0, 0
	got.Quality, want.Quality, got.Checks, want.Checks = nil, nil, nil, nil
	g, _ := json.MarshalIndent(got, "", " ")
	w, _ := json.MarshalIndent(want, "", " ")
	gl, wl := strings.Split(string(g), "\n"), strings.Split(string(w), "\n")
	var b strings.Builder
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var x, y string
		if i < len(gl) {
			x = gl[i]
		}
		if i < len(wl) {
			y = wl[i]
		}
		if x != y {
			b.WriteString("got:  " + x + "\nwant: " + y + "\n")
		}
	}
	return b.String()
}

// TestFeedSyntaxes reads the whole catalogue in every syntax and maps it
// back: every record of the store, equal field by field.
func TestFeedSyntaxes(t *testing.T) {
	st, srv := feedServer(t)
	want := storeRecords(t, st)
	if len(want) != 48 {
		t.Fatalf("store holds %d records, want 48", len(want))
	}
	for _, tc := range []struct {
		query, accept string
		syn           rdf.Syntax
		contentType   string
	}{
		{"", "", rdf.Turtle, "text/turtle; charset=utf-8"},
		{"", "application/ld+json", rdf.JSONLD, "application/ld+json"},
		{"", "application/rdf+xml", rdf.RDFXML, "application/rdf+xml"},
		{"", "application/n-triples", rdf.NTriples, "application/n-triples; charset=utf-8"},
		{"&format=ttl", "application/ld+json", rdf.Turtle, "text/turtle; charset=utf-8"},
		{"&format=jsonld", "", rdf.JSONLD, "application/ld+json"},
		{"&format=rdf", "text/turtle", rdf.RDFXML, "application/rdf+xml"},
		{"&format=nt", "text/html", rdf.NTriples, "application/n-triples; charset=utf-8"},
	} {
		t.Run(tc.syn.String()+tc.query, func(t *testing.T) {
			u := srv.URL + "/catalog?limit=1000" + tc.query
			resp, body := get(t, u, tc.accept)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != tc.contentType {
				t.Fatalf("GET %s (Accept %q) = %d %s, want 200 %s\n%s", u, tc.accept, resp.StatusCode, resp.Header.Get("Content-Type"), tc.contentType, clipBody(body))
			}
			if !strings.Contains(resp.Header.Get("Vary"), "Accept") {
				t.Errorf("Vary = %q, want Accept", resp.Header.Get("Vary"))
			}
			fd := decodeFeed(t, body, tc.syn, u)
			if len(fd.records) != len(want) {
				t.Errorf("%d records in the feed, want %d", len(fd.records), len(want))
			}
			for _, g := range fd.records {
				w, ok := want[g.IRI]
				if !ok {
					t.Errorf("feed record %s is not in the store", g.IRI)
				} else if !sameRecord(g, w) {
					t.Errorf("feed record %s differs from the store's:\n%s", g.IRI, recordDiff(g, w))
				}
			}
			var own *catalog.Catalog
			for i, c := range fd.catalogs {
				if c.IRI == srv.URL+"/catalog" {
					own = &fd.catalogs[i]
				}
			}
			if own == nil || own.Title.Get("en") != "Samband" || own.Datasets != len(want) || own.Publisher == nil {
				t.Errorf("the gateway's catalogue = %+v, want title Samband, a publisher, %d datasets", own, len(want))
			}
			if got := fd.links[nsHydra+"totalItems"]; len(got) != 1 || got[0] != "48" {
				t.Errorf("hydra:totalItems = %v, want [48]", got)
			}
			if got := fd.links["http://www.w3.org/ns/dcat#record"]; len(got) != len(want) {
				t.Errorf("%d dcat:record links, want %d", len(got), len(want))
			}
			if got := fd.links["http://xmlns.com/foaf/0.1/primaryTopic"]; len(got) < len(want) {
				t.Errorf("%d foaf:primaryTopic links, want at least %d (one per catalogue record)", len(got), len(want))
			}
		})
	}
}

// TestFeedNegotiation: Accept with q-values, wildcards, aliases; 406 for
// what the feed cannot write, 400 for an unknown ?format.
func TestFeedNegotiation(t *testing.T) {
	_, srv := feedServer(t)
	for _, tc := range []struct {
		accept, query string
		status        int
		contentType   string
		detail        string
	}{
		{"*/*", "", 200, "text/turtle; charset=utf-8", ""},
		{"text/*", "", 200, "text/turtle; charset=utf-8", ""},
		{"application/*", "", 200, "application/ld+json", ""},
		{"application/rdf+xml;q=0.5, application/ld+json", "", 200, "application/ld+json", ""},
		{"application/ld+json;q=0.2, application/rdf+xml;q=0.9, text/turtle;q=0.5", "", 200, "application/rdf+xml", ""},
		{"text/turtle;q=0, */*;q=0.1", "", 200, "application/ld+json", ""},
		{"application/json", "", 200, "application/ld+json", ""},
		{"text/html, application/xhtml+xml;q=0.9, */*;q=0.8", "", 200, "text/turtle; charset=utf-8", ""},
		{"text/html", "", 406, "application/problem+json", "text/turtle, application/ld+json, application/rdf+xml, application/n-triples"},
		{"text/turtle;q=0", "", 406, "application/problem+json", "text/turtle"},
		{"", "?format=pdf", 400, "application/problem+json", "ttl, jsonld, rdf or nt"},
		{"", "?limit=0", 400, "application/problem+json", "from 1 to 1000"},
		{"", "?limit=1001", 400, "application/problem+json", "at most 1000"},
		{"", "?page=0", 400, "application/problem+json", "numbered from 1"},
		{"", "?page=99", 404, "application/problem+json", "page 99 of a catalogue of 1 pages"},
	} {
		u := srv.URL + "/catalog" + tc.query
		resp, body := get(t, u, tc.accept)
		if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != tc.contentType {
			t.Errorf("GET %s Accept %q = %d %s, want %d %s\n%s", u, tc.accept, resp.StatusCode, resp.Header.Get("Content-Type"), tc.status, tc.contentType, clipBody(body))
			continue
		}
		if tc.detail != "" {
			var p problem
			if err := json.Unmarshal(body, &p); err != nil || p.Status != tc.status || !strings.Contains(p.Detail, tc.detail) {
				t.Errorf("GET %s Accept %q: problem %s, want detail with %q", u, tc.accept, body, tc.detail)
			}
		}
	}
}

// TestFeedPaging walks the Hydra links from the first page: every record
// exactly once, first/previous/next/last consistent, no next on the last.
func TestFeedPaging(t *testing.T) {
	st, srv := feedServer(t)
	want := storeRecords(t, st)
	seen := map[string]int{}
	next := srv.URL + "/catalog?limit=7"
	var prev string
	pages := 0
	for next != "" {
		pages++
		if pages > 20 {
			t.Fatal("paging does not end")
		}
		resp, body := get(t, next, "text/turtle")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d %s", next, resp.StatusCode, body)
		}
		fd := decodeFeed(t, body, rdf.Turtle, next)
		links := append(fd.links["http://www.w3.org/ns/dcat#dataset"], fd.links["http://www.w3.org/ns/dcat#service"]...)
		if len(links) != len(fd.records) || len(links) > 7 {
			t.Errorf("page %d: %d links for %d records, want equal and at most 7", pages, len(links), len(fd.records))
		}
		for _, l := range links {
			seen[l]++
		}
		one := func(p string) string {
			vs := fd.links[nsHydra+p]
			if len(vs) > 1 {
				t.Errorf("page %d: hydra:%s = %v, want at most one", pages, p, vs)
			}
			if len(vs) == 0 {
				return ""
			}
			return vs[0]
		}
		if first, last := one("first"), one("last"); first != srv.URL+"/catalog?page=1&limit=7" || last != srv.URL+"/catalog?page=7&limit=7" {
			t.Errorf("page %d: first %s, last %s", pages, first, last)
		}
		if p := one("previous"); p != prev {
			t.Errorf("page %d: previous = %q, want %q", pages, p, prev)
		}
		if pages > 1 {
			prev = next
		} else {
			prev = srv.URL + "/catalog?page=1&limit=7"
		}
		next = one("next")
	}
	if pages != 7 { // 48 records, 7 a page
		t.Errorf("walked %d pages, want 7", pages)
	}
	if len(seen) != len(want) {
		t.Errorf("paging reached %d records, want %d", len(seen), len(want))
	}
	for iri, n := range seen {
		if n != 1 {
			t.Errorf("record %s on %d pages, want 1", iri, n)
		}
		if _, ok := want[iri]; !ok {
			t.Errorf("paging lists %s, which the store does not hold", iri)
		}
	}
}

// TestFeedHarvest: a second gateway harvests the first one's feed, page by
// page over Hydra, and ends with the same records.
func TestFeedHarvest(t *testing.T) {
	st, srv := feedServer(t)
	want := storeRecords(t, st)
	second := openStore(t, "second.db")
	h := harvest.New(second, nil, nil, harvest.Options{})
	for _, accept := range []string{"", "jsonld"} {
		cfg := harvest.Config{Name: "peer", Country: "EU", Kind: harvest.KindDCAT, URL: srv.URL + "/catalog?limit=9"}
		if accept != "" {
			cfg.URL += "&format=" + accept
		}
		rep, err := h.Run(context.Background(), cfg)
		if err != nil || rep.Status != catalog.StatusComplete || rep.Pages != 6 || len(rep.Errors) != 0 {
			t.Fatalf("harvest of the feed = %+v, %v; want complete in 6 pages", rep, err)
		}
		got := storeRecords(t, second)
		if len(got) != len(want) {
			t.Errorf("second gateway holds %d records, want %d", len(got), len(want))
		}
		for iri, w := range want {
			g, ok := got[iri]
			switch {
			case !ok:
				t.Errorf("record %s was not harvested", iri)
			case g.ID != w.ID || !reflect.DeepEqual(g.Title, w.Title) || !reflect.DeepEqual(g.Distributions, w.Distributions):
				t.Errorf("record %s: title or distributions differ:\n%s", iri, recordDiff(g, w))
			case !sameRecord(g, w):
				t.Errorf("record %s differs:\n%s", iri, recordDiff(g, w))
			}
		}
		src, err := second.Source(context.Background(), "peer")
		if err != nil || len(src.Catalogs) != 1 || src.Catalogs[0].Title.Get("en") != "Samband" {
			t.Errorf("the peer's catalogues = %+v, %v; want the gateway's, titled Samband", src.Catalogs, err)
		}
	}
}

// TestFeedDataset reads one record by id and by escaped IRI, and the 404 of
// an unknown one.
func TestFeedDataset(t *testing.T) {
	st, srv := feedServer(t)
	want := storeRecords(t, st)
	var rec catalog.Dataset
	for _, d := range want {
		if d.Kind == catalog.KindDataService {
			rec = d
		}
	}
	if rec.IRI == "" {
		t.Fatal("no data service in the store")
	}
	for _, path := range []string{"/catalog/datasets/" + rec.ID, "/catalog/datasets/" + url.PathEscape(rec.IRI), "/catalog/records/" + rec.ID} {
		for _, syn := range feedSyntaxes {
			resp, body := get(t, srv.URL+path, syn.MediaType())
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s = %d %s", path, resp.StatusCode, body)
			}
			fd := decodeFeed(t, body, syn, srv.URL+path)
			if len(fd.records) != 1 || !sameRecord(fd.records[0], rec) {
				t.Errorf("GET %s as %s: %d records\n%s", path, syn, len(fd.records), recordDiff(fd.records[0], rec))
			}
			if got := fd.links["http://xmlns.com/foaf/0.1/primaryTopic"]; len(got) != 2 || got[0] != rec.IRI {
				t.Errorf("GET %s as %s: primary topics %v, want the record's catalogue record and its source's", path, syn, got)
			}
		}
	}
	resp, body := get(t, srv.URL+"/catalog/datasets/nosuch", "")
	var p problem
	if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/problem+json" || json.Unmarshal(body, &p) != nil || !strings.Contains(p.Detail, "/catalog") {
		t.Errorf("GET unknown record = %d %s %s, want 404 problem+json pointing at /catalog", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	resp, body = get(t, srv.URL+"/catalog/datasets/"+rec.ID, "text/html")
	if resp.StatusCode != 406 {
		t.Errorf("GET record as text/html = %d %s, want 406", resp.StatusCode, body)
	}
}
