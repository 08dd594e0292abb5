package catalog

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"samband/catalog/rdf"
)

func hashes(recs []Dataset) map[string]string {
	h := map[string]string{}
	for _, r := range recs {
		h[r.IRI] = r.Sources[0].Hash
	}
	return h
}

// TestHashStable: two runs over the same file give the same originals and
// hashes, whatever labels the decoder made up for blank nodes.
func TestHashStable(t *testing.T) {
	for _, f := range []string{
		"no-fdk-dataset-harvester/catalog_with_blank_node.ttl",
		"no-fdk-dataset-harvester/nested_blank_nodes.ttl",
		"no-fdk-legacy/nav-2017-10-31.ttl",
		"no-fdk-legacy/entryscape.jsonld",
		"eu-semic-dcat-ap/hvd-examples-3.0.0/example-ms_dataset_hvd_profile.jsonld",
	} {
		t.Run(f, func(t *testing.T) {
			a, _ := mapFile(t, f)
			b, _ := mapFile(t, f)
			if len(a) == 0 || len(a) != len(b) {
				t.Fatalf("%d and %d records", len(a), len(b))
			}
			for i := range a {
				if a[i].Sources[0].Original != b[i].Sources[0].Original {
					t.Errorf("%s: originals differ between runs:\n%s\n%s", a[i].IRI, a[i].Sources[0].Original, b[i].Sources[0].Original)
				}
			}
		})
	}
}

// TestHashBlankNodes: the nested blank nodes of a record are part of its
// description, labelled by their content.
func TestHashBlankNodes(t *testing.T) {
	recs, _ := mapFile(t, "no-fdk-dataset-harvester/nested_blank_nodes.ttl")
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	orig := recs[0].Sources[0].Original
	// 3 rules, each implementing a legal resource typed by a concept: the
	// three legal resources and concepts have equal content, so they are one
	// node each; the rules differ by dct:type.
	for _, want := range []string{"ruleForNonDisclosure", "ruleForDataProcessing", "ruleForDisclosure", `"test"@nb`, "lovdata.no"} {
		if !strings.Contains(orig, want) {
			t.Errorf("original lacks %s:\n%s", want, orig)
		}
	}
	labels := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(orig), "\n") {
		if strings.HasPrefix(line, "_:") {
			labels[line[:strings.IndexByte(line, ' ')]] = true
		}
	}
	if len(labels) != 5 { // 3 rules, 1 legal resource, 1 concept
		t.Errorf("%d distinct blank nodes, want 5:\n%s", len(labels), orig)
	}
	if got := strings.Count(orig, "\n"); got != 19 { // record 5 lines, rules 3 × 3, resource 3, concept 2
		t.Errorf("%d lines, want 19:\n%s", got, orig)
	}
}

// TestHashLabels: the same description with other blank node labels, other
// order and prefixes gives the same hash; one literal changed gives another.
func TestHashLabels(t *testing.T) {
	const a = `@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
<http://ex/d> a dcat:Dataset ; dct:title "T"@en ;
  dct:temporal _:p1 ; dcat:distribution [ dcat:accessURL <http://ex/a> ; dct:title "A" ] .
_:p1 dcat:startDate "2020-01-01" .`
	const b = `@prefix d: <http://www.w3.org/ns/dcat#> .
_:zz <http://www.w3.org/ns/dcat#startDate> "2020-01-01" .
<http://ex/d> <http://purl.org/dc/terms/temporal> _:zz .
<http://ex/d> d:distribution _:q .
_:q <http://purl.org/dc/terms/title> "A" ; d:accessURL <http://ex/a> .
<http://ex/d> <http://purl.org/dc/terms/title> "T"@EN ; a d:Dataset .`
	const c = `@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
<http://ex/d> a dcat:Dataset ; dct:title "T"@en ;
  dct:temporal _:p1 ; dcat:distribution [ dcat:accessURL <http://ex/a> ; dct:title "B" ] .
_:p1 dcat:startDate "2020-01-01" .`
	ra, _ := mapString(t, a)
	rb, _ := mapString(t, b)
	rc, _ := mapString(t, c)
	if ra[0].Sources[0].Original != rb[0].Sources[0].Original {
		t.Errorf("same graph, different originals:\n%s\n%s", ra[0].Sources[0].Original, rb[0].Sources[0].Original)
	}
	if ra[0].Sources[0].Hash == rc[0].Sources[0].Hash {
		t.Errorf("distribution title changed, hash did not")
	}
}

// TestCatalogDiff: FDK's change-detection pair. Between catalog_diff_0 and
// catalog_diff_1 exactly these datasets change:
//
//	1: theme TECH -> SOCI
//	3: temporal start 2019-04-02 -> 2019-05-02
//	5: its distribution's access service's endpoint description (dct:source)
//	7: its information model's dct:source dagbladet.no -> vg.no
//	9: its conformsTo standard loses the label "Innhald"@nn
//	b: its sample distribution's accessURL dn.no -> nd.no
//	d: a quality annotation's body loses "Available"@en
//
// Dataset 0 holds the old values of 1, 7, 9, b and d too (TECH, dagbladet,
// Innhald, dn.no, Available): those lines are unchanged in the second file,
// so it does not change; nor do 2, 4, 6, 8, a, c, e.
func TestCatalogDiff(t *testing.T) {
	r0, _ := mapFile(t, "no-fdk-dataset-harvester/catalog_diff_0.ttl")
	r1, _ := mapFile(t, "no-fdk-dataset-harvester/catalog_diff_1.ttl")
	if len(r0) != 15 || len(r1) != 15 {
		t.Fatalf("%d and %d records, want 15 each", len(r0), len(r1))
	}
	h0, h1 := hashes(r0), hashes(r1)
	var changed []string
	for iri, h := range h0 {
		if h1[iri] == "" {
			t.Errorf("%s missing from catalog_diff_1", iri)
		}
		if h1[iri] != h {
			changed = append(changed, strings.TrimPrefix(iri, "https://testdirektoratet.no/model/dataset/"))
		}
	}
	slices.Sort(changed)
	want := []string{"1", "3", "5", "7", "9", "b", "d"}
	if !slices.Equal(changed, want) {
		t.Errorf("changed datasets = %v, want %v", changed, want)
	}
}

// TestBlankRecords: a record that is a blank node gets a skolem IRI from its
// source and dct:identifier, or its content; stable across runs; one with
// neither is rejected.
func TestBlankRecords(t *testing.T) {
	const doc = `@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
[] a dcat:Dataset ; dct:identifier "ds-1" ; dct:title "With identifier" ; dcat:inSeries _:s .
_:s a dcat:DatasetSeries ; dct:title "Series without identifier" ; dct:temporal [ dcat:startDate "2020" ] .
[] a dcat:Dataset .
<http://ex/named> a dcat:Dataset ; dct:title "Named" ; dct:relation _:s .`
	a, stats := mapString(t, doc)
	b, _ := mapString(t, doc)
	if len(a) != 3 || stats.Rejected != 1 || len(stats.Problems) != 1 || stats.Problems[0].Severity != "error" {
		t.Fatalf("%d records, %+v; want 3 records and one rejected with an error", len(a), stats)
	}
	for i := range a {
		checkRecord(t, a[i])
		if a[i].IRI != b[i].IRI || a[i].Sources[0].Hash != b[i].Sources[0].Hash {
			t.Errorf("runs differ: %s %s / %s %s", a[i].IRI, a[i].Sources[0].Hash, b[i].IRI, b[i].Sources[0].Hash)
		}
	}
	var withID, series, named Dataset
	for _, r := range a {
		switch {
		case r.IRI == "http://ex/named":
			named = r
		case r.Kind == KindDatasetSeries:
			series = r
		default:
			withID = r
		}
	}
	if !strings.HasPrefix(withID.IRI, "https://gw.example/genid/") || !strings.HasPrefix(series.IRI, "https://gw.example/genid/") {
		t.Fatalf("skolem IRIs %s, %s", withID.IRI, series.IRI)
	}
	eq(t, "InSeries", withID.InSeries, []string{series.IRI})
	eq(t, "Related", named.Related[nsDCT+"relation"], []string{series.IRI})
	if !strings.Contains(withID.Sources[0].Original, "<"+withID.IRI+"> <http://purl.org/dc/terms/title>") {
		t.Errorf("original does not name the record by its skolem IRI:\n%s", withID.Sources[0].Original)
	}

	// The identifier decides the IRI of the first: content may change.
	changed, _ := mapString(t, strings.Replace(doc, `"With identifier"`, `"Renamed"`, 1))
	if byKind(changed, KindDataset, withID.IRI) == nil {
		t.Errorf("a blank record with an identifier changed IRI when its title changed")
	}
	// Content decides the IRI of the series.
	changed, _ = mapString(t, strings.Replace(doc, `"2020"`, `"2021"`, 1))
	if byKind(changed, KindDatasetSeries, series.IRI) != nil {
		t.Errorf("a blank record without identifier kept its IRI when its content changed")
	}
	// Another source, another IRI.
	other := map[string]bool{}
	for _, src := range []string{"test", "other"} {
		d := NewDocument()
		if err := rdf.Decode(strings.NewReader(doc), rdf.Turtle, rdf.Options{}, d.Add); err != nil {
			t.Fatal(err)
		}
		_, err := d.Records(MapOptions{Source: src, SkolemBase: "https://gw.example/genid/"}, func(ds Dataset) error {
			if ds.Kind == KindDataset && ds.IRI != "http://ex/named" {
				other[ds.IRI] = true
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(other) != 2 || !other[withID.IRI] {
		t.Errorf("skolem IRIs over two sources = %v, want two, one of them %s", other, withID.IRI)
	}
}

func byKind(recs []Dataset, kind, iri string) *Dataset {
	for i, r := range recs {
		if r.Kind == kind && r.IRI == iri {
			return &recs[i]
		}
	}
	return nil
}

// TestCanonicalEscapes: N-Triples escapes in IRIs and literals.
func TestCanonicalEscapes(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"a\"b\\c\nd\re\tf", `a\"b\\c\nd\re\u0009f`},
		{"æøå €", "æøå €"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
	} {
		if got := string(rdf.AppendEscaped(nil, tc.in)); got != tc.want {
			t.Errorf("rdf.AppendEscaped(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := string(appendIRI(nil, []byte("http://ex/a b>"))); got != `<http://ex/a\u0020b\u003E>` {
		t.Errorf("appendIRI = %s", got)
	}
}

// TestDescriptionBounds: a record's description holds the concepts it links
// to, not the concept scheme they are in, the catalogue that lists it, nor
// the records it links to.
func TestDescriptionBounds(t *testing.T) {
	const doc = `@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<http://ex/cat> a dcat:Catalog ; dct:title "Catalogue" ; dcat:dataset <http://ex/d1>, <http://ex/d2> .
<http://ex/d1> a dcat:Dataset ; dct:title "One" ; dcat:theme <http://ex/t1> ; dct:isPartOf <http://ex/cat> ; dct:relation <http://ex/d2> .
<http://ex/d2> a dcat:Dataset ; dct:title "Two" .
<http://ex/t1> a skos:Concept ; skos:prefLabel "Theme one" ; skos:inScheme <http://ex/s> .
<http://ex/t2> a skos:Concept ; skos:prefLabel "Theme two" ; skos:inScheme <http://ex/s> .
<http://ex/s> a skos:ConceptScheme ; skos:hasTopConcept <http://ex/t1>, <http://ex/t2> .`
	recs, _ := mapString(t, doc)
	orig := one(t, recs, "http://ex/d1").Sources[0].Original
	for _, in := range []string{`"Theme one"`, "<http://ex/t1> <http://www.w3.org/2004/02/skos/core#inScheme> <http://ex/s>"} {
		if !strings.Contains(orig, in) {
			t.Errorf("original lacks %s:\n%s", in, orig)
		}
	}
	for _, out := range []string{`"Theme two"`, "hasTopConcept", `"Catalogue"`, `"Two"`} {
		if strings.Contains(orig, out) {
			t.Errorf("original holds %s:\n%s", out, orig)
		}
	}
}

// TestDescriptionBudget: many records reaching one large resource get their
// descriptions cut once the document's budget is spent, with a warning; their
// own triples stay.
func TestDescriptionBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString("@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .\n")
	for i := 0; i < 3000; i++ {
		b.WriteString("<http://ex/big> dct:relation <http://ex/x" + strconv.Itoa(i) + "> .\n")
	}
	for i := 0; i < 300; i++ {
		b.WriteString("<http://ex/d" + strconv.Itoa(i) + "> a dcat:Dataset ; dct:title \"D\" ; dct:source <http://ex/big> .\n")
	}
	recs, stats := mapString(t, b.String())
	if len(recs) != 300 {
		t.Fatalf("%d records", len(recs))
	}
	cut := 0
	for _, p := range stats.Problems {
		if strings.Contains(p.Message, "description cut") {
			cut++
		}
	}
	first, last := recs[0].Sources[0].Original, recs[len(recs)-1].Sources[0].Original
	if cut == 0 || cut == 300 || strings.Count(first, "\n") != 3003 || strings.Count(last, "\n") != 3 {
		t.Errorf("%d descriptions cut; first has %d lines, last %d", cut, strings.Count(first, "\n"), strings.Count(last, "\n"))
	}
}
