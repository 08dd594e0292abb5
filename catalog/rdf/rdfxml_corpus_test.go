package rdf

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rdfxmlCorpus is every RDF/XML file of the corpus with the number of distinct
// triples it holds. The numbers are rdflib's (testdata/corpus/SOURCES.md) but
// one: see datanorge.xml.
var rdfxmlCorpus = []struct {
	path    string
	triples int
}{
	{"ckanext-dcat-examples/catalog.rdf", 79},
	{"ckanext-dcat-examples/catalog_datasets_list.rdf", 68},
	{"ckanext-dcat-examples/dataset.rdf", 115},
	{"ckanext-dcat-examples/dataset_gov_de.rdf", 208},
	{"ckanext-dcat-examples/dataset_sweden.rdf", 59},
	{"dk-dcat-ap-dk/basic-example1.rdf", 33},
	// rdflib reads 338: it takes the ten unqualified datatype="..." attributes
	// (locn:geometry datatype="...gmlLiteral") as property attributes with the
	// made-up predicate <datatype>, and drops the GML text. Like rapper, this
	// decoder reads them as the deprecated unqualified rdf:datatype and keeps
	// each geometry as a typed literal: ten triples fewer, nothing lost.
	{"no-fdk-legacy/datanorge.xml", 328},
	{"no-fdk-legacy/oljedir.xml", 26},
	{"se-dcat-ap-se/exempel_obligatoriskt.rdf", 23},
	{"se-dcat-ap-se/exempel_rekommenderat.rdf", 67},
}

func TestCorpusRDFXML(t *testing.T) {
	for _, tc := range rdfxmlCorpus {
		t.Run(tc.path, func(t *testing.T) {
			g, err := decodeGraphFile(filepath.Join(corpusDir, tc.path), RDFXML, "https://corpus.example/"+tc.path)
			if err != nil {
				t.Fatalf("Decode(%q) = %v, want %d triples", tc.path, err, tc.triples)
			}
			if g.len() != tc.triples {
				t.Errorf("Decode(%q) = %d triples, want %d", tc.path, g.len(), tc.triples)
			}
		})
	}
}

// TestCorpusRDFXMLGeometry checks what datanorge.xml's unqualified
// rdf:datatype gives: GML typed literals, not blank nodes.
func TestCorpusRDFXMLGeometry(t *testing.T) {
	path := filepath.Join(corpusDir, "no-fdk-legacy", "datanorge.xml")
	g, err := decodeGraphFile(path, RDFXML, "https://corpus.example/datanorge.xml")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tr := range g.triples {
		if tr.Pred.String() != "http://www.w3.org/ns/locn#geometry" {
			continue
		}
		n++
		lit, ok := tr.Obj.(Literal)
		if !ok || lit.DataType.String() != "http://www.opengis.net/ont/geosparql#gmlLiteral" || !strings.Contains(lit.String(), "<gml:Envelope") {
			t.Errorf("geometry %v, want a gmlLiteral holding the GML envelope", tr.Obj)
		}
	}
	if n != 10 {
		t.Errorf("%d geometries, want 10", n)
	}
}

// TestCorpusRDFXMLNotXML checks that a JSON-LD file named .rdf fails at once
// with a clear error, not with zero triples.
func TestCorpusRDFXMLNotXML(t *testing.T) {
	path := filepath.Join(corpusDir, "no-fdk-legacy", "brreg.rdf")
	f, err := os.Open(path)
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	n := 0
	err = Decode(f, RDFXML, Options{}, func(Triple) error { n++; return nil })
	var de *Error
	if !errors.As(err, &de) || de.Line != 1 || !strings.Contains(de.Msg, "not an XML document") || n != 0 {
		t.Fatalf("Decode(brreg.rdf) = %v after %d triples, want a line-1 error saying it is not XML", err, n)
	}
}
