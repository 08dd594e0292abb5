package catalog

import "testing"

func TestThemeCode(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"http://publications.europa.eu/resource/authority/data-theme/ECON", "ECON"},
		{"https://publications.europa.eu/resource/authority/data-theme/ECON/", "ECON"},
		{"http://publications.europa.eu/resource/authority/data-theme/econ", "ECON"},
		{"http://publications.europa.eu/resource/dataset/data-theme/GOVE", "GOVE"},
		{"http://publications.europa.eu/resource/authority/data-theme/OP_DATPRO", "OP_DATPRO"},
		{"http://publications.europa.eu/resource/authority/data-theme/html", ""},
		{"http://publications.europa.eu/resource/authority/data-theme", ""},
		{"https://psi.norge.no/los/tema/trafikk-og-transport", "TRAN"},
		{"http://psi.norge.no/los/tema/helse-og-omsorg", "HEAL"},
		{"https://psi.norge.no/los/tema/skatt-og-avgift", "ECON"},
		{"https://psi.norge.no/los/tema/kultur-idrett-og-fritid", "EDUC"},
		{"https://psi.norge.no/los/tema/samfunnssikkerhet-og-beredskap", "JUST"},
		{"https://psi.norge.no/los/tema/naring", ""},          // no single EU theme
		{"https://psi.norge.no/los/tema/familie-og-barn", ""}, // no single EU theme
		{"https://psi.norge.no/los/ord/vegnett", ""},          // a LOS word, not a theme
		{"https://psi.norge.no/los/tema/grunnskole", ""},      // a LOS sub-theme
		{"ENVI", "ENVI"},
		{"envi", "ENVI"},
		{"Economy and finance", "ECON"},
		{"  Population   and society ", "SOCI"},
		{"Kultur", ""},
		{"", ""},
	} {
		if got := ThemeCode(tc.in); got != tc.want {
			t.Errorf("ThemeCode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLicenceCode(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"http://creativecommons.org/licenses/by/4.0/", "CC_BY_4_0"},
		{"https://creativecommons.org/licenses/by/4.0", "CC_BY_4_0"},
		{"https://creativecommons.org/licenses/by/4.0/deed.no", "CC_BY_4_0"},
		{"http://creativecommons.org/licenses/by/4.0/legalcode", "CC_BY_4_0"},
		{"https://creativecommons.org/licenses/by/4.0/legalcode.fi", "CC_BY_4_0"},
		{"https://creativecommons.org/licenses/by-sa/4.0/", "CC_BY_SA_4_0"},
		{"https://creativecommons.org/licenses/by-nc/4.0/", "CC_BY_NC_4_0"},
		{"https://creativecommons.org/licenses/by/3.0/", "CC_BY_3_0"},
		{"http://creativecommons.org/licenses/by/3.0/no/", ""},  // ported: another legal text
		{"https://creativecommons.org/licenses/by-nd/4.0/", ""}, // not in the table: not guessed
		{"https://creativecommons.org/licenses/by/2.5/", ""},
		{"http://creativecommons.org/publicdomain/zero/1.0/", "CC0"},
		{"https://creativecommons.org/publicdomain/zero/1.0/deed.sv", "CC0"},
		{"CC0", "CC0"},
		{"CC0-1.0", "CC0"},
		{"https://spdx.org/licenses/CC-BY-4.0.html", "CC_BY_4_0"},
		{"CC-BY-4.0", "CC_BY_4_0"},
		{"CC BY 4.0", "CC_BY_4_0"},
		{"CC BY-SA 4.0", "CC_BY_SA_4_0"},
		{"Creative Commons Attribution 4.0 International", "CC_BY_4_0"},
		{"http://publications.europa.eu/resource/authority/licence/CC_BY_4_0", "CC_BY_4_0"},
		{"http://publications.europa.eu/resource/authority/licence/NLOD_2_0", "NLOD_2_0"},
		{"http://data.norge.no/nlod/no/2.0", "NLOD_2_0"},
		{"https://data.norge.no/nlod/en/2.0/", "NLOD_2_0"},
		{"http://data.norge.no/nlod/no/1.0", "NLOD_1_0"},
		{"NLOD-2.0", "NLOD_2_0"},
		{"https://data.norge.no/nlod/no", ""}, // no version: 1.0 or 2.0
		{"http://data.norge.no/nlod/", ""},
		{"http://dcat-ap.de/def/licenses/cc-zero", "CC0"},
		{"https://data.exampleMS.gov/resource/FreeAndOpen", ""},
		{"http://reference.data.gov.uk/id/open-government-licence", ""},
		{"", ""},
	} {
		if got := LicenceCode(tc.in); got != tc.want {
			t.Errorf("LicenceCode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFileType(t *testing.T) {
	for _, tc := range []struct{ in, code, media string }{
		{"http://publications.europa.eu/resource/authority/file-type/CSV", "CSV", "text/csv"},
		{"http://publications.europa.eu/resource/authority/file-type/csv", "CSV", "text/csv"},
		{"http://publications.europa.eu/resource/authority/file-type/RDF_TURTLE", "RDF_TURTLE", "text/turtle"},
		{"http://publications.europa.eu/resource/authority/file-type/SHP", "SHP", ""},
		{"http://publications.europa.eu/resource/authority/file-type/WMS_SRVC", "WMS_SRVC", ""},
		{"https://www.iana.org/assignments/media-types/text/csv", "CSV", "text/csv"},
		{"http://www.iana.org/assignments/media-types/application/vnd.geo+json", "GEOJSON", "application/geo+json"},
		{"https://www.iana.org/assignments/media-types/application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"http://purl.org/NET/mediatypes/text/csv", "CSV", "text/csv"},
		{"CSV", "CSV", "text/csv"},
		{"csv", "CSV", "text/csv"},
		{".csv", "CSV", "text/csv"},
		{"text/csv", "CSV", "text/csv"},
		{"text/csv; charset=utf-8", "CSV", "text/csv"},
		{"application/json", "JSON", "application/json"},
		{"JSON", "JSON", "application/json"},
		{"text/json", "JSON", "application/json"},
		{"XLSX", "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"PDF", "PDF", "application/pdf"},
		{"SHP", "SHP", ""},
		{"ESRI Shapefile", "SHP", ""},
		{"GeoJSON", "GEOJSON", "application/geo+json"},
		{"html", "HTML", "text/html"},
		{"application/alto-endpointcostparams+json", "", "application/alto-endpointcostparams+json"},
		{"application/xml, application/json", "", ""},
		{"CSV JSON JSONP YAML XML", "", ""},
		{"SOSI", "", ""},
		{"API", "", ""},
		{"", "", ""},
	} {
		code, media := FileType(tc.in)
		if code != tc.code || media != tc.media {
			t.Errorf("FileType(%q) = %q, %q; want %q, %q", tc.in, code, media, tc.code, tc.media)
		}
	}
}

func TestAccessRightsCode(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"http://publications.europa.eu/resource/authority/access-right/PUBLIC", "PUBLIC"},
		{"http://publications.europa.eu/resource/authority/access-right/RESTRICTED", "RESTRICTED"},
		{"http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC", "NON_PUBLIC"},
		{"https://publications.europa.eu/resource/authority/access-right/public", "PUBLIC"},
		{"http://publications.europa.eu/resource/authority/dataset-access/PUBLIC", "PUBLIC"},
		{"http://publications.europa.eu/resource/authority/access-right/CONFIDENTIAL", ""},
		{"public", "PUBLIC"},
		{"PUBLIC", "PUBLIC"},
		{"Offentlig", "PUBLIC"},
		{"öppen", "PUBLIC"},
		{"julkinen", "PUBLIC"},
		{"restricted", "RESTRICTED"},
		{"Begrenset", "RESTRICTED"},
		{"begränsad", "RESTRICTED"},
		{"begrænset", "RESTRICTED"},
		{"rajoitettu", "RESTRICTED"},
		{"non-public", "NON_PUBLIC"},
		{"ikke offentlig", "NON_PUBLIC"},
		{"unntatt offentlighet", "NON_PUBLIC"},
		{"ei-julkinen", "NON_PUBLIC"},
		{"secret", ""},
		{"", ""},
	} {
		if got := AccessRightsCode(tc.in); got != tc.want {
			t.Errorf("AccessRightsCode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestByteSize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"5120", "5120"}, {"5120.0", "5120"}, {"0005120.000", "5120"}, {"0", "0"}, {"0.0", "0"},
		{"12.5", "12.5"}, {"1e3", "1e3"}, {"", ""}, {"about 5 MB", "about 5 MB"},
	} {
		if got := byteSize(tc.in); got != tc.want {
			t.Errorf("byteSize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestIsDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"2020-01-01", true}, {"2020-01-01Z", true}, {"2020-01-01+02:00", true},
		{"2019-04-02T00:00:00", true}, {"2020-03-12T11:52:16.122Z", true}, {"2020", true}, {"2020-05", true},
		{"2024-02-30", false}, {"last spring", false}, {"01.02.2020", false}, {"", false},
	} {
		if got := isDate(tc.in); got != tc.want {
			t.Errorf("isDate(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
