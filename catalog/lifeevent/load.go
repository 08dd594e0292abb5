package lifeevent

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"samband/catalog"
)

// Bounds of a rules file, so that a classification stays cheap.
const (
	maxConcepts    = 64  // a bit each in a word
	maxLanguages   = 64  // a bit each in a word
	maxPublishers  = 256 // pubSet
	maxTermWords   = 6
	maxClues       = 3 // min_clues at most
	minPrefixBytes = 3 // the first word of a term, when it ends in '*', has at least this many folded bytes
)

// The rules file, as YAML (see default.yaml). Every scalar keeps its line,
// for errors.
type file struct {
	Publishers []filePublisher `yaml:"publishers"`
	Concepts   []fileConcept   `yaml:"concepts"`
}

type filePublisher struct {
	ID     str   `yaml:"id"`
	Names  []str `yaml:"names"`
	OrgIDs []str `yaml:"org_ids"`
	IRIs   []str `yaml:"iris"`
}

type fileConcept struct {
	ID          str              `yaml:"id"`
	IRI         str              `yaml:"iri"`
	SameAs      []str            `yaml:"same_as"`
	Labels      map[string]str   `yaml:"labels"`
	Description map[string]str   `yaml:"description"`
	Themes      []str            `yaml:"themes"`
	Terms       map[string][]str `yaml:"terms"`
	Clues       map[string][]str `yaml:"clues"`
	Needs       map[string][]str `yaml:"needs"`
	MinClues    *num             `yaml:"min_clues"`
	Publishers  filePubRefs      `yaml:"publishers"`
}

type filePubRefs struct {
	Alone   []str `yaml:"alone"`
	Support []str `yaml:"support"`
}

// str is a YAML string with the line it is on.
type str struct {
	V    string
	Line int
}

func (s *str) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a string", n.Line)
	}
	s.Line = n.Line
	return n.Decode(&s.V)
}

// num is a YAML integer with the line it is on.
type num struct {
	V    int
	Line int
}

func (v *num) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a number", n.Line)
	}
	v.Line = n.Line
	return n.Decode(&v.V)
}

// yamlTypes names, in the YAML decoder's errors, the Go types above as a
// reader of the file knows them.
var yamlTypes = strings.NewReplacer(
	"type lifeevent.fileConcept", "a concept",
	"type lifeevent.filePublisher", "a publisher",
	"type lifeevent.filePubRefs", "publishers (alone, support)",
	"type lifeevent.file", "the rules",
	"map[string][]lifeevent.str", "a map of language to a list of words",
	"map[string]lifeevent.str", "a map of language to text",
	"[]lifeevent.fileConcept", "a list of concepts",
	"[]lifeevent.filePublisher", "a list of publishers",
	"[]lifeevent.str", "a list",
	"*lifeevent.num", "a number",
	"lifeevent.str", "a string",
)

var (
	idPattern   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	langPattern = regexp.MustCompile(`^[a-z]{2,3}(-[a-z0-9]{1,8})*$`)
)

// maxRulesBytes bounds a rules file.
const maxRulesBytes = 8 << 20

// Load reads rules from a YAML document laid out as default.yaml is (see
// the package documentation). Unknown keys are errors; so are unknown EU
// themes, publishers a concept names but the file does not define, ids
// and IRIs given twice, and terms that could match too much (a '*' after
// fewer than three letters). Every error found is reported, each with its
// line.
func Load(r io.Reader) (*Rules, error) {
	raw, err := io.ReadAll(io.LimitReader(r, maxRulesBytes+1))
	if err != nil {
		return nil, fmt.Errorf("life-event rules: %w", err)
	}
	if len(raw) > maxRulesBytes {
		return nil, fmt.Errorf("life-event rules: more than %d bytes", maxRulesBytes)
	}
	sum := sha256.Sum256(raw)
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	var f file
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("life-event rules: empty document: no concepts")
		}
		return nil, fmt.Errorf("life-event rules: %s", yamlTypes.Replace(err.Error()))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("life-event rules: line %d: a second YAML document; the rules are one", extra.Line)
	}
	b := builder{r: &Rules{
		byID:     map[string]int{},
		explicit: map[string]int{},
		langs:    map[string]uint64{},
		pubIDs:   map[string][]int{},
		pubIRIs:  map[string][]int{},
		pubNames: map[string][]int{},
	}, pubByID: map[string]int{}, termKey: map[string]int{}, langBit: map[string]int{}}
	b.build(&f)
	if len(b.problems) > 0 {
		return nil, fmt.Errorf("life-event rules: %s", strings.Join(b.problems, "; "))
	}
	b.r.fingerprint = hex.EncodeToString(sum[:8])
	return b.r, nil
}

type builder struct {
	r        *Rules
	problems []string
	pubByID  map[string]int
	termKey  map[string]int // concept index, kind, pattern -> term index
	langBit  map[string]int // term language -> bit
	patterns map[string]int // concept index, pattern -> pattern id (shared by kinds)
	trie     trieBuilder
}

func (b *builder) problem(line int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if line > 0 {
		msg = fmt.Sprintf("line %d: %s", line, msg)
	}
	b.problems = append(b.problems, msg)
}

func (b *builder) build(f *file) {
	r := b.r
	if len(f.Concepts) == 0 {
		b.problem(0, "concepts: none; the rules need at least one")
	}
	if len(f.Concepts) > maxConcepts {
		b.problem(f.Concepts[maxConcepts].ID.Line, "concepts: %d, at most %d", len(f.Concepts), maxConcepts)
		f.Concepts = f.Concepts[:maxConcepts]
	}
	if len(f.Publishers) > maxPublishers {
		b.problem(f.Publishers[maxPublishers].ID.Line, "publishers: %d, at most %d", len(f.Publishers), maxPublishers)
		f.Publishers = f.Publishers[:maxPublishers]
	}
	for i, p := range f.Publishers {
		b.publisher(i, p)
	}
	b.patterns = map[string]int{}
	b.trie.init()
	for i := range f.Concepts {
		b.concept(i, &f.Concepts[i])
	}
	// A text in a language the terms have is read with that language's
	// terms (and, for Norwegian, those of its other written forms); any
	// other text, or one without a language, with all of them.
	for lang, bit := range b.langBit {
		r.allLangs |= 1 << bit
		r.langs[lang] |= 1 << bit
	}
	norwegian := r.langs["nb"] | r.langs["nn"] | r.langs["no"]
	if norwegian != 0 {
		for _, l := range []string{"nb", "nn", "no"} {
			r.langs[l] = norwegian
		}
	}
	r.trie = b.trie.compact()
}

func (b *builder) publisher(i int, p filePublisher) {
	r := b.r
	where := fmt.Sprintf("publishers[%d]", i)
	switch {
	case p.ID.V == "":
		b.problem(p.ID.Line, "%s.id: empty", where)
		return
	case !idPattern.MatchString(p.ID.V):
		b.problem(p.ID.Line, "%s.id: %q is not lower-case letters and digits joined by '-'", where, p.ID.V)
	}
	if _, dup := b.pubByID[p.ID.V]; dup {
		b.problem(p.ID.Line, "%s.id: %q defined twice", where, p.ID.V)
		return
	}
	if len(p.Names)+len(p.OrgIDs)+len(p.IRIs) == 0 {
		b.problem(p.ID.Line, "publisher %s: no names, org_ids or iris to know it by", p.ID.V)
	}
	idx := len(r.pubs)
	b.pubByID[p.ID.V] = idx
	r.pubs = append(r.pubs, publisher{id: p.ID.V})
	for _, n := range p.Names {
		ws := words(n.V)
		if len(ws) == 0 {
			b.problem(n.Line, "publisher %s: name %q has no words", p.ID.V, n.V)
			continue
		}
		r.pubNames[ws[0]] = append(r.pubNames[ws[0]], len(r.names))
		r.names = append(r.names, pubName{pub: idx, canon: strings.Join(ws, " ")})
	}
	for _, id := range p.OrgIDs {
		d := digits(id.V)
		if d == "" || strings.Trim(id.V, "0123456789- ") != "" {
			b.problem(id.Line, "publisher %s: org_id %q is not a number (digits, '-' and spaces)", p.ID.V, id.V)
			continue
		}
		r.pubIDs[d] = append(r.pubIDs[d], idx)
	}
	for _, iri := range p.IRIs {
		if !isIRI(iri.V) {
			b.problem(iri.Line, "publisher %s: %q is not an absolute IRI", p.ID.V, iri.V)
			continue
		}
		k := iriKey(iri.V)
		r.pubIRIs[k] = append(r.pubIRIs[k], idx)
	}
}

func (b *builder) concept(ci int, fc *fileConcept) {
	r := b.r
	id := fc.ID.V
	where := fmt.Sprintf("concepts[%d]", ci)
	switch {
	case id == "":
		b.problem(fc.ID.Line, "%s.id: empty", where)
		id = where
	case !idPattern.MatchString(id):
		b.problem(fc.ID.Line, "%s.id: %q is not lower-case letters and digits joined by '-'", where, id)
	}
	if _, dup := r.byID[id]; dup {
		b.problem(fc.ID.Line, "%s.id: %q defined twice", where, id)
	}
	r.byID[id] = ci
	c := Concept{ID: id, IRI: fc.IRI.V, Labels: map[string]string{}, Description: map[string]string{}}
	line := fc.ID.Line
	if fc.IRI.V == "" {
		b.problem(line, "concept %s: iri: empty", id)
	}
	for i, iri := range append([]str{fc.IRI}, fc.SameAs...) {
		if i == 0 && iri.V == "" {
			continue
		}
		if !isIRI(iri.V) {
			b.problem(iri.Line, "concept %s: %q is not an absolute IRI", id, iri.V)
			continue
		}
		k := iriKey(iri.V)
		if other, dup := r.explicit[k]; dup {
			name := id
			if other < len(r.concepts) {
				name = r.concepts[other].ID
			}
			b.problem(iri.Line, "concept %s: IRI %s also names concept %s", id, iri.V, name)
			continue
		}
		r.explicit[k] = ci
		if i > 0 {
			c.SameAs = append(c.SameAs, iri.V)
		}
	}
	if len(fc.Labels) == 0 {
		b.problem(line, "concept %s: labels: none", id)
	}
	for _, lang := range sortedKeys(fc.Labels) {
		v := fc.Labels[lang]
		if !langPattern.MatchString(lang) {
			b.problem(v.Line, "concept %s: labels: %q is not a lower-case language tag", id, lang)
		}
		if strings.TrimSpace(v.V) == "" {
			b.problem(v.Line, "concept %s: labels.%s: empty", id, lang)
		}
		c.Labels[lang] = v.V
	}
	for _, lang := range sortedKeys(fc.Description) {
		v := fc.Description[lang]
		if !langPattern.MatchString(lang) {
			b.problem(v.Line, "concept %s: description: %q is not a lower-case language tag", id, lang)
		}
		c.Description[lang] = v.V
	}
	cr := conceptRules{minClues: 2}
	for _, t := range fc.Themes {
		code := strings.ToUpper(strings.TrimSpace(t.V))
		if catalog.ThemeCode(code) != code || code == "" {
			b.problem(t.Line, "concept %s: themes: %q is not an EU data-theme code (AGRI, ECON, EDUC, ENER, ENVI, GOVE, HEAL, INTR, JUST, OP_DATPRO, REGI, SOCI, TECH, TRAN)", id, t.V)
			continue
		}
		cr.themes = append(cr.themes, code)
		c.Themes = append(c.Themes, code)
	}
	if fc.MinClues != nil {
		switch v := fc.MinClues.V; {
		case v == 0 || (v >= 2 && v <= maxClues):
			cr.minClues = v
		default:
			b.problem(fc.MinClues.Line, "concept %s: min_clues: %d; 0 (clues never support each other), 2 or 3", id, v)
		}
	}
	nTerms := b.terms(ci, id, "terms", kindTerm, fc.Terms)
	nClues := b.terms(ci, id, "clues", kindClue, fc.Clues)
	nNeeds := b.terms(ci, id, "needs", kindNeed, fc.Needs)
	cr.hasNeeds = nNeeds > 0
	if nNeeds > 0 && nClues == 0 && nTerms == 0 {
		b.problem(line, "concept %s: needs without clues or terms: a need counts only beside a clue", id)
	}
	for _, p := range fc.Publishers.Alone {
		if i, ok := b.pubByID[p.V]; ok {
			cr.alone.add(i)
		} else {
			b.problem(p.Line, "concept %s: publishers.alone: no publisher %q is defined", id, p.V)
		}
	}
	for _, p := range fc.Publishers.Support {
		if i, ok := b.pubByID[p.V]; ok {
			cr.support.add(i)
		} else {
			b.problem(p.Line, "concept %s: publishers.support: no publisher %q is defined", id, p.V)
		}
	}
	r.concepts = append(r.concepts, c)
	r.conceptOf = append(r.conceptOf, cr)
}

// terms adds a concept's terms of one kind, by language, and returns how
// many it added.
func (b *builder) terms(ci int, id, key string, kind termKind, byLang map[string][]str) int {
	r := b.r
	n := 0
	for _, lang := range sortedKeys(byLang) {
		list := byLang[lang]
		line := 0
		if len(list) > 0 {
			line = list[0].Line
		}
		if !langPattern.MatchString(lang) {
			b.problem(line, "concept %s: %s: %q is not a lower-case language tag", id, key, lang)
			continue
		}
		bit, ok := b.langBit[lang]
		if !ok {
			if len(b.langBit) == maxLanguages {
				b.problem(line, "concept %s: %s: more than %d languages", id, key, maxLanguages)
				continue
			}
			bit = len(b.langBit)
			b.langBit[lang] = bit
		}
		for _, t := range list {
			pat, err := parsePattern(t.V)
			if err != nil {
				b.problem(t.Line, "concept %s: %s.%s: %q: %v", id, key, lang, t.V, err)
				continue
			}
			canon := pat.String()
			pk := fmt.Sprintf("%d\x00%s", ci, canon)
			pid, ok := b.patterns[pk]
			if !ok {
				pid = len(b.patterns)
				b.patterns[pk] = pid
			}
			tk := fmt.Sprintf("%d\x00%d\x00%s", ci, kind, canon)
			if ti, ok := b.termKey[tk]; ok {
				r.terms[ti].langs |= 1 << bit
				continue
			}
			ti := len(r.terms)
			b.termKey[tk] = ti
			display := strings.TrimSpace(t.V)
			r.terms = append(r.terms, term{
				concept: ci,
				kind:    kind,
				pattern: pid,
				langs:   1 << bit,
				text:    display,
				rest:    pat[1:],
				how:     HowKeyword + display,
				howTh:   HowThemeKeyword + display,
				howPub:  HowPublisherKeyword + display,
			})
			b.trie.add(pat[0], ti)
			n++
		}
	}
	return n
}

// parsePattern reads a term: words, each matched whole, or as a prefix
// when it ends in '*'.
func parsePattern(s string) (pattern, error) {
	var pat pattern
	for _, f := range strings.Fields(s) {
		prefix := strings.HasSuffix(f, "*")
		body := strings.TrimSuffix(f, "*")
		if strings.Contains(body, "*") {
			return nil, errors.New("'*' only at the end of a word")
		}
		ws := words(body)
		if len(ws) == 0 {
			if prefix {
				return nil, errors.New("'*' after no letters")
			}
			continue
		}
		for i, w := range ws {
			if len(w) > maxTokenBytes {
				return nil, fmt.Errorf("word %q is longer than %d bytes", w, maxTokenBytes)
			}
			wp := wordPat{w: w}
			if i == len(ws)-1 && prefix {
				if len(pat) == 0 && len(w) < minPrefixBytes {
					return nil, fmt.Errorf("'*' after %q matches too much; give at least %d letters", w, minPrefixBytes)
				}
				wp.prefix = true
			}
			pat = append(pat, wp)
		}
	}
	if len(pat) == 0 {
		return nil, errors.New("no words")
	}
	if len(pat) > maxTermWords {
		return nil, fmt.Errorf("%d words, at most %d", len(pat), maxTermWords)
	}
	return pat, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// isIRI reports whether s looks like an absolute IRI: a scheme, ':', and
// no white space.
func isIRI(s string) bool {
	i := strings.IndexByte(s, ':')
	if i < 1 || i == len(s)-1 || strings.ContainsAny(s, " \t\r\n<>\"") {
		return false
	}
	for j, c := range s[:i] {
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || j > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')
		if !ok {
			return false
		}
	}
	return true
}

// iriKey returns the form IRIs are compared in: without "http://" or
// "https://", angle brackets (as Profile values have them) and a final
// '/'. It slices s and allocates nothing.
func iriKey(s string) string {
	if len(s) >= 2 && s[0] == '<' && s[len(s)-1] == '>' {
		s = s[1 : len(s)-1]
	}
	if strings.HasPrefix(s, "https://") {
		s = s[len("https://"):]
	} else if strings.HasPrefix(s, "http://") {
		s = s[len("http://"):]
	}
	return strings.TrimSuffix(s, "/")
}

// digits returns the ASCII digits of s.
func digits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if '0' <= s[i] && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
