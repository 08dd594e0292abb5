package lifeevent

import (
	"os"
	"path/filepath"
	"testing"

	"samband/catalog"
	"samband/catalog/rdf"
	"samband/internal/corpus"
)

// records maps a corpus file to its records, or fails.
func records(t testing.TB, rel string) []catalog.Dataset {
	t.Helper()
	f, err := os.Open(corpus.Path(rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc := catalog.NewDocument()
	if _, err := rdf.DecodeAny(f, rel, rdf.Options{Base: "file:///corpus/" + rel}, doc.Add); err != nil {
		t.Fatalf("decode %s: %v", rel, err)
	}
	var out []catalog.Dataset
	if _, err := doc.Records(catalog.MapOptions{Source: "test", Country: "NO"}, func(d catalog.Dataset) error {
		out = append(out, d)
		return nil
	}); err != nil {
		t.Fatalf("records of %s: %v", rel, err)
	}
	return out
}

// TestCorpus classifies real records of Norwegian catalogues: the Tax
// Administration's catalogue as Felles datakatalog's repository keeps it
// (nav-2017-10-31.ttl, also the demo's "no-nav" source), the Brønnøysund
// Register Centre's, and a page of the national directory whose map
// datasets are about no life event.
func TestCorpus(t *testing.T) {
	r := Default()
	for _, tc := range []struct {
		file  string
		title string // nb, else en
		want  string
	}{
		{"no-fdk-legacy/nav-2017-10-31.ttl", "A-meldingen", "job-loss:keywords:arbeidsforhold*+ansettelse*"},
		{"no-fdk-legacy/nav-2017-10-31.ttl", "A-melding data per arbeidsgiver", "job-loss:keywords:arbeidsgiver*+a melding*"},
		{"no-fdk-legacy/nav-2017-10-31.ttl", "Det sentrale folkeregisteret",
			"having-a-child:keyword:fødsel,new-in-country:keyword:d nummer,death-and-inheritance:keyword:dødsfall"},
		{"no-fdk-legacy/nav-2017-10-31.ttl", "Betalinger til selvstendig næringsdrivende", "starting-a-business:keyword:næringsdrivende"},
		{"no-fdk-legacy/nav-2017-10-31.ttl", "Gaver til visse frivillige organisasjoner og tros- og livsynsamfunn",
			"voluntary-organisation:keyword:frivillige organisasjoner*"},
		{"no-fdk-legacy/nav-2017-10-31.ttl", "MVA registeret", "starting-a-business:keyword:mva registeret"},
		{"no-fdk-legacy/nav-2017-10-31.ttl", "Barnehager og fritidsordninger", "having-a-child:publisher+keyword:barnehage*"},
		{"no-fdk-legacy/nav-2017-10-31.ttl", "Valutaregister", ""},
		{"no-fdk-legacy/nav-2017-10-31.ttl", "Innskudd, utlån og renter", ""},
		{"no-fdk-legacy/nav-2017-10-31.ttl", "Andre finansprodukter", ""}, // "statsborgerskap" only in passing, in the description
		{"no-fdk-legacy/brreg.rdf", "Enhetsregisteret", "starting-a-business:keyword:enhetsregister*"},
		{"no-fdk-legacy/brreg.rdf", "Åpne data - Enhetsregisteret", "starting-a-business:keyword:enhetsregister*"},
		{"no-fdk-legacy/brreg.rdf", "Nøkkelopplysninger fra Frivillighetsregisteret", "voluntary-organisation:keyword:frivillighet*"},
		{"no-fdk-legacy/export-oslokommune.ttl", "Skjenkebevillinger", "starting-a-business:keyword:skjenkebevilling*"},
		{"no-fdk-legacy/export-oslokommune.ttl", "Barnehager i Oslo", "having-a-child:theme+keyword:barnehage*"},
		{"no-fdk-legacy/export-oslokommune.ttl", "Bysykler", ""},
		{"no-fdk-legacy/datasett-with-error.ttl", "Partiregisteret", ""},
	} {
		t.Run(tc.title, func(t *testing.T) {
			for _, d := range records(t, tc.file) {
				if d.Title.Get("nb", "en") != tc.title {
					continue
				}
				if got := matches(r.Classify(d)); got != tc.want {
					t.Errorf("Classify(%s) = %q, want %q", tc.title, got, tc.want)
				}
				return
			}
			t.Fatalf("%s has no record titled %q", tc.file, tc.title)
		})
	}
	for _, d := range records(t, "no-fdk-legacy/datanorge.xml") {
		if ms := r.Classify(d); len(ms) > 0 {
			t.Errorf("map dataset %q classified %s", d.Title.Get("no", "nb"), matches(ms))
		}
	}
}

// TestCorpusAll classifies every record of every corpus file that reads:
// none may panic, and the counts show how much the rules find.
func TestCorpusAll(t *testing.T) {
	r := Default()
	n, matched := 0, 0
	err := filepath.WalkDir(corpus.Dir(), func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(corpus.Dir(), path)
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		doc := catalog.NewDocument()
		if _, err := rdf.DecodeAny(f, rel, rdf.Options{Base: "file:///corpus/" + filepath.ToSlash(rel)}, doc.Add); err != nil {
			return nil // a malformed file of the corpus
		}
		doc.Records(catalog.MapOptions{Source: "test"}, func(d catalog.Dataset) error {
			n++
			if len(r.Classify(d)) > 0 {
				matched++
			}
			return nil
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 200 || matched == 0 {
		t.Errorf("%d records, %d classified; want at least 200 and some", n, matched)
	}
	t.Logf("%d corpus records, %d about a life event", n, matched)
}
