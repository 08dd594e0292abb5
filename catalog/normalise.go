package catalog

import (
	"bufio"
	"embed"
	"strings"
	"sync"
)

// The tables behind the normalisers, with their origins, are in vocab/ (see
// vocab/README.md). They are read once, on first use, and never change.
//
//go:embed vocab/*.tsv
var vocabFiles embed.FS

type vocabulary struct {
	fileTypes    map[string]string // alias -> EU file-type code
	mediaTypes   map[string]string // EU file-type code -> IANA media type
	codeOfMedia  map[string]string // IANA media type -> EU file-type code
	licences     map[string]string // alias -> EU licence code
	licenceCodes map[string]bool
	themes       map[string]string // alias -> EU data-theme code
	themeCodes   map[string]bool
	access       map[string]string // alias -> EU access-right code
}

var vocab = sync.OnceValue(func() *vocabulary {
	v := &vocabulary{
		fileTypes:    map[string]string{},
		mediaTypes:   map[string]string{},
		codeOfMedia:  map[string]string{},
		licences:     map[string]string{},
		licenceCodes: map[string]bool{},
		themes:       map[string]string{},
		themeCodes:   map[string]bool{},
		access:       map[string]string{},
	}
	readTable("vocab/filetypes.tsv", func(f []string) {
		code, media := f[0], f[1]
		v.fileTypes[lookupKey(code)] = code
		if media != "" {
			v.mediaTypes[code] = media
			if _, ok := v.codeOfMedia[media]; !ok {
				v.codeOfMedia[media] = code
			}
		}
		for _, a := range strings.Split(f[2], "|") {
			v.fileTypes[a] = code
		}
	})
	readTable("vocab/licences.tsv", func(f []string) {
		v.licenceCodes[f[0]] = true
		v.licences[lookupKey(f[0])] = f[0]
		for _, a := range strings.Split(f[1], "|") {
			v.licences[a] = f[0]
		}
	})
	readTable("vocab/themes.tsv", func(f []string) {
		v.themeCodes[f[0]] = true
		v.themes[lookupKey(f[0])] = f[0]
		for _, a := range strings.Split(f[1], "|") {
			v.themes[a] = f[0]
		}
	})
	readTable("vocab/accessrights.tsv", func(f []string) {
		v.access[lookupKey(f[0])] = f[0]
		for _, a := range strings.Split(f[1], "|") {
			v.access[a] = f[0]
		}
	})
	return v
})

// readTable calls fn with the tab-separated fields of every line of an
// embedded table but comments. The tables are part of the source: a broken
// one is a programming error.
func readTable(name string, fn func([]string)) {
	f, err := vocabFiles.Open(name)
	if err != nil {
		panic("catalog: " + err.Error())
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		fn(strings.Split(line, "\t"))
	}
}

// lookupKey returns s in the form the tables are written in: lower case,
// without scheme, "www." or final "/", white space collapsed.
func lookupKey(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	for _, p := range []string{"https://", "http://"} {
		if strings.HasPrefix(s, p) {
			s = s[len(p):]
			break
		}
	}
	s = strings.TrimPrefix(s, "www.")
	return strings.TrimRight(s, "/")
}

// afterPrefix returns what follows one of the prefixes (given in lookup form)
// in the lookup form of s.
func afterPrefix(key string, prefixes ...string) (string, bool) {
	for _, p := range prefixes {
		if strings.HasPrefix(key, p) {
			return key[len(p):], true
		}
	}
	return "", false
}

// ThemeCode returns the EU data-theme code ("ECON", "HEAL", ...) of a theme
// given as an EU data-theme IRI (also the older .../resource/dataset/data-theme/
// form), a main theme of Norway's LOS that one EU theme covers, an EU theme
// code or English label; "" if there is no clear one.
func ThemeCode(theme string) string {
	v := vocab()
	k := lookupKey(theme)
	if rest, ok := afterPrefix(k, "publications.europa.eu/resource/authority/data-theme/",
		"publications.europa.eu/resource/dataset/data-theme/"); ok {
		if c := strings.ToUpper(rest); v.themeCodes[c] {
			return c
		}
		return ""
	}
	if rest, ok := afterPrefix(k, "psi.norge.no/los/tema/"); ok {
		return v.themes["psi.norge.no/los/tema/"+rest]
	}
	return v.themes[k]
}

// LicenceCode returns the EU licence code ("CC_BY_4_0", "CC0", "NLOD_2_0",
// ...) of a licence given as an EU licence IRI, a Creative Commons IRI (any
// deed or legal code page), an SPDX id or IRI, an NLOD IRI or a common name;
// "" if it is not one the tables are sure of.
func LicenceCode(licence string) string {
	v := vocab()
	k := lookupKey(licence)
	if rest, ok := afterPrefix(k, "publications.europa.eu/resource/authority/licence/"); ok && rest != "" && !strings.Contains(rest, "/") {
		return strings.ToUpper(rest)
	}
	if rest, ok := afterPrefix(k, "creativecommons.org/publicdomain/zero/1.0"); ok {
		if ccTail(rest) {
			return "CC0"
		}
		return ""
	}
	if rest, ok := afterPrefix(k, "creativecommons.org/licenses/"); ok {
		parts := strings.SplitN(rest, "/", 3) // kind, version, tail
		if len(parts) < 2 || (len(parts) == 3 && !ccTail("/"+parts[2])) {
			return ""
		}
		code := "CC_" + strings.ToUpper(strings.ReplaceAll(parts[0], "-", "_")) + "_" + strings.ReplaceAll(parts[1], ".", "_")
		if v.licenceCodes[code] {
			return code
		}
		return ""
	}
	return v.licences[k]
}

// ccTail reports whether what follows a Creative Commons licence's version
// is one of its own pages (a deed or the legal code, in any language), not a
// ported licence of a jurisdiction.
func ccTail(rest string) bool {
	rest = strings.TrimPrefix(rest, "/")
	return rest == "" || strings.HasPrefix(rest, "deed") || strings.HasPrefix(rest, "legalcode")
}

// FileType returns the EU file-type code ("CSV", "JSON", ...) and the IANA
// media type ("text/csv", ...) of a format given as an EU file-type IRI, an
// IANA media-type IRI, a media type or a common name or extension ("CSV",
// "xlsx", "GeoJSON", ...). Either is "" when it is not known; a value that
// names several formats ("CSV, JSON") gives neither.
func FileType(format string) (code, mediaType string) {
	v := vocab()
	k := lookupKey(format)
	if rest, ok := afterPrefix(k, "publications.europa.eu/resource/authority/file-type/"); ok {
		if rest == "" || strings.Contains(rest, "/") {
			return "", ""
		}
		code = strings.ToUpper(rest)
		return code, v.mediaTypes[code]
	}
	if rest, ok := afterPrefix(k, "iana.org/assignments/media-types/", "purl.org/net/mediatypes/"); ok {
		k = rest
	}
	if i := strings.IndexByte(k, ';'); i >= 0 { // media type parameters
		k = strings.TrimSpace(k[:i])
	}
	k = strings.TrimPrefix(k, ".")
	code = v.fileTypes[k]
	if code == "" {
		if isMediaType(k) {
			return "", k
		}
		return "", ""
	}
	return code, v.mediaTypes[code]
}

// isMediaType reports whether s looks like a single media type: type/subtype
// of token characters.
func isMediaType(s string) bool {
	i := strings.IndexByte(s, '/')
	if i <= 0 || i == len(s)-1 || strings.Count(s, "/") != 1 {
		return false
	}
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '/', c == '.', c == '+', c == '-', c == '_':
		default:
			return false
		}
	}
	switch s[:i] {
	case "application", "text", "image", "audio", "video", "model", "font", "multipart", "message":
		return true
	}
	return false
}

// AccessRightsCode returns the EU access-right code ("PUBLIC", "RESTRICTED"
// or "NON_PUBLIC") of access rights given as an EU access-right IRI (also the
// older .../dataset-access/ form) or a word for them in a Nordic language or
// English; "" otherwise.
func AccessRightsCode(rights string) string {
	v := vocab()
	k := lookupKey(rights)
	if rest, ok := afterPrefix(k, "publications.europa.eu/resource/authority/access-right/",
		"publications.europa.eu/resource/authority/dataset-access/"); ok {
		switch c := strings.ToUpper(rest); c {
		case "PUBLIC", "RESTRICTED", "NON_PUBLIC":
			return c
		}
		return ""
	}
	return v.access[k]
}
