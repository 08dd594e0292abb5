package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"samband/catalog"
	"samband/catalog/rdf"
	"samband/harvest"
)

// shaclDir holds the DCAT-AP 3.0.1 shapes of SEMIC (see testdata/corpus/SOURCES.md).
const shaclDir = corpus + "/eu-semic-dcat-ap/shacl-3.0.1"

// shaclResult is one result of tools/shacl/validate.mjs.
type shaclResult struct {
	Severity   string `json:"severity"`
	Focus      string `json:"focus"`
	FocusType  string `json:"focusType"`
	Via        string `json:"via"`
	Path       string `json:"path"`
	Value      string `json:"value"`
	Shape      string `json:"shape"`
	Constraint string `json:"constraint"`
	Message    string `json:"message"`
	File       string `json:"file"`
}

// key names what a violation is about, the same in a source and in the
// feed: the focus node's IRI and the path, or for a blank node (whose label
// is the document's own), the IRI and property that lead to it and its type.
func (r shaclResult) key() string {
	if strings.HasPrefix(r.Focus, "_:") {
		return fmt.Sprintf("[%s; a %s] %s", r.Via, r.FocusType, r.Path)
	}
	return r.Focus + " " + r.Path
}

// shaclReport is what tools/shacl/validate.mjs prints.
type shaclReport struct {
	Conforms bool           `json:"conforms"`
	Triples  map[string]int `json:"triples"`
	Counts   map[string]int `json:"counts"`
	ByShape  map[string]int `json:"byShape"`
	Results  []shaclResult  `json:"results"`
}

// shaclTool returns the node binary and the validator script, or skips the
// test when either is missing; under CI (CI=true) a missing one fails it,
// so that CI cannot pass without validating.
func shaclTool(t *testing.T) (node, script string) {
	t.Helper()
	tool, err := filepath.Abs("../../tools/shacl")
	if err != nil {
		t.Fatal(err)
	}
	missing := func(why string) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s; CI must validate the feed: run make shacl", why)
		}
		t.Skipf("%s; make shacl installs it", why)
	}
	node, err = exec.LookPath("node")
	if err != nil {
		missing("node is not on PATH")
	}
	if _, err := os.Stat(filepath.Join(tool, "node_modules", "rdf-validate-shacl")); err != nil {
		missing("tools/shacl/node_modules is missing (npm ci --prefix tools/shacl)")
	}
	return node, filepath.Join(tool, "validate.mjs")
}

// runSHACL runs the validator with flags, shapes and data files, and decodes
// its report. Exit status 1 (a violation) is a report, not an error.
func runSHACL(t *testing.T, node, script string, flags, shapes, data []string) shaclReport {
	t.Helper()
	args := append(append([]string{script}, flags...), shapes...)
	args = append(append(args, "--"), data...)
	cmd := exec.Command(node, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("node validate.mjs: %v\n%s", err, stderr.String())
	}
	var rep shaclReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("validate.mjs report: %v\n%s", err, clipBody(stdout.Bytes()))
	}
	if (err == nil) != rep.Conforms {
		t.Fatalf("validate.mjs exit %v with conforms %v", err, rep.Conforms)
	}
	return rep
}

// TestFeedSHACL validates the feed of the demo catalogues against the
// mandatory DCAT-AP 3.0.1 shapes (shapes.ttl) with a SHACL engine
// (tools/shacl), and the recommended ones (shapes_recommended.ttl), which
// are reported, not enforced. The demo sources themselves break some
// mandatory shapes (a dataset without dct:description, say): that is not the
// feed's fault, so the sources are validated first, as the harvester read
// them, and the feed must add no violation they did not have, by focus node
// and path.
func TestFeedSHACL(t *testing.T) {
	node, script := shaclTool(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	raw, err := demoConfig()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := parseConfig(raw, "demo", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	base, err := startDemoServer(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	resolveDemoURLs(&cfg, base)
	// SAMBAND_SHACL_OUT keeps the files validated, for a look at them.
	dir := os.Getenv("SAMBAND_SHACL_OUT")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}

	// The sources, as the harvester reads them (syntax found from the
	// content, relative IRIs against the URL), written as N-Triples.
	var sourceFiles []string
	for _, s := range cfg.Sources {
		resp, err := http.Get(s.URL)
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, "source-"+s.Name+".nt")
		out, err := os.Create(f)
		if err != nil {
			t.Fatal(err)
		}
		enc := rdf.NewNTriplesEncoder(out)
		_, err = rdf.DecodeAny(resp.Body, resp.Header.Get("Content-Type"), rdf.Options{Base: s.URL}, enc.Encode)
		resp.Body.Close()
		if err := errors.Join(err, enc.Close(), out.Close()); err != nil {
			t.Fatalf("source %s: %v", s.Name, err)
		}
		sourceFiles = append(sourceFiles, f)
	}

	// The feed of the same sources, harvested into a real SQLite store.
	st := openStore(t, "shacl.db")
	h := harvest.New(st, nil, nil, harvest.Options{SkolemBase: cfg.PublicURL + "/.well-known/genid/"})
	for _, s := range cfg.Sources {
		rep, err := h.Run(ctx, harvestConfig(s))
		if err != nil || rep.Status != catalog.StatusComplete {
			t.Fatalf("harvest %s = %+v, %v", s.Name, rep, err)
		}
	}
	reg := prometheus.NewRegistry()
	srv := httptest.NewServer(newServer(st, slog.New(slog.DiscardHandler), reg).routes(reg))
	defer srv.Close()
	feedFiles := fetchFeedPages(t, srv.URL+"/catalog?limit=25", dir)
	if n := len(storeRecords(t, st)); len(feedFiles) != (n+24)/25 {
		t.Fatalf("%d feed pages for %d records, want %d", len(feedFiles), n, (n+24)/25)
	}

	mandatory := []string{filepath.Join(shaclDir, "shapes.ttl")}
	src := runSHACL(t, node, script, []string{"--all", "--each"}, mandatory, sourceFiles)
	feed := runSHACL(t, node, script, []string{"--all"}, mandatory, feedFiles)
	rec := runSHACL(t, node, script, []string{"--max", "0"},
		append(mandatory, filepath.Join(shaclDir, "shapes_recommended.ttl")), feedFiles)

	t.Logf("sources (%d files, %d triples), shapes.ttl: %v", len(sourceFiles), src.Triples["data"], src.Counts)
	logByShape(t, src.ByShape)
	t.Logf("feed (%d pages, %d triples), shapes.ttl: %v", len(feedFiles), feed.Triples["data"], feed.Counts)
	logByShape(t, feed.ByShape)
	t.Logf("feed, shapes.ttl + shapes_recommended.ttl: %v", rec.Counts)
	logByShape(t, rec.ByShape)

	// The demo sources are known to break shapes.ttl: a run that finds
	// nothing there did not check anything.
	if src.Counts["Violation"] == 0 || feed.Triples["data"] == 0 {
		t.Fatalf("sources: %v violations, feed: %d triples; want some of each", src.Counts, feed.Triples["data"])
	}
	had := map[string]bool{}
	for _, r := range src.Results {
		if r.Severity == "Violation" {
			had[r.key()] = true
		}
	}
	var added []shaclResult
	for _, r := range feed.Results {
		if r.Severity == "Violation" && !had[r.key()] {
			added = append(added, r)
		}
	}
	for _, r := range added {
		t.Errorf("the feed adds a violation: %s %s (%s %s) value %s: %s", r.Focus, r.Path, r.Shape, r.Constraint, r.Value, r.Message)
	}
	t.Logf("violations of shapes.ttl: sources %d, feed %d, added by the feed %d",
		src.Counts["Violation"], feed.Counts["Violation"], len(added))

	// range.ttl (sh:class of every object) is reported, not enforced: the
	// classes of the EU vocabularies' IRIs (file types, languages,
	// frequencies, access rights) are not in the data, and Samband ships no
	// copy of those vocabularies, so every such IRI breaks it in the sources
	// and in the feed alike.
	ranges := []string{filepath.Join(shaclDir, "range.ttl")}
	srcRange := runSHACL(t, node, script, []string{"--all", "--each"}, ranges, sourceFiles)
	feedRange := runSHACL(t, node, script, []string{"--all"}, ranges, feedFiles)
	hadRange := map[string]bool{}
	for _, r := range srcRange.Results {
		hadRange[r.key()] = true
	}
	addedRange := map[string]int{}
	for _, r := range feedRange.Results {
		if !hadRange[r.key()] {
			addedRange[r.Severity+" "+r.Shape+" "+r.Path+" "+r.Constraint]++
		}
	}
	t.Logf("range.ttl (reported, not enforced): sources %v, feed %v; feed results the sources lack, by shape and path:",
		srcRange.Counts, feedRange.Counts)
	logByShape(t, addedRange)
}

// fetchFeedPages reads every page of the feed in Turtle, from first along
// hydra:next, into files in dir, and returns their names.
func fetchFeedPages(t *testing.T, first, dir string) []string {
	t.Helper()
	var files []string
	for u := first; u != ""; {
		if len(files) == 100 {
			t.Fatalf("more than 100 feed pages from %s", first)
		}
		resp, body := get(t, u, "text/turtle")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d\n%s", u, resp.StatusCode, clipBody(body))
		}
		f := filepath.Join(dir, fmt.Sprintf("feed-%02d.ttl", len(files)+1))
		if err := os.WriteFile(f, body, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
		next := ""
		err := rdf.Decode(bytes.NewReader(body), rdf.Turtle, rdf.Options{Base: u}, func(tr rdf.Triple) error {
			if tr.Pred.String() == nsHydra+"next" {
				next = tr.Obj.String()
			}
			return nil
		})
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		u = next
	}
	return files
}

func logByShape(t *testing.T, byShape map[string]int) {
	t.Helper()
	keys := make([]string, 0, len(byShape))
	for k := range byShape {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if byShape[keys[i]] != byShape[keys[j]] {
			return byShape[keys[i]] > byShape[keys[j]]
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		t.Logf("  %4d  %s", byShape[k], strings.TrimSpace(k))
	}
}
