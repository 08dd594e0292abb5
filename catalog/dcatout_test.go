package catalog

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"samband/catalog/rdf"
)

// describeAll writes records as one document of the given syntax.
func describeAll(t *testing.T, recs []Dataset, syn rdf.Syntax) []byte {
	t.Helper()
	var buf bytes.Buffer
	var enc interface {
		Encode(rdf.Triple) error
		Close() error
	}
	switch syn {
	case rdf.Turtle:
		enc = rdf.NewTurtleEncoder(&buf, Prefixes())
	case rdf.NTriples:
		enc = rdf.NewNTriplesEncoder(&buf)
	case rdf.RDFXML:
		enc = rdf.NewXMLEncoder(&buf, Prefixes())
	case rdf.JSONLD:
		enc = rdf.NewJSONLDEncoder(&buf, Prefixes())
	}
	for _, r := range recs {
		if err := r.Triples(enc.Encode); err != nil {
			t.Fatalf("Triples(%s) = %v", r.IRI, err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// remap reads a described document back into records.
func remap(t *testing.T, data []byte, syn rdf.Syntax) []Dataset {
	t.Helper()
	doc := NewDocument()
	if err := rdf.Decode(bytes.NewReader(data), syn, rdf.Options{Base: "http://feed.invalid/"}, doc.Add); err != nil {
		t.Fatalf("decode the %s description: %v\n%s", syn, err, clip(string(data)))
	}
	var out []Dataset
	if _, err := doc.Records(MapOptions{Source: "test", Country: "NO", SkolemBase: "https://gw.example/.well-known/genid/"}, func(ds Dataset) error {
		out = append(out, ds)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func clip(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "…"
	}
	return s
}

// roundTripFiles are real catalogues of four profiles: DCAT-AP-NO 1.1
// (NAV), DCAT-AP-SE's recommended example, DCAT-AP-DK's extended example,
// and SEMIC's HVD examples with data services, and a dataset series.
var roundTripFiles = []string{
	"no-fdk-legacy/nav-2017-10-31.ttl",
	"se-dcat-ap-se/exempel_rekommenderat.ttl",
	"dk-dcat-ap-dk/extended-example1.ttl",
	"eu-semic-dcat-ap/hvd-examples-3.0.0/example-ms_dataset_data_service.ttl",
	"eu-semic-dcat-ap/hvd-examples-3.0.0/example-data_service_terms_sla.ttl",
	"eu-semic-dcat-ap/examples-3.0.1/example-bee-population-dataset-series-combined.jsonld",
	"no-fdk-legacy/brreg.rdf",
}

// TestDescribeRoundTrip maps real catalogues, describes every record with
// Triples, and maps the description again: every record must come back
// equal field by field, but for Sources (provenance, which Triples does not
// write; CatalogRecord does).
func TestDescribeRoundTrip(t *testing.T) {
	for _, file := range roundTripFiles {
		for _, syn := range []rdf.Syntax{rdf.Turtle, rdf.NTriples, rdf.RDFXML, rdf.JSONLD} {
			t.Run(file+"/"+syn.String(), func(t *testing.T) {
				want, _ := mapFile(t, file)
				if len(want) == 0 {
					t.Fatalf("%s has no records", file)
				}
				data := describeAll(t, want, syn)
				got := byIRI(remap(t, data, syn))
				if len(got) != len(want) {
					t.Errorf("%d records back, want %d", len(got), len(want))
				}
				for _, w := range want {
					g, ok := got[w.IRI]
					if !ok {
						t.Errorf("record %s did not come back", w.IRI)
						continue
					}
					g.Sources, w.Sources = nil, nil
					if !reflect.DeepEqual(g, w) {
						gj, _ := json.MarshalIndent(g, "", " ")
						wj, _ := json.MarshalIndent(w, "", " ")
						t.Errorf("record %s came back different:\n%s", w.IRI, diffLines(string(gj), string(wj)))
					}
				}
			})
		}
	}
}

// diffLines shows the lines of got and want that differ (a crude diff).
func diffLines(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	var b strings.Builder
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			b.WriteString("got:  " + gl + "\nwant: " + wl + "\n")
		}
	}
	return b.String()
}

// TestDescribeFields describes a record that uses every field, including
// values a source gives in unusual forms, and maps it back.
func TestDescribeFields(t *testing.T) {
	rec := Dataset{
		IRI: "https://example.org/ds/1", Kind: KindDataset,
		Identifiers: []string{"ds-1", "https://example.org/id/1"},
		Title:       Text{"nb": {"Tittel"}, "en": {"Title"}, "": {"Untagged"}},
		Description: Text{"nb": {"Beskrivelse med \"sitat\"\nog linjeskift"}},
		Keywords:    Text{"nb": {"a", "b"}},
		Themes:      []string{"http://publications.europa.eu/resource/authority/data-theme/ECON"},
		EUThemes:    []string{"ECON"},
		Subjects:    []string{"https://example.org/subject/1"},
		HVDCategory: []string{"http://data.europa.eu/bna/c_dd313021"},
		Publisher:   &Agent{Name: Text{"": {"An office by name only"}}},
		Creators:    []Agent{{IRI: "https://example.org/org/2", Name: Text{"en": {"Creator"}}, Type: "http://purl.org/adms/publishertype/NationalAuthority", Identifier: "974760673"}},
		ContactPoints: []ContactPoint{
			{Name: Text{"nb": {"Kontakt"}}, Email: "post@example.org", URL: "https://example.org/contact", Phone: "+47 21 07 00 00"},
			{IRI: "https://example.org/cp/1", Email: "not an email address"},
		},
		Distributions: []Distribution{
			{IRI: "https://example.org/dist/1", Title: Text{"en": {"CSV"}}, AccessURLs: []string{"https://example.org/a"},
				DownloadURLs: []string{"https://example.org/a.csv"}, Format: "http://publications.europa.eu/resource/authority/file-type/CSV",
				FormatEU: "CSV", MediaType: "text/csv", License: "http://creativecommons.org/licenses/by/4.0/", LicenseEU: "CC_BY_4_0",
				AccessRights: "Offentlig", Rights: "Free to use", AccessServices: []string{"https://example.org/api"},
				ConformsTo: []string{"https://example.org/schema"}, Languages: []string{"http://publications.europa.eu/resource/authority/language/NOB"},
				Policies: []string{"https://example.org/policy"}, ApplicableLegislation: []string{"http://data.europa.eu/eli/reg_impl/2023/138/oj"},
				ByteSize: "5120", Checksum: "sha256:ab12", Status: "http://purl.org/adms/status/Completed",
				Availability: "http://data.europa.eu/r5r/availability/stable", Issued: "2020-01-01", Modified: "2021-02-03T04:05:06Z",
				Profile: map[string][]string{"http://example.org/ns#note": {`"note"@en`, `"3"^^<http://www.w3.org/2001/XMLSchema#integer>`}}},
			{AccessURLs: []string{"https://example.org/b"}, Format: "weird format", MediaType: "text/x-unknown", MediaTypeGiven: "text/x-unknown", ByteSize: "about 5 MB"},
		},
		Issued: "2019", Modified: "2021-02", Frequency: "http://publications.europa.eu/resource/authority/frequency/DAILY", Version: "1.0",
		Languages:    []string{"http://publications.europa.eu/resource/authority/language/NOB"},
		Spatial:      []string{"http://publications.europa.eu/resource/authority/country/NOR", "Oslo kommune"},
		Temporal:     []PeriodOfTime{{Start: "2020-01-01", End: "2020-12-31T23:59:59Z"}, {Start: "2021"}},
		InSeries:     []string{"https://example.org/series/1"},
		Related:      map[string][]string{nsDCT + "source": {"https://example.org/orig"}, nsPROV + "qualifiedAttribution": {"[ <http://www.w3.org/ns/dcat#hadRole> <http://example.org/role> ; <http://www.w3.org/ns/prov#agent> <http://example.org/ag> ]"}},
		AccessRights: "http://publications.europa.eu/resource/authority/access-right/PUBLIC", AccessRightsEU: "PUBLIC",
		ConformsTo:            []string{"https://example.org/standard"},
		ApplicableLegislation: []string{"http://data.europa.eu/eli/reg_impl/2023/138/oj"},
		Policies:              []string{"https://example.org/policy/1"},
		LandingPages:          []string{"https://example.org/page"},
		Pages:                 []string{"https://example.org/doc"},
		Profile: map[string][]string{
			"https://data.norge.no/vocabulary/dcatno#accessRightsComment": {"<https://example.org/comment>"},
			nsDCT + "rightsHolder": {"[ <http://xmlns.com/foaf/0.1/name> \"Holder\"@nb ]"},
			nsRDF + "type":         {"<http://example.org/ns#Special>"},
		},
	}
	series := Dataset{IRI: "https://example.org/series/1", Kind: KindDatasetSeries, Title: Text{"en": {"Series"}}}
	svc := Dataset{IRI: "https://example.org/api", Kind: KindDataService, Title: Text{"en": {"API"}},
		EndpointURLs: []string{"https://example.org/api/v1"}, EndpointDescriptions: []string{"https://example.org/api/openapi.json"},
		ServesDatasets: []string{"https://example.org/ds/1"}, License: "Some licence text"}
	for _, r := range []*Dataset{&rec, &series, &svc} {
		r.ID = IDFor(r.IRI)
	}
	for _, syn := range []rdf.Syntax{rdf.Turtle, rdf.JSONLD} {
		got := byIRI(remap(t, describeAll(t, []Dataset{rec, series, svc}, syn), syn))
		for _, want := range []Dataset{rec, series, svc} {
			if g := got[want.IRI]; !reflect.DeepEqual(withoutSources(g), want) {
				gj, _ := json.MarshalIndent(withoutSources(g), "", " ")
				wj, _ := json.MarshalIndent(want, "", " ")
				t.Errorf("%s: %s came back different:\n%s", syn, want.IRI, diffLines(string(gj), string(wj)))
			}
		}
	}
}

func withoutSources(d Dataset) Dataset {
	d.Sources = nil
	return d
}

// TestCatalogRecord checks the provenance: one catalogue record for the
// gateway and one per source.
func TestCatalogRecord(t *testing.T) {
	first := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	later := first.Add(48 * time.Hour)
	gone := later.Add(time.Hour)
	d := Dataset{IRI: "https://example.org/ds/1", Sources: []SourceRecord{
		{Source: "eu-aggregator", FirstSeen: later, LastChanged: later, Hash: "bb"},
		{Source: "no nav", Country: "NO", FirstSeen: first, LastChanged: gone, Hash: "aa", Withdrawn: &gone},
	}}
	var buf bytes.Buffer
	enc := rdf.NewNTriplesEncoder(&buf)
	if err := d.CatalogRecord("https://gw.example/catalog/records/x", enc.Encode); err != nil {
		t.Fatal(err)
	}
	enc.Close()
	out := buf.String()
	rec, nav := "<https://gw.example/catalog/records/x>", "<https://gw.example/catalog/records/x/sources/no%20nav>"
	for _, want := range []string{
		rec + " <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/dcat#CatalogRecord> .",
		rec + " <http://xmlns.com/foaf/0.1/primaryTopic> <https://example.org/ds/1> .",
		rec + ` <http://purl.org/dc/terms/issued> "2024-01-02T03:04:05Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> .`,
		rec + ` <http://purl.org/dc/terms/modified> "2024-01-04T04:04:05Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> .`,
		rec + " <http://purl.org/dc/terms/source> " + nav + " .",
		rec + " <http://www.w3.org/ns/prov#wasDerivedFrom> <https://gw.example/catalog/records/x/sources/eu-aggregator> .",
		nav + ` <http://purl.org/dc/terms/title> "no nav (NO)" .`,
		nav + ` <http://purl.org/dc/terms/identifier> "sha256:aa" .`,
		nav + " <http://www.w3.org/ns/adms#status> <http://purl.org/adms/changetype/Deleted> .",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("catalogue record lacks\n%s\nin\n%s", want, out)
		}
	}
	if strings.Count(out, "purl.org/dc/terms/source>") != 1 {
		t.Errorf("want exactly one dct:source:\n%s", out)
	}
}

// TestCatalogTriples describes a catalogue and reads it back.
func TestCatalogTriples(t *testing.T) {
	c := Catalog{IRI: "https://gw.example/catalog", Title: Text{"en": {"Samband"}}, Description: Text{"en": {"A gateway"}},
		Publisher: &Agent{Name: Text{"en": {"Samband"}}}, Homepage: "https://gw.example/", Languages: []string{"http://publications.europa.eu/resource/authority/language/ENG"},
		License: "http://creativecommons.org/licenses/by/4.0/", Issued: "2024-01-01", Spatial: []string{"http://publications.europa.eu/resource/authority/continent/EUROPE"}}
	var buf bytes.Buffer
	enc := rdf.NewTurtleEncoder(&buf, Prefixes())
	if err := c.Triples(enc.Encode); err != nil {
		t.Fatal(err)
	}
	enc.Close()
	doc := NewDocument()
	if err := rdf.Decode(&buf, rdf.Turtle, rdf.Options{}, doc.Add); err != nil {
		t.Fatal(err)
	}
	cats, _ := doc.Catalogs()
	if len(cats) != 1 {
		t.Fatalf("Catalogs() = %+v, want one", cats)
	}
	if !reflect.DeepEqual(cats[0], c) {
		t.Errorf("catalogue came back\n%+v\nwant\n%+v", cats[0], c)
	}
}

// FuzzDescribe: whatever a record holds (its fields come from untrusted
// sources), Triples writes a description every encoder writes and every
// decoder reads back, or refuses the record with an error.
func FuzzDescribe(f *testing.F) {
	f.Add("https://example.org/ds/1", "nb", "Tittel \"x\"\n", "http://example.org/theme", `"v"@en`, "[ <http://example.org/p> \"o\" ]", "2020-01-01", "sha256:ab")
	f.Add("urn:x", "sr-Latn-RS", "\x00\xff", "not an iri", "<bad iri>", "[ … ]", "2020-13-45", "x")
	f.Fuzz(func(t *testing.T, iri, lang, text, value, nt, inline, date, checksum string) {
		d := Dataset{
			IRI: iri, Title: Text{lang: {text}}, Themes: []string{value, inline}, Spatial: []string{nt},
			Issued: date, Frequency: value, License: text, AccessRights: value,
			Distributions: []Distribution{{AccessURLs: []string{value}, Format: text, MediaType: value, Checksum: checksum, ByteSize: date}},
			Publisher:     &Agent{IRI: value, Name: Text{lang: {text}}},
			ContactPoints: []ContactPoint{{Email: text, Phone: value, URL: nt}},
			Temporal:      []PeriodOfTime{{Start: date}},
			Related:       map[string][]string{value: {inline}},
			Profile:       map[string][]string{nsDCT + "rightsHolder": {nt, inline, text}},
		}
		for _, syn := range []rdf.Syntax{rdf.Turtle, rdf.NTriples} {
			var buf bytes.Buffer
			var enc interface {
				Encode(rdf.Triple) error
				Close() error
			} = rdf.NewTurtleEncoder(&buf, Prefixes())
			if syn == rdf.NTriples {
				enc = rdf.NewNTriplesEncoder(&buf)
			}
			if err := d.Triples(enc.Encode); err != nil {
				if _, ierr := absIRI(iri); ierr == nil {
					t.Fatalf("Triples of a record with a valid IRI = %v", err)
				}
				return
			}
			if err := enc.Close(); err != nil {
				t.Fatal(err)
			}
			if err := rdf.Decode(&buf, syn, rdf.Options{}, func(rdf.Triple) error { return nil }); err != nil {
				t.Fatalf("%s description does not read back: %v\n%s", syn, err, buf.String())
			}
		}
	})
}

func BenchmarkDescribe(b *testing.B) {
	recs, _ := mapFile(b, "no-fdk-legacy/nav-2017-10-31.ttl")
	var buf bytes.Buffer
	b.ResetTimer()
	for b.Loop() {
		buf.Reset()
		enc := rdf.NewTurtleEncoder(&buf, Prefixes())
		for _, r := range recs {
			if err := r.Triples(enc.Encode); err != nil {
				b.Fatal(err)
			}
		}
		enc.Close()
	}
	b.ReportMetric(float64(len(recs)*b.N)/b.Elapsed().Seconds(), "records/s")
}
