package lifeevent

import (
	"unicode"
	"unicode/utf8"
)

// Text is compared in a folded form: lower case, accents dropped, ligatures
// and the Icelandic letters spelt out, so that "Dødsfall", "dodsfall" and
// "DØDSFALL" are one word, as are "Förening" and "forening". Every
// character that is neither a letter nor a digit separates words, but for
// apostrophes, which are dropped ("children's" is "childrens").

// foldRune appends the folded form of r to b, or returns b and false when r
// separates words. Combining marks (a decomposed accent) append nothing
// and separate nothing.
func foldRune(b []byte, r rune) ([]byte, bool) {
	if r < utf8.RuneSelf {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			return append(b, byte(r)), true
		case 'A' <= r && r <= 'Z':
			return append(b, byte(r)+'a'-'A'), true
		case r == '\'':
			return b, true
		}
		return b, false
	}
	if s := foldTable(r); s != "" {
		return append(b, s...), true
	}
	switch {
	case r == '\u2019' || r == '\u02bc': // right single quotation mark, modifier apostrophe
		return b, true
	case unicode.Is(unicode.Mn, r):
		return b, true
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		return utf8.AppendRune(b, unicode.ToLower(r)), true
	}
	return b, false
}

// foldTable returns the folded form of the letters of the Latin-1
// Supplement and Latin Extended-A that the Nordic and Baltic languages (and
// their neighbours) use, or "".
func foldTable(r rune) string {
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å', 'À', 'Á', 'Â', 'Ã', 'Ä', 'Å', 'ā', 'Ā', 'ă', 'Ă', 'ą', 'Ą':
		return "a"
	case 'æ', 'Æ':
		return "ae"
	case 'ç', 'Ç', 'ć', 'Ć', 'č', 'Č':
		return "c"
	case 'ð', 'Ð', 'ď', 'Ď', 'đ', 'Đ':
		return "d"
	case 'è', 'é', 'ê', 'ë', 'È', 'É', 'Ê', 'Ë', 'ē', 'Ē', 'ė', 'Ė', 'ę', 'Ę', 'ě', 'Ě':
		return "e"
	case 'ģ', 'Ģ', 'ğ', 'Ğ':
		return "g"
	case 'ì', 'í', 'î', 'ï', 'Ì', 'Í', 'Î', 'Ï', 'ī', 'Ī', 'į', 'Į', 'ı', 'İ':
		return "i"
	case 'ķ', 'Ķ':
		return "k"
	case 'ļ', 'Ļ', 'ł', 'Ł', 'ľ', 'Ľ':
		return "l"
	case 'ñ', 'Ñ', 'ń', 'Ń', 'ņ', 'Ņ', 'ň', 'Ň':
		return "n"
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø', 'Ò', 'Ó', 'Ô', 'Õ', 'Ö', 'Ø', 'ō', 'Ō', 'ő', 'Ő':
		return "o"
	case 'œ', 'Œ':
		return "oe"
	case 'ŕ', 'Ŕ', 'ř', 'Ř':
		return "r"
	case 'ß':
		return "ss"
	case 'ś', 'Ś', 'š', 'Š', 'ş', 'Ş':
		return "s"
	case 'ť', 'Ť', 'ţ', 'Ţ':
		return "t"
	case 'þ', 'Þ':
		return "th"
	case 'ù', 'ú', 'û', 'ü', 'Ù', 'Ú', 'Û', 'Ü', 'ū', 'Ū', 'ů', 'Ů', 'ű', 'Ű', 'ų', 'Ų':
		return "u"
	case 'ý', 'ÿ', 'Ý', 'Ÿ':
		return "y"
	case 'ź', 'Ź', 'ż', 'Ż', 'ž', 'Ž':
		return "z"
	}
	return ""
}

// words returns the folded words of s.
func words(s string) []string {
	var out []string
	var b []byte
	for _, r := range s {
		var ok bool
		if b, ok = foldRune(b, r); !ok && len(b) > 0 {
			out = append(out, string(b))
			b = b[:0]
		}
	}
	if len(b) > 0 {
		out = append(out, string(b))
	}
	return out
}
