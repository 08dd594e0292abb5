package catalog

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"samband/catalog/rdf"
)

// TestCatalogsCorpus maps the catalogues of real catalogues and examples of
// national profiles: titles per language, publisher, homepage, licence,
// dates, dataset counts; blank-node catalogues listed without an IRI.
func TestCatalogsCorpus(t *testing.T) {
	tests := []struct {
		file string
		want []Catalog
	}{
		{"no-fdk-legacy/nav-2017-10-31.ttl", []Catalog{{
			IRI:   "http://brreg.no/catalogs/974761076",
			Title: Text{"nb": {"Datakatalog for SKATTEETATEN"}},
			Publisher: &Agent{IRI: "http://data.brreg.no/enhetsregisteret/enhet/974761076.json",
				Name: Text{"": {"SKATTEETATEN"}}, Identifier: "974761076"},
			Datasets: 42,
		}}},
		{"se-dcat-ap-se/exempel_rekommenderat.ttl", []Catalog{{
			IRI:         "https://example.com/catalog1",
			Title:       Text{"sv": {"Katalog med rekommenderade fält"}},
			Description: Text{"sv": {"Katalog ifyllda med rekommenderade fält enligt DCAT-AP-SE version 2"}},
			Publisher: &Agent{IRI: "https://example.com/publisher1", Name: Text{"": {"Exempel organisation"}},
				Type: "http://purl.org/adms/publishertype/NonProfitOrganisation"},
			Homepage:        "http://example.com",
			Languages:       []string{"http://publications.europa.eu/resource/authority/language/SWE"},
			License:         "http://creativecommons.org/publicdomain/zero/1.0/",
			Issued:          "2020-01-01",
			Modified:        "2020-02-04",
			ThemeTaxonomies: []string{"http://publications.europa.eu/resource/authority/data-theme"},
			Datasets:        1,
		}}},
		{"dk-dcat-ap-dk/extended-example1.ttl", []Catalog{{
			IRI:             "https://dcat.example.org/catalog",
			Title:           Text{"da": {"Katalog 001"}},
			Description:     Text{"": {"En beskrivelse af Katalog 001"}},
			Publisher:       &Agent{IRI: "https://dcat.example.org/agent-001", Name: Text{"da": {"Organisation 001"}}},
			Homepage:        "http://example.org/catalog",
			Languages:       []string{"http://publications.europa.eu/resource/dataset/language/DAN"},
			License:         "https://creativecommons.org/publicdomain/zero/1.0/",
			Issued:          "2011-12-05",
			Modified:        "2011-12-15",
			ThemeTaxonomies: []string{"http://publications.europa.eu/resource/dataset/data-theme"},
			Spatial:         []string{"http://publications.europa.eu/resource/authority/country/DNK"},
			Datasets:        1, // its dcat:record is not counted
		}}},
		{"no-fdk-dataset-harvester/catalog_with_blank_node.ttl", []Catalog{{
			IRI:       "https://testdirektoratet.no/model/blank-catalog/0",
			Title:     Text{"nb": {"Datasettkatalog for Testdirektoratet"}},
			Publisher: &Agent{Name: Text{"": {"Blanke"}}, Identifier: "123456789"},
			Datasets:  1,
		}}},
		// dcat:Catalogue, as the example spells it; one dataset, one service.
		{"eu-semic-dcat-ap/hvd-examples-3.0.0/example-ms_catalogue_hvd.ttl", []Catalog{{
			IRI:         "https://data.exampleMS.gov/id/dataset/HVD-reporting-2023",
			Title:       Text{"en": {"MS HVD Reporting 2023"}},
			Description: Text{"en": {"All information to provide the HVD conformance assessment for MS"}},
			Datasets:    2,
		}}},
		// A blank-node catalogue first, with IRI "", then the other; the
		// blank-node dataset counts.
		{"no-fdk-dataset-harvester/harvest_response_0.ttl", []Catalog{{
			Title: Text{"en": {"Is filtered"}},
		}, {
			IRI:       "https://testdirektoratet.no/model/dataset-catalog/0",
			Title:     Text{"nb": {"Datasettkatalog for Testdirektoratet"}},
			Publisher: &Agent{IRI: "https://organization-catalogue.fellesdatakatalog.brreg.no/organizations/123456789"},
			Datasets:  2,
		}}},
		// Two catalogues, no dataset linked; a publisher not described.
		{"no-fdk-legacy/export-w-error.ttl", []Catalog{{
			IRI:       "http://data.brreg.no/datakatalog/katalog/123456789",
			Title:     Text{"nb": {"Katalog uten datasett"}},
			Publisher: &Agent{IRI: "http://data.brreg.no/enhetsregisteret/enhet/958935420"},
		}, {
			IRI:         "http://data.brreg.no/datakatalog/katalog/958935420",
			Title:       Text{"nb": {"Oslo Kommunes datakatalog"}},
			Description: Text{"nb": {"Katalog over datasett i Oslo Kommune"}},
			Publisher:   &Agent{IRI: "http://data.brreg.no/enhetsregisteret/enhet/958935420"},
		}}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got, stats := decodeFile(t, tc.file).Catalogs()
			if !reflect.DeepEqual(got, tc.want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(tc.want)
				t.Errorf("Catalogs() =\n%s\nwant\n%s", g, w)
			}
			if len(stats.Problems) != 0 || stats.Records != 0 || stats.Rejected != 0 {
				t.Errorf("Catalogs() stats = %+v, want none", stats)
			}
		})
	}
}

// TestCatalogsTurtleAndRDFXML: the same catalogue in two syntaxes maps the same.
func TestCatalogsTurtleAndRDFXML(t *testing.T) {
	ttl, _ := decodeFile(t, "se-dcat-ap-se/exempel_rekommenderat.ttl").Catalogs()
	xml, _ := decodeFile(t, "se-dcat-ap-se/exempel_rekommenderat.rdf").Catalogs()
	if len(ttl) != 1 || !reflect.DeepEqual(ttl, xml) {
		t.Errorf("Catalogs() of .ttl and .rdf differ:\n%#v\n%#v", ttl, xml)
	}
}

// TestCatalogsProfileAndProblems: what has no field goes to Profile (but
// dcat:record), literal dataset links are not counted, problems name the
// catalogue, and a document without catalogues has none.
func TestCatalogsProfileAndProblems(t *testing.T) {
	const ttl = `
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
<https://example.org/catalog> a dcat:Catalog, <https://example.org/Portal> ;
    dct:issued "last year" ;
    dct:identifier "cat-1" ;
    dct:rights [ <http://www.w3.org/2000/01/rdf-schema#label> "Open to all"@en ] ;
    dct:license <https://data.norge.no/nlod/no/2.0>, <http://creativecommons.org/licenses/by/4.0/> ;
    dcat:contactPoint [ vcard:fn "Data team" ; vcard:hasEmail <mailto:data@example.org> ] ;
    dcat:dataset <https://example.org/d/1>, <https://example.org/d/1>, [ a dcat:Dataset ], "not a link" ;
    dcat:service <https://example.org/s/1> ;
    dcat:catalog <https://example.org/sub> ;
    dcat:record <https://example.org/r/1>, <https://example.org/r/2> .
<https://example.org/sub> a dcat:Catalog ; dct:title "Sub"@en, "Under"@nb .
`
	doc := NewDocument()
	if err := rdf.Decode(strings.NewReader(ttl), rdf.Turtle, rdf.Options{}, doc.Add); err != nil {
		t.Fatal(err)
	}
	cats, stats := doc.Catalogs()
	if len(cats) != 2 {
		t.Fatalf("Catalogs() = %d catalogues, want 2", len(cats))
	}
	c := cats[0]
	eq(t, "IRI", c.IRI, "https://example.org/catalog")
	eq(t, "Datasets", c.Datasets, 4) // d/1 once, the blank dataset, s/1, sub
	eq(t, "Issued", c.Issued, "last year")
	eq(t, "Rights", c.Rights, "Open to all")
	eq(t, "License", c.License, "https://data.norge.no/nlod/no/2.0")
	eq(t, "ContactPoints", c.ContactPoints, []ContactPoint{{Name: Text{"": {"Data team"}}, Email: "data@example.org"}})
	eq(t, "Profile", c.Profile, map[string][]string{
		nsRDF + "type":       {"<https://example.org/Portal>"},
		nsDCT + "identifier": {`"cat-1"`},
		nsDCT + "license":    {"<http://creativecommons.org/licenses/by/4.0/>"},
		nsDCAT + "dataset":   {`"not a link"`},
	})
	eq(t, "sub", cats[1], Catalog{IRI: "https://example.org/sub", Title: Text{"en": {"Sub"}, "nb": {"Under"}}})
	eq(t, "Problems", stats.Problems, []Problem{
		{Severity: "warning", Record: "https://example.org/catalog", Message: `dct:issued "last year" is not a date`},
		{Severity: "warning", Record: "https://example.org/catalog", Message: "Catalog has no dct:title"},
	})

	if cats, stats := decodeFile(t, "dk-dcat-ap-dk/basic-example1.ttl").Catalogs(); len(cats) != 0 || len(stats.Problems) != 0 {
		t.Errorf("Catalogs() of a document without catalogues = %v, %+v; want none", cats, stats)
	}
}
