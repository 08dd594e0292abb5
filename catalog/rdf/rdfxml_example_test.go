package rdf_test

import (
	"fmt"
	"strings"

	"samband/catalog/rdf"
)

func ExampleDecode_rdfxml() {
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">
  <dcat:Dataset rdf:about="https://data.example.se/dataset/1">
    <dct:title xml:lang="sv">Badplatser</dct:title>
    <dcat:contactPoint rdf:resource="mailto:info@example.se"/>
  </dcat:Dataset>
</rdf:RDF>`
	err := rdf.Decode(strings.NewReader(doc), rdf.RDFXML, rdf.Options{}, func(t rdf.Triple) error {
		fmt.Println(t.Subj, t.Pred, t.Obj)
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// https://data.example.se/dataset/1 http://www.w3.org/1999/02/22-rdf-syntax-ns#type http://www.w3.org/ns/dcat#Dataset
	// https://data.example.se/dataset/1 http://purl.org/dc/terms/title Badplatser
	// https://data.example.se/dataset/1 http://www.w3.org/ns/dcat#contactPoint mailto:info@example.se
}
