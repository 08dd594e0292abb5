package lifeevent

import (
	"reflect"
	"strings"
	"testing"

	"samband/catalog"
)

var ids = []string{"having-a-child", "seriously-ill-child", "job-loss", "new-in-country",
	"death-and-inheritance", "voluntary-organisation", "starting-a-business"}

func TestDefault(t *testing.T) {
	cs := Concepts()
	var got []string
	iris := map[string]bool{}
	for _, c := range cs {
		got = append(got, c.ID)
		for _, lang := range []string{"nb", "nn", "en", "sv", "da", "fi", "is", "et"} {
			if strings.TrimSpace(c.Labels[lang]) == "" {
				t.Errorf("concept %s has no label in %s", c.ID, lang)
			}
		}
		if c.Description["en"] == "" || c.Description["nb"] == "" {
			t.Errorf("concept %s lacks an English or Bokmål description", c.ID)
		}
		if c.IRI == "" || iris[c.IRI] {
			t.Errorf("concept %s: IRI %q empty or not unique", c.ID, c.IRI)
		}
		iris[c.IRI] = true
	}
	if !reflect.DeepEqual(got, ids) {
		t.Errorf("Concepts() = %v, want %v", got, ids)
	}
	c, ok := Default().Concept("job-loss")
	if !ok || c.Labels["nb"] != "Miste og finne jobb" || c.Labels["en"] != "Losing and finding a job" {
		t.Errorf(`Concept("job-loss") = %+v, %v`, c, ok)
	}
	if _, ok := Default().Concept("retirement"); ok {
		t.Error(`Concept("retirement") found`)
	}
	// What the caller gets is a copy.
	cs[0].Labels["nb"] = "endret"
	cs[0].SameAs[0] = "changed"
	if c, _ := Default().Concept(cs[0].ID); c.Labels["nb"] == "endret" || c.SameAs[0] == "changed" {
		t.Error("changing a returned Concept changed the rules")
	}
}

// ds returns a record with a Norwegian title and the options applied.
func ds(title string, opts ...func(*catalog.Dataset)) catalog.Dataset {
	d := catalog.Dataset{IRI: "https://example.org/ds", Title: catalog.Text{"nb": {title}}}
	for _, o := range opts {
		o(&d)
	}
	return d
}

func desc(lang, s string) func(*catalog.Dataset) {
	return func(d *catalog.Dataset) { d.Description = catalog.Text{lang: {s}} }
}

func keywords(lang string, kw ...string) func(*catalog.Dataset) {
	return func(d *catalog.Dataset) { d.Keywords = catalog.Text{lang: kw} }
}

func themes(codes ...string) func(*catalog.Dataset) {
	return func(d *catalog.Dataset) { d.EUThemes = codes }
}

func publishedBy(a catalog.Agent) func(*catalog.Dataset) {
	return func(d *catalog.Dataset) { d.Publisher = &a }
}

func title(lang, s string) func(*catalog.Dataset) {
	return func(d *catalog.Dataset) { d.Title = catalog.Text{lang: {s}} }
}

func TestClassify(t *testing.T) {
	nav := catalog.Agent{IRI: "https://data.brreg.no/enhetsregisteret/api/enheter/889640782"}
	for _, tc := range []struct {
		name string
		d    catalog.Dataset
		want string // concept:how, ...
	}{
		{"nothing", ds("Kirkebygg i Norge"), ""},
		{"term in title", ds("Dagpenger etter fylke"), "job-loss:keyword:dagpenger"},
		{"prefix", ds("Arbeidsledigheten i Norden"), "job-loss:keyword:arbeidsledig*"},
		{"case and accents", ds("DODSFALL ETTER KOMMUNE"), "death-and-inheritance:keyword:dødsfall"},
		{"Swedish text, folded", ds("", title("sv", "Dödsfall och begravningar")), "death-and-inheritance:keyword:dödsfall*"},
		{"phrase", ds("Tildeling av D-nummer"), "new-in-country:keyword:d nummer"},
		{"phrase with its words apart", ds("D for Drammen, nummer 7"), ""},
		{"keyword", ds("Tabell 07459", keywords("nb", "fødsel", "statistikk")), "having-a-child:keyword:fødsel"},
		{"several life events", ds("Fødsler og dødsfall"), "having-a-child:keyword:fødsler,death-and-inheritance:keyword:dødsfall"},
		{"term only in a description", ds("Tabell 10540", desc("nb", "Personer registrert som arbeidsledige hos NAV.")), ""},
		{"term in a description and a theme", ds("Tabell 10540", desc("nb", "Personer registrert som arbeidsledige."), themes("ECON")), "job-loss:theme+keyword:arbeidsledig*"},
		{"clue and theme", ds("Barn i barnehage", themes("EDUC")), "having-a-child:theme+keyword:barn"},
		{"clue, other theme", ds("Barn i barnehage", themes("TRAN")), "having-a-child:keywords:barn+barnehage*"},
		{"a clue alone", ds("Barn"), ""},
		{"a theme alone", ds("Tabell 1", themes("SOCI", "HEAL", "ECON", "JUST", "EDUC")), ""},
		{"clue only in a description, with theme", ds("Tabell 1", desc("nb", "Tall for barn."), themes("SOCI")), ""},
		{"clue and publisher by organisation number in IRI", ds("Lønn", publishedBy(nav)), "job-loss:publisher+keyword:lønn"},
		{"clue and publisher by identifier", ds("Lønn", publishedBy(catalog.Agent{Identifier: "NO 889 640 782"})), "job-loss:publisher+keyword:lønn"},
		{"clue and publisher by name", ds("Lønn", publishedBy(catalog.Agent{Name: catalog.Text{"nb": {"NAV Arbeid og ytelser"}}})), "job-loss:publisher+keyword:lønn"},
		{"name not whole words", ds("Lønn", publishedBy(catalog.Agent{Name: catalog.Text{"en": {"Navigation Office"}}})), ""},
		{"supporting publisher alone", ds("Tabell 1", publishedBy(nav)), ""},
		{"publisher alone", ds("Statistik", publishedBy(catalog.Agent{Name: catalog.Text{"sv": {"Arbetsförmedlingen"}}})), "job-loss:publisher"},
		{"needs: clue and need", ds("Barn med kreft"), "seriously-ill-child:keywords:kreft*+barn"},
		{"needs: clue without need, with theme", ds("Kreft etter fylke", themes("HEAL")), ""},
		{"needs: English", ds("", title("en", "Hospital admissions of children")), "seriously-ill-child:keywords:hospital*+children"},
		{"needs: term alone", ds("Pleiepenger"), "seriously-ill-child:keyword:pleiepenger"},
		{"language: Finnish term in Swedish text", ds("", title("sv", "Työttömyys")), ""},
		{"language: Finnish term in Finnish text", ds("", title("fi", "Työttömyys")), "job-loss:keyword:työttöm*"},
		{"language: Finnish term in untagged text", ds("", title("", "Työttömyys")), "job-loss:keyword:työttöm*"},
		{"language: Nynorsk term in Bokmål text", ds("", title("nb", "Arbeidslause")), "job-loss:keyword:arbeidslaus*"},
		{"language: region subtag", ds("", title("nb-no", "Dagpenger")), "job-loss:keyword:dagpenger"},
		{"language: no", ds("", title("no", "Dagpengar")), "job-loss:keyword:dagpengar"},
		{"data service", ds("API for stillingsannonser", func(d *catalog.Dataset) { d.Kind = catalog.KindDataService }), "job-loss:keyword:stillingsannonse*"},
		{"apostrophe", ds("", title("en", "Children’s hospital waiting times")), "seriously-ill-child:keyword:childrens hospital*"},
		{"explicit by same_as (Los)", ds("Tabell 1", func(d *catalog.Dataset) {
			d.Related = map[string][]string{"http://purl.org/dc/terms/relation": {"https://psi.norge.no/los/hendelse/fa-barn"}}
		}), "having-a-child:explicit"},
		{"explicit by IRI in a profile property", ds("Tabell 1", func(d *catalog.Dataset) {
			d.Profile = map[string][]string{"http://data.europa.eu/m8g/isGroupedBy": {"<urn:samband:life-event:job-loss>"}}
		}), "job-loss:explicit"},
		{"explicit as theme, http or https", ds("Tabell 1", func(d *catalog.Dataset) {
			d.Themes = []string{"http://psi.norge.no/los/hendelse/fa-barn/"}
		}), "having-a-child:explicit"},
		{"explicit wins over the rules", ds("Dagpenger og dødsfall", func(d *catalog.Dataset) {
			d.Subjects = []string{"urn:samband:life-event:starting-a-business"}
		}), "starting-a-business:explicit"},
		{"a literal is not explicit", ds("Tabell 1", func(d *catalog.Dataset) {
			d.Profile = map[string][]string{"http://data.europa.eu/m8g/isGroupedBy": {`"urn:samband:life-event:job-loss"`}}
		}), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := matches(Default().Classify(tc.d)); got != tc.want {
				t.Errorf("Classify(%q) = %q, want %q", tc.d.Title.Get("nb", "en", "sv"), got, tc.want)
			}
		})
	}
}

func matches(ms []Match) string {
	var parts []string
	for _, m := range ms {
		parts = append(parts, m.Concept+":"+m.How)
	}
	return strings.Join(parts, ",")
}

// TestClassifyOrderFree: a record's languages come in map order, which
// changes from run to run; the result must not.
func TestClassifyOrderFree(t *testing.T) {
	d := catalog.Dataset{
		Title: catalog.Text{"nb": {"Lønn og sysselsetting"}, "sv": {"Löner och sysselsättning"},
			"en": {"Wages and employment"}, "da": {"Løn og beskæftigelse"}, "fi": {"Palkat ja työllisyys"}},
		Keywords: catalog.Text{"nb": {"arbeidsgiver", "yrke"}, "en": {"occupation", "jobs"}},
	}
	want := matches(Default().Classify(d))
	if want == "" {
		t.Fatal("no match")
	}
	for i := 0; i < 50; i++ {
		if got := matches(Default().Classify(d)); got != want {
			t.Fatalf("Classify = %q, then %q", want, got)
		}
	}
}

func TestClassifyAllocations(t *testing.T) {
	d := ds("Kirkebygg", desc("nb", strings.Repeat("Ein lang tekst om kyrkjer og bygg, utan noko anna. ", 20)),
		keywords("nb", "kirke", "bygg"), publishedBy(catalog.Agent{IRI: "https://example.org/org/123456789", Name: catalog.Text{"nb": {"Kulturdepartementet"}}}))
	r := Default()
	if n := testing.AllocsPerRun(100, func() { r.Classify(d) }); n != 0 {
		t.Errorf("Classify of a record about no life event allocates %v times, want 0", n)
	}
}

func TestClassifyLimits(t *testing.T) {
	// A word longer than the scanner keeps matches as a prefix, never whole.
	long := "dagpenger" + strings.Repeat("x", 100)
	if got := matches(Default().Classify(ds(long))); got != "" {
		t.Errorf("Classify(very long word) = %q, want none", got)
	}
	if got := matches(Default().Classify(ds("arbeidsledig" + strings.Repeat("e", 100)))); got != "job-loss:keyword:arbeidsledig*" {
		t.Errorf("Classify(very long word with a prefix) = %q", got)
	}
	// Past the first 16 KiB of a text nothing is read.
	far := ds(strings.Repeat("x ", maxValueBytes/2) + "dagpenger")
	if got := matches(Default().Classify(far)); got != "" {
		t.Errorf("Classify(term after 16 KiB) = %q, want none", got)
	}
	// Many phrase starts at once.
	many := ds("", title("", strings.Repeat("a ", 100)+"kasse"))
	if got := matches(Default().Classify(many)); got != "job-loss:keyword:a kasse*" {
		t.Errorf("Classify(many phrase starts) = %q", got)
	}
}
