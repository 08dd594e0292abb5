package catalog_test

import (
	"fmt"
	"os"

	"samband/catalog"
	"samband/catalog/rdf"
)

// A record written back as DCAT-AP 3 Turtle.
func ExampleDataset_Triples() {
	d := catalog.Dataset{
		IRI:   "https://data.norge.no/datasets/1",
		Kind:  catalog.KindDataset,
		Title: catalog.Text{"nb": {"Befolkning"}, "en": {"Population"}},
		Distributions: []catalog.Distribution{{
			IRI:        "https://data.norge.no/distributions/1",
			AccessURLs: []string{"https://ssb.no/befolkning"},
			ByteSize:   "5120",
		}},
		Modified: "2024-03-01",
	}
	enc := rdf.NewTurtleEncoder(os.Stdout, map[string]string{"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/", "xsd": rdf.NSXSD})
	if err := d.Triples(enc.Encode); err != nil {
		fmt.Println(err)
	}
	enc.Close()
	// Output:
	// @prefix dcat: <http://www.w3.org/ns/dcat#> .
	// @prefix dct: <http://purl.org/dc/terms/> .
	// @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
	//
	// <https://data.norge.no/datasets/1>
	//     a dcat:Dataset ;
	//     dct:title "Population"@en ,
	//         "Befolkning"@nb ;
	//     dcat:distribution <https://data.norge.no/distributions/1> ;
	//     dct:modified "2024-03-01"^^xsd:date .
	//
	// <https://data.norge.no/distributions/1>
	//     a dcat:Distribution ;
	//     dcat:accessURL <https://ssb.no/befolkning> ;
	//     dcat:byteSize "5120"^^xsd:nonNegativeInteger .
}
