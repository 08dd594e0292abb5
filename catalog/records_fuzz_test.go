package catalog

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"samband/catalog/rdf"
)

// FuzzRecords: any Turtle the decoder reads maps without panic; every record
// has an IRI and ID == IDFor(IRI), a hash of its original; mapping twice
// gives the same records in the same order with the same hashes; its
// catalogues map without panic, ordered by IRI, the same twice. The rule
// checks of every record (and of a record whose original is the input
// itself) run without panic, give the same results twice, each of a rule
// Rules lists, and no more than MaxRuleResults and the cut.
func FuzzRecords(f *testing.F) {
	for _, rel := range []string{
		"se-dcat-ap-se/exempel_obligatoriskt.ttl",
		"dk-dcat-ap-dk/basic-example1.ttl",
		"no-fdk-dataset-harvester/dataset_0_no_uri_properties.ttl",
		"no-fdk-dataset-harvester/catalog_with_blank_node.ttl",
		"no-dcat-ap-no/dataset-series-example.ttl",
		"eu-semic-dcat-ap/hvd-examples-3.0.0/example-data_service_terms_sla.ttl",
	} {
		data, err := os.ReadFile(filepath.Join(corpusDir, rel))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
[] a dcat:Dataset ; dct:identifier "x" ; dcat:inSeries _:s . _:s a dcat:DatasetSeries ; dcat:first _:d .
_:d a dcat:Dataset ; dct:relation _:c . _:c dct:hasPart _:c2 . _:c2 dct:hasPart _:c .
[] a dcat:Dataset . <http://e/x> a dcat:DataService ; dcat:servesDataset _:d .`))
	f.Add([]byte(`@prefix dcat: <http://www.w3.org/ns/dcat#> . [] a dcat:Catalog ; dcat:dataset [ a dcat:Dataset ] .
<http://e/c> a dcat:Catalogue ; dcat:catalog <http://e/c> ; <http://purl.org/dc/terms/issued> "x" .`))
	f.Add([]byte(`<http://e/a> a <http://www.w3.org/ns/dcat#Dataset> ; <http://purl.org/dc/terms/temporal> [ <http://www.w3.org/ns/dcat#startDate> "x"@en ] .`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc := NewDocument()
		opts := rdf.Options{Base: "http://fuzz.example/", Limits: rdf.Limits{MaxBytes: 1 << 20}}
		if err := rdf.Decode(bytes.NewReader(data), rdf.Turtle, opts, doc.Add); err != nil {
			return
		}
		run := func() ([]Dataset, MapStats) {
			var recs []Dataset
			stats, err := doc.Records(MapOptions{Source: "fuzz", SkolemBase: "https://gw.example/genid/"}, func(ds Dataset) error {
				recs = append(recs, ds)
				return nil
			})
			if err != nil {
				t.Fatalf("Records: %v", err)
			}
			return recs, stats
		}
		a, sa := run()
		b, _ := run()
		if len(a) != sa.Records || len(a) != len(b) {
			t.Fatalf("%d records (stats %d), then %d", len(a), sa.Records, len(b))
		}
		for i, r := range a {
			if r.IRI == "" || r.ID != IDFor(r.IRI) {
				t.Fatalf("record IRI %q ID %q", r.IRI, r.ID)
			}
			if len(r.Sources) != 1 || r.Sources[0].Hash != hashOf(r.Sources[0].Original) {
				t.Fatalf("record %s: bad provenance %+v", r.IRI, r.Sources)
			}
			if b[i].IRI != r.IRI || b[i].Sources[0].Hash != r.Sources[0].Hash {
				t.Fatalf("second run: %s %s, first %s %s", b[i].IRI, b[i].Sources[0].Hash, r.IRI, r.Sources[0].Hash)
			}
			r.Sources[0].Country = "NO"
			checkRulesTwice(t, r)
			r.Sources[0].Country = "DK"
			checkRulesTwice(t, r)
		}
		checkRulesTwice(t, Dataset{IRI: "http://fuzz.example/r", Sources: []SourceRecord{{Country: "NO", Original: string(data)}}})
		cats, _ := doc.Catalogs()
		again, _ := doc.Catalogs()
		if !reflect.DeepEqual(cats, again) {
			t.Fatalf("Catalogs twice: %+v, then %+v", cats, again)
		}
		for i := 1; i < len(cats); i++ {
			if cats[i-1].IRI > cats[i].IRI {
				t.Fatalf("catalogues out of order: %q before %q", cats[i-1].IRI, cats[i].IRI)
			}
		}
		// A fresh Document of the same input gives the same hashes.
		doc2 := NewDocument()
		if err := rdf.Decode(bytes.NewReader(data), rdf.Turtle, opts, doc2.Add); err != nil {
			t.Fatalf("second decode: %v", err)
		}
		i := 0
		if _, err := doc2.Records(MapOptions{Source: "fuzz", SkolemBase: "https://gw.example/genid/"}, func(ds Dataset) error {
			if i >= len(a) || ds.IRI != a[i].IRI || ds.Sources[0].Hash != a[i].Sources[0].Hash {
				t.Fatalf("fresh document: record %d is %s", i, ds.IRI)
			}
			i++
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})
}

// checkRulesTwice runs CheckRules on d twice and fails unless both give the
// same well-formed results.
func checkRulesTwice(t *testing.T, d Dataset) {
	t.Helper()
	a, b := CheckRules(d), CheckRules(d)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("CheckRules(%s) twice: %v, then %v", d.IRI, a, b)
	}
	if len(a) > MaxRuleResults+1 {
		t.Fatalf("CheckRules(%s): %d results", d.IRI, len(a))
	}
	known := map[string]bool{RuleChecksCut: true}
	for _, r := range Rules() {
		known[r.ID] = true
	}
	for _, r := range a {
		if !known[r.Rule] || r.Severity == "" || r.Focus == "" || r.Message == "" {
			t.Fatalf("CheckRules(%s): result %+v", d.IRI, r)
		}
	}
}
