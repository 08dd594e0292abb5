package rdf_test

import (
	"errors"
	"fmt"
	"strings"

	"samband/catalog/rdf"
)

func ExampleDecode() {
	doc := `@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<datasets/1> a dcat:Dataset ;
    dct:title "Befolkning"@nb, "Population"@en .`
	err := rdf.Decode(strings.NewReader(doc), rdf.Turtle, rdf.Options{Base: "https://data.example.no/"},
		func(t rdf.Triple) error {
			fmt.Println(t.Subj, t.Pred, t.Obj)
			return nil
		})
	fmt.Println(err)
	// Output:
	// https://data.example.no/datasets/1 http://www.w3.org/1999/02/22-rdf-syntax-ns#type http://www.w3.org/ns/dcat#Dataset
	// https://data.example.no/datasets/1 http://purl.org/dc/terms/title Befolkning
	// https://data.example.no/datasets/1 http://purl.org/dc/terms/title Population
	// <nil>
}

func ExampleDecodeAny() {
	// A JSON-LD document served under a name that says RDF/XML: the content decides.
	doc := `{"@id": "https://data.example.se/d/7", "@type": "http://www.w3.org/ns/dcat#Dataset"}`
	n := 0
	syn, err := rdf.DecodeAny(strings.NewReader(doc), "catalog.rdf", rdf.Options{}, func(rdf.Triple) error {
		n++
		return nil
	})
	fmt.Println(syn, n, err)
	// Output: json-ld 1 <nil>
}

func ExampleError() {
	doc := "@prefix dct: <http://purl.org/dc/terms/> .\n<a> dct:title \"unterminated .\n"
	err := rdf.Decode(strings.NewReader(doc), rdf.Turtle, rdf.Options{Base: "https://example.org/"},
		func(rdf.Triple) error { return nil })
	var e *rdf.Error
	if errors.As(err, &e) {
		fmt.Println(e.Line, e.Column > 0)
	}
	// Output: 2 true
}
