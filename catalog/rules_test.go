package catalog

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"samband/catalog/rdf"
)

// wantResult is a result a record must have; an empty field matches any,
// and a Focus of "_:" any blank node.
type wantResult struct {
	rule, severity, focus, via, value string
}

func (w wantResult) matches(r RuleResult) bool {
	switch {
	case r.Rule != w.rule,
		w.severity != "" && r.Severity != w.severity,
		w.focus == "_:" && !strings.HasPrefix(r.Focus, "_:"),
		w.focus != "" && w.focus != "_:" && r.Focus != w.focus,
		w.via != "" && r.Via != w.via,
		w.value != "" && r.Value != w.value:
		return false
	}
	return true
}

func hasResult(rs []RuleResult, w wantResult) bool {
	for _, r := range rs {
		if w.matches(r) {
			return true
		}
	}
	return false
}

func ruleIDs(rs []RuleResult) string {
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.Rule+" "+r.Focus+" "+r.Value)
	}
	return strings.Join(ids, "\n\t")
}

// recordOf maps a corpus file for a source of country and returns the
// record with the IRI.
func recordOf(t *testing.T, rel, country, iri string) Dataset {
	t.Helper()
	var found *Dataset
	if _, err := decodeFile(t, rel).Records(MapOptions{Source: "test", Country: country}, func(d Dataset) error {
		if d.IRI == iri {
			found = &d
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if found == nil {
		t.Fatalf("%s has no record %s", rel, iri)
	}
	return *found
}

// TestCheckRulesCorpus: records of the corpus break the rules they break,
// on the node and value that break them, and national rules only for
// records of their country.
func TestCheckRulesCorpus(t *testing.T) {
	for _, tc := range []struct {
		file, country, record string
		want, not             []wantResult
		violations            int // -1: any
	}{
		{
			file: "dk-dcat-ap-dk/basic-example1.ttl", country: "DK", record: "https://dcat.example.org/dataset-001",
			want: []wantResult{
				{"dcat-ap-dk:dataset-language-pattern", SeverityInfo, "https://dcat.example.org/dataset-001", "", "<http://publications.europa.eu/resource/dataset/language/DAN>"},
				{"dcat-ap:dataset-language-vocabulary", SeverityViolation, "https://dcat.example.org/dataset-001", "", "<http://publications.europa.eu/resource/dataset/language/DAN>"},
				{"dcat-ap:distribution-bytesize-datatype", SeverityViolation, "https://dcat.example.org/dataset-001-csv", "dcat:distribution", `"5120"^^<http://www.w3.org/2001/XMLSchema#decimal>`},
				{"dcat-ap:distribution-format-vocabulary", SeverityViolation, "https://dcat.example.org/dataset-001-csv", "dcat:distribution", "<http://publications.europa.eu/resource/authority/file-type/csv>"},
			},
			violations: 5,
		},
		{
			file: "dk-dcat-ap-dk/basic-example1.ttl", country: "NO", record: "https://dcat.example.org/dataset-001",
			want: []wantResult{{rule: "dcat-ap-no:dataset-identifier-min"}},
			not:  []wantResult{{rule: "dcat-ap-dk:dataset-language-pattern"}},
			// DCAT-AP's five, and DCAT-AP-NO's identifier, theme,
			// publisher and the two file types of the EU table.
			violations: 10,
		},
		{
			file: "ckanext-dcat-examples/dataset_afs.ttl", record: "http://example.com/data/test-dataset-1",
			want: []wantResult{
				{"dcat-ap:dataset-issued-date", SeverityViolation, "http://example.com/data/test-dataset-1", "", `"2012-05-10"`},
				{"dcat-ap:dataset-landingpage-kind", SeverityViolation, "", "", `"http://url.to.dataset.home"`},
				{"dcat-ap:distribution-accessurl-min", SeverityViolation, "_:", "dcat:distribution", ""},
				{"dcat-ap:distribution-accessurl-kind", SeverityViolation, "_:", "dcat:distribution", `"http://url.to.html.page"`},
			},
			not:        []wantResult{{rule: "dcat-ap-no:dataset-identifier-min"}},
			violations: -1,
		},
		{
			file: "no-fdk-legacy/datasett-with-error.ttl", country: "NO", record: "http://data.brreg.no/datakatalog/dataset/17",
			want: []wantResult{
				{"dcat-ap:dataset-title-min", SeverityViolation, "http://data.brreg.no/datakatalog/dataset/17", "", ""},
				{"dcat-ap:dataset-description-min", SeverityViolation, "", "", ""},
				{"dcat-ap-no:dataset-identifier-min", SeverityViolation, "", "", ""},
				{"dcat-ap-no:dataset-publisher-min", SeverityViolation, "", "", ""},
				{"dcat-ap:dataset-keyword-recommended", SeverityWarning, "", "", ""},
			},
			violations: 4,
		},
		{
			file: "no-fdk-legacy/nav-2017-10-31.ttl", country: "NO", record: "http://brreg.no/catalogs/974761076/datasets/0a9de1bf-bea3-42d5-a3dc-df9a78377ae6",
			want:       []wantResult{{"dcat-ap-no:standard-title-min", SeverityViolation, "_:", "dct:conformsTo", ""}},
			violations: 2, // and the standard's skos:prefLabel, for it is a skos:Concept
		},
		{
			file: "eu-semic-dcat-ap/examples-3.0.1/example-bee-population-dataset-series.ttl", record: "https://data.gov.gr/id/datasetseries/BeePopulation",
			want:       []wantResult{{"dcat-ap:dataset-series-description-min", SeverityViolation, "https://data.gov.gr/id/datasetseries/BeePopulation", "", ""}},
			violations: 1,
		},
		{
			// SEMIC's high-value dataset example breaks no mandatory rule.
			file: "eu-semic-dcat-ap/hvd-examples-3.0.0/example-ms_dataset.ttl", record: "https://data.exampleMS.gov/id/dataset/1T2p3o4B",
			want:       []wantResult{{rule: "dcat-ap:dataset-keyword-recommended", severity: SeverityWarning}},
			violations: 0,
		},
	} {
		t.Run(tc.file+" "+tc.country, func(t *testing.T) {
			rs := CheckRules(recordOf(t, tc.file, tc.country, tc.record))
			for _, w := range tc.want {
				if !hasResult(rs, w) {
					t.Errorf("no result %+v; got\n\t%s", w, ruleIDs(rs))
				}
			}
			for _, w := range tc.not {
				if hasResult(rs, w) {
					t.Errorf("result %+v, which is not the record's country's", w)
				}
			}
			n := 0
			for _, r := range rs {
				if r.Severity == SeverityViolation {
					n++
				}
				if r.Rule == "" || r.Path == "" || r.Focus == "" || !strings.HasSuffix(r.Message, ".") {
					t.Errorf("incomplete result %+v", r)
				}
			}
			if tc.violations >= 0 && n != tc.violations {
				t.Errorf("%d violations, want %d; got\n\t%s", n, tc.violations, ruleIDs(rs))
			}
		})
	}
}

// original returns a record whose source said nt about it.
func original(iri, kind, country, nt string) Dataset {
	return Dataset{IRI: iri, Kind: kind, Sources: []SourceRecord{{Source: "s", Country: country, Original: nt}}}
}

// TestCheckRulesOriginal: what the rules see of a description that the
// mapping does not keep: repeated values, literals for IRIs, datatypes, the
// schemes of concepts, the types of nodes.
func TestCheckRulesOriginal(t *testing.T) {
	const (
		ds   = "<https://data.example/ds/1> "
		head = ds + "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/dcat#Dataset> .\n" +
			ds + "<http://purl.org/dc/terms/title> \"Population\"@en .\n" +
			ds + "<http://purl.org/dc/terms/description> \"People in the county\"@en .\n"
		freq   = "<http://purl.org/dc/terms/accrualPeriodicity> "
		issued = "<http://purl.org/dc/terms/issued> "
		pub    = "<http://purl.org/dc/terms/publisher> "
		xsd    = "http://www.w3.org/2001/XMLSchema#"
	)
	for _, tc := range []struct {
		name, nt, country string
		want, not         []wantResult
	}{
		{"two issued dates", ds + issued + "\"2020-01-01\"^^<" + xsd + "date> .\n" + ds + issued + "\"2020-01-01\" .\n", "",
			[]wantResult{{rule: "dcat-ap:dataset-issued-max"}, {rule: "dcat-ap:dataset-issued-date", value: `"2020-01-01"`}},
			[]wantResult{{rule: "dcat-ap:dataset-issued-date", value: `"2020-01-01"^^<` + xsd + `date>`}}},
		{"an invalid date", ds + issued + "\"2020-13\"^^<" + xsd + "gYear> .\n", "",
			[]wantResult{{rule: "dcat-ap:dataset-issued-date"}}, nil},
		{"a frequency of the EU table", ds + freq + "<http://publications.europa.eu/resource/authority/frequency/ANNUAL> .\n", "NO",
			nil, []wantResult{{rule: "dcat-ap:dataset-accrualperiodicity-vocabulary"}, {rule: "dcat-ap-no:dataset-accrualperiodicity-vocabulary"}}},
		{"a frequency of another vocabulary", ds + freq + "<http://purl.org/cld/freq/annual> .\n", "",
			[]wantResult{{rule: "dcat-ap:dataset-accrualperiodicity-vocabulary", value: "<http://purl.org/cld/freq/annual>"}}, nil},
		{"a frequency the description puts in the EU table", ds + freq + "<https://freq.example/yearly> .\n" +
			"<https://freq.example/yearly> <http://www.w3.org/2004/02/skos/core#inScheme> <http://publications.europa.eu/resource/authority/frequency> .\n", "",
			nil, []wantResult{{rule: "dcat-ap:dataset-accrualperiodicity-vocabulary"}}},
		{"a frequency as text", ds + freq + "\"yearly\" .\n", "",
			[]wantResult{{rule: "dcat-ap:dataset-accrualperiodicity-kind"}, {rule: "dcat-ap:dataset-accrualperiodicity-vocabulary", value: `"yearly"`}}, nil},
		{"an EU corporate body as publisher", ds + pub + "<http://publications.europa.eu/resource/authority/corporate-body/DIGIT> .\n" +
			"<http://publications.europa.eu/resource/authority/corporate-body/DIGIT> <http://purl.org/dc/terms/type> <http://purl.org/adms/publishertype/SupraNationalAuthority> .\n", "",
			nil, []wantResult{{rule: "dcat-ap:dataset-publisher-vocabulary"}}},
		{"a publisher of no ADMS type", ds + pub + "<http://publications.europa.eu/resource/authority/corporate-body/DIGIT> .\n" +
			"<http://publications.europa.eu/resource/authority/corporate-body/DIGIT> <http://purl.org/dc/terms/type> \"agency\" .\n", "",
			[]wantResult{{rule: "dcat-ap:dataset-publisher-vocabulary", severity: SeverityWarning}}, nil},
		{"an agent without name", ds + pub + "_:a .\n_:a <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://xmlns.com/foaf/0.1/Agent> .\n", "",
			[]wantResult{{"dcat-ap:agent-name-min", SeverityViolation, "_:a", "dct:publisher", ""}}, []wantResult{{rule: "dcat-ap-no:dataset-publisher-kind"}}},
		{"the same, Norwegian", ds + pub + "_:a .\n_:a <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://xmlns.com/foaf/0.1/Agent> .\n", "no",
			[]wantResult{{"dcat-ap-no:dataset-publisher-kind", SeverityViolation, "https://data.example/ds/1", "", "_:a"}}, nil},
		{"a contact point not typed", ds + "<http://www.w3.org/ns/dcat#contactPoint> <https://org.example/contact> .\n", "NO",
			[]wantResult{{rule: "dcat-ap-no:dataset-contactpoint-class", severity: SeverityWarning, value: "<https://org.example/contact>"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Mapping would drop the fact; the original keeps it.
			rs := CheckRules(original("https://data.example/ds/1", KindDataset, tc.country, head+tc.nt))
			for _, w := range tc.want {
				if !hasResult(rs, w) {
					t.Errorf("no result %+v; got\n\t%s", w, ruleIDs(rs))
				}
			}
			for _, w := range tc.not {
				if hasResult(rs, w) {
					t.Errorf("result %+v; got\n\t%s", w, ruleIDs(rs))
				}
			}
			if tc.country == "" && hasResult(rs, wantResult{rule: "dcat-ap-no:dataset-identifier-min"}) {
				t.Errorf("a Norwegian rule for a record of no country")
			}
		})
	}
}

// TestCheckRulesWithoutOriginal: a record without original N-Triples (made
// in code, or from a CKAN package) is checked as the feed describes it.
func TestCheckRulesWithoutOriginal(t *testing.T) {
	d := Dataset{
		IRI: "https://data.example/ds/1", Kind: KindDataset,
		Title:         Text{"en": {"Population"}},
		Distributions: []Distribution{{Title: Text{"en": {"CSV"}}, Format: "CSV"}},
	}
	ckan := d
	ckan.Sources = []SourceRecord{{Source: "ckan", Original: `{"name":"population"}`}}
	other := d
	other.Sources = []SourceRecord{{Source: "s", Original: "<https://other.example/x> <http://purl.org/dc/terms/title> \"X\" .\n"}}
	for name, d := range map[string]Dataset{"made in code": d, "CKAN": ckan, "original of another IRI": other} {
		t.Run(name, func(t *testing.T) {
			rs := CheckRules(d)
			for _, w := range []wantResult{
				{"dcat-ap:dataset-description-min", SeverityViolation, d.IRI, "", ""},
				{"dcat-ap:distribution-accessurl-min", SeverityViolation, "_:", "dcat:distribution", ""},
				{"dcat-ap:distribution-format-kind", SeverityViolation, "_:", "dcat:distribution", `"CSV"`},
			} {
				if !hasResult(rs, w) {
					t.Errorf("no result %+v; got\n\t%s", w, ruleIDs(rs))
				}
			}
			if hasResult(rs, wantResult{rule: "dcat-ap:dataset-title-min"}) {
				t.Errorf("dataset-title-min for a record with a title")
			}
		})
	}
	svc := Dataset{IRI: "https://data.example/api", Kind: KindDataService}
	rs := CheckRules(svc)
	for _, id := range []string{"dcat-ap:data-service-title-min", "dcat-ap:data-service-endpointurl-min"} {
		if !hasResult(rs, wantResult{rule: id, focus: svc.IRI, severity: SeverityViolation}) {
			t.Errorf("data service without title and endpoint: no %s; got\n\t%s", id, ruleIDs(rs))
		}
	}
	for _, iri := range []string{"", "no iri", "https://bad.example/a b"} {
		if rs := CheckRules(Dataset{IRI: iri}); rs != nil {
			t.Errorf("CheckRules of IRI %q = %v, want none", iri, rs)
		}
	}
}

// TestCheckRulesCut: a record that breaks rules without end lists
// MaxRuleResults of them, and says so.
func TestCheckRulesCut(t *testing.T) {
	d := Dataset{IRI: "https://data.example/ds/1", Kind: KindDataset, Title: Text{"": {"T"}}, Description: Text{"": {"D"}}}
	for i := 0; i < MaxRuleResults; i++ {
		d.Distributions = append(d.Distributions, Distribution{IRI: fmt.Sprintf("https://data.example/dist/%d", i)})
	}
	rs := CheckRules(d)
	if len(rs) != MaxRuleResults+1 || rs[MaxRuleResults].Rule != RuleChecksCut {
		t.Fatalf("%d results, the last %+v; want %d, the last of rule %s", len(rs), rs[len(rs)-1], MaxRuleResults+1, RuleChecksCut)
	}
}

// TestRuleResultsJSON: records stored before rule checks existed load
// without them; results survive a round trip.
func TestRuleResultsJSON(t *testing.T) {
	var old Dataset
	if err := json.Unmarshal([]byte(`{"id":"x","iri":"https://data.example/ds/1","kind":"Dataset","quality":{"score":10}}`), &old); err != nil {
		t.Fatal(err)
	}
	if old.Checks != nil || old.Quality == nil {
		t.Fatalf("old record: checks %v, quality %v", old.Checks, old.Quality)
	}
	d := Dataset{IRI: "https://data.example/ds/1", Kind: KindDataset}
	d.Checks = CheckRules(d)
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back Dataset
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Checks) == 0 || len(back.Checks) != len(d.Checks) || back.Checks[0] != d.Checks[0] {
		t.Fatalf("checks after a round trip: %v, want %v", back.Checks, d.Checks)
	}
	if b, _ := json.Marshal(Dataset{IRI: "x"}); strings.Contains(string(b), "checks") {
		t.Errorf("a record without checks encodes them: %s", b)
	}
}

// TestRuleTable: rule ids are unique and stable in form; every rule names a
// node shape and a path its profile's SHACL file has; the rules the SHACL
// engine cannot check are the listed exceptions.
func TestRuleTable(t *testing.T) {
	files := map[string]string{
		shapesCore: shaclDir + "/shapes.ttl",
		shapesR5R:  shaclDir + "/shapes_recommended.ttl " + shaclDir + "/mdr-vocabularies.shape.ttl",
		shapesNO:   corpusDir + "/no-dcat-ap-no/DCAT-AP-NO-shacl_shapes_2.00.ttl",
		shapesDK:   corpusDir + "/dk-dcat-ap-dk/dcat-ap-dk_2.0.2_shacl_shapes.ttl",
	}
	text := map[string]string{}
	for ns, names := range files {
		for _, f := range strings.Fields(names) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			text[ns] += string(b)
		}
	}
	ids := map[string]bool{}
	for _, r := range Rules() {
		if ids[r.ID] {
			t.Errorf("two rules %s", r.ID)
		}
		ids[r.ID] = true
		prefix, _, _ := strings.Cut(r.ID, ":")
		if prefix != "dcat-ap" && prefix != "dcat-ap-no" && prefix != "dcat-ap-dk" || strings.ToLower(r.ID) != r.ID || strings.ContainsAny(r.ID, " _") {
			t.Errorf("rule id %q", r.ID)
		}
		if (r.Class == "") == (r.ObjectsOf == "") || r.Path == "" || r.Constraint == "" || r.Profile == "" {
			t.Errorf("rule %s: class %q, objects of %q, path %q, constraint %q, profile %q", r.ID, r.Class, r.ObjectsOf, r.Path, r.Constraint, r.Profile)
		}
		switch r.Severity {
		case SeverityViolation, SeverityWarning, SeverityInfo:
		default:
			t.Errorf("rule %s: severity %q", r.ID, r.Severity)
		}
		found := false
		for ns, src := range text {
			if local, ok := strings.CutPrefix(r.Shape, ns); ok {
				found = true
				if !strings.Contains(src, ":"+local) && !strings.Contains(src, "/"+local+">") {
					t.Errorf("rule %s: shape %s is not in %s", r.ID, r.Shape, files[ns])
				}
				if name := shortName(r.Path); !strings.Contains(src, name) && !strings.Contains(src, "<"+r.Path+">") && !strings.Contains(src, localName(r.Path)) {
					t.Errorf("rule %s: path %s is not in %s", r.ID, name, files[ns])
				}
			}
		}
		if !found {
			t.Errorf("rule %s: shape %s of no profile's file", r.ID, r.Shape)
		}
		if _, ok := exceptions[r.ID]; ok != (len(r.c.compType) == 0) {
			t.Errorf("rule %s: listed as exception %v, SHACL components %v", r.ID, ok, r.c.compType)
		}
	}
	for k, id := range sameAsRule {
		if !ids[id] {
			t.Errorf("sameAsRule %s: no rule %s", k, id)
		}
	}
	for id := range exceptions {
		if !ids[id] {
			t.Errorf("exceptions: no rule %s", id)
		}
	}
	if len(ids) < 250 {
		t.Errorf("%d rules", len(ids))
	}
}

// TestLexicalForms: the datatypes the rules check, as XML Schema writes them.
func TestLexicalForms(t *testing.T) {
	const xsd = "http://www.w3.org/2001/XMLSchema#"
	for _, tc := range []struct {
		dt, lexical string
		ok          bool
	}{
		{"date", "2024-05-22", true},
		{"date", "2024-05-22+02:00", true},
		{"date", "2024-5-22", false},
		{"date", "2024-05-22T10:00:00", false},
		{"dateTime", "2024-05-22T10:00:00", true},
		{"dateTime", "2024-05-22T10:00:00.5Z", true},
		{"dateTime", "2012-05-10T21:04", false},
		{"gYear", "2009", true},
		{"gYear", "09", false},
		{"gYearMonth", "2009-03", true},
		{"decimal", "5120.0", true},
		{"decimal", "12 MB", false},
		{"nonNegativeInteger", "5120", true},
		{"nonNegativeInteger", "-1", false},
		{"nonNegativeInteger", "5120.0", false},
		{"duration", "P1Y2M", true},
		{"duration", "PT15M", true},
		{"duration", "P", false},
		{"hexBinary", "0a1B", true},
		{"hexBinary", "abc", false},
		{"boolean", "true", true},
		{"boolean", "yes", false},
		{"string", "anything", true},
	} {
		if got := validLexical(xsd+tc.dt, tc.lexical); got != tc.ok {
			t.Errorf("validLexical(xsd:%s, %q) = %v, want %v", tc.dt, tc.lexical, got, tc.ok)
		}
	}
}

// TestSchemes: vocab/schemes.tsv knows the concepts of each vocabulary and
// no others; its EU data themes are those of themes.tsv.
func TestSchemes(t *testing.T) {
	for _, tc := range []struct {
		iri, scheme string
	}{
		{"http://publications.europa.eu/resource/authority/data-theme/ECON", schemeDataTheme},
		{"http://publications.europa.eu/resource/authority/data-theme/ECONOMY", ""},
		{"http://publications.europa.eu/resource/authority/file-type/CSV", schemeFileType},
		{"http://publications.europa.eu/resource/authority/file-type/csv", ""},
		{"https://publications.europa.eu/resource/authority/file-type/CSV", ""},
		{"http://publications.europa.eu/resource/authority/frequency/ANNUAL_2", schemeFrequency},
		{"http://purl.org/adms/publishertype/NationalAuthority", schemePublisherType},
		{"http://purl.org/adms/publishertype/Ministry", ""},
		{"http://purl.org/adms/status/Completed", "http://purl.org/adms/status/1.0"},
		{"http://sws.geonames.org/3144096/", schemeGeoNames},
		{"http://publications.europa.eu/resource/authority/file-type/", ""},
	} {
		got := schemesOf(tc.iri)
		if (tc.scheme == "" && len(got) > 0) || (tc.scheme != "" && (len(got) != 1 || got[0] != tc.scheme)) {
			t.Errorf("schemesOf(%s) = %v, want %q", tc.iri, got, tc.scheme)
		}
	}
	for _, s := range conceptSchemes() {
		if s.iri != schemeDataTheme {
			continue
		}
		if len(s.codes) != len(vocab().themeCodes) {
			t.Errorf("schemes.tsv has %d data themes, themes.tsv %d", len(s.codes), len(vocab().themeCodes))
		}
		for code := range vocab().themeCodes {
			if !s.codes[code] {
				t.Errorf("theme %s of themes.tsv is not in schemes.tsv", code)
			}
		}
	}
}

// TestParseCanonical: the originals of every corpus record read the same
// with parseCanonical as with the N-Triples decoder; what is not canonical
// is refused.
func TestParseCanonical(t *testing.T) {
	n := 0
	for _, c := range readCorpusTable(t) {
		readable := c.status == "ok" || strings.HasPrefix(c.status, "remote @context") || strings.Contains(c.notes, "JSON-LD content")
		if !readable || strings.Contains(c.path, "shacl") || strings.HasSuffix(c.path, "/context.jsonld") {
			continue
		}
		if _, err := decodeFile(t, c.path).Records(MapOptions{Source: "test"}, func(d Dataset) error {
			orig := d.Sources[0].Original
			fast := &ruleGraph{out: map[string][]gedge{}}
			if err := parseCanonical(orig, fast.add); err != nil {
				t.Errorf("%s %s: parseCanonical: %v", c.path, d.IRI, err)
				return nil
			}
			slow := &ruleGraph{out: map[string][]gedge{}, seen: map[gtriple]bool{}}
			if err := rdf.Decode(strings.NewReader(orig), rdf.NTriples, rdf.Options{}, slow.addTriple); err != nil {
				t.Fatalf("%s %s: decode: %v", c.path, d.IRI, err)
			}
			if !reflect.DeepEqual(fast.out, slow.out) {
				t.Errorf("%s %s: parseCanonical and the decoder differ", c.path, d.IRI)
			}
			n++
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if n < 250 {
		t.Errorf("%d records", n)
	}
	for _, nt := range []string{
		"<a> <b> <c>",
		"<a> <b> <c>  .",
		"\"a\" <b> <c> .",
		"<a> _:b <c> .",
		"<a> <b> \"x\\q\" .",
		"<a> <b> \"x\\u00\" .",
		"<a> <b> \"x\"@ .",
		"<a> <b> \"x\"^^\"y\" .",
		"<a> <b> \"unterminated .",
		"<> <b> <c> .",
		"<a> <b> <c> . # comment",
	} {
		if err := parseCanonical(nt, func(string, gedge) {}); err == nil {
			t.Errorf("parseCanonical(%q) = nil, want an error", nt)
		}
	}
	g := &ruleGraph{out: map[string][]gedge{}}
	if err := parseCanonical("<a> <b> \"tab\\there \\\"q\\\" \\u00E5\"@nb-NO .\n_:b1 <p> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n", g.add); err != nil {
		t.Fatal(err)
	}
	want := map[string][]gedge{
		"a":    {{p: "b", o: gterm{kind: 'L', v: "tab\there \"q\" å", lang: "nb-NO", dt: rdfLangStr}}},
		"_:b1": {{p: "p", o: gterm{kind: 'L', v: "1", dt: "http://www.w3.org/2001/XMLSchema#integer"}}},
	}
	if !reflect.DeepEqual(g.out, want) {
		t.Errorf("parseCanonical = %+v, want %+v", g.out, want)
	}
}
