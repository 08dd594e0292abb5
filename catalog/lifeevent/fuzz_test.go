package lifeevent

import (
	"bytes"
	"strings"
	"testing"

	"samband/catalog"
)

// FuzzClassify classifies records made of arbitrary text: no input may
// panic, and the result must hold each concept at most once.
func FuzzClassify(f *testing.F) {
	f.Add("Dagpenger etter fylke", "nb", "Personer registrert som arbeidsledige.", "arbeidsledighet", "NAV", "<urn:samband:life-event:job-loss>")
	f.Add("Ny i Norge: D-nummer", "", "a a a kasse", "Þjóðskrá", "Arbetsförmedlingen", "https://psi.norge.no/los/hendelse/fa-barn")
	f.Add("\xff\xfe barn med kreft", "nb-no", strings.Repeat("ø", 100), "", "\u0301", "")
	r := Default()
	f.Fuzz(func(t *testing.T, title, lang, desc, kw, pub, iri string) {
		d := catalog.Dataset{
			Title:       catalog.Text{lang: {title}},
			Description: catalog.Text{lang: {desc}, "": {title + " " + desc}},
			Keywords:    catalog.Text{lang: {kw, title}},
			EUThemes:    []string{"SOCI", kw},
			Themes:      []string{iri},
			Profile:     map[string][]string{"p": {iri, "<" + kw + ">"}},
			Publisher:   &catalog.Agent{IRI: iri, Name: catalog.Text{lang: {pub}}, Identifier: kw},
		}
		seen := map[string]bool{}
		for _, m := range r.Classify(d) {
			if seen[m.Concept] || m.How == "" {
				t.Fatalf("Classify = duplicate or empty match %+v", m)
			}
			seen[m.Concept] = true
		}
	})
}

// FuzzLoad reads arbitrary rules files: no input may panic, and rules
// that load must classify.
func FuzzLoad(f *testing.F) {
	f.Add(defaultYAML)
	f.Add([]byte(custom))
	f.Add([]byte("concepts:\n  - id: c\n    iri: urn:x:c\n    labels: {en: C}\n    terms:\n      en: [\"a b c*\", d]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Load(bytes.NewReader(data))
		if err != nil {
			return
		}
		r.Classify(catalog.Dataset{Title: catalog.Text{"": {"a b c d dagpenger barn"}}})
	})
}
