package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"samband/catalog"
	"samband/catalog/lifeevent"
	"samband/catalog/search"
)

// TestServeDemo runs the gateway as `make run` does: the demo configuration,
// its local file server, a real SQLite file, the real HTTP API. It waits for
// every source's first harvest, reads the API as a client would, and stops the
// gateway as a signal would.
func TestServeDemo(t *testing.T) {
	raw, err := demoConfig()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := parseConfig(raw, "demo", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DB = filepath.Join(t.TempDir(), "demo.db")
	cfg.Addr = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, slog.New(slog.DiscardHandler), ready) }()
	var base string
	select {
	case addr := <-ready:
		base = "http://" + addr
	case err := <-done:
		t.Fatalf("serve ended before listening: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not listen within 10 s")
	}

	want := map[string]int{"no-nav": 42, "no-datanorge": 10, "no-brreg": 4, "no-fdk": 15,
		"se-dataportal": 2, "dk-digst": 1, "eu-hvd": 2, "eu-bee-series": 4}
	var sources struct{ Items []catalog.SourceStatus }
	deadline := time.Now().Add(30 * time.Second)
	for {
		getJSON(t, base+"/api/v1/sources", http.StatusOK, &sources)
		complete := 0
		for _, s := range sources.Items {
			if s.LastRun != nil && s.LastRun.Status == catalog.StatusComplete {
				complete++
			}
		}
		if complete == len(want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s only %d of %d sources harvested: %+v", complete, len(want), sources.Items)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The catalogues each source publishes: no-nav's one, with its title.
	// They are stored just after the run's report, so they may lag it.
	for deadline := time.Now().Add(10 * time.Second); ; {
		var nav catalog.SourceStatus
		for _, s := range sources.Items {
			if s.Name == "no-nav" {
				nav = s
			}
		}
		if len(nav.Catalogs) == 1 && nav.Catalogs[0].Title.Get("nb") != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no-nav catalogues = %+v, want one with a title", nav.Catalogs)
		}
		time.Sleep(100 * time.Millisecond)
		sources.Items = nil
		getJSON(t, base+"/api/v1/sources", http.StatusOK, &sources)
	}
	total, countries := 0, map[string]bool{}
	for _, s := range sources.Items {
		if s.Records != want[s.Name] {
			t.Errorf("source %s: %d records, want %d", s.Name, s.Records, want[s.Name])
		}
		if len(s.LastRun.Errors) != 0 {
			t.Errorf("source %s: errors %+v", s.Name, s.LastRun.Errors)
		}
		total += s.Records
		countries[s.Country] = true
	}
	if len(countries) < 4 {
		t.Errorf("countries %v, want at least four", countries)
	}

	// The search index follows the store: every record is searchable
	// within a second or so of its harvest.
	var page catalog.Page
	for deadline := time.Now().Add(5 * time.Second); ; {
		getJSON(t, base+"/api/v1/datasets?limit=5&offset=3", http.StatusOK, &page)
		if page.Total == total || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if page.Total != total || len(page.Items) != 5 {
		t.Fatalf("datasets: total %d with %d items, want %d with 5", page.Total, len(page.Items), total)
	}
	var everything searchPage
	getJSON(t, base+"/api/v1/datasets?limit=0", http.StatusOK, &everything)
	if len(everything.Facets["lifeEvent"]) == 0 {
		t.Errorf("no record of the demo classified by life event: facets %v", everything.Facets)
	}
	var found searchPage
	getJSON(t, base+"/api/v1/datasets?q=utbetalingene&lang=nb&country=NO", http.StatusOK, &found)
	if found.Total == 0 || found.Items[0].Highlights == nil || found.Facets["country"][0].Value != "NO" {
		t.Errorf("search q=utbetalingene: %+v", found)
	}
	// One record by id and by its escaped IRI, with provenance and the original triples.
	first := page.Items[0]
	var byID, byIRI catalog.Dataset
	getJSON(t, base+"/api/v1/datasets/"+first.ID, http.StatusOK, &byID)
	getJSON(t, base+"/api/v1/datasets/"+url.PathEscape(first.IRI), http.StatusOK, &byIRI)
	if byID.IRI != first.IRI || byIRI.ID != first.ID || len(byID.Sources) != 1 || byID.Sources[0].Original == "" ||
		byID.Quality == nil || byID.Quality.Max != catalog.MaxScore || len(byID.Quality.Checks) == 0 {
		t.Fatalf("dataset by id = %+v\nby IRI = %+v", byID, byIRI)
	}
	// The harvest report of its source.
	src := sources.Items[0]
	var rep catalog.Report
	getJSON(t, base+"/api/v1/harvests/"+itoa(src.LastRun.ID), http.StatusOK, &rep)
	if rep.Source != src.Name || rep.Status != catalog.StatusComplete {
		t.Fatalf("harvest %d = %+v", src.LastRun.ID, rep)
	}

	// Errors are problem+json that say what to do.
	for _, tc := range []struct {
		path   string
		status int
		detail string
	}{
		{"/api/v1/datasets?limit=5000", 400, "at most 1000"},
		{"/api/v1/datasets?offset=-1", 400, "whole number"},
		{"/api/v1/datasets/nosuchthing", 404, "URL-escape"},
		{"/api/v1/harvests/abc", 400, "positive whole number"},
		{"/api/v1/harvests/99999", 404, "not found"},
		{"/api/v2/anything", 404, "/api/v1/"},
	} {
		resp, err := http.Get(base + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		var p problem
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != "application/problem+json" ||
			json.Unmarshal(body, &p) != nil || p.Status != tc.status || !strings.Contains(p.Detail, tc.detail) {
			t.Errorf("GET %s = %d %s %s, want %d problem+json with %q", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), body, tc.status, tc.detail)
		}
	}

	// The OpenAPI document.
	var api struct{ OpenAPI string }
	getJSON(t, base+"/api/v1/openapi.json", http.StatusOK, &api)
	if !strings.HasPrefix(api.OpenAPI, "3.1") {
		t.Errorf("openapi.json says openapi %q", api.OpenAPI)
	}

	// Prometheus metrics: harvests, records, HTTP requests.
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, m := range []string{`samband_harvest_records_total{outcome="added",source="no-nav"} 42`, `samband_http_requests_total{code="200",route="GET /api/v1/sources"}`, "go_goroutines"} {
		if !strings.Contains(string(metrics), m) {
			t.Errorf("/metrics lacks %s", m)
		}
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve after cancel = %v, want nil (graceful)", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop within 20 s of cancel")
	}
	// Stopping saved the search index: a restart opens it, caught up.
	idx, err := search.Open(cfg.searchPath(), indexOptions(lifeevent.Default()))
	if err != nil {
		t.Fatal(err)
	}
	if idx.Count() != total || idx.LastSeq() == 0 {
		t.Errorf("saved index: %v records, seq %v, %v; want %d records", idx.Count(), idx.LastSeq(), err, total)
	}
}

func getJSON(t *testing.T, u string, status int, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("GET %s = %d %s, want %d", u, resp.StatusCode, body, status)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v in %s", u, err, body)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
