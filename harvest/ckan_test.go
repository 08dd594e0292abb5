package harvest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"samband/catalog"
)

// ckanPackages builds package_search results from the corpus: the
// ckanext-dcat full dataset, the two datasets of its catalog.json, the
// three of piveau's package_search example (two of them empty objects),
// and a Finnish-style package (translated fields, extras, groups) made
// from the full dataset.
func ckanPackages(t *testing.T) []json.RawMessage {
	t.Helper()
	full := readCorpus(t, "ckanext-dcat-examples/ckan_full_dataset_dcat_ap.json")
	var pkgs []json.RawMessage
	pkgs = append(pkgs, full)

	var cat struct {
		Dataset []json.RawMessage `json:"dataset"`
	}
	if err := json.Unmarshal(readCorpus(t, "ckanext-dcat-examples/catalog.json"), &cat); err != nil {
		t.Fatal(err)
	}
	pkgs = append(pkgs, cat.Dataset...)

	// The piveau example is documentation: JSON with comments and trailing commas.
	doc := string(readCorpus(t, "eu-piveau/hub-search_package_search_response_example.json"))
	doc = regexp.MustCompile(`(?m)^\s*//.*$`).ReplaceAllString(doc, "")
	doc = regexp.MustCompile(`,(\s*[}\]])`).ReplaceAllString(doc, "$1")
	doc = strings.TrimSuffix(strings.TrimSpace(doc), ";")
	var pv struct {
		Datasets []json.RawMessage `json:"datasets"`
	}
	if err := json.Unmarshal([]byte(doc), &pv); err != nil {
		t.Fatalf("piveau example: %v", err)
	}
	pkgs = append(pkgs, pv.Datasets...)

	var fi map[string]any
	if err := json.Unmarshal(full, &fi); err != nil {
		t.Fatal(err)
	}
	fi["name"] = "vaesto"
	fi["id"] = "0b6c2a4e-6f1e-4f5b-9a47-000000000001"
	fi["title_translated"] = map[string]any{"fi": "Väestö", "sv": "Befolkning", "en": "Population"}
	fi["notes_translated"] = map[string]any{"fi": "Väestötiedot", "en": "Population data"}
	fi["keywords"] = map[string]any{"fi": []any{"väestö"}, "en": []any{"population"}}
	fi["groups"] = []any{map[string]any{"name": "vaesto-ja-yhteiskunta", "title": "Väestö ja yhteiskunta"}}
	fi["organization"] = map[string]any{"name": "tilastokeskus", "title_translated": map[string]any{"fi": "Tilastokeskus", "en": "Statistics Finland"}}
	fi["maintainer"], fi["maintainer_email"] = "Tietopalvelu", "info@stat.fi"
	fi["extras"] = []any{map[string]any{"key": "uri", "value": "https://www.avoindata.fi/data/dataset/vaesto"}}
	delete(fi, "publisher")
	delete(fi, "title")
	b, _ := json.Marshal(fi)
	pkgs = append(pkgs, b)
	return pkgs
}

// ckanServer serves pkgs as a CKAN package_search API.
type ckanServer struct {
	*httptest.Server
	mu       sync.Mutex
	pkgs     []json.RawMessage
	count    func(call int) int // the count to answer; nil: the truth
	ignore   bool               // ignore start: the same page every time
	calls    int
	lastSort string
}

func newCKANServer(t *testing.T, pkgs []json.RawMessage) *ckanServer {
	c := &ckanServer{pkgs: pkgs}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/data/api/3/action/package_search" || r.Header.Get("Accept") != "application/json" {
			http.NotFound(w, r)
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		c.calls++
		c.lastSort = r.URL.Query().Get("sort")
		rows, _ := strconv.Atoi(r.URL.Query().Get("rows"))
		start, _ := strconv.Atoi(r.URL.Query().Get("start"))
		if c.ignore {
			start = 0
		}
		end := min(start+rows, len(c.pkgs))
		results := []json.RawMessage{}
		if start < end {
			results = c.pkgs[start:end]
		}
		count := len(c.pkgs)
		if c.count != nil {
			count = c.count(c.calls)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"success": true, "result": map[string]any{"count": count, "results": results}})
	}))
	t.Cleanup(c.Close)
	return c
}

func TestCKAN(t *testing.T) {
	pkgs := ckanPackages(t)
	srv := newCKANServer(t, pkgs)
	st := newStore(t)
	h := newTestHarvester(st, Options{})
	site := srv.URL + "/data"
	cfg := Config{Name: "fi", Country: "FI", Kind: KindCKAN, URL: site, PageSize: 2}
	rep := mustRun(t, h, cfg)
	if rep.Status != catalog.StatusComplete || rep.Pages != 4 || rep.Added != 5 || rep.Rejected != 2 || len(rep.Errors) != 0 {
		t.Fatalf("report %+v, want complete, 4 pages, 5 added, 2 rejected", rep)
	}
	if srv.lastSort != "metadata_created asc" {
		t.Errorf("sort %q", srv.lastSort)
	}
	ctx := context.Background()
	get := func(iri string) catalog.Dataset {
		t.Helper()
		d, err := st.Dataset(ctx, iri)
		if err != nil {
			t.Fatalf("Dataset(%q): %v", iri, err)
		}
		return d
	}

	full := get(site + "/dataset/test-dataset-shacl")
	if full.Title.Get() != "Test DCAT dataset" || full.Description.Get() != "Lorem ipsum" || full.Version != "1.0b" {
		t.Errorf("full: title %v description %v version %q", full.Title, full.Description, full.Version)
	}
	if kw := full.Keywords[""]; !slices.Equal(kw, []string{"Tag 1", "Tag 2"}) {
		t.Errorf("full: keywords %v", full.Keywords)
	}
	for _, id := range []string{"test-dataset-shacl", "xx-some-dataset-id-yy", "alt-id-1", "alt-id-2"} {
		if !slices.Contains(full.Identifiers, id) {
			t.Errorf("full: identifiers %v lack %q", full.Identifiers, id)
		}
	}
	if full.Publisher == nil || full.Publisher.Name.Get() != "Test Publisher" || full.Publisher.Identifier != "http://example.org/publisher-id" {
		t.Errorf("full: publisher %+v", full.Publisher)
	}
	if len(full.Themes) != 3 || len(full.ContactPoints) != 2 || full.ContactPoints[0].Email != "contact1@example.org" {
		t.Errorf("full: themes %v contacts %+v", full.Themes, full.ContactPoints)
	}
	if len(full.Distributions) != 1 {
		t.Fatalf("full: distributions %+v", full.Distributions)
	}
	d := full.Distributions[0]
	if !slices.Contains(d.AccessURLs, "https://example.com/data.csv") || !slices.Contains(d.DownloadURLs, "https://example.com/data.csv") ||
		d.License != "http://creativecommons.org/licenses/by/3.0/" || d.Format != "CSV" || d.Checksum != "sha1:4304cf2e751e6053c90b1804c89c0ebb758f395a" {
		t.Errorf("full: distribution %+v", d)
	}
	if len(full.Temporal) != 2 || full.Spatial[0] != "https://sws.geonames.org/6361390/" || full.Issued != "2024-05-01" {
		t.Errorf("full: temporal %v spatial %v issued %q", full.Temporal, full.Spatial, full.Issued)
	}
	// Provenance: the canonical JSON (sorted keys) and its SHA-256.
	p := provenance(full, "fi")
	if p == nil || p.Country != "FI" {
		t.Fatalf("full: provenance %+v", full.Sources)
	}
	if p.Original != "" {
		sum := sha256.Sum256([]byte(p.Original))
		if p.Hash != hex.EncodeToString(sum[:]) || !strings.HasPrefix(p.Original, `{"access_rights":`) {
			t.Errorf("full: hash %s of original %.60s...", p.Hash, p.Original)
		}
	}

	pod := get("https://data.some.org/catalog/datasets/1")
	if len(pod.Distributions) != 3 || pod.Publisher.Name.Get() != "Publishing Organization for dataset 1" || len(pod.Keywords[""]) != 2 {
		t.Errorf("catalog.json dataset 1: %+v", pod)
	}

	pv := get(site + "/dataset/dataset-1")
	if pv.Publisher == nil || pv.Publisher.Name.Get() != "Fight Club" || !slices.Contains(pv.Themes, "energy-id-name") ||
		pv.Modified != "2002-02-02T00:00" || pv.Description.Get() != "This is dataset1" {
		t.Errorf("piveau dataset: %+v", pv)
	}

	fi := get("https://www.avoindata.fi/data/dataset/vaesto")
	if fi.Title.Get("sv") != "Befolkning" || fi.Title.Get("en") != "Population" || len(fi.Title[""]) != 0 {
		t.Errorf("fi: title %v", fi.Title)
	}
	if fi.Keywords.Get("fi") != "väestö" || fi.Description.Get("en") != "Population data" {
		t.Errorf("fi: keywords %v description %v", fi.Keywords, fi.Description)
	}
	if fi.Publisher == nil || fi.Publisher.Name.Get("en") != "Statistics Finland" || fi.Publisher.IRI != site+"/organization/tilastokeskus" {
		t.Errorf("fi: publisher %+v", fi.Publisher)
	}
	if !slices.Contains(fi.Themes, site+"/group/vaesto-ja-yhteiskunta") {
		t.Errorf("fi: themes %v", fi.Themes)
	}
	found := false
	for _, c := range fi.ContactPoints {
		found = found || c.Email == "info@stat.fi"
	}
	if !found {
		t.Errorf("fi: contacts %+v lack the maintainer", fi.ContactPoints)
	}

	// Again: nothing changed. Then one package gone: withdrawn.
	if rep := mustRun(t, h, cfg); rep.Status != catalog.StatusComplete || rep.Unchanged != 5 || rep.Added+rep.Updated+rep.Withdrawn != 0 {
		t.Errorf("second run: %+v, want 5 unchanged", rep)
	}
	srv.mu.Lock()
	srv.pkgs = slices.Delete(slices.Clone(srv.pkgs), 1, 2) // catalog.json's dataset 1
	srv.mu.Unlock()
	rep = mustRun(t, h, cfg)
	if rep.Status != catalog.StatusComplete || rep.Unchanged != 4 || rep.Withdrawn != 1 {
		t.Errorf("third run: %+v, want 4 unchanged, 1 withdrawn", rep)
	}
	if d := get("https://data.some.org/catalog/datasets/1"); !d.Withdrawn {
		t.Errorf("catalog.json dataset 1 not withdrawn")
	}
}

// TestCKANGuards: servers that repeat a page, change their count during
// the run, or promise more than they give.
func TestCKANGuards(t *testing.T) {
	pkgs := ckanPackages(t)
	tests := []struct {
		name   string
		setup  func(c *ckanServer)
		status string
		msg    string
	}{
		{"repeats the first page", func(c *ckanServer) { c.ignore = true }, catalog.StatusFailed, "repeats pages"},
		{"count changes", func(c *ckanServer) {
			c.count = func(call int) int { return len(c.pkgs) + min(call-1, 1) }
		}, catalog.StatusPartial, "changed during the run"},
		{"count lies", func(c *ckanServer) { c.count = func(int) int { return 50 } }, catalog.StatusPartial, "no packages at start=7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newCKANServer(t, pkgs)
			tc.setup(srv)
			rep := mustRun(t, newTestHarvester(newStore(t), Options{}), Config{Name: "ckan", Kind: KindCKAN, URL: srv.URL + "/data", PageSize: 3})
			if rep.Status != tc.status || len(rep.Errors) == 0 || !strings.Contains(rep.Errors[0].Message, tc.msg) {
				t.Fatalf("status %s errors %v, want %s saying %q", rep.Status, rep.Errors, tc.status, tc.msg)
			}
			if rep.Withdrawn != 0 {
				t.Errorf("withdrew %d", rep.Withdrawn)
			}
		})
	}
}
