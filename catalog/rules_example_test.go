package catalog_test

import (
	"fmt"
	"strings"

	"samband/catalog"
	"samband/catalog/rdf"
)

// The rule checks of a record from a Norwegian source: DCAT-AP's and
// DCAT-AP-NO's. DCAT-AP-NO wants an identifier and a theme; the format is
// a literal where both want an IRI of the EU file-type table.
func ExampleCheckRules() {
	const ttl = `
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct:  <http://purl.org/dc/terms/> .
<https://data.example.no/dataset/befolkning> a dcat:Dataset ;
    dct:title "Befolkning"@nb ;
    dct:description "Folketall per kommune"@nb ;
    dct:publisher <https://data.brreg.no/enhetsregisteret/api/enheter/971526920> ;
    dcat:distribution [ a dcat:Distribution ;
        dcat:accessURL <https://data.example.no/befolkning.csv> ;
        dct:format "CSV" ] .`

	doc := catalog.NewDocument()
	if err := rdf.Decode(strings.NewReader(ttl), rdf.Turtle, rdf.Options{}, doc.Add); err != nil {
		fmt.Println(err)
		return
	}
	_, err := doc.Records(catalog.MapOptions{Source: "data.norge.no", Country: "NO"}, func(ds catalog.Dataset) error {
		for _, r := range catalog.CheckRules(ds) {
			if r.Severity == catalog.SeverityViolation {
				fmt.Println(r.Rule)
			}
		}
		return nil
	})
	fmt.Println(err)
	// Output:
	// dcat-ap-no:dataset-identifier-min
	// dcat-ap-no:dataset-theme-min
	// dcat-ap:distribution-format-kind
	// dcat-ap:distribution-format-vocabulary
	// dcat-ap-no:distribution-format-kind
	// dcat-ap-no:distribution-format-vocabulary
	// <nil>
}
