package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"reflect"
	"samband/internal/corpus"
	"slices"
	"strconv"
	"strings"
	"testing"

	"samband/catalog/rdf"
)

// corpusFile is a row of testdata/corpus/SOURCES.md.
type corpusFile struct {
	path     string
	datasets int
	status   string
	notes    string
}

func readCorpusTable(t *testing.T) []corpusFile {
	t.Helper()
	files, err := corpus.Files()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]corpusFile, 0, len(files))
	for _, f := range files {
		out = append(out, corpusFile{path: f.Path, datasets: max(f.Datasets, 0), status: f.RDFLib, notes: f.Notes})
	}
	return out
}

// corpusDatasets are the dataset counts where Samband's decoders and rdflib
// differ (see catalog/rdf's corpus test): the mislabelled JSON-LD file.
var corpusDatasets = map[string]int{"no-fdk-legacy/brreg.rdf": 4}

// TestRecordsCorpus: every corpus document Samband reads maps without error to
// one record per distinct dcat:Dataset subject (SOURCES.md) plus its series
// and services, each with its IRI, ID, kind, hash and original.
func TestRecordsCorpus(t *testing.T) {
	total := 0
	for _, c := range readCorpusTable(t) {
		readable := c.status == "ok" || strings.HasPrefix(c.status, "remote @context") || strings.Contains(c.notes, "JSON-LD content")
		if !readable || c.path == "eu-semic-dcat-ap/shacl-3.0.1/dcat-ap.jsonld" {
			continue
		}
		t.Run(c.path, func(t *testing.T) {
			want, ok := corpusDatasets[c.path]
			if !ok {
				want = c.datasets
			}
			doc := decodeFile(t, c.path)
			if strings.HasPrefix(c.status, "remote @context") {
				// rdflib could not read these: count their datasets here.
				want = countTyped(doc, nsDCAT+"Dataset")
			}
			want += countTyped(doc, nsDCAT+"DatasetSeries", nsDCAT+"DataService")
			var recs []Dataset
			stats, err := doc.Records(MapOptions{Source: "corpus", Country: "EU"}, func(ds Dataset) error {
				recs = append(recs, ds)
				return nil
			})
			if err != nil {
				t.Fatalf("Records: %v", err)
			}
			if len(recs) != want || stats.Records != want || stats.Rejected != 0 {
				t.Fatalf("Records = %d records (stats %d, %d rejected), want %d", len(recs), stats.Records, stats.Rejected, want)
			}
			for i, r := range recs {
				checkRecord(t, r)
				if i > 0 && recs[i-1].IRI >= r.IRI {
					t.Errorf("records out of order: %s before %s", recs[i-1].IRI, r.IRI)
				}
			}
			total += len(recs)
		})
	}
	t.Logf("%d records from the corpus", total)
}

// countTyped counts the distinct subjects typed with one of the classes
// (but, unless dcat:Dataset is one of them, not with dcat:Dataset).
func countTyped(d *Document, classes ...string) int {
	typ, ds := d.lookup(rdfType), d.lookup(nsDCAT+"Dataset")
	isDataset := map[uint32]bool{}
	other := map[uint32]bool{}
	for i := 0; i < d.n; i++ {
		s, p, o := d.triple(uint32(i))
		if p != typ {
			continue
		}
		if o == ds {
			isDataset[s] = true
		}
		if slices.Contains(classes, d.text(o)) && d.kind(o) == termIRI {
			other[s] = true
		}
	}
	n := 0
	for s := range other {
		if !isDataset[s] || slices.Contains(classes, nsDCAT+"Dataset") {
			n++
		}
	}
	return n
}

func checkRecord(t *testing.T, r Dataset) {
	t.Helper()
	if r.IRI == "" || r.ID != IDFor(r.IRI) {
		t.Errorf("record %q has ID %q, want IDFor = %q", r.IRI, r.ID, IDFor(r.IRI))
	}
	if r.Kind != KindDataset && r.Kind != KindDatasetSeries && r.Kind != KindDataService {
		t.Errorf("record %s has kind %q", r.IRI, r.Kind)
	}
	if len(r.Sources) != 1 {
		t.Fatalf("record %s has %d sources", r.IRI, len(r.Sources))
	}
	src := r.Sources[0]
	sum := sha256.Sum256([]byte(src.Original))
	if src.Hash != hex.EncodeToString(sum[:]) || src.Original == "" {
		t.Errorf("record %s: hash %s is not the SHA-256 of its original (%d bytes)", r.IRI, src.Hash, len(src.Original))
	}
}

func one(t *testing.T, recs []Dataset, iri string) Dataset {
	t.Helper()
	r, ok := byIRI(recs)[iri]
	if !ok {
		var iris []string
		for _, r := range recs {
			iris = append(iris, r.IRI)
		}
		t.Fatalf("no record %s among %v", iri, iris)
	}
	return r
}

func eq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

// TestRecordsNorway: DCAT-AP-NO 2.0's example, the NAV/Skatteetaten
// catalogue of 2017 (DCAT-AP-NO 1.1, dcatno: properties) and FDK's harvest
// response with LOS themes.
func TestRecordsNorway(t *testing.T) {
	t.Run("DCAT-AP-NO2.0-examples", func(t *testing.T) {
		recs, stats := mapFile(t, "no-dcat-ap-no/DCAT-AP-NO2.0-examples.ttl")
		eq(t, "records", len(recs), 1)
		r := one(t, recs, "https://examples.org/dcatno_Examples#dsBuildings")
		eq(t, "Title", r.Title, Text{"en": {"Buildings - an example dataset"}, "nb": {"Bygninger - et eksempeldatasett"}})
		eq(t, "Description", r.Description, Text{"en": {"An example dataset."}, "nb": {"Et eksempeldatasett."}})
		eq(t, "Identifiers", r.Identifiers, []string{"https://exampledatasets.org/examples/dqvExamples#"})
		eq(t, "Themes", r.Themes, []string{"http://publications.europa.eu/resource/authority/data-theme/GOVE"})
		eq(t, "EUThemes", r.EUThemes, []string{"GOVE"})
		eq(t, "Publisher", r.Publisher, &Agent{IRI: "https://organization-catalog.fellesdatakatalog.digdir.no/organizations/991825827"})
		eq(t, "ConformsTo", r.ConformsTo, []string{"https://examples.org/dcatno_Examples#qsQualitySpecification"})
		eq(t, "Profile[dct:type]", r.Profile[nsDCT+"type"], []string{"<https://data.europa.eu/euodp/en/data/dataset/dataset-type/TEST_DATA>"})
		eq(t, "Profile[dqv:hasQualityMeasurement]", len(r.Profile["https://www.w3.org/TR/vocab-dqv/#dqv:hasQualityMeasurement"]), 3)
		// The quality measurements described in the document are part of the record.
		if !strings.Contains(r.Sources[0].Original, `"Two buildings are missing in the dataset."@en`) {
			t.Errorf("Original lacks the quality measurement the record links to")
		}
		eq(t, "problems", len(stats.Problems), 0)
	})

	t.Run("nav-2017-10-31", func(t *testing.T) {
		recs, stats := mapFile(t, "no-fdk-legacy/nav-2017-10-31.ttl")
		eq(t, "records", len(recs), 42)
		r := one(t, recs, "http://brreg.no/catalogs/974761076/datasets/ea29742f-d7ab-4de0-93f2-f1be891325cb")
		eq(t, "Title", r.Title, Text{"nb": {"A-meldingen"}})
		eq(t, "Identifiers", r.Identifiers, []string{"56"})
		eq(t, "Publisher", r.Publisher, &Agent{IRI: "http://data.brreg.no/enhetsregisteret/enhet/974761076.json", Name: Text{"": {"SKATTEETATEN"}}, Identifier: "974761076"})
		eq(t, "AccessRights", r.AccessRights, "http://publications.europa.eu/resource/authority/access-right/RESTRICTED")
		eq(t, "AccessRightsEU", r.AccessRightsEU, "RESTRICTED")
		eq(t, "Frequency", r.Frequency, "http://publications.europa.eu/resource/authority/frequency/CONT")
		eq(t, "EUThemes", r.EUThemes, []string{"GOVE"})
		eq(t, "Keywords", r.Keywords, Text{"nb": {"lønn", "arbeidsforhold", "ytelser", "pensjon"}})
		eq(t, "Spatial", r.Spatial, []string{"http://sws.geonames.org/3144096/"})
		eq(t, "Languages", r.Languages, []string{"http://publications.europa.eu/resource/authority/language/NOR"})
		eq(t, "LandingPages", r.LandingPages, []string{"http://www.skatteetaten.no/no/Om-skatteetaten/Kontakt-oss/E-post/Send-ny-epost/Skatt-og-avgift/a-ordningen/"})
		eq(t, "ContactPoints", r.ContactPoints, []ContactPoint{{IRI: "http://data.brreg.no/datakatalog/kontaktpunkt/a-11", Name: Text{"": {"Skatteetaten, EFF"}}}})
		// dcatno: properties have no field: they are kept in the profile.
		eq(t, "Profile[dcatno:legalBasisForAccess]", r.Profile["http://difi.no/dcatno#legalBasisForAccess"], []string{
			`[ <http://purl.org/dc/terms/source> "https://lovdata.no/lov/2012-06-22-43/§8" ; <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://purl.org/dc/terms/RightsStatement> ; <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/2004/02/skos/core#Concept> ; <http://www.w3.org/2004/02/skos/core#prefLabel> "Tilgang til opplysningene"@nb ]`})
		eq(t, "Profile[dcatno:objective]", r.Profile["http://difi.no/dcatno#objective"], []string{`"Å legge til rette for at arbeidsgivere mv. effektivt kan oppfylle sine plikter til å gi opplysninger om enkeltpersoners (inntektsmottakeres) inntekts- og arbeidsforhold og skattetrekkopplysninger, og å gi offentlige etater tilgang til opplysningene innrapportert fra arbeidsgiver."@nb`})

		r = one(t, recs, "http://brreg.no/catalogs/974761076/datasets/f553d731-076d-4562-b193-b574a4edf739")
		eq(t, "ContactPoints", r.ContactPoints, []ContactPoint{{IRI: "http://data.brreg.no/datakatalog/kontaktpunkt/a-12",
			Name: Text{"": {"Skatteetaten - Regionavdelingen - Innsats", "Skatteetaten"}}, Email: "brukerstotte.datasamarbeid@skatteetaten.no"}})
		eq(t, "AccessRightsEU", r.AccessRightsEU, "PUBLIC")

		r = one(t, recs, "http://brreg.no/catalogs/974761076/datasets/5bbe446a-1141-4e75-ae9a-2962a8c1c053")
		eq(t, "Distributions", r.Distributions, []Distribution{{
			IRI:         "http://data.brreg.no/datakatalog/distribusjon/25",
			Description: Text{"nb": {"Oppgaveinnlevering Skatteetaten"}},
			AccessURLs:  []string{"https://api.skatteetaten.no"},
			Format:      "application/xml, application/json", // two formats in one: not normalised
			Profile:     map[string][]string{nsDCT + "type": {`"API"`}},
		}})
		for _, p := range stats.Problems {
			t.Errorf("problem: %+v", p)
		}
	})

	t.Run("harvest_response_3 LOS themes", func(t *testing.T) {
		recs, _ := mapFile(t, "no-fdk-dataset-harvester/harvest_response_3.ttl")
		r := one(t, recs, "http://brreg.no/catalogs/910258028/datasets/993649c4-fd9d-4f49-906a-7ed0ab23cb70")
		eq(t, "Themes", r.Themes, []string{"https://psi.norge.no/los/tema/skatt-og-avgift"})
		eq(t, "EUThemes", r.EUThemes, []string{"ECON"})
		eq(t, "Languages", len(r.Languages), 3)
		eq(t, "Subjects", r.Subjects, []string{"https://fellesdatakatalog.brreg.no/api/concepts/893bdea3-609a-4fff-b24a-c66bc99c28ad"})
		r = one(t, recs, "http://brreg.no/catalogs/910258028/datasets/efceee29-c7c9-4a2b-8bac-5994ff9db837")
		// LOS beside EU themes: the LOS word (ord/vegnett) has no EU theme.
		eq(t, "Themes", r.Themes, []string{"https://psi.norge.no/los/tema/trafikk-og-transport", "https://psi.norge.no/los/ord/vegnett"})
		eq(t, "EUThemes", r.EUThemes, []string{"TRAN"})
		var services []string
		for _, d := range r.Distributions {
			services = append(services, d.AccessServices...)
		}
		slices.Sort(services)
		eq(t, "AccessServices (dcatapi:accessService)", services, []string{
			"http://example.com/68873e71-a123-4ce1-a4bb-c033a9aa074f",
			"http://example.com/7f6c0278-a1cb-4f19-85b3-9fdfc63d7e5b",
			"http://example.com/d1680560-9aa8-4409-a10e-b43309663ff9",
			"http://example.com/e497e71f-c4b4-4c23-b010-9609da299a69",
		})
	})

	t.Run("entryscape", func(t *testing.T) {
		recs, _ := mapFile(t, "no-fdk-legacy/entryscape.jsonld")
		eq(t, "records", len(recs), 9)
		r := one(t, recs, "https://difi.entryscape.net/store/6/resource/11")
		eq(t, "Title", r.Title, Text{"": {"Revidert statsbudsjett 2015 - Kapittel 3 - Den økonomiske politikken"}})
		eq(t, "Publisher", r.Publisher, &Agent{IRI: "https://difi.entryscape.net/store/6/resource/1", Name: Text{"": {"Difi"}}, Type: "http://purl.org/adms/publishertype/NationalAuthority"})
		// schema:startDate / endDate of the older profiles.
		eq(t, "Temporal", r.Temporal, []PeriodOfTime{{Start: "2015-12-01", End: "2016-03-02"}})
		// The older .../dataset-access/ vocabulary.
		eq(t, "AccessRightsEU", r.AccessRightsEU, "PUBLIC")
		eq(t, "EUThemes", r.EUThemes, []string{"ECON"})
		eq(t, "Version (owl:versionInfo)", r.Version, "1")
		r = one(t, recs, "https://difi.entryscape.net/store/6/resource/12")
		eq(t, "Issued", r.Issued, "2016-01-06")
		eq(t, "Modified", r.Modified, "2016-01-13")
		eq(t, "distributions", len(r.Distributions), 3)
		d := r.Distributions[0]
		eq(t, "Distribution.IRI", d.IRI, "https://difi.entryscape.net/store/6/resource/15")
		eq(t, "Distribution.AccessURLs", d.AccessURLs, []string{"https://data.mattilsynet.no/vannverk/vanntransportsystem_innrapportering.csv"})
	})
}

// TestRecordsSweden: DCAT-AP-SE's recommended example, field by field; its
// Turtle and RDF/XML forms give equal records, hashes included.
func TestRecordsSweden(t *testing.T) {
	ttl, _ := mapFile(t, "se-dcat-ap-se/exempel_rekommenderat.ttl")
	xml, _ := mapFile(t, "se-dcat-ap-se/exempel_rekommenderat.rdf")
	eq(t, "records", len(ttl), 2)
	if !reflect.DeepEqual(ttl, xml) {
		t.Errorf("Turtle and RDF/XML give different records:\n%+v\n%+v", ttl, xml)
	}
	r := one(t, ttl, "https://example.com/dataset1")
	eq(t, "Kind", r.Kind, KindDataset)
	eq(t, "Title", r.Title, Text{"sv": {"Bibliotek i Sverige"}, "en": {"Libraries in Sweden"}})
	eq(t, "Keywords", r.Keywords, Text{"sv": {"bibliotek"}, "en": {"library"}})
	eq(t, "EUThemes", r.EUThemes, []string{"EDUC"})
	eq(t, "Publisher", r.Publisher, &Agent{IRI: "https://example.com/publisher1", Name: Text{"": {"Exempel organisation"}}, Type: "http://purl.org/adms/publishertype/NonProfitOrganisation"})
	eq(t, "ContactPoints", r.ContactPoints, []ContactPoint{{IRI: "https://example.com/contactpoint1", Name: Text{"": {"Öppna data gruppen på exempel organisationen"}}, Email: "oppnadata@exemple.com", Phone: "+46012345678"}})
	eq(t, "Temporal", r.Temporal, []PeriodOfTime{{Start: "2010-01-01", End: "2012-01-01"}})
	eq(t, "AccessRightsEU", r.AccessRightsEU, "PUBLIC")
	eq(t, "Spatial", r.Spatial, []string{"http://sws.geonames.org/2661886"})
	eq(t, "Issued", r.Issued, "2020-01-01")
	eq(t, "distributions", len(r.Distributions), 2)
	d := r.Distributions[0]
	eq(t, "Format", [3]string{d.Format, d.FormatEU, d.MediaType}, [3]string{"text/csv", "CSV", "text/csv"})
	eq(t, "License", [2]string{d.License, d.LicenseEU}, [2]string{"http://creativecommons.org/publicdomain/zero/1.0/", "CC0"})
	eq(t, "Availability", d.Availability, "http://data.europa.eu/r5r/availability/experimental")
	d = r.Distributions[1]
	eq(t, "Format", [3]string{d.Format, d.FormatEU, d.MediaType}, [3]string{"application/json", "JSON", "application/json"})
	eq(t, "AccessServices", d.AccessServices, []string{"https://example.com/dataservice1"})

	s := one(t, ttl, "https://example.com/dataservice1")
	eq(t, "Kind", s.Kind, KindDataService)
	eq(t, "EndpointURLs", s.EndpointURLs, []string{"http://example.com/api"})
	eq(t, "EndpointDescriptions", s.EndpointDescriptions, []string{"http://example.com/apidescription"})
	eq(t, "License", s.License, "http://creativecommons.org/publicdomain/zero/1.0/")
}

// TestRecordsDenmark: DCAT-AP-DK's extended example (dcat-dk: properties, a
// rights statement node, the dct:theme slip), and the basic example in Turtle
// and RDF/XML.
func TestRecordsDenmark(t *testing.T) {
	recs, _ := mapFile(t, "dk-dcat-ap-dk/extended-example1.ttl")
	eq(t, "records", len(recs), 1)
	r := one(t, recs, "https://dcat.example.org/dataset-001")
	eq(t, "Title", r.Title, Text{"da": {"Datasæt 001"}})
	eq(t, "Themes", r.Themes, []string{"http://publications.europa.eu/resource/dataset/data-theme/GOVE"})
	eq(t, "EUThemes", r.EUThemes, []string{"GOVE"})
	eq(t, "Publisher", r.Publisher, &Agent{IRI: "https://dcat.example.org/agent-001", Name: Text{"da": {"Organisation 001"}}})
	eq(t, "Creators", r.Creators, []Agent{{IRI: "https://dcat.example.org/agent-001", Name: Text{"da": {"Organisation 001"}}}})
	eq(t, "ContactPoints", r.ContactPoints, []ContactPoint{{Name: Text{"": {"Kontaktpunktnavn"}}, Email: "kontakt@digst.dk"}})
	eq(t, "AccessRights", [2]string{r.AccessRights, r.AccessRightsEU}, [2]string{"http://publications.europa.eu/resource/authority/access-right/PUBLIC", "PUBLIC"})
	eq(t, "Pages", r.Pages, []string{"http://example.org/page1", "http://example.org/page2"})
	eq(t, "Profile[dcatdk:datasetresponsibleorganisation]", r.Profile["https://data.gov.dk/model/core/dcat-dk#datasetresponsibleorganisation"], []string{"<https://dcat.example.org/agent-001>"})
	eq(t, "Profile[dct:contributor]", r.Profile[nsDCT+"contributor"], []string{"<https://dcat.example.org/agent-002>"})
	d := r.Distributions[0]
	eq(t, "Distribution", [7]string{d.IRI, d.Format, d.FormatEU, d.MediaType, d.LicenseEU, d.ByteSize, d.DownloadURLs[0]},
		[7]string{"https://dcat.example.org/dataset-001-csv", "http://publications.europa.eu/resource/authority/file-type/csv", "CSV", "text/csv", "CC0", "5120", "http://www.example.org/files/001.csv"})
	eq(t, "Distribution[1].FormatEU", r.Distributions[1].FormatEU, "XML")

	ttl, _ := mapFile(t, "dk-dcat-ap-dk/basic-example1.ttl")
	xml, _ := mapFile(t, "dk-dcat-ap-dk/basic-example1.rdf")
	eq(t, "records", [2]int{len(ttl), len(xml)}, [2]int{1, 1})
	b := ttl[0]
	eq(t, "Title", b.Title, Text{"en": {"Dataset 001"}, "da": {"Datasæt 001"}})
	eq(t, "Publisher", b.Publisher, &Agent{IRI: "https://dcat.example.org/agent-001", Name: Text{"da": {"Organisation 001"}, "en": {"Organization 001"}}})
	eq(t, "Languages", b.Languages, []string{"http://publications.europa.eu/resource/dataset/language/DAN"})
	// The RDF/XML form writes byte sizes as "5120.0": the same record, but
	// not the same words, so the originals (and hashes) differ.
	if ttl[0].Sources[0].Hash == xml[0].Sources[0].Hash {
		t.Errorf("basic-example1: .ttl and .rdf hashes equal, but their byte size literals differ")
	}
	ttl[0].Sources, xml[0].Sources = nil, nil
	if !reflect.DeepEqual(ttl, xml) {
		t.Errorf("basic-example1: Turtle and RDF/XML give different records:\n%+v\n%+v", ttl[0], xml[0])
	}
}

// TestRecordsHVD: the DCAT-AP HVD examples: HVD category, applicable
// legislation, data services serving datasets, identifiers.
func TestRecordsHVD(t *testing.T) {
	recs, _ := mapFile(t, "eu-semic-dcat-ap/hvd-examples-3.0.0/example-data_service_terms_sla.ttl")
	eq(t, "records", len(recs), 3)
	s := one(t, recs, "https://data.exampleMS.gov/id/dataset/EAMS-APIplatform")
	eq(t, "Kind", s.Kind, KindDataService)
	eq(t, "HVDCategory", s.HVDCategory, []string{"http://data.europa.eu/bna/c_b7f6a4f3"})
	eq(t, "ApplicableLegislation", s.ApplicableLegislation, []string{"http://data.europa.eu/eli/reg_impl/2023/138/oj"})
	eq(t, "EndpointURLs", s.EndpointURLs, []string{"https://orgea.exampleMS.gov/api/v2/"})
	eq(t, "EndpointDescriptions", s.EndpointDescriptions, []string{"https://orgea.exampleMS.gov/api/openAPI/index.html"})
	eq(t, "ServesDatasets", s.ServesDatasets, []string{"https://data.exampleMS.gov/id/dataset/1T2p3o4B", "https://data.exampleMS.gov/id/dataset/1W2o3p4T"})
	eq(t, "License", s.License, "https://orgea.exampleMS.gov/api/documentation/TermsOfUse")
	eq(t, "Pages", s.Pages, []string{"https://orgea.exampleMS.gov/api/sla.html"})
	// A service's description does not hold the datasets it serves.
	if strings.Contains(s.Sources[0].Original, "The population of bees") {
		t.Errorf("the service's original holds a dataset it serves")
	}
	b := one(t, recs, "https://data.exampleMS.gov/id/dataset/1T2p3o4B")
	eq(t, "ApplicableLegislation", b.ApplicableLegislation, []string{"http://data.europa.eu/eli/reg_impl/2023/138/oj", "http://data.europa.eu/eli/dir/2007/2/2019-06-26"})
	eq(t, "Distributions", len(b.Distributions), 2)
	eq(t, "Distribution legislation", b.Distributions[1].ApplicableLegislation, []string{"http://data.europa.eu/eli/reg_impl/2023/138/oj"})
	eq(t, "Distribution licence", [2]string{b.Distributions[1].License, b.Distributions[1].LicenseEU}, [2]string{"https://data.exampleMS.gov/resource/FreeAndOpen", ""})

	recs, _ = mapFile(t, "eu-semic-dcat-ap/hvd-examples-3.0.0/example-ms_dataset_hvd_profile.jsonld")
	r := one(t, recs, "https://data.exampleMS.gov/id/dataset/1T2p3o4B")
	eq(t, "Identifiers", r.Identifiers, []string{"https://data.exampleMS.gov/id/dataset/1T2p3o4B", "https://dataportal.exampleMS.gov/dataset/Thepopulationofbees"})
	eq(t, "Frequency", r.Frequency, "http://publications.europa.eu/resource/authority/frequency/BIENNIAL")
	eq(t, "ConformsTo", r.ConformsTo, []string{"https://orgea.exampleMS.gov/applicationprofile/populationOfInsects"})
	formats := map[string]string{}
	for _, d := range r.Distributions {
		formats[d.IRI] = d.FormatEU
	}
	eq(t, "FormatEU", formats["https://data.exampleMS.gov/id/dataset/1T2p3o4B-dist-RDF"], "RDF_TURTLE")

	recs, _ = mapFile(t, "eu-semic-dcat-ap/hvd-examples-3.0.0/example-data_service_service_desk.ttl")
	s = one(t, recs, "https://data.exampleMS.gov/id/dataset/EAMS-APIplatform")
	eq(t, "ContactPoints", s.ContactPoints, []ContactPoint{{URL: "https://eams.jira.net/servicedesk"}})
}

// TestRecordsSeries: a dataset series and the datasets in it are separate
// records; the series links to its members, they to it.
func TestRecordsSeries(t *testing.T) {
	recs, _ := mapFile(t, "no-dcat-ap-no/dataset-series-example.ttl")
	eq(t, "records", len(recs), 4)
	s := one(t, recs, "http://example.org/budget")
	eq(t, "Kind", s.Kind, KindDatasetSeries)
	eq(t, "Identifiers", s.Identifiers, []string{"budget"})
	eq(t, "Related[dcat:first]", s.Related[nsDCAT+"first"], []string{"http://example.org/budget-2018"})
	eq(t, "Related[dcat:last]", s.Related[nsDCAT+"last"], []string{"http://example.org/budget-2020"})
	eq(t, "EUThemes", s.EUThemes, []string{"ECON"})
	if strings.Contains(s.Sources[0].Original, "Budget data for year") {
		t.Errorf("the series' original holds its members")
	}
	d := one(t, recs, "http://example.org/budget-2019")
	eq(t, "Kind", d.Kind, KindDataset)
	eq(t, "InSeries", d.InSeries, []string{"http://example.org/budget"})
	eq(t, "Related[dcat:prev]", d.Related[nsDCAT+"prev"], []string{"http://example.org/budget-2018"})
	eq(t, "Issued", d.Issued, "2020-01-01")
	eq(t, "Title", d.Title, Text{"en": {"Budget data for year 2019"}})
}

// TestRecordsMultilingual: every language of every text is kept.
func TestRecordsMultilingual(t *testing.T) {
	recs, _ := mapFile(t, "ckanext-dcat-examples/dataset_multilingual.ttl")
	r := one(t, recs, "https://example.org/dataset/0112cf32-bce0-4071-9504-923375f9f2ad")
	eq(t, "Title", r.Title, Text{"ca": {"Conjunt de dades de prova DCAT"}, "en": {"Test DCAT dataset"}, "es": {"Conjunto de datos de prueba DCAT"}})
	eq(t, "Description", r.Description.Languages(), []string{"ca", "en", "es"})
	eq(t, "Keywords", r.Keywords, Text{"ca": {"Pins", "Roures"}, "en": {"Oaks", "Pines"}, "es": {"Pinos", "Robles"}})
	eq(t, "Version", r.Version, "1.0b")
	eq(t, "Languages", r.Languages, []string{"ca", "en", "es"})
	eq(t, "contact names", [2]Text{r.ContactPoints[0].Name, r.ContactPoints[1].Name}, [2]Text{
		{"en": {"Contact 2"}, "ca": {"Contacte 2"}, "es": {"Contacto 2"}},
		{"en": {"Contact 1"}, "ca": {"Contacte 1"}, "es": {"Contacto 1"}}})
	emails := []string{r.ContactPoints[0].Email, r.ContactPoints[1].Email}
	slices.Sort(emails)
	eq(t, "emails", emails, []string{"contact1@example.org", "contact2@example.org"})
	eq(t, "Profile[adms:versionNotes]", r.Profile[nsADMS+"versionNotes"], []string{`"Notes sobre la versió"@ca`, `"Some version notes"@en`, `"Notas sobre la versión"@es`})
	eq(t, "Profile[dct:provenance]", r.Profile[nsDCT+"provenance"], []string{`[ <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://purl.org/dc/terms/ProvenanceStatement> ; <http://www.w3.org/2000/01/rdf-schema#label> "Statement about provenance"@en ; <http://www.w3.org/2000/01/rdf-schema#label> "Una declaració sobre la procedència"@ca ; <http://www.w3.org/2000/01/rdf-schema#label> "Una declaración sobre la procedencia"@es ]`})
	d := r.Distributions[0]
	eq(t, "Distribution.Title", d.Title, Text{"ca": {"Recurs 1"}, "en": {"Resource 1"}, "es": {"Recurso 1"}})
	eq(t, "Distribution.Rights", d.Rights, "Una nota sobre drets")
	eq(t, "Distribution format", [3]string{d.Format, d.FormatEU, d.MediaType}, [3]string{"CSV", "CSV", "text/csv"})
	eq(t, "Distribution.Issued", d.Issued, "2024-05-01T01:20:33")
	eq(t, "Distribution.Languages", d.Languages, []string{"ca", "en", "es"})
}

// TestRecordsFinland: Finland publishes its DCAT-AP profiles as SHACL only;
// this record uses what they add beside DCAT-AP 3 (checksums, time:Instant
// periods, ODRL policies, status, availability) in Finnish, Swedish and English.
func TestRecordsFinland(t *testing.T) {
	const doc = `
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix spdx: <http://spdx.org/rdf/terms#> . @prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix odrl: <http://www.w3.org/ns/odrl/2/> .
@prefix adms: <http://www.w3.org/ns/adms#> . @prefix dcatap: <http://data.europa.eu/r5r/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix rd: <http://suojattudata.suomi.fi/ns#> .
<https://avoindata.fi/data/fi/dataset/vaesto> a dcat:Dataset ;
  dct:title "Väestö"@fi, "Befolkning"@sv, "Population"@en ;
  dct:accessRights "rajoitettu"@fi ;
  dct:publisher [ a foaf:Organization ; foaf:name "Tilastokeskus"@fi, "Statistikcentralen"@sv ; dct:identifier "0245208-8" ] ;
  dcat:contactPoint [ vcard:fn "Asiakaspalvelu"@fi ; vcard:hasEmail "info@stat.fi" ; vcard:hasTelephone [ vcard:hasValue <tel:+358295151515> ] ] ;
  dct:temporal [ a dct:PeriodOfTime ; time:hasBeginning [ time:inXSDDate "2020-01-01"^^xsd:date ] ; time:hasEnd [ time:inXSDDate "2020-12-31"^^xsd:date ] ] ;
  odrl:hasPolicy <https://avoindata.fi/policy/1> ;
  rd:accessRequestURL <https://avoindata.fi/request> ;
  dcat:distribution [ a dcat:Distribution ; dcat:accessURL <https://avoindata.fi/data/vaesto.csv> ;
    dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> ;
    dcat:mediaType <https://www.iana.org/assignments/media-types/text/csv> ;
    dct:license <https://creativecommons.org/licenses/by/4.0/deed.fi> ;
    dcat:byteSize "2048"^^xsd:nonNegativeInteger ;
    spdx:checksum [ a spdx:Checksum ; spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue "ab12"^^xsd:hexBinary ] ;
    adms:status <http://purl.org/adms/status/Completed> ;
    dcatap:availability <http://data.europa.eu/r5r/availability/stable> ;
    dct:language <http://publications.europa.eu/resource/authority/language/FIN> ;
    odrl:hasPolicy <https://avoindata.fi/policy/2> ;
    dcat:compressFormat <http://www.iana.org/assignments/media-types/application/gzip> ] .`
	recs, stats := mapString(t, doc)
	eq(t, "records", len(recs), 1)
	r := recs[0]
	eq(t, "Title", r.Title, Text{"fi": {"Väestö"}, "sv": {"Befolkning"}, "en": {"Population"}})
	eq(t, "AccessRights", [2]string{r.AccessRights, r.AccessRightsEU}, [2]string{"rajoitettu", "RESTRICTED"})
	eq(t, "Publisher", r.Publisher, &Agent{Name: Text{"fi": {"Tilastokeskus"}, "sv": {"Statistikcentralen"}}, Identifier: "0245208-8"})
	eq(t, "ContactPoints", r.ContactPoints, []ContactPoint{{Name: Text{"fi": {"Asiakaspalvelu"}}, Email: "info@stat.fi", Phone: "+358295151515"}})
	eq(t, "Temporal", r.Temporal, []PeriodOfTime{{Start: "2020-01-01", End: "2020-12-31"}})
	eq(t, "Policies", r.Policies, []string{"https://avoindata.fi/policy/1"})
	eq(t, "Profile", r.Profile, map[string][]string{"http://suojattudata.suomi.fi/ns#accessRequestURL": {"<https://avoindata.fi/request>"}})
	eq(t, "Distributions", r.Distributions, []Distribution{{
		AccessURLs: []string{"https://avoindata.fi/data/vaesto.csv"},
		Format:     "http://publications.europa.eu/resource/authority/file-type/CSV", FormatEU: "CSV", MediaType: "text/csv",
		MediaTypeGiven: "https://www.iana.org/assignments/media-types/text/csv",
		License:        "https://creativecommons.org/licenses/by/4.0/deed.fi", LicenseEU: "CC_BY_4_0",
		Languages: []string{"http://publications.europa.eu/resource/authority/language/FIN"},
		Policies:  []string{"https://avoindata.fi/policy/2"},
		ByteSize:  "2048", Checksum: "sha256:ab12",
		Status: "http://purl.org/adms/status/Completed", Availability: "http://data.europa.eu/r5r/availability/stable",
		Profile: map[string][]string{nsDCAT + "compressFormat": {"<http://www.iana.org/assignments/media-types/application/gzip>"}},
	}})
	eq(t, "problems", len(stats.Problems), 0)
}

// mapString maps a Turtle document.
func mapString(t testing.TB, doc string) ([]Dataset, MapStats) {
	t.Helper()
	d := NewDocument()
	if err := rdf.Decode(strings.NewReader(doc), rdf.Turtle, rdf.Options{Base: "http://base.example/"}, d.Add); err != nil {
		t.Fatalf("decode: %v", err)
	}
	var recs []Dataset
	stats, err := d.Records(MapOptions{Source: "test", Country: "FI", SkolemBase: "https://gw.example/genid/"}, func(ds Dataset) error {
		recs = append(recs, ds)
		return nil
	})
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	return recs, stats
}

// TestRecordsProblems: what an operator needs to know about a record is a
// warning; an unknown licence is not.
func TestRecordsProblems(t *testing.T) {
	const doc = `
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
<http://ex/untitled> a dcat:Dataset ;
  dct:issued "last spring" ;
  dcat:distribution [ a dcat:Distribution ; dct:license <http://ex/our-own-licence> ] .
<http://ex/ok> a dcat:Dataset ; dct:title "Fine" ; dct:modified "2024-02-30x" .`
	recs, stats := mapString(t, doc)
	eq(t, "records", len(recs), 2)
	var got []string
	for _, p := range stats.Problems {
		got = append(got, p.Severity+" "+p.Record+": "+p.Message)
	}
	eq(t, "problems", got, []string{
		`warning http://ex/ok: dct:modified "2024-02-30x" is not a date`,
		`warning http://ex/untitled: dct:issued "last spring" is not a date`,
		`warning http://ex/untitled: a distribution given as a blank node has no dcat:accessURL`,
		`warning http://ex/untitled: Dataset has no dct:title`,
	})
}

// TestRecordsBounded: problems are bounded, the rest counted.
func TestRecordsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("@prefix dcat: <http://www.w3.org/ns/dcat#> .\n")
	for i := 0; i < MaxProblems+5; i++ {
		b.WriteString("<http://ex/" + strconv.Itoa(i) + "> a dcat:Dataset .\n")
	}
	recs, stats := mapString(t, b.String())
	eq(t, "records", len(recs), MaxProblems+5)
	eq(t, "problems kept, more", [2]int{len(stats.Problems), stats.MoreProblems}, [2]int{MaxProblems, 5})
}

// TestRecordsStop: an error of fn stops Records and is returned.
func TestRecordsStop(t *testing.T) {
	doc := decodeFile(t, "no-fdk-legacy/nav-2017-10-31.ttl")
	stop := errors.New("enough")
	n := 0
	stats, err := doc.Records(MapOptions{Source: "s"}, func(Dataset) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 || stats.Records != 3 {
		t.Fatalf("Records = %d calls, %+v, %v; want 3 calls and %v", n, stats.Records, err, stop)
	}
}

// TestRecordsSubclass: a class the document declares a subclass of
// dcat:Dataset types records too.
func TestRecordsSubclass(t *testing.T) {
	const doc = `
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix ex: <http://ex/> .
ex:Register rdfs:subClassOf ex:Collection . ex:Collection rdfs:subClassOf dcat:Dataset .
ex:Api rdfs:subClassOf dcat:DataService .
ex:r1 a ex:Register ; dct:title "R1" . ex:a1 a ex:Api ; dct:title "A1" . ex:other a ex:Thing ; dct:title "no" .`
	recs, _ := mapString(t, doc)
	var got []string
	for _, r := range recs {
		got = append(got, r.IRI+" "+r.Kind)
	}
	eq(t, "records", got, []string{"http://ex/a1 DataService", "http://ex/r1 Dataset"})
}
