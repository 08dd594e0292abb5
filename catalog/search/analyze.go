package search

import (
	"bufio"
	"embed"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/danish"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/finnish"
	"github.com/blevesearch/snowballstem/norwegian"
	"github.com/blevesearch/snowballstem/swedish"
)

// The Snowball project's stop-word lists (BSD licence, see stopwords/NOTICE).
//
//go:embed stopwords/*.txt
var stopFiles embed.FS

// analyzer turns the words of a text in one language into index terms.
type analyzer struct {
	name string
	stem func(*snowballstem.Env) bool // nil: truncate instead
	stop map[string]bool
}

// truncLen is how many letters a word keeps in a language without a
// stemmer: truncation to five letters is a known, robust stand-in for a
// stemmer across European languages, Icelandic and Estonian included.
const truncLen = 5

// truncMark starts a truncated term, so that it never equals a stem.
const truncMark = "\x01"

var (
	analyzers = map[string]*analyzer{
		"en": {name: "en", stem: english.Stem},
		"da": {name: "da", stem: danish.Stem},
		"fi": {name: "fi", stem: finnish.Stem},
		"no": {name: "no", stem: norwegian.Stem},
		"sv": {name: "sv", stem: swedish.Stem},
	}
	// fallback analyses the texts in every other language, and untagged ones.
	fallback = &analyzer{name: "other"}
	// stemmed are the stemming analyzers, in a fixed order.
	stemmed = []*analyzer{analyzers["da"], analyzers["en"], analyzers["fi"], analyzers["no"], analyzers["sv"]}
)

func init() {
	for name, a := range analyzers {
		raw, err := stopFiles.ReadFile("stopwords/" + name + ".txt")
		if err != nil {
			panic(err) // embedded: cannot happen
		}
		a.stop = map[string]bool{}
		sc := bufio.NewScanner(strings.NewReader(string(raw)))
		for sc.Scan() {
			line, _, _ := strings.Cut(sc.Text(), "|")
			if f := strings.Fields(line); len(f) > 0 {
				a.stop[f[0]] = true
			}
		}
	}
}

// analyzerFor returns the analyzer of a language tag: Norwegian's for nb,
// nn and no (nb-NO, ...), the tag's primary subtag's where there is one,
// else the fallback.
func analyzerFor(lang string) *analyzer {
	primary, _, _ := strings.Cut(strings.ToLower(lang), "-")
	switch primary {
	case "nb", "nn", "no":
		return analyzers["no"]
	}
	if a := analyzers[primary]; a != nil {
		return a
	}
	return fallback
}

// term returns the index term of a lower-case word, "" for a stop word.
func (a *analyzer) term(word string) string {
	if strings.ContainsAny(word, "'’") {
		if a.name == "en" {
			for _, p := range []string{"'s", "’s"} {
				word = strings.TrimSuffix(word, p)
			}
		}
		word = strings.NewReplacer("'", "", "’", "").Replace(word)
	}
	if a.stem == nil {
		return truncate(word)
	}
	if a.stop[word] {
		return ""
	}
	env := snowballstem.NewEnv(word)
	a.stem(env)
	return env.Current()
}

// truncate returns the fallback term of a word: its first truncLen letters.
func truncate(word string) string {
	n := 0
	for i := range word {
		if n == truncLen {
			return truncMark + word[:i]
		}
		n++
	}
	return truncMark + word
}

// maxWordBytes bounds a word: longer runs of letters (an encoded blob in a
// description) are not words anyone searches for.
const maxWordBytes = 64

// word is a word of a text: its lower-case form and where it is.
type word struct {
	lower      string
	start, end int // byte offsets in the text
}

// words calls fn for every word of s: a run of letters and digits, lower
// case. It stops when fn returns false.
func words(s string, fn func(w word) bool) {
	start := -1
	var b strings.Builder
	flush := func(end int) bool {
		if start < 0 {
			return true
		}
		w := word{start: start, end: end}
		start = -1
		if end-w.start > maxWordBytes {
			b.Reset()
			return true
		}
		w.lower = b.String()
		b.Reset()
		return fn(w)
	}
	for i, r := range s {
		if (r == '\'' || r == '’') && start >= 0 && i+utf8.RuneLen(r) < len(s) {
			// An apostrophe inside a word (Sweden's, l'eau) belongs to it.
			if next, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):]); unicode.IsLetter(next) {
				b.WriteRune(r)
				continue
			}
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			if start < 0 {
				start = i
			}
			if r < utf8.RuneSelf {
				if 'A' <= r && r <= 'Z' {
					r += 'a' - 'A'
				}
				b.WriteByte(byte(r))
			} else {
				b.WriteRune(unicode.ToLower(r))
			}
			continue
		}
		if !flush(i) {
			return
		}
	}
	flush(len(s))
}

// queryTerms returns, for each word of a query text, the terms that match
// it: in lang's analysis when lang is given (and the fallback's, for texts
// without a language), in every language's when it is not. Words that are
// stop words in every analysis tried are dropped.
func queryTerms(text, lang string) [][]string {
	var as []*analyzer
	if lang != "" {
		as = []*analyzer{analyzerFor(lang)}
		if as[0] != fallback {
			as = append(as, fallback)
		}
	} else {
		as = append(append(as, stemmed...), fallback)
	}
	var out [][]string
	words(text, func(w word) bool {
		var ts []string
		stop := false
		for _, a := range as {
			t := a.term(w.lower)
			if t == "" {
				stop = true
				continue
			}
			if !contains(ts, t) {
				ts = append(ts, t)
			}
		}
		// A word that is a stop word in the language asked for is not
		// looked for, whatever the fallback makes of it.
		if len(ts) > 0 && !(stop && lang != "") {
			out = append(out, ts)
		}
		return len(out) < maxQueryWords
	})
	return out
}

// maxQueryWords bounds the words of a query that are looked for.
const maxQueryWords = 16

func contains(vs []string, v string) bool {
	for _, w := range vs {
		if w == v {
			return true
		}
	}
	return false
}

// Terms returns the index terms of a text in a language, as the index makes
// them: stemmed where the language has a stemmer, stop words left out.
func Terms(lang, text string) []string {
	a := analyzerFor(lang)
	var out []string
	words(text, func(w word) bool {
		if t := a.term(w.lower); t != "" {
			out = append(out, t)
		}
		return true
	})
	return out
}
