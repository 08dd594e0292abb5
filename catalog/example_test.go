package catalog_test

import (
	"fmt"
	"strings"

	"samband/catalog"
	"samband/catalog/rdf"
)

// A document is decoded into a Document, then mapped to records one at a time.
func ExampleDocument_Records() {
	const ttl = `
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct:  <http://purl.org/dc/terms/> .
<https://data.example.no/dataset/befolkning> a dcat:Dataset ;
    dct:title "Befolkning"@nb, "Population"@en ;
    dcat:theme <https://psi.norge.no/los/tema/helse-og-omsorg> ;
    dct:accessRights <http://publications.europa.eu/resource/authority/access-right/PUBLIC> ;
    dcat:distribution [ a dcat:Distribution ;
        dcat:accessURL <https://data.example.no/befolkning.csv> ;
        dct:format "CSV" ;
        dct:license <https://data.norge.no/nlod/no/2.0> ] .`

	doc := catalog.NewDocument()
	if err := rdf.Decode(strings.NewReader(ttl), rdf.Turtle, rdf.Options{}, doc.Add); err != nil {
		fmt.Println(err)
		return
	}
	stats, err := doc.Records(catalog.MapOptions{Source: "data.norge.no", Country: "NO"}, func(ds catalog.Dataset) error {
		d := ds.Distributions[0]
		fmt.Println(ds.ID, ds.Kind, ds.Title.Get("en"), ds.Title.Get("nb"))
		fmt.Println(ds.EUThemes, ds.AccessRightsEU, d.FormatEU, d.MediaType, d.LicenseEU)
		fmt.Println(len(ds.Sources[0].Hash), strings.Count(ds.Sources[0].Original, "\n"), "lines")
		return nil
	})
	fmt.Println(stats.Records, err)
	// Output:
	// r7whrjkcx5bwrd2c Dataset Population Befolkning
	// [HEAL] PUBLIC CSV text/csv NLOD_2_0
	// 64 10 lines
	// 1 <nil>
}

func ExampleLicenceCode() {
	for _, l := range []string{
		"https://creativecommons.org/licenses/by/4.0/deed.no",
		"CC0-1.0",
		"http://data.norge.no/nlod/no/2.0",
		"https://example.org/our-own-terms",
	} {
		fmt.Printf("%q\n", catalog.LicenceCode(l))
	}
	// Output:
	// "CC_BY_4_0"
	// "CC0"
	// "NLOD_2_0"
	// ""
}

func ExampleFileType() {
	fmt.Println(catalog.FileType("https://www.iana.org/assignments/media-types/text/csv"))
	fmt.Println(catalog.FileType("GeoJSON"))
	fmt.Println(catalog.FileType("http://publications.europa.eu/resource/authority/file-type/XLSX"))
	// Output:
	// CSV text/csv
	// GEOJSON application/geo+json
	// XLSX application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
}

// The catalogues a document describes are read beside its records.
func ExampleDocument_Catalogs() {
	const ttl = `
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<https://data.example.no/catalog> a dcat:Catalog ;
    dct:title "Datakatalog"@nb, "Data catalogue"@en ;
    dct:publisher [ foaf:name "Eksempeletaten"@nb ] ;
    foaf:homepage <https://data.example.no/> ;
    dcat:dataset <https://data.example.no/dataset/1>, <https://data.example.no/dataset/2> .`

	doc := catalog.NewDocument()
	if err := rdf.Decode(strings.NewReader(ttl), rdf.Turtle, rdf.Options{}, doc.Add); err != nil {
		fmt.Println(err)
		return
	}
	cats, stats := doc.Catalogs()
	for _, c := range cats {
		fmt.Println(c.IRI, c.Title.Get("en"), "/", c.Title.Get("nb"))
		fmt.Println(c.Publisher.Name.Get("nb"), c.Homepage, c.Datasets, "datasets")
	}
	fmt.Println(len(stats.Problems), "problems")
	// Output:
	// https://data.example.no/catalog Data catalogue / Datakatalog
	// Eksempeletaten https://data.example.no/ 2 datasets
	// 0 problems
}
