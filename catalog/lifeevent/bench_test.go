package lifeevent

import (
	"fmt"
	"strings"
	"testing"

	"samband/catalog"
)

// BenchmarkClassify classifies real records: the 42 of the Norwegian Tax
// Administration's catalogue and the 4 of the Brønnøysund Register Centre
// (Norwegian texts, keywords, publishers), the 10 of a page of the
// national directory (long descriptions), and a record with every text
// in eight languages and a 2 KB description in each. It reports the time
// per record.
func BenchmarkClassify(b *testing.B) {
	var recs []catalog.Dataset
	for _, f := range []string{"no-fdk-legacy/nav-2017-10-31.ttl", "no-fdk-legacy/brreg.rdf", "no-fdk-legacy/datanorge.xml"} {
		recs = append(recs, records(b, f)...)
	}
	recs = append(recs, multilingual())
	r := Default()
	b.Run("corpus", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			for _, d := range recs[:len(recs)-1] {
				r.Classify(d)
				n++
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n)/1000, "µs/record")
	})
	b.Run("multilingual", func(b *testing.B) {
		b.ReportAllocs()
		d := recs[len(recs)-1]
		for b.Loop() {
			r.Classify(d)
		}
	})
}

// multilingual returns a record with a title, keywords and a 2 KB
// description in each of the eight languages of the rules.
func multilingual() catalog.Dataset {
	d := catalog.Dataset{Title: catalog.Text{}, Description: catalog.Text{}, Keywords: catalog.Text{},
		EUThemes:  []string{"SOCI", "ECON"},
		Publisher: &catalog.Agent{IRI: "https://data.brreg.no/enhetsregisteret/api/enheter/971526920", Name: catalog.Text{"nb": {"Statistisk sentralbyrå"}, "en": {"Statistics Norway"}}},
	}
	texts := map[string][2]string{
		"nb": {"Befolkning etter kommune, kjønn og alder", "Folkemengde 1. januar etter region, kjønn og ettårig alder, med innvandrere og norskfødte med innvandrerforeldre."},
		"nn": {"Folketal etter kommune, kjønn og alder", "Folketal 1. januar etter region, kjønn og eittårig alder."},
		"en": {"Population by municipality, sex and age", "Population 1 January by region, sex and one-year age groups, with immigrants and their children."},
		"sv": {"Folkmängd efter region, civilstånd, ålder och kön", "Folkmängden den 31 december efter region, civilstånd, ålder och kön."},
		"da": {"Befolkningen efter kommune, køn og alder", "Folketal den 1. i kvartalet efter område, køn, alder og civilstand."},
		"fi": {"Väestö kunnittain, sukupuolen ja iän mukaan", "Väestö 31.12. alueen, sukupuolen ja iän mukaan."},
		"is": {"Mannfjöldi eftir sveitarfélögum, kyni og aldri", "Mannfjöldi 1. janúar eftir sveitarfélögum, kyni og aldri."},
		"et": {"Rahvastik omavalitsuse, soo ja vanuse järgi", "Rahvaarv 1. jaanuari seisuga maakonna, soo ja vanuse järgi."},
	}
	for lang, t := range texts {
		d.Title[lang] = []string{t[0]}
		d.Description[lang] = []string{strings.Repeat(t[1]+" ", 2048/len(t[1])+1)}
		d.Keywords[lang] = []string{fmt.Sprintf("%s-%d", lang, 1), "statistikk", "population"}
	}
	return d
}
