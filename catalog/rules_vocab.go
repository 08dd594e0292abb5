package catalog

import (
	"regexp"
	"slices"
	"strings"
	"sync"

	"samband/catalog/rdf"
)

// Concept schemes the rules name, as vocab/schemes.tsv lists them.
const (
	euAuthority           = "http://publications.europa.eu/resource/authority/"
	schemeDataTheme       = euAuthority + "data-theme"
	schemeAccessRight     = euAuthority + "access-right"
	schemeFrequency       = euAuthority + "frequency"
	schemeLanguage        = euAuthority + "language"
	schemeFileType        = euAuthority + "file-type"
	schemeLicence         = euAuthority + "licence"
	schemeCorporateBody   = euAuthority + "corporate-body"
	schemeCountry         = euAuthority + "country"
	schemeContinent       = euAuthority + "continent"
	schemePlace           = euAuthority + "place"
	schemeDatasetType     = euAuthority + "dataset-type"
	schemeStatus          = euAuthority + "distribution-status"
	schemeAvailability    = euAuthority + "planned-availability"
	schemePublisherType   = "http://purl.org/adms/publishertype/1.0"
	schemeLicenceType     = "http://purl.org/adms/licencetype/1.0"
	schemeAvailabilityAP2 = "http://data.europa.eu/r5r/availability/1.0"
	schemeGeoNames        = "http://sws.geonames.org"
	skosInScheme          = nsSKOS + "inScheme"
)

// conceptScheme is one controlled vocabulary of vocab/schemes.tsv.
type conceptScheme struct {
	iri, ns string
	codes   map[string]bool // nil when re says what a code is
	re      *regexp.Regexp
}

var conceptSchemes = sync.OnceValue(func() []conceptScheme {
	var out []conceptScheme
	readTable("vocab/schemes.tsv", func(f []string) {
		s := conceptScheme{iri: f[0], ns: f[1]}
		if expr, ok := strings.CutPrefix(f[2], "re:"); ok {
			s.re = regexp.MustCompile("^(?:" + expr + ")$")
		} else {
			s.codes = map[string]bool{}
			for _, c := range strings.Split(f[2], "|") {
				s.codes[c] = true
			}
		}
		out = append(out, s)
	})
	return out
})

// schemesOf returns the schemes of vocab/schemes.tsv that have iri as a
// concept.
func schemesOf(iri string) []string {
	var out []string
	for _, s := range conceptSchemes() {
		code, ok := strings.CutPrefix(iri, s.ns)
		if !ok || code == "" {
			continue
		}
		if (s.codes != nil && s.codes[code]) || (s.re != nil && s.re.MatchString(code)) {
			out = append(out, s.iri)
		}
	}
	return out
}

// inSchemes reports whether v is a concept of one of schemes: the
// description says so (skos:inScheme), or v is an IRI vocab/schemes.tsv
// has in one of them. A scheme IRI counts in its http and https forms.
func inSchemes(g *ruleGraph, v gterm, schemes []string) bool {
	if v.kind == 'L' {
		return false
	}
	match := func(s string) bool {
		if slices.Contains(schemes, s) {
			return true
		}
		if rest, ok := strings.CutPrefix(s, "https://"); ok {
			return slices.Contains(schemes, "http://"+rest)
		}
		return false
	}
	for _, s := range g.objects(v, skosInScheme) {
		if s.kind == termIRI && match(s.v) {
			return true
		}
	}
	if v.kind != termIRI {
		return false
	}
	for _, s := range schemesOf(v.v) {
		if match(s) {
			return true
		}
	}
	return false
}

// Lexical forms of the XSD datatypes the shapes name, as XML Schema 1.1
// (and the SHACL engine in tools/shacl, rdf-validate-datatype) defines
// them. A datatype not listed accepts any lexical form.
var lexicalForms = sync.OnceValue(func() map[string]*regexp.Regexp {
	const (
		year = `-?([1-9][0-9]{3,}|0[0-9]{3})`
		tz   = `((\+|-)[0-9]{2}:[0-9]{2}|Z)`
		date = year + `-[0-9]{2}-[0-9]{2}`
		time = `[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?`
		ym   = `([0-9]+Y([0-9]+M)?|[0-9]+M)`
		tm   = `T(([0-9]+H([0-9]+M)?([0-9]+(\.[0-9]+)?S)?)|([0-9]+M([0-9]+(\.[0-9]+)?S)?)|[0-9]+(\.[0-9]+)?S)`
		dt   = `([0-9]+D(` + tm + `)?|` + tm + `)`
	)
	m := map[string]string{
		"date":               `^` + date + tz + `?$`,
		"dateTime":           `^` + date + `T` + time + tz + `?$`,
		"gYear":              `^` + year + tz + `?$`,
		"gYearMonth":         `^` + year + `-[0-9]{2}` + tz + `?$`,
		"decimal":            `^(\+|-)?([0-9]+\.?[0-9]*|\.[0-9]+)$`,
		"nonNegativeInteger": `^(\+?[0-9]+|-0+)$`,
		"hexBinary":          `^([0-9a-fA-F]{2})*$`,
		"boolean":            `^(true|false|1|0)$`,
		"duration":           `^-?P((` + ym + `(` + dt + `)?)|` + dt + `)$`,
	}
	out := make(map[string]*regexp.Regexp, len(m))
	for k, v := range m {
		out[rdf.NSXSD+k] = regexp.MustCompile(v)
	}
	return out
})

// validLexical reports whether lexical is a valid form of datatype.
func validLexical(datatype, lexical string) bool {
	re, ok := lexicalForms()[datatype]
	return !ok || re.MatchString(lexical)
}
