package lifeevent

import (
	"bytes"
	"strings"
	"testing"

	"samband/catalog"
)

const custom = `# A gateway that knows one life event, retiring.
publishers:
  - id: pensions
    names: ["Pensionsmyndigheten"]
    org_ids: ["202100-5711"]
concepts:
  - id: retiring
    iri: https://gateway.example/life-events/retiring
    same_as: [https://vocab.example/retirement]
    labels: {en: Retiring, sv: Gå i pension}
    description: {en: Leaving work for a pension.}
    themes: [SOCI]
    terms:
      sv: [ålderspension*, "gå i pension"]
    clues:
      sv: [pension*]
    min_clues: 0
    publishers:
      support: [pensions]
`

func TestLoadOverride(t *testing.T) {
	r, err := Load(strings.NewReader(custom))
	if err != nil {
		t.Fatalf("Load = %v", err)
	}
	if cs := r.Concepts(); len(cs) != 1 || cs[0].ID != "retiring" || cs[0].Labels["sv"] != "Gå i pension" ||
		len(cs[0].SameAs) != 1 || cs[0].Themes[0] != "SOCI" {
		t.Errorf("Concepts() = %+v", cs)
	}
	if _, ok := r.Concept("job-loss"); ok {
		t.Error("a rules file extends the default; it should replace it")
	}
	pm := catalog.Agent{Identifier: "2021005711"}
	for _, tc := range []struct {
		d    catalog.Dataset
		want string
	}{
		{ds("", title("sv", "Ålderspensioner per kommun")), "retiring:keyword:ålderspension*"},
		{ds("", title("sv", "Pensioner"), themes("SOCI")), "retiring:theme+keyword:pension*"},
		{ds("", title("sv", "Pensioner"), publishedBy(pm)), "retiring:publisher+keyword:pension*"},
		{ds("", title("sv", "Pensioner och pensionärer")), ""}, // min_clues: 0
		{ds("Dagpenger"), ""},
		{ds("x", func(d *catalog.Dataset) { d.Subjects = []string{"https://vocab.example/retirement"} }), "retiring:explicit"},
	} {
		if got := matches(r.Classify(tc.d)); got != tc.want {
			t.Errorf("Classify(%q) = %q, want %q", tc.d.Title.Get("sv", "nb"), got, tc.want)
		}
	}
}

func TestLoadDefaultFile(t *testing.T) {
	r, err := Load(bytes.NewReader(defaultYAML))
	if err != nil {
		t.Fatalf("Load(default.yaml) = %v", err)
	}
	if len(r.Concepts()) != 7 || len(r.pubs) == 0 || len(r.terms) < 500 {
		t.Errorf("default.yaml: %d concepts, %d publishers, %d terms", len(r.Concepts()), len(r.pubs), len(r.terms))
	}
}

func TestLoadErrors(t *testing.T) {
	concept := func(body string) string {
		return "concepts:\n  - id: c\n    iri: urn:x:c\n    labels: {en: C}\n" + body
	}
	for _, tc := range []struct {
		name, yaml string
		want       []string // substrings of the error
	}{
		{"empty", "", []string{"empty document"}},
		{"no concepts", "publishers: []\n", []string{"concepts: none"}},
		{"not YAML", "concepts: [\n", []string{"yaml:"}},
		{"unknown key", concept("    colour: red\n"), []string{"line 5", "colour"}},
		{"unknown key in terms' place", concept("    terms: [a, b]\n"), []string{"line 5"}},
		{"bad theme", concept("    themes: [SOCI, SOCIAL]\n"), []string{"line 5", `"SOCIAL" is not an EU data-theme code`}},
		{"bad language", concept("    terms:\n      Norsk: [barn]\n"), []string{"line 6", `"Norsk" is not a lower-case language tag`}},
		{"short prefix", concept("    terms:\n      en: [ab*]\n"), []string{"line 6", "matches too much"}},
		{"star inside", concept("    terms:\n      en: [a*b]\n"), []string{"line 6", "only at the end"}},
		{"no words", concept("    clues:\n      en: [\"--\"]\n"), []string{"line 6", "no words"}},
		{"needs alone", concept("    needs:\n      en: [child]\n"), []string{"needs without clues"}},
		{"unknown publisher", concept("    publishers:\n      alone: [nobody]\n"), []string{"line 6", `no publisher "nobody"`}},
		{"min_clues", concept("    min_clues: 1\n"), []string{"line 5", "min_clues"}},
		{"duplicate id", concept("  - id: c\n    iri: urn:x:d\n    labels: {en: D}\n"), []string{"line 5", `"c" defined twice`}},
		{"duplicate IRI", concept("  - id: d\n    iri: urn:x:c\n    labels: {en: D}\n"), []string{"line 6", "also names concept c"}},
		{"duplicate key", "concepts:\n  - id: c\n    id: d\n", []string{"line 3", "already defined"}},
		{"no IRI", "concepts:\n  - id: c\n    labels: {en: C}\n", []string{"line 2", "iri: empty"}},
		{"relative IRI", "concepts:\n  - id: c\n    iri: life/c\n    labels: {en: C}\n", []string{"line 3", "not an absolute IRI"}},
		{"no labels", "concepts:\n  - id: c\n    iri: urn:x:c\n", []string{"labels: none"}},
		{"bad id", "concepts:\n  - id: Job Loss\n    iri: urn:x:c\n    labels: {en: C}\n", []string{"line 2", "lower-case letters"}},
		{"publisher without names", "publishers:\n  - id: p\n" + concept(""), []string{"line 2", "no names"}},
		{"bad org id", "publishers:\n  - id: p\n    org_ids: [NAV]\n" + concept(""), []string{"line 3", "not a number"}},
		{"two documents", concept("") + "---\nconcepts: []\n", []string{"second YAML document"}},
		{"several problems", concept("    themes: [X]\n    publishers:\n      support: [y]\n"),
			[]string{"line 5", "line 7", `"X"`, `"y"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tc.yaml))
			if err == nil {
				t.Fatalf("Load(%q) = nil error", tc.yaml)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Load(%q) = %q, want it to say %q", tc.yaml, err, w)
				}
			}
		})
	}
}
