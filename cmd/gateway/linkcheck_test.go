package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"samband/catalog"
	"samband/catalog/sqlite"
	"samband/harvest/linkcheck"
)

// linkSite serves two demo catalogues whose links (example.com,
// example.org) are pointed at the site itself, and answers those links:
// some answer, one refuses HEAD, one is gone. It counts requests by
// method and path.
type linkSite struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

func newLinkSite(t *testing.T) *linkSite {
	t.Helper()
	s := &linkSite{hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.Method+" "+r.URL.Path]++
		s.mu.Unlock()
		switch p := r.URL.Path; p {
		case "/se/exempel_rekommenderat.rdf", "/dk/extended-example1.ttl":
			raw, err := demoFiles.ReadFile("demo" + p)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			body := strings.NewReplacer(
				"http://example.com/", s.URL+"/",
				"http://www.example.org/", s.URL+"/",
				"http://example.org/", s.URL+"/",
			).Replace(string(raw))
			w.Write([]byte(body))
		case "/download", "/landingpage", "/files/001.xml":
			w.Write([]byte("data"))
		case "/api":
			if r.Method == http.MethodHead {
				w.WriteHeader(http.StatusMethodNotAllowed)
				return
			}
			w.Write([]byte("{}"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *linkSite) count(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[key]
}

func (s *linkSite) heads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, v := range s.hits {
		if strings.HasPrefix(k, "HEAD ") {
			n += v
		}
	}
	return n
}

// TestLinkcheckCommand harvests the Swedish and Danish demo catalogues into
// a SQLite file (three records, five links), checks their links with
// `gateway linkcheck`, and finds the records' reachability checks decided.
func TestLinkcheckCommand(t *testing.T) {
	site := newLinkSite(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "catalog.db")
	cfg := filepath.Join(dir, "gateway.yaml")
	yml := "db: " + db + `
linkcheck:
  per_host_interval: 1ms
  timeout: 5s
sources:
  - name: se-dataportal
    country: SE
    kind: dcat
    url: ` + site.URL + `/se/exempel_rekommenderat.rdf
  - name: dk-digst
    country: DK
    kind: dcat
    url: ` + site.URL + `/dk/extended-example1.ttl
`
	if err := os.WriteFile(cfg, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, _, err := gateway(t, nil, "harvest", "--config", cfg); err != nil {
		t.Fatalf("harvest = %v: %s", err, out)
	}

	// By default the loopback site is refused: no request reaches it.
	out, _, err := gateway(t, nil, "linkcheck", "--config", cfg, "--json")
	if err != nil {
		t.Fatalf("linkcheck = %v: %s", err, out)
	}
	var sum linkcheck.Summary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("linkcheck --json printed %q: %v", out, err)
	}
	if sum.Records != 3 || sum.Checked != 5 || sum.Results[linkcheck.ResultRefused] != sum.Checked || site.heads() != 0 {
		t.Fatalf("linkcheck without --allow-private = %+v, %d HEADs; want every link refused, no request", sum, site.heads())
	}

	// Allowed (by the environment, as GATEWAY_LINKCHECK_ALLOW_PRIVATE),
	// and forced, since the refusals were just stored.
	env := map[string]string{"GATEWAY_LINKCHECK_ALLOW_PRIVATE": "true"}
	out, _, err = gateway(t, env, "linkcheck", "--config", cfg, "--json", "--force")
	if err != nil {
		t.Fatalf("linkcheck --force = %v: %s", err, out)
	}
	sum = linkcheck.Summary{}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("linkcheck --json printed %q: %v", out, err)
	}
	if sum.Checked != 5 || sum.Answered != 4 || sum.Failed != 1 || sum.Rescored != 3 {
		t.Errorf("linkcheck = %+v; want 5 links checked (4 answered, 1 not), the 3 records re-scored", sum)
	}
	if site.count("HEAD /download") != 1 || site.count("GET /api") != 1 || site.count("HEAD /files/001.csv") != 1 {
		t.Errorf("requests = %v; want each link asked once, /api by GET after HEAD was refused", site.hits)
	}

	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	se, err := st.Dataset(context.Background(), "https://example.com/dataset1")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"accessUrlStatusCode", "downloadUrlStatusCode"} {
		if c := qualityCheck(se, id); !c.Passed {
			t.Errorf("se dataset1: %s = %+v, want passed", id, c)
		}
	}
	api, err := st.Dataset(context.Background(), "https://example.com/dataservice1")
	if err != nil {
		t.Fatal(err)
	}
	if c := qualityCheck(api, "accessUrlStatusCode"); !c.Passed {
		t.Errorf("se data service: endpoint check = %+v, want passed", c)
	}

	// Again, as a person would: nothing is due; the summary says so.
	out, _, err = gateway(t, env, "linkcheck", "--config", cfg)
	if err != nil || !strings.Contains(out, "checked  0") || !strings.Contains(out, "records  3") {
		t.Errorf("linkcheck again = %v:\n%s\nwant nothing checked", err, out)
	}
}

func TestLinkcheckCommandErrors(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"linkcheck", "extra"},
		{"linkcheck", "--timeout", "-1s"},
		{"linkcheck", "--concurrency", "-2"},
		{"linkcheck", "--nope"},
	} {
		_, _, err := gateway(t, nil, append(args, "--db", filepath.Join(dir, "x.db"))...)
		if code := exitCode(err, &bytes.Buffer{}); code != 2 {
			t.Errorf("gateway %v exit = %d (%v), want 2", args, code, err)
		}
	}
	// No catalogue: an error, and no empty file left behind.
	missing := filepath.Join(dir, "missing.db")
	_, _, err := gateway(t, nil, "linkcheck", "--db", missing)
	if err == nil || !strings.Contains(err.Error(), "harvest into it first") {
		t.Errorf("linkcheck of a missing file = %v", err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("linkcheck created %s", missing)
	}
	out, _, err := gateway(t, nil, "linkcheck", "--help")
	if err != nil || !strings.Contains(out, "Usage: gateway linkcheck") {
		t.Errorf("linkcheck --help = %v: %q", err, out)
	}
}

func qualityCheck(d catalog.Dataset, id string) catalog.Check {
	if d.Quality != nil {
		for _, c := range d.Quality.Checks {
			if c.ID == id {
				return c
			}
		}
	}
	return catalog.Check{}
}

// TestServeLinkcheck: with linkcheck.enabled, serve checks the links of
// what it harvested in the background, the API shows the records'
// reachability decided and /metrics the checks, and the checker stops with
// the gateway.
func TestServeLinkcheck(t *testing.T) {
	site := newLinkSite(t)
	yml := `linkcheck:
  enabled: true
  allow_private: true
  per_host_interval: 1ms
  every: 200ms
sources:
  - name: se-dataportal
    country: SE
    kind: dcat
    url: ` + site.URL + `/se/exempel_rekommenderat.rdf
`
	cfg, err := parseConfig([]byte(yml), "test.yaml", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DB = filepath.Join(t.TempDir(), "serve.db")
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

	// Passes come 200 ms apart: one comes after the first harvest stored
	// the record, whichever started first.
	id := catalog.IDFor("https://example.com/dataset1")
	deadline := time.Now().Add(20 * time.Second)
	for {
		var d catalog.Dataset
		resp, err := http.Get(base + "/api/v1/datasets/" + id)
		if err == nil {
			if resp.StatusCode == http.StatusOK {
				json.NewDecoder(resp.Body).Decode(&d)
			}
			resp.Body.Close()
		}
		if c := qualityCheck(d, "downloadUrlStatusCode"); c.Passed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s the record's download URL is not checked: %+v", d.Quality)
		}
		time.Sleep(100 * time.Millisecond)
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(metrics, []byte(`samband_linkcheck_checks_total{result="answered"}`)) {
		t.Errorf("/metrics has no link-check counts")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve = %v after cancel", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop within 20 s")
	}
}
