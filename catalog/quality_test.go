package catalog

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"samband/catalog/rdf"
)

// fullRecord returns a dataset that passes every check, with one
// distribution, and a Reachability under which its URLs answer.
func fullRecord() (Dataset, ReachabilityMap) {
	d := Dataset{
		IRI:            "https://data.example.no/dataset/1",
		Kind:           KindDataset,
		Title:          Text{"nb": {"Befolkning"}},
		Description:    Text{"nb": {"Folketall per kommune"}},
		Keywords:       Text{"nb": {"befolkning"}},
		Themes:         []string{"http://publications.europa.eu/resource/authority/data-theme/SOCI"},
		EUThemes:       []string{"SOCI"},
		Spatial:        []string{"http://sws.geonames.org/3144096/"},
		Temporal:       []PeriodOfTime{{Start: "2000-01-01"}},
		AccessRights:   "http://publications.europa.eu/resource/authority/access-right/PUBLIC",
		AccessRightsEU: "PUBLIC",
		ContactPoints:  []ContactPoint{{Email: "data@example.no"}},
		Publisher:      &Agent{IRI: "https://data.example.no/org/1"},
		Issued:         "2020-01-01",
		Modified:       "2024-01-01",
		Distributions: []Distribution{{
			AccessURLs:     []string{"https://data.example.no/1"},
			DownloadURLs:   []string{"https://data.example.no/1.csv"},
			Format:         "http://publications.europa.eu/resource/authority/file-type/CSV",
			FormatEU:       "CSV",
			MediaType:      "text/csv",
			MediaTypeGiven: "https://www.iana.org/assignments/media-types/text/csv",
			License:        "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0",
			LicenseEU:      "CC_BY_4_0",
			Rights:         "Fri bruk",
			ByteSize:       "1024",
			Issued:         "2020-01-01",
			Modified:       "2024-01-01",
		}},
	}
	return d, ReachabilityMap{"https://data.example.no/1": true, "https://data.example.no/1.csv": true}
}

// check returns the check of q with the given id.
func check(t *testing.T, q Quality, id string) Check {
	t.Helper()
	for _, c := range q.Checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %q", id)
	return Check{}
}

// passed returns the ids of the checks q passed.
func passed(q Quality) []string {
	var ids []string
	for _, c := range q.Checks {
		if c.Passed {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// consistent fails t when q's totals do not add up.
func consistent(t *testing.T, q Quality) {
	t.Helper()
	score, max, unchecked := 0, 0, 0
	for _, c := range q.Checks {
		if c.Passed != (c.Points == c.Max) || (c.Points != 0 && c.Points != c.Max) {
			t.Errorf("check %+v: points and passed disagree", c)
		}
		score += c.Points
		max += c.Max
		if c.Note == NoteNotChecked {
			unchecked += c.Max
		}
	}
	dimScore := 0
	for _, ds := range q.Dimensions {
		dimScore += ds.Score
	}
	if score != q.Score || dimScore != q.Score || max != q.Max || unchecked != q.Unchecked {
		t.Errorf("totals: checks %d of %d (%d unchecked), dimensions %d; Quality says %d of %d (%d unchecked)",
			score, max, unchecked, dimScore, q.Score, q.Max, q.Unchecked)
	}
}

func TestScoreTable(t *testing.T) {
	q := Score(Dataset{})
	if len(q.Checks) != 23 || q.Max != 405 || MaxScore != 405 {
		t.Fatalf("Score: %d checks, max %d; want 23 checks, 405", len(q.Checks), q.Max)
	}
	want := map[string]int{Findability: 100, Accessibility: 100, Interoperability: 110, Reusability: 75, Contextuality: 20}
	for _, ds := range q.Dimensions {
		if ds.Max != want[ds.Name] {
			t.Errorf("dimension %s: max %d, want %d", ds.Name, ds.Max, want[ds.Name])
		}
		delete(want, ds.Name)
	}
	if len(want) != 0 {
		t.Errorf("dimensions missing: %v", want)
	}
	// The points are the trueScore values of the MQA vocabulary in the corpus.
	weights := mqaWeights(t)
	for _, c := range q.Checks {
		if w, ok := weights[c.ID]; !ok || w != c.Max {
			t.Errorf("check %s: max %d, vocabulary says %d (listed: %v)", c.ID, c.Max, w, ok)
		}
	}
}

// mqaWeights reads the trueScore of every metric of the MQA vocabulary in
// the corpus, by the metric's local name.
func mqaWeights(t *testing.T) map[string]int {
	t.Helper()
	const rel = "no-dcat-ap-no/dcatno-mqa-vocabulary-default-score-values.ttl"
	f, err := os.Open(filepath.Join(corpusDir, rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const ns = "https://data.norge.no/vocabulary/dcatno-mqa#"
	w := map[string]int{}
	err = rdf.Decode(f, rdf.Turtle, rdf.Options{}, func(tr rdf.Triple) error {
		if tr.Pred.String() == ns+"trueScore" {
			var n int
			if _, err := fmt.Sscan(tr.Obj.String(), &n); err != nil {
				return err
			}
			w[strings.TrimPrefix(tr.Subj.String(), ns)] = n
		}
		return nil
	})
	if err != nil {
		t.Fatalf("decode %s: %v", rel, err)
	}
	return w
}

func TestScoreEmpty(t *testing.T) {
	for _, d := range []Dataset{{}, {Kind: KindDataset}, {Kind: KindDataService}} {
		q := Score(d)
		consistent(t, q)
		if q.Score != 0 || q.Max != 405 || q.Distribution != -1 {
			t.Errorf("Score(%+v) = %d of %d, distribution %d; want 0 of 405, -1", d, q.Score, q.Max, q.Distribution)
		}
	}
	q := Score(Dataset{})
	if c := check(t, q, "formatAvailability"); c.Note != NoteNoDistribution {
		t.Errorf("formatAvailability of an empty record: note %q, want %q", c.Note, NoteNoDistribution)
	}
	if c := check(t, q, "dcatApCompliance"); c.Note != "missing dct:title, dct:description" {
		t.Errorf("dcatApCompliance of an empty record: note %q", c.Note)
	}
}

func TestScoreFull(t *testing.T) {
	d, reach := fullRecord()
	q := Score(d)
	consistent(t, q)
	if q.Score != 325 || q.Unchecked != 80 || q.Distribution != 0 {
		t.Errorf("Score(full) = %d (%d unchecked, distribution %d), want 325 (80 unchecked, 0)", q.Score, q.Unchecked, q.Distribution)
	}
	for _, id := range []string{"accessUrlStatusCode", "downloadUrlStatusCode"} {
		if c := check(t, q, id); c.Passed || c.Note != NoteNotChecked {
			t.Errorf("Score(full) %s = %+v, want failed, %q", id, c, NoteNotChecked)
		}
	}
	q = ScoreWith(d, reach)
	consistent(t, q)
	if q.Score != 405 || q.Unchecked != 0 {
		t.Errorf("ScoreWith(full, all answer) = %d (%d unchecked), want 405 (0)", q.Score, q.Unchecked)
		for _, c := range q.Checks {
			if !c.Passed {
				t.Logf("failed: %+v", c)
			}
		}
	}
}

// TestScoreEachCheck removes from the full record what each check looks
// for: that check, and only it, fails.
func TestScoreEachCheck(t *testing.T) {
	dist := func(f func(*Distribution)) func(*Dataset) {
		return func(d *Dataset) { f(&d.Distributions[0]) }
	}
	cases := []struct {
		id     string
		remove func(*Dataset)
		also   []string // other checks that fail with it
	}{
		{"keywordAvailability", func(d *Dataset) { d.Keywords = nil }, nil},
		{"keywordAvailability", func(d *Dataset) { d.Keywords = Text{"nb": {" "}} }, nil},
		{"categoryAvailability", func(d *Dataset) { d.Themes, d.EUThemes = nil, nil }, nil},
		{"spatialAvailability", func(d *Dataset) { d.Spatial = nil }, nil},
		{"temporalAvailability", func(d *Dataset) { d.Temporal = nil }, nil},
		{"accessUrlStatusCode", dist(func(x *Distribution) { x.AccessURLs = []string{"https://data.example.no/gone"} }), nil},
		{"downloadUrlAvailability", dist(func(x *Distribution) { x.DownloadURLs = nil }), []string{"downloadUrlStatusCode"}},
		{"formatAvailability", dist(func(x *Distribution) { x.Format = "" }), nil},
		{"mediaTypeAvailability", dist(func(x *Distribution) { x.MediaTypeGiven = "" }), nil},
		// A format outside the EU vocabulary is in neither of its lists.
		{"formatMediaTypeVocabularyAlignment", dist(func(x *Distribution) { x.Format, x.FormatEU = "csv-ish", "" }),
			[]string{"formatMediaTypeNonProprietary", "formatMediaTypeMachineInterpretable"}},
		{"dcatApCompliance", func(d *Dataset) { d.Title = nil }, nil},
		{"dcatApCompliance", func(d *Dataset) { d.Description = Text{} }, nil},
		{"licenceAvailability", dist(func(x *Distribution) { x.License = "" }), nil},
		{"knownLicence", dist(func(x *Distribution) { x.LicenseEU = "" }), nil},
		{"accessRightsAvailability", func(d *Dataset) { d.AccessRights = "" }, nil},
		{"accessRightsVocabularyAlignment", func(d *Dataset) { d.AccessRightsEU = "" }, nil},
		{"contactPointAvailability", func(d *Dataset) { d.ContactPoints = nil }, nil},
		{"publisherAvailability", func(d *Dataset) { d.Publisher = nil }, nil},
		{"rightsAvailability", dist(func(x *Distribution) { x.Rights = "" }), nil},
		{"byteSizeAvailability", dist(func(x *Distribution) { x.ByteSize = "" }), nil},
		{"dateIssuedAvailability", func(d *Dataset) { d.Issued, d.Distributions[0].Issued = "", "" }, nil},
		{"dateModifiedAvailability", func(d *Dataset) { d.Modified, d.Distributions[0].Modified = "", "" }, nil},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			d, reach := fullRecord()
			tc.remove(&d)
			q := ScoreWith(d, reach)
			consistent(t, q)
			lost := 0
			for _, c := range q.Checks {
				fails := c.ID == tc.id || slices.Contains(tc.also, c.ID)
				if c.Passed == fails {
					t.Errorf("check %s passed = %v", c.ID, c.Passed)
				}
				if fails {
					lost += c.Max
				}
			}
			if q.Score != 405-lost {
				t.Errorf("score %d, want %d", q.Score, 405-lost)
			}
		})
		seen[tc.id] = true
	}
	// Format codes outside the data.europa.eu lists fail those checks, and
	// the download URL check fails when the URL does not answer.
	for _, tc := range []struct {
		code string
		fail []string
	}{
		{"PDF", []string{"formatMediaTypeNonProprietary", "formatMediaTypeMachineInterpretable"}},
		{"XLSX", []string{"formatMediaTypeNonProprietary"}},
		{"HTML", []string{"formatMediaTypeMachineInterpretable"}},
		{"ODS", nil},
	} {
		d, reach := fullRecord()
		d.Distributions[0].FormatEU = tc.code
		var fail []string
		for _, c := range ScoreWith(d, reach).Checks {
			if !c.Passed {
				fail = append(fail, c.ID)
				seen[c.ID] = true
			}
		}
		if !slices.Equal(fail, tc.fail) {
			t.Errorf("format %s: failed %v, want %v", tc.code, fail, tc.fail)
		}
	}
	d, reach := fullRecord()
	reach["https://data.example.no/1.csv"] = false
	q := ScoreWith(d, reach)
	if c := check(t, q, "downloadUrlStatusCode"); c.Passed || c.Note != NoteNoAnswer || q.Score != 375 {
		t.Errorf("download URL without answer: %+v, score %d; want failed, %q, 375", c, q.Score, NoteNoAnswer)
	}
	seen[check(t, q, "downloadUrlStatusCode").ID] = true
	for _, c := range q.Checks {
		if !seen[c.ID] {
			t.Errorf("no case makes %s fail", c.ID)
		}
	}
}

func TestScoreReachability(t *testing.T) {
	urls := []string{"https://a.example/1", "https://a.example/2"}
	cases := []struct {
		name   string
		urls   []string
		r      Reachability
		passed bool
		note   string
	}{
		{"no link checker", urls, nil, false, NoteNotChecked},
		{"URLs unknown to it", urls, ReachabilityMap{"https://other.example/": true}, false, NoteNotChecked},
		{"none answers", urls, ReachabilityMap{urls[0]: false, urls[1]: false}, false, NoteNoAnswer},
		{"one unknown, one fails", urls, ReachabilityMap{urls[1]: false}, false, NoteNoAnswer},
		{"the second answers", urls, ReachabilityMap{urls[0]: false, urls[1]: true}, true, ""},
		{"no access URL", nil, ReachabilityMap{urls[0]: true}, false, "no access URL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := Dataset{Distributions: []Distribution{{AccessURLs: tc.urls}}}
			q := ScoreWith(d, tc.r)
			consistent(t, q)
			c := check(t, q, "accessUrlStatusCode")
			if c.Passed != tc.passed || c.Note != tc.note {
				t.Errorf("accessUrlStatusCode = %v %q, want %v %q", c.Passed, c.Note, tc.passed, tc.note)
			}
		})
	}
}

// TestScoreBestDistribution: the distribution-level checks are those of the
// one distribution with the most points, never a mix.
func TestScoreBestDistribution(t *testing.T) {
	formatOnly := Distribution{AccessURLs: []string{"u1"}, Format: "CSV", FormatEU: "CSV"}    // 20+10+20+20 = 70
	licenceOnly := Distribution{AccessURLs: []string{"u2"}, License: "CC0", LicenseEU: "CC0"} // 20+10, and 50 when u2 answers
	cases := []struct {
		name   string
		dists  []Distribution
		r      Reachability
		best   int
		passed []string
	}{
		{"format wins", []Distribution{licenceOnly, formatOnly}, nil, 1,
			[]string{"formatAvailability", "formatMediaTypeVocabularyAlignment", "formatMediaTypeNonProprietary", "formatMediaTypeMachineInterpretable"}},
		{"an answering access URL wins", []Distribution{formatOnly, licenceOnly}, ReachabilityMap{"u2": true}, 1,
			[]string{"accessUrlStatusCode", "licenceAvailability", "knownLicence"}},
		{"first of equals", []Distribution{licenceOnly, licenceOnly}, nil, 0,
			[]string{"licenceAvailability", "knownLicence"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := ScoreWith(Dataset{Distributions: tc.dists}, tc.r)
			consistent(t, q)
			if got := passed(q); q.Distribution != tc.best || !slices.Equal(got, tc.passed) {
				t.Errorf("distribution %d, passed %v; want %d, %v", q.Distribution, got, tc.best, tc.passed)
			}
		})
	}
}

func TestScoreDataService(t *testing.T) {
	svc := Dataset{
		Kind:         KindDataService,
		Title:        Text{"en": {"API"}},
		EndpointURLs: []string{"https://api.example/"},
		License:      "http://creativecommons.org/licenses/by/4.0/",
	}
	q := ScoreWith(svc, ReachabilityMap{"https://api.example/": true})
	consistent(t, q)
	want := []string{"accessUrlStatusCode", "dcatApCompliance", "licenceAvailability", "knownLicence"}
	if got := passed(q); !slices.Equal(got, want) || q.Score != 110 {
		t.Errorf("data service: %d, passed %v; want 110, %v", q.Score, got, want)
	}
	svc.EndpointURLs = nil
	if c := check(t, Score(svc), "dcatApCompliance"); c.Passed || c.Note != "missing dcat:endpointURL" {
		t.Errorf("data service without endpoint: dcatApCompliance %+v", c)
	}
}

func TestScoreDCATAP(t *testing.T) {
	cases := []struct {
		name string
		d    Dataset
		note string
	}{
		{"dataset", Dataset{Title: Text{"": {"t"}}, Description: Text{"": {"d"}}}, ""},
		{"series", Dataset{Kind: KindDatasetSeries, Title: Text{"": {"t"}}}, "missing dct:description"},
		{"distribution without access URL", Dataset{Title: Text{"": {"t"}}, Description: Text{"": {"d"}},
			Distributions: []Distribution{{AccessURLs: []string{"u"}}, {DownloadURLs: []string{"u"}}}}, "missing dcat:accessURL of a distribution"},
		{"service", Dataset{Kind: KindDataService, Title: Text{"": {"t"}}, EndpointURLs: []string{"u"}}, ""},
		{"service without title", Dataset{Kind: KindDataService, EndpointURLs: []string{"u"}}, "missing dct:title"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := check(t, Score(tc.d), "dcatApCompliance")
			if c.Passed != (tc.note == "") || c.Note != tc.note {
				t.Errorf("dcatApCompliance = %v %q, want note %q", c.Passed, c.Note, tc.note)
			}
		})
	}
}

// TestScoreCorpus scores records of real catalogues; the expected checks
// were worked out by hand from the Turtle (see the comments).
func TestScoreCorpus(t *testing.T) {
	cases := []struct {
		file, iri string
		r         Reachability
		score     int
		passed    []string
	}{
		// Skatteetaten's "Skattegrunnlag" (Norway, 2017): keywords, an EU
		// theme, spatial, RESTRICTED access rights, contact point,
		// publisher; one distribution with an access URL and the format
		// "application/xml, application/json", which names two formats and
		// so no file type: no media type, vocabulary, non-proprietary or
		// machine-readable points. No licence, no dates, no temporal.
		{"no-fdk-legacy/nav-2017-10-31.ttl", "http://brreg.no/catalogs/974761076/datasets/de8e88f8-83f1-4f3f-9392-5c81ebbdbf0b", nil, 175,
			[]string{"keywordAvailability", "categoryAvailability", "spatialAvailability", "formatAvailability", "dcatApCompliance",
				"accessRightsAvailability", "accessRightsVocabularyAlignment", "contactPointAvailability", "publisherAvailability"}},
		// DCAT-AP-SE's recommended example: all of findability; distribution1
		// (format "text/csv", a download URL, CC0) beats distribution2 (no
		// download URL); it gives no dcat:mediaType (the normalised media type
		// comes from the format, which MQA does not count); the dataset's
		// dct:issued stands in for the distribution's. No rights, byte size
		// or modified.
		{"se-dcat-ap-se/exempel_rekommenderat.ttl", "https://example.com/dataset1", nil, 300,
			[]string{"keywordAvailability", "categoryAvailability", "spatialAvailability", "temporalAvailability",
				"downloadUrlAvailability", "formatAvailability", "formatMediaTypeVocabularyAlignment",
				"formatMediaTypeNonProprietary", "formatMediaTypeMachineInterpretable", "dcatApCompliance",
				"licenceAvailability", "knownLicence", "accessRightsAvailability", "accessRightsVocabularyAlignment",
				"contactPointAvailability", "publisherAvailability", "dateIssuedAvailability"}},
		// The same, when its download URL answers: 50 + 30 more.
		{"se-dcat-ap-se/exempel_rekommenderat.ttl", "https://example.com/dataset1", ReachabilityMap{"http://example.com/download": true}, 380,
			[]string{"keywordAvailability", "categoryAvailability", "spatialAvailability", "temporalAvailability",
				"accessUrlStatusCode", "downloadUrlAvailability", "downloadUrlStatusCode",
				"formatAvailability", "formatMediaTypeVocabularyAlignment",
				"formatMediaTypeNonProprietary", "formatMediaTypeMachineInterpretable", "dcatApCompliance",
				"licenceAvailability", "knownLicence", "accessRightsAvailability", "accessRightsVocabularyAlignment",
				"contactPointAvailability", "publisherAvailability", "dateIssuedAvailability"}},
		// Its data service: keywords, title and endpoint URL, CC0 as a
		// known licence, PUBLIC access rights, contact point; no publisher.
		{"se-dcat-ap-se/exempel_rekommenderat.ttl", "https://example.com/dataservice1", nil, 125,
			[]string{"keywordAvailability", "dcatApCompliance", "licenceAvailability", "knownLicence",
				"accessRightsAvailability", "accessRightsVocabularyAlignment", "contactPointAvailability"}},
	}
	for _, tc := range cases {
		t.Run(filepath.Base(tc.file)+" "+tc.iri, func(t *testing.T) {
			recs, _ := mapFile(t, tc.file)
			d, ok := byIRI(recs)[tc.iri]
			if !ok {
				t.Fatalf("%s: no record %s", tc.file, tc.iri)
			}
			q := ScoreWith(d, tc.r)
			consistent(t, q)
			if got := passed(q); q.Score != tc.score || !slices.Equal(got, tc.passed) {
				t.Errorf("score %d, passed %v; want %d, %v", q.Score, got, tc.score, tc.passed)
			}
		})
	}
}

// TestScoreCorpusAll scores every record of the two files: totals add up
// and scoring does not change the record.
func TestScoreCorpusAll(t *testing.T) {
	for _, f := range []string{"no-fdk-legacy/nav-2017-10-31.ttl", "se-dcat-ap-se/exempel_rekommenderat.ttl"} {
		recs, _ := mapFile(t, f)
		for _, d := range recs {
			before, _ := json.Marshal(d)
			q := Score(d)
			consistent(t, q)
			if after, _ := json.Marshal(d); string(after) != string(before) {
				t.Errorf("%s: Score changed the record", d.IRI)
			}
		}
	}
}

func TestAverages(t *testing.T) {
	full, reach := fullRecord()
	overall, dims := Averages([]Quality{Score(Dataset{}), ScoreWith(full, reach), Score(full)})
	if overall != (0+405+325)/3.0 {
		t.Errorf("Averages overall = %v, want %v", overall, (0+405+325)/3.0)
	}
	want := map[string]float64{Findability: 200 / 3.0, Accessibility: 120 / 3.0, Interoperability: 220 / 3.0, Reusability: 150 / 3.0, Contextuality: 40 / 3.0}
	if len(dims) != len(want) {
		t.Errorf("Averages by dimension = %v, want %v", dims, want)
	}
	for k, v := range want {
		if dims[k] != v {
			t.Errorf("Averages %s = %v, want %v", k, dims[k], v)
		}
	}
	if overall, dims := Averages(nil); overall != 0 || dims == nil || len(dims) != 0 {
		t.Errorf("Averages(nil) = %v, %v; want 0, an empty map", overall, dims)
	}
}

func TestQualityJSON(t *testing.T) {
	d, _ := fullRecord()
	b, _ := json.Marshal(d)
	if strings.Contains(string(b), `"quality"`) {
		t.Errorf("unscored record has a quality: %s", b)
	}
	q := Score(d)
	d.Quality = &q
	b, _ = json.Marshal(d)
	var back Dataset
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Quality == nil || back.Quality.Score != 325 || len(back.Quality.Checks) != 23 || back.Quality.Checks[4].Note != NoteNotChecked {
		t.Errorf("round trip of the quality: %+v", back.Quality)
	}
}

// A record is scored from its metadata alone; reachability comes from a
// link checker, here a map of what it found.
func ExampleScoreWith() {
	d := Dataset{
		Title:       Text{"en": {"Population"}},
		Description: Text{"en": {"Population by municipality"}},
		Keywords:    Text{"en": {"population"}},
		Publisher:   &Agent{IRI: "https://example.no/org"},
		Distributions: []Distribution{{
			AccessURLs: []string{"https://example.no/population.csv"},
			Format:     "CSV", FormatEU: "CSV", MediaType: "text/csv", MediaTypeGiven: "text/csv",
			License: "http://creativecommons.org/licenses/by/4.0/", LicenseEU: "CC_BY_4_0",
		}},
	}
	q := Score(d)
	fmt.Println(q.Score, "of", q.Max, "-", q.Unchecked, "not checked")
	q = ScoreWith(d, ReachabilityMap{"https://example.no/population.csv": true})
	fmt.Println(q.Score, "of", q.Max)
	for _, ds := range q.Dimensions {
		fmt.Printf("%s %d/%d\n", ds.Name, ds.Score, ds.Max)
	}
	// Output:
	// 180 of 405 - 50 not checked
	// 230 of 405
	// findability 30/100
	// accessibility 50/100
	// interoperability 110/110
	// reusability 40/75
	// contextuality 0/20
}

var sink Quality

func BenchmarkScore(b *testing.B) {
	recs, _ := mapFile(b, "se-dcat-ap-se/exempel_rekommenderat.ttl")
	d := byIRI(recs)["https://example.com/dataset1"]
	full, reach := fullRecord()
	b.Run("corpus", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = Score(d)
		}
	})
	b.Run("reachability", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = ScoreWith(full, reach)
		}
	})
}
