package rdf

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	knakk "github.com/knakk/rdf"
)

const dcatAP3Context = "https://semiceu.github.io/uri.semic.eu-generated/DCAT-AP/releases/3.0.0/html/examples/context.jsonld"

// TestJSONLDCorpus reads every JSON-LD file of the corpus. The counts are
// rdflib's (testdata/corpus/SOURCES.md); for the examples that rdflib could
// not read offline they are those of the Turtle twins.
func TestJSONLDCorpus(t *testing.T) {
	tests := []struct {
		file     string
		triples  int
		datasets int
	}{
		{"ckanext-dcat-examples/catalog_pod.jsonld", 61, 1},
		{"ckanext-dcat-examples/catalog_with_at_graph.jsonld", 21, 1},
		{"no-fdk-legacy/entryscape.jsonld", 206, 9},
		{"no-fdk-legacy/brreg.rdf", 119, 4},
		{"eu-semic-dcat-ap/examples-3.0.1/context.jsonld", 0, 0},
		{"eu-semic-dcat-ap/examples-3.0.1/example-bee-populaton-2022-2023.jsonld", 8, 2},
		// The 14 examples with the remote DCAT-AP 3 context.
		{"eu-semic-dcat-ap/examples-3.0.1/example-bee-population-2022-2023.jsonld", 8, 2},
		{"eu-semic-dcat-ap/examples-3.0.1/example-bee-population-dataset-frequency.jsonld", 2, 1},
		{"eu-semic-dcat-ap/examples-3.0.1/example-bee-population-dataset-series-api.jsonld", 12, 1},
		{"eu-semic-dcat-ap/examples-3.0.1/example-bee-population-dataset-series-combined.jsonld", 41, 4},
		{"eu-semic-dcat-ap/examples-3.0.1/example-bee-population-dataset-series-frequency.jsonld", 11, 2},
		{"eu-semic-dcat-ap/examples-3.0.1/example-bee-population-dataset-series-gea-nha.jsonld", 23, 3},
		{"eu-semic-dcat-ap/examples-3.0.1/example-bee-population-dataset-series-issued.jsonld", 19, 2},
		{"eu-semic-dcat-ap/examples-3.0.1/example-bee-population-dataset-series-life-count.jsonld", 11, 1},
		{"eu-semic-dcat-ap/examples-3.0.1/example-bee-population-dataset-series-modified.jsonld", 27, 3},
		{"eu-semic-dcat-ap/examples-3.0.1/example-bee-population-dataset-series-ordered.jsonld", 8, 2},
		{"eu-semic-dcat-ap/examples-3.0.1/example-bee-population-dataset-series-spatial-thessaloniki-athens.jsonld", 15, 2},
		{"eu-semic-dcat-ap/examples-3.0.1/example-bee-population-dataset-series-spatial-thessaloniki.jsonld", 8, 1},
		{"eu-semic-dcat-ap/examples-3.0.1/example-bee-population-dataset-series.jsonld", 6, 2},
		{"eu-semic-dcat-ap/examples-3.0.1/example-bee-population.jsonld", 4, 1},
		{"eu-semic-dcat-ap/hvd-examples-3.0.0/example-bees_wasps_dataset.jsonld", 10, 2},
		{"eu-semic-dcat-ap/hvd-examples-3.0.0/example-data_service_openapi_sla.jsonld", 10, 0},
		{"eu-semic-dcat-ap/hvd-examples-3.0.0/example-data_service_service_desk.jsonld", 13, 0},
		{"eu-semic-dcat-ap/hvd-examples-3.0.0/example-data_service_terms_sla.jsonld", 28, 2},
		{"eu-semic-dcat-ap/hvd-examples-3.0.0/example-map_licenses.jsonld", 4, 0},
		{"eu-semic-dcat-ap/hvd-examples-3.0.0/example-ms_catalogue.jsonld", 48, 1},
		{"eu-semic-dcat-ap/hvd-examples-3.0.0/example-ms_catalogue_hvd.jsonld", 46, 1},
		{"eu-semic-dcat-ap/hvd-examples-3.0.0/example-ms_catalogue_simple.jsonld", 5, 0},
		{"eu-semic-dcat-ap/hvd-examples-3.0.0/example-ms_dataset.jsonld", 7, 1},
		{"eu-semic-dcat-ap/hvd-examples-3.0.0/example-ms_dataset_2_distributions.jsonld", 25, 1},
		{"eu-semic-dcat-ap/hvd-examples-3.0.0/example-ms_dataset_2_identifiers.jsonld", 13, 1},
		{"eu-semic-dcat-ap/hvd-examples-3.0.0/example-ms_dataset_2_licenses.jsonld", 23, 2},
		{"eu-semic-dcat-ap/hvd-examples-3.0.0/example-ms_dataset_data_service.jsonld", 18, 2},
		{"eu-semic-dcat-ap/hvd-examples-3.0.0/example-ms_dataset_hvd_profile.jsonld", 28, 1},
		{"eu-semic-dcat-ap/hvd-examples-3.0.0/example-restrict_licenses.jsonld", 14, 2},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			g, err := decodeGraphFile(filepath.Join(corpusDir, tc.file), JSONLD, "")
			if err != nil {
				t.Fatalf("Decode(%q) = %v, want nil", tc.file, err)
			}
			if g.len() != tc.triples || countDatasets(g) != tc.datasets {
				t.Errorf("Decode(%q) = %d triples, %d datasets, want %d, %d", tc.file, g.len(), countDatasets(g), tc.triples, tc.datasets)
			}
			for _, tr := range g.triples {
				for _, term := range []Term{tr.Subj, tr.Pred, tr.Obj} {
					if iri, ok := term.(IRI); ok && !IsAbsolute(iri.String()) {
						t.Errorf("Decode(%q) gave the relative IRI %q", tc.file, iri.String())
					}
				}
			}
		})
	}
}

// TestJSONLDAllCorpusFilesListed fails when a JSON-LD file joins the corpus
// without a row in TestJSONLDCorpus or TestJSONLDCorpusErrors.
func TestJSONLDAllCorpusFilesListed(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpusDir, "*", "*.jsonld"))
	if err != nil {
		t.Fatal(err)
	}
	deeper, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*", "*.jsonld"))
	files = append(files, deeper...)
	src, err := os.ReadFile("jsonld_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		rel, _ := filepath.Rel(corpusDir, f)
		if !strings.Contains(string(src), `"`+filepath.ToSlash(rel)+`"`) {
			t.Errorf("corpus file %s has no row in jsonld_test.go", rel)
		}
	}
}

// TestJSONLDCorpusErrors: the corpus files that must fail, and how.
func TestJSONLDCorpusErrors(t *testing.T) {
	tests := []struct {
		file       string
		line, col  int
		msgContain string
	}{
		// 11 bytes, not JSON: "fewjkfjewkl"; the 'e' is the culprit.
		{"no-fdk-legacy/syntax-error.jsonld", 1, 2, "invalid character 'e'"},
		// The DCAT-AP 3.0.1 context as published beside the SHACL shapes
		// defines terms such as "Xsd:dateTime" whose prefix is not defined;
		// JSON-LD 1.1 makes that an "invalid IRI mapping" (rdflib reads it as
		// an empty graph).
		{"eu-semic-dcat-ap/shacl-3.0.1/dcat-ap.jsonld", 0, 0, "invalid IRI mapping"},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			_, err := decodeGraphFile(filepath.Join(corpusDir, tc.file), JSONLD, "")
			var e *Error
			if !errors.As(err, &e) || e.Syntax != JSONLD || e.Line != tc.line || e.Column != tc.col || !strings.Contains(e.Msg, tc.msgContain) {
				t.Fatalf("Decode(%q) = %v, want an *Error at %d:%d saying %q", tc.file, err, tc.line, tc.col, tc.msgContain)
			}
		})
	}
}

// knakkTurtle reads a Turtle document with knakk's decoder: the Turtle twins
// are checked against a reader that is not this package's.
func knakkTurtle(t *testing.T, src string) *graph {
	t.Helper()
	dec := knakk.NewTripleDecoder(strings.NewReader(src), knakk.Turtle)
	g := &graph{}
	for {
		tr, err := dec.Decode()
		if err == io.EOF {
			return g
		}
		if err != nil {
			t.Fatalf("knakk Turtle: %v", err)
		}
		g.add(tr)
	}
}

// TestJSONLDTurtleTwins checks that the DCAT-AP 3.0.1 examples that use the
// shipped context read to the same graph as their Turtle twins. Two twins are
// not valid Turtle ("/" in a prefixed local name); they are mended the way
// their own objects write those IRIs.
func TestJSONLDTurtleTwins(t *testing.T) {
	mend := strings.NewReplacer(
		"\nexample-dist:BeePopulation2023/biojson a", "\n<example-dist:BeePopulation2023/biojson> a",
		"\nexample-dist:BeePopulation2023/csv a", "\n<example-dist:BeePopulation2023/csv> a",
	)
	files, err := filepath.Glob(filepath.Join(corpusDir, "eu-semic-dcat-ap", "examples-3.0.1", "example-*.jsonld"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(raw), dcatAP3Context) {
			continue
		}
		n++
		t.Run(filepath.Base(f), func(t *testing.T) {
			ttl, err := os.ReadFile(strings.TrimSuffix(f, ".jsonld") + ".ttl")
			if err != nil {
				t.Fatal(err)
			}
			want := knakkTurtle(t, mend.Replace(string(ttl)))
			got, err := decodeGraphFile(f, JSONLD, "")
			if err != nil {
				t.Fatalf("Decode(%q) = %v, want nil", f, err)
			}
			if !isomorphic(got, want) {
				t.Errorf("Decode(%q) =\n%s\nwant (Turtle twin)\n%s", f, got.dump(), want.dump())
			}
		})
	}
	if n != 14 {
		t.Errorf("found %d examples with the remote context, want 14", n)
	}
}

func decodeString(src string, opts Options) (*graph, error) {
	g := &graph{}
	err := Decode(strings.NewReader(src), JSONLD, opts, g.add)
	return g, err
}

// TestJSONLDTerms checks the conversion of each kind of JSON-LD value.
func TestJSONLDTerms(t *testing.T) {
	tests := []struct {
		name, doc string
		base      string
		want      []string // termKey lines, sorted
	}{
		{
			name: "literals",
			doc: `{"@context": {"ex": "http://ex.org/", "xsd": "http://www.w3.org/2001/XMLSchema#"},
				"@id": "ex:s",
				"ex:lang": {"@value": "hei", "@language": "nb-NO"},
				"ex:tag3": {"@value": "Beograd", "@language": "sr-Latn-RS"},
				"ex:typed": {"@value": "2024-01-02", "@type": "xsd:date"},
				"ex:plain": "plain",
				"ex:int": 42,
				"ex:big": 1e20,
				"ex:dbl": 1.5,
				"ex:bool": true,
				"ex:json": {"@value": {"b": [1, "<&>"], "a": null}, "@type": "@json"}}`,
			want: []string{
				`<http://ex.org/s> <http://ex.org/big> "100000000000000000000"^^<http://www.w3.org/2001/XMLSchema#integer>`,
				`<http://ex.org/s> <http://ex.org/bool> "true"^^<http://www.w3.org/2001/XMLSchema#boolean>`,
				`<http://ex.org/s> <http://ex.org/dbl> "1.5E0"^^<http://www.w3.org/2001/XMLSchema#double>`,
				`<http://ex.org/s> <http://ex.org/int> "42"^^<http://www.w3.org/2001/XMLSchema#integer>`,
				`<http://ex.org/s> <http://ex.org/json> "{\"a\":null,\"b\":[1,\"<&>\"]}"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON>`,
				`<http://ex.org/s> <http://ex.org/lang> "hei"@nb-no`,
				`<http://ex.org/s> <http://ex.org/plain> "plain"^^<http://www.w3.org/2001/XMLSchema#string>`,
				`<http://ex.org/s> <http://ex.org/tag3> "Beograd"@sr-latn-rs`,
				`<http://ex.org/s> <http://ex.org/typed> "2024-01-02"^^<http://www.w3.org/2001/XMLSchema#date>`,
			},
		},
		{
			name: "relative IRIs resolve against the base",
			doc:  `{"@id": "a", "@type": "T", "http://ex.org/p": {"@id": "../b"}}`,
			base: "http://ex.org/x/doc.jsonld",
			want: []string{
				`<http://ex.org/x/a> <http://ex.org/p> <http://ex.org/b>`,
				`<http://ex.org/x/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://ex.org/x/T>`,
			},
		},
		{
			name: "relative IRIs without a base are skipped",
			doc:  `{"@id": "http://ex.org/s", "@type": "T", "http://ex.org/p": [{"@id": "b"}, "kept"], "rel": "no vocab"}`,
			want: []string{
				`<http://ex.org/s> <http://ex.org/p> "kept"^^<http://www.w3.org/2001/XMLSchema#string>`,
			},
		},
		{
			name: "blank nodes and a list",
			doc: `{"@context": {"ex": "http://ex.org/"}, "@id": "_:x", "ex:p": {"ex:q": "in"},
				"ex:l": {"@list": ["a", {"@id": "ex:b"}]}, "ex:e": {"@list": []}}`,
			want: []string{
				`_:b0 <http://ex.org/e> <http://www.w3.org/1999/02/22-rdf-syntax-ns#nil>`,
				`_:b0 <http://ex.org/l> _:genid1`,
				`_:b0 <http://ex.org/p> _:b1`,
				`_:b1 <http://ex.org/q> "in"^^<http://www.w3.org/2001/XMLSchema#string>`,
				`_:genid1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> "a"^^<http://www.w3.org/2001/XMLSchema#string>`,
				`_:genid1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#rest> _:genid2`,
				`_:genid2 <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> <http://ex.org/b>`,
				`_:genid2 <http://www.w3.org/1999/02/22-rdf-syntax-ns#rest> <http://www.w3.org/1999/02/22-rdf-syntax-ns#nil>`,
			},
		},
		{
			name: "named graphs are read into one graph",
			doc: `[{"@id": "http://ex.org/g1", "@graph": [{"@id": "http://ex.org/a", "http://ex.org/p": "1"}]},
				{"@id": "http://ex.org/g2", "@graph": [{"@id": "http://ex.org/a", "http://ex.org/p": "1"},
					{"@id": "http://ex.org/b", "http://ex.org/p": "2"}]}]`,
			want: []string{
				`<http://ex.org/a> <http://ex.org/p> "1"^^<http://www.w3.org/2001/XMLSchema#string>`,
				`<http://ex.org/b> <http://ex.org/p> "2"^^<http://www.w3.org/2001/XMLSchema#string>`,
			},
		},
		{
			name: "byte order mark",
			doc:  "\xef\xbb\xbf" + `{"@id": "http://ex.org/s", "http://ex.org/p": "o"}`,
			want: []string{
				`<http://ex.org/s> <http://ex.org/p> "o"^^<http://www.w3.org/2001/XMLSchema#string>`,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := decodeString(tc.doc, Options{Base: tc.base})
			if err != nil {
				t.Fatalf("Decode(%q) = %v, want nil", tc.doc, err)
			}
			var got []string
			for _, tr := range g.triples {
				got = append(got, termKey(tr.Subj)+" "+termKey(tr.Pred)+" "+termKey(tr.Obj))
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("Decode(%q) =\n%s\nwant\n%s", tc.doc, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestJSONLDErrors: hostile and broken documents give an *Error that says
// where and why.
func TestJSONLDErrors(t *testing.T) {
	deep := strings.Repeat("[", 600) + strings.Repeat("]", 600)
	tests := []struct {
		name      string
		doc       string
		opts      Options
		wantErr   error // wrapped sentinel, or nil
		line, col int
		contains  string
	}{
		{name: "unexpected end", doc: "{\n  \"a\": [1,\n", wantErr: nil, line: 3, col: 1, contains: "unexpected end"},
		{name: "bad character", doc: "{\n  \"a\": x}", line: 2, col: 8, contains: "invalid character 'x'"},
		{name: "column counts characters", doc: "{\"æøå\": x}", line: 1, col: 9, contains: "invalid character 'x'"},
		{name: "trailing garbage", doc: "{}\n}", line: 2, col: 1, contains: "after top-level value"},
		{name: "number out of range", doc: "{\"a\":\n  [1, 1e400]}", line: 2, col: 7, contains: "1e400"},
		{name: "empty", doc: "", line: 1, col: 1, contains: "unexpected end"},
		{name: "top-level string", doc: `"http://ex.org/doc.jsonld"`, line: 1, col: 1, contains: "object or array"},
		{name: "too deep", doc: deep, wantErr: ErrTooDeep, line: 1, col: 513},
		{name: "too deep, own limit", doc: `{"a": [[[1]]]}`, opts: Options{Limits: Limits{MaxDepth: 3}}, wantErr: ErrTooDeep, line: 1, col: 9},
		{name: "brackets in strings do not count", doc: `{"a": "` + strings.Repeat("[", 600) + `"}`, opts: Options{Limits: Limits{MaxDepth: 2}}, contains: "", line: -1},
		{name: "too large", doc: `{"@id": "http://ex.org/s", "http://ex.org/p": "o"}`, opts: Options{Limits: Limits{MaxBytes: 20}}, wantErr: ErrTooLarge},
		{name: "contexts loaded add up", doc: `[` + strings.Repeat(`{"@context": "`+dcatAP3Context+`"},`, 20) + `{}]`, opts: Options{Limits: Limits{MaxBytes: 50000}}, wantErr: ErrTooLarge, contains: "remote contexts"},
		{name: "term too large", doc: `{"@id": "http://ex.org/s", "http://ex.org/p": "` + strings.Repeat("o", 100) + `"}`, opts: Options{Limits: Limits{MaxTermBytes: 50}}, wantErr: ErrTermTooLarge},
		{name: "remote context", doc: `{"@context": "https://example.org/ctx.jsonld", "@id": "http://ex.org/s"}`, wantErr: ErrRemoteContext, contains: "https://example.org/ctx.jsonld"},
		{name: "remote context in an array", doc: `{"@context": [{"ex": "http://ex.org/"}, "http://example.org/other"], "ex:p": 1}`, wantErr: ErrRemoteContext, contains: "http://example.org/other"},
		{name: "remote @import", doc: `{"@context": {"@version": 1.1, "@import": "https://example.org/imp"}, "@id": "http://ex.org/s"}`, wantErr: ErrRemoteContext, contains: "https://example.org/imp"},
		{name: "bad subject IRI", doc: `{"@id": "http://ex.org/a b", "http://ex.org/p": "o"}`, contains: `bad subject IRI "http://ex.org/a b"`},
		{name: "bad object IRI", doc: `{"@id": "http://ex.org/s", "http://ex.org/p": {"@id": "urn:x<y>"}}`, contains: `bad object IRI "urn:x<y>"`},
		{name: "bad predicate IRI", doc: `{"@id": "http://ex.org/s", "http://ex.org/p{q}": "o"}`, contains: `bad property IRI`},
		{name: "bad datatype IRI", doc: `{"@id": "http://ex.org/s", "http://ex.org/p": {"@value": "o", "@type": "http://ex.org/d t"}}`, contains: `bad datatype IRI`},
		{name: "bad language tag", doc: `{"@id": "http://ex.org/s", "http://ex.org/p": {"@value": "o", "@language": "no_NB"}}`, contains: `bad language tag "no_nb"`}, // json-gold lowers tags
		{name: "invalid JSON-LD", doc: `{"@id": 5}`, contains: "JSON-LD"},
		{name: "relative datatype", doc: `{"@id": "http://ex.org/s", "http://ex.org/q": {"@value": "x", "@type": "dt"}}`, contains: "absolute IRI"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeString(tc.doc, tc.opts)
			if tc.line == -1 {
				if err != nil {
					t.Fatalf("Decode(%q) = %v, want nil", tc.doc, err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Syntax != JSONLD {
				t.Fatalf("Decode(%q) = %v, want a JSON-LD *Error", tc.doc, err)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("Decode(%q) = %v, want it to wrap %v", tc.doc, err, tc.wantErr)
			}
			if tc.line != 0 && (e.Line != tc.line || e.Column != tc.col) {
				t.Errorf("Decode(%q) = %v, want it at %d:%d", tc.doc, err, tc.line, tc.col)
			}
			if !strings.Contains(e.Error(), tc.contains) {
				t.Errorf("Decode(%q) = %v, want it to say %q", tc.doc, err, tc.contains)
			}
		})
	}
}

// TestJSONLDContextLoader: a custom loader is asked, and its failures come
// back wrapped.
func TestJSONLDContextLoader(t *testing.T) {
	const ctxIRI = "https://example.org/ctx.jsonld"
	doc := `{"@context": "` + ctxIRI + `", "@id": "ex:s", "title": "T"}`
	errGone := errors.New("gone")
	var asked []string
	loader := ContextLoaderFunc(func(iri string) ([]byte, error) {
		asked = append(asked, iri)
		switch iri {
		case ctxIRI:
			return []byte(`{"@context": {"ex": "http://ex.org/", "title": "http://purl.org/dc/terms/title"}}`), nil
		case "https://example.org/gone":
			return nil, errGone
		case "https://example.org/notjson":
			return []byte(`{"@context": `), nil
		}
		return ShippedContexts().LoadContext(iri)
	})
	g, err := decodeString(doc, Options{Contexts: loader})
	if err != nil || g.len() != 1 || termKey(g.triples[0].Pred) != "<http://purl.org/dc/terms/title>" {
		t.Fatalf("Decode(%q) = %v, %v, want one dct:title triple", doc, g.dump(), err)
	}
	if !slices.Contains(asked, ctxIRI) {
		t.Errorf("loader asked for %q, want %q", asked, ctxIRI)
	}

	// The custom loader replaces the shipped contexts, and can fall back to them.
	dcat := `{"@context": "` + dcatAP3Context + `", "@id": "ex:s", "@type": "Dataset"}`
	if _, err := decodeString(dcat, Options{Contexts: ContextLoaderFunc(func(string) ([]byte, error) { return nil, nil })}); !errors.Is(err, ErrRemoteContext) {
		t.Errorf("Decode(%q) with a loader that has nothing = %v, want ErrRemoteContext", dcat, err)
	}
	if _, err := decodeString(dcat, Options{Contexts: loader}); err != nil {
		t.Errorf("Decode(%q) with a falling-back loader = %v, want nil", dcat, err)
	}

	tests := []struct {
		iri  string
		want []error
		msg  string
	}{
		{"https://example.org/gone", []error{ErrRemoteContext, errGone}, "gone"},
		{"https://example.org/notjson", nil, "unexpected end"},
		{"https://example.org/unknown", []error{ErrRemoteContext}, "not available offline"},
	}
	for _, tc := range tests {
		doc := `{"@context": "` + tc.iri + `", "@id": "http://ex.org/s"}`
		_, err := decodeString(doc, Options{Contexts: loader})
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(e.Msg, tc.iri) || !strings.Contains(e.Msg, tc.msg) {
			t.Errorf("Decode(%q) = %v, want an *Error naming %s and saying %q", doc, err, tc.iri, tc.msg)
		}
		for _, w := range tc.want {
			if !errors.Is(err, w) {
				t.Errorf("Decode(%q) = %v, want it to wrap %v", doc, err, w)
			}
		}
	}
}

// TestJSONLDShippedContexts: every IRI the shipped loader claims answers with
// a JSON-LD context document.
func TestJSONLDShippedContexts(t *testing.T) {
	iris := ShippedContextIRIs()
	if !slices.Contains(iris, dcatAP3Context) {
		t.Errorf("ShippedContextIRIs() = %q, want it to hold %q", iris, dcatAP3Context)
	}
	for _, iri := range iris {
		data, err := ShippedContexts().LoadContext(iri)
		if err != nil || !strings.Contains(string(data), `"@context"`) {
			t.Errorf("ShippedContexts().LoadContext(%q) = %d bytes, %v, want a context", iri, len(data), err)
		}
	}
	if _, err := ShippedContexts().LoadContext("https://example.org/x"); !errors.Is(err, ErrRemoteContext) {
		t.Errorf("ShippedContexts().LoadContext(unknown) = %v, want ErrRemoteContext", err)
	}
}

// TestJSONLDCallbackError: the first error fn returns stops decoding and comes
// back as it is.
func TestJSONLDCallbackError(t *testing.T) {
	stop := errors.New("stop")
	for _, file := range []string{"no-fdk-legacy/entryscape.jsonld", "ckanext-dcat-examples/catalog_pod.jsonld"} {
		f, err := os.Open(filepath.Join(corpusDir, file))
		if err != nil {
			t.Fatal(err)
		}
		calls := 0
		err = Decode(f, JSONLD, Options{}, func(Triple) error {
			calls++
			if calls == 3 {
				return stop
			}
			return nil
		})
		f.Close()
		if err != stop || calls != 3 {
			t.Errorf("Decode(%q) = %v after %d calls, want %v after 3", file, err, calls, stop)
		}
	}
	// Also from inside a list.
	calls := 0
	doc := `{"@id": "http://ex.org/s", "http://ex.org/l": {"@list": [1, 2, 3]}}`
	err := Decode(strings.NewReader(doc), JSONLD, Options{}, func(Triple) error {
		calls++
		if calls == 2 {
			return stop
		}
		return nil
	})
	if err != stop || calls != 2 {
		t.Errorf("Decode(%q) = %v after %d calls, want %v after 2", doc, err, calls, stop)
	}
}

// TestJSONLDReadError: an I/O error is an *Error that wraps it.
func TestJSONLDReadError(t *testing.T) {
	errDisk := errors.New("disk on fire")
	err := Decode(io.MultiReader(strings.NewReader(`{"@id"`), errReader{errDisk}), JSONLD, Options{}, func(Triple) error { return nil })
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, errDisk) {
		t.Errorf("Decode(failing reader) = %v, want an *Error wrapping %v", err, errDisk)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// TestJSONLDNoGoroutineLeak: the decoder starts no goroutine that outlives it,
// on success or failure.
func TestJSONLDNoGoroutineLeak(t *testing.T) {
	docs := []string{
		`{"@context": "` + dcatAP3Context + `", "@id": "ex:s", "@type": "Dataset"}`,
		`{"@context": "https://example.org/remote", "@id": "http://ex.org/s"}`,
		`{"@id": `,
	}
	before := runtime.NumGoroutine()
	for i := 0; i < 50; i++ {
		for _, d := range docs {
			_, _ = decodeString(d, Options{})
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after 150 decodes, %d before", n, before)
	}
}

func TestJSONPosition(t *testing.T) {
	tests := []struct {
		data      string
		off       int
		line, col int
	}{
		{"abc", 0, 1, 1},
		{"abc", 2, 1, 3},
		{"a\nbc", 3, 2, 2},
		{"a\n", 2, 2, 1},
		{"ææ\nx", 4, 1, 3},
		{"abc", 99, 1, 4},
	}
	for _, tc := range tests {
		line, col := jsonPosition([]byte(tc.data), tc.off)
		if line != tc.line || col != tc.col {
			t.Errorf("jsonPosition(%q, %d) = %d:%d, want %d:%d", tc.data, tc.off, line, col, tc.line, tc.col)
		}
	}
}

func ExampleShippedContexts() {
	doc := `{
	  "@context": "https://semiceu.github.io/uri.semic.eu-generated/DCAT-AP/releases/3.0.0/html/examples/context.jsonld",
	  "@id": "https://example.org/dataset/1",
	  "@type": "Dataset",
	  "title": {"en": "Bees"}
	}`
	err := Decode(strings.NewReader(doc), JSONLD, Options{}, func(t Triple) error {
		fmt.Println(t.Subj, t.Pred, t.Obj)
		return nil
	})
	fmt.Println(err)
	// Output:
	// https://example.org/dataset/1 http://www.w3.org/1999/02/22-rdf-syntax-ns#type http://www.w3.org/ns/dcat#Dataset
	// https://example.org/dataset/1 http://purl.org/dc/terms/title Bees
	// <nil>
}
