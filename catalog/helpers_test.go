package catalog

import (
	"os"
	"path/filepath"
	"testing"

	"samband/catalog/rdf"
)

const corpusDir = "../testdata/corpus"

// decodeFile reads a corpus file into a new Document.
func decodeFile(t testing.TB, rel string) *Document {
	t.Helper()
	f, err := os.Open(filepath.Join(corpusDir, rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc := NewDocument()
	if _, err := rdf.DecodeAny(f, rel, rdf.Options{Base: "file:///corpus/" + filepath.ToSlash(rel)}, doc.Add); err != nil {
		t.Fatalf("decode %s: %v", rel, err)
	}
	return doc
}

// mapFile decodes a corpus file and returns its records.
func mapFile(t testing.TB, rel string) ([]Dataset, MapStats) {
	t.Helper()
	doc := decodeFile(t, rel)
	var out []Dataset
	stats, err := doc.Records(MapOptions{Source: "test", Country: "NO", SkolemBase: "https://gw.example/.well-known/genid/"}, func(ds Dataset) error {
		out = append(out, ds)
		return nil
	})
	if err != nil {
		t.Fatalf("Records(%s): %v", rel, err)
	}
	return out, stats
}

// byIRI indexes records by IRI.
func byIRI(recs []Dataset) map[string]Dataset {
	m := map[string]Dataset{}
	for _, r := range recs {
		m[r.IRI] = r
	}
	return m
}
