package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"samband/catalog"
)

// The sources of the tests: two national directories, a third, and the
// European aggregator.
var (
	fdk = catalog.Source{Name: "fdk", Country: "NO", Kind: "dcat",
		URL: "https://data.norge.no/api/dcat/catalogs"}
	dataportal = catalog.Source{Name: "dataportal-se", Country: "SE", Kind: "dcat",
		URL: "https://admin.dataportal.se/dcat"}
	avoindata = catalog.Source{Name: "avoindata", Country: "FI", Kind: "ckan",
		URL: "https://www.avoindata.fi/data/api/3/action/package_search"}
	europa = catalog.Source{Name: "data-europa-eu", Country: "EU", Kind: "dcat", Aggregator: true,
		URL: "https://data.europa.eu/api/hub/search/catalogues"}
)

// t0 is when the tests' harvests happen; whole seconds, so that every
// engine keeps the times exactly.
// fdkCatalogs are the catalogues fdk publishes: one with every field set,
// one given as a blank node, in an order not that of their IRIs.
var fdkCatalogs = []catalog.Catalog{{
	IRI:         "https://data.norge.no/catalogs/974761076",
	Title:       catalog.Text{"nb": {"Datakatalog for Skatteetaten"}, "en": {"Data catalogue of the Tax Administration"}},
	Description: catalog.Text{"nb": {"Datasett fra Skatteetaten"}},
	Publisher: &catalog.Agent{IRI: "https://data.brreg.no/enhetsregisteret/api/enheter/974761076",
		Name: catalog.Text{"": {"SKATTEETATEN"}}, Type: "http://purl.org/adms/publishertype/NationalAuthority", Identifier: "974761076"},
	ContactPoints:   []catalog.ContactPoint{{Name: catalog.Text{"nb": {"Datateamet"}}, Email: "data@skatteetaten.no", URL: "https://skatteetaten.no", Phone: "+4722077000"}},
	Homepage:        "https://data.norge.no",
	Languages:       []string{"http://publications.europa.eu/resource/authority/language/NOB", "http://publications.europa.eu/resource/authority/language/ENG"},
	License:         "http://publications.europa.eu/resource/authority/licence/NLOD_2_0",
	Rights:          "Åpne data",
	Issued:          "2017-10-31",
	Modified:        "2025-03-01T12:00:00Z",
	ThemeTaxonomies: []string{"http://publications.europa.eu/resource/authority/data-theme", "https://psi.norge.no/los/all.rdf"},
	Spatial:         []string{"http://publications.europa.eu/resource/authority/country/NOR"},
	Profile:         map[string][]string{"http://purl.org/dc/terms/identifier": {`"974761076"`}},
	Datasets:        42,
}, {
	Title:    catalog.Text{"nb": {"Katalog uten IRI"}},
	Datasets: 1,
}}

var t0 = time.Date(2025, 3, 3, 6, 0, 0, 0, time.UTC)

func at(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }

// norwegian returns a record as Felles datakatalog describes one of
// Statistics Norway's tables; version changes the text, so a new version
// has a new hash.
func norwegian(iri string, version int) catalog.Dataset {
	v := ""
	if version > 1 {
		v = fmt.Sprintf(" (revisjon %d)", version)
	}
	return catalog.Dataset{
		IRI:         iri,
		Kind:        catalog.KindDataset,
		Identifiers: []string{iri},
		Title: catalog.Text{
			"nb": {"Befolkning etter kommune, kjønn og alder" + v},
			"nn": {"Folketal etter kommune, kjønn og alder"},
			"en": {"Population by municipality, sex and age"},
		},
		Description: catalog.Text{
			"nb": {"Folkemengde 1. januar etter region, kjønn og ettårig alder. Tallene er hentet fra Det sentrale folkeregisteret."},
			"en": {"Population 1 January by region, sex and one-year age groups."},
		},
		Keywords: catalog.Text{"nb": {"befolkning", "kommune", "folketall"}, "en": {"population"}},
		Themes:   []string{"http://publications.europa.eu/resource/authority/data-theme/SOCI"},
		EUThemes: []string{"SOCI"},
		Publisher: &catalog.Agent{
			IRI:        "https://organization-catalog.fellesdatakatalog.digdir.no/organizations/971526920",
			Name:       catalog.Text{"nb": {"Statistisk sentralbyrå"}, "en": {"Statistics Norway"}},
			Identifier: "971526920",
		},
		ContactPoints: []catalog.ContactPoint{{Name: catalog.Text{"nb": {"Informasjonssenteret"}}, Email: "mailto:informasjon@ssb.no"}},
		Distributions: []catalog.Distribution{{
			Title:      catalog.Text{"nb": {"Tabell 07459 som CSV"}},
			AccessURLs: []string{"https://data.ssb.no/api/v0/no/table/07459"},
			Format:     "http://publications.europa.eu/resource/authority/file-type/CSV",
			FormatEU:   "CSV",
			MediaType:  "text/csv",
			License:    "http://data.norge.no/nlod/no/2.0",
			LicenseEU:  "NLOD_2_0",
		}, {
			Title:      catalog.Text{"nb": {"Tabell 07459 som JSON-stat"}, "en": {"Table 07459 as JSON-stat"}},
			AccessURLs: []string{"https://data.ssb.no/api/v0/en/table/07459"},
			Format:     "http://publications.europa.eu/resource/authority/file-type/JSON",
			FormatEU:   "JSON",
			MediaType:  "application/json",
			License:    "http://data.norge.no/nlod/no/2.0",
		}},
		Modified:       fmt.Sprintf("2025-02-%02d", 1+version%27),
		Frequency:      "http://publications.europa.eu/resource/authority/frequency/ANNUAL",
		Languages:      []string{"http://publications.europa.eu/resource/authority/language/NOB", "http://publications.europa.eu/resource/authority/language/ENG"},
		Spatial:        []string{"http://publications.europa.eu/resource/authority/country/NOR"},
		AccessRights:   "http://publications.europa.eu/resource/authority/access-right/PUBLIC",
		AccessRightsEU: "PUBLIC",
		LandingPages:   []string{"https://www.ssb.no/befolkning/folketall/statistikk/befolkning"},
		Profile: map[string][]string{
			"https://data.norge.no/vocabulary/dcatno#accessRightsComment": {"Åpne data."},
		},
	}
}

// swedish returns a record as dataportal.se describes one of Statistics
// Sweden's tables.
func swedish(iri string, version int) catalog.Dataset {
	v := ""
	if version > 1 {
		v = fmt.Sprintf(" (version %d)", version)
	}
	return catalog.Dataset{
		IRI:         iri,
		Kind:        catalog.KindDataset,
		Identifiers: []string{"SCB-BE0101" + strings.TrimPrefix(iri, "https://www.scb.se/dataset/")},
		Title: catalog.Text{
			"sv": {"Folkmängd efter region, civilstånd, ålder och kön" + v},
			"en": {"Population by region, marital status, age and sex"},
		},
		Description: catalog.Text{"sv": {"Folkmängden den 31 december efter region, civilstånd, ålder och kön. År 1968–2024."}},
		Keywords:    catalog.Text{"sv": {"befolkning", "folkmängd"}},
		EUThemes:    []string{"SOCI", "REGI"},
		Publisher:   &catalog.Agent{Name: catalog.Text{"sv": {"Statistiska centralbyrån"}}, Identifier: "202100-0829"},
		Distributions: []catalog.Distribution{{
			AccessURLs:   []string{"https://api.scb.se/OV0104/v1/doris/sv/ssd/BE/BE0101/BE0101A/BefolkningNy"},
			DownloadURLs: []string{"https://api.scb.se/OV0104/v1/doris/sv/ssd/BE/BE0101/BE0101A/BefolkningNy.csv"},
			FormatEU:     "CSV",
			MediaType:    "text/csv",
			License:      "http://creativecommons.org/publicdomain/zero/1.0/",
			LicenseEU:    "CC0",
		}},
		Spatial:        []string{"http://publications.europa.eu/resource/authority/country/SWE"},
		AccessRightsEU: "PUBLIC",
	}
}

// from gives rec the provenance of source: a hash of its content (the same
// content from two sources has the same hash) and an original.
func from(source string, rec catalog.Dataset) catalog.Dataset {
	rec.Sources = nil
	js, err := json.Marshal(rec)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(js)
	var lines []string
	for _, lang := range rec.Title.Languages() {
		for _, t := range rec.Title[lang] {
			lines = append(lines, fmt.Sprintf("<%s> <http://purl.org/dc/terms/title> %q@%s .", rec.IRI, t, lang))
		}
	}
	lines = append(lines, fmt.Sprintf("<%s> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/dcat#Dataset> .", rec.IRI))
	sort.Strings(lines)
	rec.Sources = []catalog.SourceRecord{{
		Source:   source,
		Hash:     "sha256:" + hex.EncodeToString(sum[:]),
		Original: strings.Join(lines, "\n") + "\n",
	}}
	return rec
}

// ssb returns the IRI of the n-th test record of Statistics Norway.
func ssb(n int) string {
	return fmt.Sprintf("https://data.norge.no/datasets/ssb-%05d", n)
}

// scb returns the IRI of the n-th test record of Statistics Sweden.
func scb(n int) string {
	return fmt.Sprintf("https://www.scb.se/dataset/%05d", n)
}
