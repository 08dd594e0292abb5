package policies

import (
	"fmt"
	"strings"
)

// countrySet is a set of countries: one bit for every pair of letters, so
// that the recipient's country is checked without a lookup.
type countrySet [(26*26 + 63) / 64]uint64

func (s *countrySet) add(i int)      { s[i/64] |= 1 << (i % 64) }
func (s *countrySet) has(i int) bool { return s[i/64]&(1<<(i%64)) != 0 }

func (s *countrySet) union(o *countrySet) {
	for i := range s {
		s[i] |= o[i]
	}
}

// countryIndex returns the set position of a country code ("NO", "se"),
// reading EL as GR and UK as GB, as EU texts write them. It allocates
// nothing: the recipient's country is read on every decision.
func countryIndex(code string) (int, bool) {
	if len(code) != 2 {
		return 0, false
	}
	a, b := upper(code[0]), upper(code[1])
	if a < 'A' || a > 'Z' || b < 'A' || b > 'Z' {
		return 0, false
	}
	switch {
	case a == 'E' && b == 'L':
		a, b = 'G', 'R'
	case a == 'U' && b == 'K':
		a, b = 'G', 'B'
	}
	return int(a-'A')*26 + int(b-'A'), true
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// isoCountries holds every code ISO 3166-1 alpha-2 assigns, two letters each.
const isoCountries = "ADAEAFAGAIALAMAOAQARASATAUAWAXAZ" +
	"BABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZ" +
	"CACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZ" +
	"DEDJDKDMDODZ" +
	"ECEEEGEHERESET" +
	"FIFJFKFMFOFR" +
	"GAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGY" +
	"HKHMHNHRHTHU" +
	"IDIEILIMINIOIQIRISIT" +
	"JEJMJOJP" +
	"KEKGKHKIKMKNKPKRKWKYKZ" +
	"LALBLCLILKLRLSLTLULVLY" +
	"MAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZ" +
	"NANCNENFNGNINLNONPNRNUNZ" +
	"OM" +
	"PAPEPFPGPHPKPLPMPNPRPSPTPWPY" +
	"QA" +
	"RERORSRURW" +
	"SASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZ" +
	"TCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZ" +
	"UAUGUMUSUYUZ" +
	"VAVCVEVGVIVNVU" +
	"WFWS" +
	"YEYT" +
	"ZAZMZW"

// isCountry reports whether code is an ISO 3166-1 alpha-2 code (or EL, UK).
func isCountry(code string) bool {
	i, ok := countryIndex(code)
	if !ok {
		return false
	}
	c := string([]byte{byte('A' + i/26), byte('A' + i%26)})
	for j := 0; j+2 <= len(isoCountries); j += 2 {
		if isoCountries[j:j+2] == c {
			return true
		}
	}
	return false
}

// IsCountryCode reports whether code is a code ISO 3166-1 alpha-2 assigns,
// in upper case: "NO", not "no". EL and UK, as EU texts write Greece and
// the United Kingdom, are not (GR, GB).
func IsCountryCode(code string) bool {
	if len(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' || code == "EL" || code == "UK" {
		return false
	}
	return isCountry(code)
}

// region returns the member countries of a region Samband knows by name
// (EU, EEA, EFTA, Nordic, Baltic; any case).
func region(name string) []string {
	eu := []string{"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
		"IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}
	switch strings.ToUpper(name) {
	case "EU":
		return eu
	case "EEA":
		return append(eu, "IS", "LI", "NO")
	case "EFTA":
		return []string{"IS", "LI", "NO", "CH"}
	case "NORDIC":
		return []string{"DK", "FI", "IS", "NO", "SE", "AX", "FO", "GL"}
	case "BALTIC":
		return []string{"EE", "LV", "LT"}
	}
	return nil
}

// alpha3 returns the alpha-2 code of an ISO 3166-1 alpha-3 code as the EU
// country authority table uses it, for the countries of the EEA and their
// neighbours in the north.
func alpha3(code string) string {
	switch strings.ToUpper(code) {
	case "AUT":
		return "AT"
	case "BEL":
		return "BE"
	case "BGR":
		return "BG"
	case "HRV":
		return "HR"
	case "CYP":
		return "CY"
	case "CZE":
		return "CZ"
	case "DNK":
		return "DK"
	case "EST":
		return "EE"
	case "FIN":
		return "FI"
	case "FRA":
		return "FR"
	case "DEU":
		return "DE"
	case "GRC":
		return "GR"
	case "HUN":
		return "HU"
	case "IRL":
		return "IE"
	case "ITA":
		return "IT"
	case "LVA":
		return "LV"
	case "LTU":
		return "LT"
	case "LUX":
		return "LU"
	case "MLT":
		return "MT"
	case "NLD":
		return "NL"
	case "POL":
		return "PL"
	case "PRT":
		return "PT"
	case "ROU":
		return "RO"
	case "SVK":
		return "SK"
	case "SVN":
		return "SI"
	case "ESP":
		return "ES"
	case "SWE":
		return "SE"
	case "ISL":
		return "IS"
	case "LIE":
		return "LI"
	case "NOR":
		return "NO"
	case "CHE":
		return "CH"
	case "GBR":
		return "GB"
	case "FRO":
		return "FO"
	case "GRL":
		return "GL"
	case "ALA":
		return "AX"
	}
	return ""
}

// Addresses of country IRIs Samband reads without being told.
const (
	euCountryAuthority = "http://publications.europa.eu/resource/authority/country/"
	ituCountryPrefix   = "http://www.itu.int/tML/tML-ISO-3166:"
)

// placer resolves the right operands of spatial constraints.
type placer struct {
	places map[string][]string // LoadOptions.Places
	folded map[string]string   // upper-cased key -> key
}

func newPlacer(places map[string][]string) *placer {
	p := &placer{places: places, folded: make(map[string]string, len(places))}
	for k := range places {
		p.folded[strings.ToUpper(k)] = k
	}
	return p
}

// place returns the countries a right operand of spatial names: a name in
// LoadOptions.Places, a country code, a region, an EU country authority IRI
// or an ITU ISO 3166 IRI.
func (p *placer) place(v string) (*countrySet, error) {
	return p.placeDepth(v, 0)
}

func (p *placer) placeDepth(v string, depth int) (*countrySet, error) {
	var set countrySet
	members, ok := p.places[v]
	if !ok {
		if k, found := p.folded[strings.ToUpper(v)]; found {
			members, ok = p.places[k], true
		}
	}
	if ok {
		if depth > 4 {
			return nil, fmt.Errorf("place %q is defined through more than 4 other places", v)
		}
		for _, m := range members {
			s, err := p.placeDepth(m, depth+1)
			if err != nil {
				return nil, fmt.Errorf("place %q: %w", v, err)
			}
			set.union(s)
		}
		return &set, nil
	}
	code := v
	switch {
	case strings.HasPrefix(v, euCountryAuthority):
		code = alpha3(v[len(euCountryAuthority):])
	case strings.HasPrefix(v, ituCountryPrefix):
		code = v[len(ituCountryPrefix):]
	}
	if isCountry(code) {
		i, _ := countryIndex(code)
		set.add(i)
		return &set, nil
	}
	if r := region(code); r != nil {
		for _, c := range r {
			i, _ := countryIndex(c)
			set.add(i)
		}
		return &set, nil
	}
	return nil, fmt.Errorf("%q is no place Samband knows: not an ISO 3166-1 alpha-2 code, a region (EU, EEA, EFTA, Nordic, Baltic), an EU country authority IRI of an EEA country, or a name in LoadOptions.Places", v)
}
