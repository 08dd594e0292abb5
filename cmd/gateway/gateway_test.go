package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const corpus = "../../testdata/corpus"

// gateway runs the program as a process would, with the given environment.
func gateway(t *testing.T, envv map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return envv[k] }
	err = run(context.Background(), args, getenv, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), err
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"rdf", "--help"}, {"rdf", "stat", "--help"}, {"version", "--help"}} {
		out, _, err := gateway(t, nil, args...)
		if err != nil || exitCode(err, &bytes.Buffer{}) != 0 {
			t.Errorf("gateway %v = %v, want success", args, err)
		}
		if !strings.Contains(out, "Usage") {
			t.Errorf("gateway %v printed %q, want usage on stdout", args, out)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"rdf"}, {"rdf", "frob"}, {"rdf", "stat"}, {"rdf", "stat", "a", "b"}, {"rdf", "stat", "--syntax", "n3", "x.ttl"}, {"rdf", "stat", "--nope", "x"}} {
		_, _, err := gateway(t, nil, args...)
		if code := exitCode(err, &bytes.Buffer{}); code != 2 {
			t.Errorf("gateway %q exit = %d (%v), want 2", args, code, err)
		}
	}
}

func TestVersion(t *testing.T) {
	out, _, err := gateway(t, nil, "version")
	if err != nil || !strings.HasPrefix(out, "gateway ") || !strings.Contains(out, "go1.") {
		t.Fatalf("version = %q, %v", out, err)
	}
}

func statJSON(t *testing.T, envv map[string]string, args ...string) (statResult, error) {
	t.Helper()
	out, _, err := gateway(t, envv, append([]string{"rdf", "stat", "--json"}, args...)...)
	var res statResult
	if jerr := json.Unmarshal([]byte(out), &res); jerr != nil {
		t.Fatalf("rdf stat --json %v printed %q: %v", args, out, jerr)
	}
	return res, err
}

func TestRDFStatCorpus(t *testing.T) {
	cases := []struct {
		file              string
		syntax            string
		triples, datasets int
	}{
		{"no-fdk-legacy/nav-2017-10-31.ttl", "turtle", 883, 42},
		{"no-fdk-legacy/brreg.rdf", "json-ld", 119, 4}, // JSON-LD under a .rdf name
		{"no-fdk-legacy/datanorge.xml", "rdf/xml", 328, 10},
		{"se-dcat-ap-se/exempel_rekommenderat.rdf", "rdf/xml", 67, 1},
		{"eu-semic-dcat-ap/examples-2.1.1/example1.nt", "n-triples", 23, 1},
		{"no-fdk-legacy/entryscape.jsonld", "json-ld", 206, 9},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			res, err := statJSON(t, nil, filepath.Join(corpus, tc.file))
			if err != nil || res.Error != nil {
				t.Fatalf("rdf stat %s = %v, %+v", tc.file, err, res.Error)
			}
			if res.Syntax != tc.syntax || res.Triples != tc.triples || res.Datasets != tc.datasets {
				t.Fatalf("rdf stat %s = %s %d triples %d datasets, want %s %d %d", tc.file, res.Syntax, res.Triples, res.Datasets, tc.syntax, tc.triples, tc.datasets)
			}
		})
	}
}

func TestRDFStatMalformed(t *testing.T) {
	file := filepath.Join(corpus, "no-fdk-dataset-harvester/harvest_response_error.ttl")
	res, err := statJSON(t, nil, file)
	if code := exitCode(err, &bytes.Buffer{}); code != 1 {
		t.Fatalf("exit = %d, want 1", code)
	}
	if res.Error == nil || res.Error.Line != 6 || res.Error.Column < 1 || res.Error.Message == "" {
		t.Fatalf("error = %+v, want line 6 with a column and a message", res.Error)
	}
	// The human form names file, line and column, compiler style.
	_, stderr, err := gateway(t, nil, "rdf", "stat", file)
	if err == nil || !strings.HasPrefix(stderr, file+":6:") {
		t.Fatalf("stderr = %q, want %q prefix", stderr, file+":6:")
	}
}

func TestRDFStatURL(t *testing.T) {
	body, err := os.ReadFile(filepath.Join(corpus, "no-fdk-legacy/datanorge.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var accept string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		accept = r.Header.Get("Accept")
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/turtle") // wrong on purpose: content decides
		w.Write(body)
	}))
	defer srv.Close()

	res, err := statJSON(t, nil, srv.URL+"/catalog")
	if err != nil || res.Syntax != "rdf/xml" || res.Triples != 328 || res.Datasets != 10 {
		t.Fatalf("rdf stat URL = %+v, %v; want rdf/xml 328 10", res, err)
	}
	if !strings.HasPrefix(accept, "text/turtle") {
		t.Errorf("Accept = %q, want content negotiation for RDF", accept)
	}
	res, err = statJSON(t, nil, srv.URL+"/missing")
	if err == nil || res.Error == nil || !strings.Contains(res.Error.Message, "404") {
		t.Fatalf("rdf stat on a 404 = %+v, %v; want an error naming 404", res, err)
	}
}

func TestRDFStatLimitsAndEnv(t *testing.T) {
	file := filepath.Join(corpus, "no-fdk-legacy/nav-2017-10-31.ttl")
	res, err := statJSON(t, map[string]string{"GATEWAY_MAX_BYTES": "1000"}, file)
	if err == nil || res.Error == nil || !strings.Contains(res.Error.Message, "larger than 1000 bytes") {
		t.Fatalf("GATEWAY_MAX_BYTES=1000: %+v, %v; want a size error", res.Error, err)
	}
	// The flag wins over the environment.
	res, err = statJSON(t, map[string]string{"GATEWAY_MAX_BYTES": "1000"}, "--max-bytes", "1000000", file)
	if err != nil || res.Triples != 883 {
		t.Fatalf("--max-bytes over env: %+v, %v", res, err)
	}
	_, _, err = gateway(t, map[string]string{"GATEWAY_MAX_BYTES": "lots"}, "rdf", "stat", file)
	var ue *usageError
	if !errors.As(err, &ue) {
		t.Fatalf("GATEWAY_MAX_BYTES=lots: %v, want a usage error", err)
	}
}

func TestRDFStatStdinForcedSyntax(t *testing.T) {
	var out bytes.Buffer
	in := strings.NewReader("<http://a/s> <http://a/p> \"o\" .\n<http://a/s> <http://a/p> \"o\" .\n")
	err := run(context.Background(), []string{"rdf", "stat", "--json", "--syntax", "nt", "-"}, func(string) string { return "" }, in, &out, &bytes.Buffer{})
	var res statResult
	if jerr := json.Unmarshal(out.Bytes(), &res); jerr != nil || err != nil {
		t.Fatalf("stdin: %q, %v, %v", out.String(), err, jerr)
	}
	if res.Syntax != "n-triples" || res.Triples != 1 {
		t.Fatalf("stdin = %+v, want n-triples with 1 distinct triple", res)
	}
}
