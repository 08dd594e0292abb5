package search

import (
	"html"
	"strings"
	"unicode/utf8"

	"samband/catalog"
)

// fragmentBytes is about how long a description fragment is.
const fragmentBytes = 200

// Highlight returns the parts of a record's title, description and keywords
// that match q's words, by field ("title", "description", "keywords"), the
// matching words marked with <mark> and everything else HTML-escaped. A
// title or keyword comes whole; a description as a fragment of about 200
// bytes around its first match. Fields without a match are left out; nil
// when nothing matches or q has no words.
func Highlight(d catalog.Dataset, q Query) map[string][]string {
	terms := map[string]bool{}
	for _, variants := range queryTerms(q.Text, q.Lang) {
		for _, t := range variants {
			terms[t] = true
		}
	}
	if len(terms) == 0 {
		return nil
	}
	var out map[string][]string
	for _, f := range []struct {
		name  string
		text  catalog.Text
		whole bool
	}{{"title", d.Title, true}, {"description", d.Description, false}, {"keywords", d.Keywords, true}} {
		for _, lang := range f.text.Languages() {
			a := analyzerFor(lang)
			for _, v := range f.text[lang] {
				frag, ok := mark(v, a, terms, f.whole)
				if !ok {
					continue
				}
				if out == nil {
					out = map[string][]string{}
				}
				out[f.name] = append(out[f.name], frag)
			}
		}
	}
	return out
}

// mark returns s with the words whose term is in terms marked, whole or as
// a fragment around the first, and whether any was.
func mark(s string, a *analyzer, terms map[string]bool, whole bool) (string, bool) {
	var spans [][2]int
	words(s, func(w word) bool {
		if terms[a.term(w.lower)] {
			spans = append(spans, [2]int{w.start, w.end})
		}
		return true
	})
	if len(spans) == 0 {
		return "", false
	}
	from, to := 0, len(s)
	if !whole && len(s) > fragmentBytes {
		from = max(0, spans[0][0]-fragmentBytes/4)
		to = min(len(s), from+fragmentBytes)
		// Cut at spaces, never inside a character.
		if from > 0 {
			if i := strings.IndexByte(s[from:spans[0][0]], ' '); i >= 0 {
				from += i + 1
			}
			for from < len(s) && !utf8.RuneStart(s[from]) {
				from++
			}
		}
		if to < len(s) {
			if i := strings.LastIndexByte(s[spans[0][1]:to], ' '); i >= 0 {
				to = spans[0][1] + i
			}
			for to > from && to < len(s) && !utf8.RuneStart(s[to]) {
				to--
			}
		}
	}
	var b strings.Builder
	if from > 0 {
		b.WriteString("…")
	}
	at := from
	for _, sp := range spans {
		if sp[0] < from || sp[1] > to {
			continue
		}
		b.WriteString(html.EscapeString(s[at:sp[0]]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(s[sp[0]:sp[1]]))
		b.WriteString("</mark>")
		at = sp[1]
	}
	b.WriteString(html.EscapeString(s[at:to]))
	if to < len(s) {
		b.WriteString("…")
	}
	return b.String(), true
}
