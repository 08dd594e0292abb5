package rdf

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The W3C RDF 1.1 test suites, copied into testdata/w3c (see testdata/w3c/LICENSE.md).
// Every test of every suite must pass; the summary line of each suite says how many did.

const (
	nsMF   = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
	nsRDFT = "http://www.w3.org/ns/rdftest#"
)

type w3cTest struct {
	name   string
	kind   string // the rdft:Test... type, without the namespace
	action string // path relative to the suite folder
	result string // path relative to the suite folder, for evaluation tests
}

var assumedBaseRE = regexp.MustCompile(`mf:assumedTestBase\s*<([^>]+)>`)

// readManifest reads a suite's manifest.ttl with this package's own Turtle decoder.
func readManifest(t *testing.T, dir string) (base string, tests []w3cTest) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.ttl"))
	if err != nil {
		t.Fatal(err)
	}
	// The N-Triples manifest names no base; the suites are published side by side.
	base = "https://w3c.github.io/rdf-tests/rdf/rdf11/" + filepath.Base(dir) + "/"
	if m := assumedBaseRE.FindSubmatch(raw); m != nil {
		base = string(m[1])
	}
	g, err := decodeGraph(strings.NewReader(string(raw)), Turtle, base+"manifest.ttl")
	if err != nil {
		t.Fatalf("read manifest %s: %v", dir, err)
	}
	byNode := make(map[string]*w3cTest)
	get := func(s Subject) *w3cTest {
		k := termKey(s)
		if byNode[k] == nil {
			byNode[k] = &w3cTest{}
		}
		return byNode[k]
	}
	local := func(o Object) string { return strings.TrimPrefix(o.(IRI).String(), base) }
	for _, tr := range g.triples {
		p := tr.Pred.(IRI).String()
		switch {
		case p == rdfType && strings.HasPrefix(tr.Obj.String(), nsRDFT+"Test"):
			get(tr.Subj).kind = strings.TrimPrefix(tr.Obj.String(), nsRDFT)
		case p == nsMF+"name":
			get(tr.Subj).name = tr.Obj.String()
		case p == nsMF+"action":
			get(tr.Subj).action = local(tr.Obj)
		case p == nsMF+"result":
			get(tr.Subj).result = local(tr.Obj)
		}
	}
	for _, tc := range byNode {
		if tc.kind != "" {
			tests = append(tests, *tc)
		}
	}
	sort.Slice(tests, func(i, j int) bool { return tests[i].name < tests[j].name })
	return base, tests
}

func runW3CSuite(t *testing.T, suite string, syn Syntax) {
	dir := filepath.Join("testdata", "w3c", suite)
	base, tests := readManifest(t, dir)
	if len(tests) == 0 {
		t.Fatalf("%s: no tests in manifest", suite)
	}
	passed := make(map[string]int)
	total := make(map[string]int)
	for _, tc := range tests {
		total[tc.kind]++
		ok := t.Run(tc.name, func(t *testing.T) {
			docBase := base + tc.action
			got, err := decodeGraphFile(filepath.Join(dir, tc.action), syn, docBase)
			switch {
			case strings.HasSuffix(tc.kind, "NegativeSyntax"), strings.HasSuffix(tc.kind, "NegativeEval"):
				if err == nil {
					t.Fatalf("%s: read without error, want a syntax error; got\n%s", tc.action, got.dump())
				}
				var de *Error
				if !errors.As(err, &de) || de.Line < 1 {
					t.Fatalf("%s: error %v has no line (want *Error with Line > 0)", tc.action, err)
				}
			case strings.HasSuffix(tc.kind, "PositiveSyntax"):
				if err != nil {
					t.Fatalf("%s: %v", tc.action, err)
				}
			case strings.HasSuffix(tc.kind, "Eval"):
				if err != nil {
					t.Fatalf("%s: %v", tc.action, err)
				}
				want, err := decodeGraphFile(filepath.Join(dir, tc.result), NTriples, base+tc.result)
				if err != nil {
					t.Fatalf("expected result %s: %v", tc.result, err)
				}
				if !isomorphic(got, want) {
					t.Fatalf("%s: graph differs from %s\ngot %d triples:\n%s\nwant %d triples:\n%s",
						tc.action, tc.result, got.len(), got.dump(), want.len(), want.dump())
				}
			default:
				t.Fatalf("unknown test type %s", tc.kind)
			}
		})
		if ok {
			passed[tc.kind]++
		}
	}
	var kinds []string
	sum, sumPassed := 0, 0
	for k, n := range total {
		kinds = append(kinds, fmt.Sprintf("%s %d/%d", k, passed[k], n))
		sum += n
		sumPassed += passed[k]
	}
	sort.Strings(kinds)
	// Printed, not logged, so that `make test` shows it (see Makefile).
	fmt.Printf("w3c %s: %d/%d passed (%s)\n", suite, sumPassed, sum, strings.Join(kinds, ", "))
}

func TestW3CTurtle(t *testing.T)   { runW3CSuite(t, "rdf-turtle", Turtle) }
func TestW3CNTriples(t *testing.T) { runW3CSuite(t, "rdf-n-triples", NTriples) }
func TestW3CRDFXML(t *testing.T)   { runW3CSuite(t, "rdf-xml", RDFXML) }
