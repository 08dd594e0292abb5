package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

func TestHarvestCommand(t *testing.T) {
	files := map[string]string{
		"/nav":    "no-fdk-legacy/nav-2017-10-31.ttl",
		"/broken": "no-fdk-dataset-harvester/harvest_response_error.ttl",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, filepath.Join(corpus, f))
	}))
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "h.db")

	// One good and one broken source: reports for both, exit 1.
	out, _, err := gateway(t, nil, "harvest", "--json", "--db", db, "--country", "NO", srv.URL+"/nav", srv.URL+"/broken")
	if code := exitCode(err, &bytes.Buffer{}); code != 1 {
		t.Fatalf("exit = %d (%v), want 1 when a source fails", code, err)
	}
	var reps []map[string]any
	if err := json.Unmarshal([]byte(out), &reps); err != nil || len(reps) != 2 {
		t.Fatalf("--json printed %q: %v", out, err)
	}
	for _, field := range []string{"source", "status", "added", "updated", "unchanged", "withdrawn", "rejected", "conflicts", "errors", "duration_ms"} {
		if _, ok := reps[0][field]; !ok {
			t.Errorf("report lacks %q: %v", field, reps[0])
		}
	}
	if reps[0]["status"] != "complete" || reps[0]["added"] != 42.0 {
		t.Errorf("nav report = %v, want complete with 42 added", reps[0])
	}
	errs, _ := reps[1]["errors"].([]any)
	if reps[1]["status"] != "failed" || len(errs) != 1 {
		t.Fatalf("broken report = %v, want failed with one error", reps[1])
	}
	e := errs[0].(map[string]any)
	if e["line"] != 6.0 || e["column"] != 85.0 || e["message"] == "" {
		t.Errorf("error = %v, want line 6, column 85, a message", e)
	}

	// Again: the server answers the conditional GET with 304; exit 0.
	out, _, err = gateway(t, nil, "harvest", "--db", db, srv.URL+"/nav")
	if err != nil || !bytes.Contains([]byte(out), []byte("not modified since the last run")) {
		t.Fatalf("second harvest = %q, %v; want not modified", out, err)
	}
}

func TestHarvestCommandFileAndConfig(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "h.db")
	file := filepath.Join(corpus, "se-dcat-ap-se/exempel_rekommenderat.ttl")
	out, _, err := gateway(t, nil, "harvest", "--json", "--db", db, file)
	if err != nil {
		t.Fatalf("harvest FILE = %v: %s", err, out)
	}
	var reps []harvestReport
	if err := json.Unmarshal([]byte(out), &reps); err != nil || len(reps) != 1 || reps[0].Added != 2 {
		t.Fatalf("harvest FILE printed %q (%v), want one report with 2 added", out, err)
	}

	cfg := filepath.Join(dir, "gateway.yaml")
	abs, _ := filepath.Abs(file)
	yml := "sources:\n  - name: se-example\n    country: SE\n    kind: file\n    url: file://" + filepath.ToSlash(abs) + "\n"
	if err := os.WriteFile(cfg, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err = gateway(t, nil, "harvest", "--json", "--db", db, "--config", cfg)
	if err != nil || json.Unmarshal([]byte(out), &reps) != nil || reps[0].Source != "se-example" || reps[0].Status != "complete" {
		t.Fatalf("harvest --config = %q, %v", out, err)
	}

	// Without --db, the config's db is the store.
	cfgDB := filepath.Join(dir, "from-config.db")
	if err := os.WriteFile(cfg, []byte("db: "+cfgDB+"\n"+yml), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := gateway(t, nil, "harvest", "--config", cfg); err != nil {
		t.Fatalf("harvest --config without --db = %v", err)
	}
	if _, err := os.Stat(cfgDB); err != nil {
		t.Fatalf("the config's db was not used: %v", err)
	}

	for _, args := range [][]string{{"harvest", "--db", db}, {"harvest", "--db", db, "ftp://x/y"}} {
		_, _, err := gateway(t, nil, args...)
		if code := exitCode(err, &bytes.Buffer{}); code != 2 {
			t.Errorf("gateway %v exit = %d (%v), want 2", args, code, err)
		}
	}
}

func TestSourceFromArg(t *testing.T) {
	cases := []struct{ arg, kind, name string }{
		{"https://fdk.example/catalogs?page=0", "dcat", "fdk.example/catalogs"},
		{"ckan+https://avoindata.example", "ckan", "avoindata.example"},
		{"file:///data/cat.ttl", "file", "cat.ttl"},
	}
	for _, tc := range cases {
		s, err := sourceFromArg(tc.arg)
		if err != nil || s.Kind != tc.kind || s.Name != tc.name {
			t.Errorf("sourceFromArg(%q) = %+v, %v; want kind %s name %s", tc.arg, s, err, tc.kind, tc.name)
		}
	}
}
