package lifeevent

import (
	"strings"
	"unicode/utf8"

	"samband/catalog"
)

// Bounds of one classification, so that it stays cheap on any record.
const (
	maxValueBytes = 16 << 10 // of each title, keyword or description value, the first 16 KiB are read
	maxTokenBytes = 64       // a longer word matches only as a prefix
	maxPending    = 16       // phrases under way at once
	maxPathPrefix = 16       // prefix terms along one word
	maxNameBytes  = 256      // of a publisher's name
)

// Classify returns the life events the record d is about, each once, in
// the order of the rules' concepts, with how it was found. A record that
// refers to the IRI of a concept (or to one of its SameAs) in its themes,
// subjects, related resources or profile properties is explicitly about
// that concept: such a record is classified by what it says alone, and
// the rules add nothing. Otherwise the rules apply (see the package
// documentation). Classify reads only d and allocates only its result.
func (r *Rules) Classify(d catalog.Dataset) []Match {
	if explicit := r.explicitIn(&d); explicit != 0 {
		var out []Match
		for c := range r.concepts {
			if explicit&(1<<c) != 0 {
				out = append(out, Match{Concept: r.concepts[c].ID, How: HowExplicit})
			}
		}
		return out
	}

	s := scanner{r: r}
	s.text(d.Title, true)
	s.text(d.Keywords, true)
	s.text(d.Description, false)
	pubs := r.publishersOf(d.Publisher)

	var out []Match
	for c := range r.concepts {
		cr := &r.conceptOf[c]
		if s.seen&(1<<c) == 0 && !cr.alone.intersects(&pubs) {
			continue
		}
		if how := r.decide(&s.st[c], cr, &pubs, d.EUThemes); how != "" {
			out = append(out, Match{Concept: r.concepts[c].ID, How: how})
		}
	}
	return out
}

// decide returns how the evidence e makes a record about concept c, or "".
func (r *Rules) decide(e *evidence, cr *conceptRules, pubs *pubSet, themes []string) string {
	switch {
	case e.strong != 0:
		return r.terms[e.strong-1].how
	case cr.alone.intersects(pubs):
		return HowPublisher
	case e.nClues == 0:
		return ""
	case cr.hasNeeds:
		if e.need == 0 || (e.primary == 0 && !e.needHead) {
			return ""
		}
		clue := e.clues[0]
		if e.primary != 0 {
			clue = e.primary - 1
		}
		return HowKeywords + r.terms[clue].text + "+" + r.terms[e.need-1].text
	case e.primary == 0:
		return ""
	case hasTheme(themes, cr.themes):
		return r.terms[e.primary-1].howTh
	case cr.support.intersects(pubs):
		return r.terms[e.primary-1].howPub
	case cr.minClues > 0 && e.nClues >= cr.minClues:
		// The primary clue, then the first others of other words.
		var b strings.Builder
		b.WriteString(HowKeywords)
		b.WriteString(r.terms[e.primary-1].text)
		p := r.terms[e.primary-1].pattern
		n := 1
		for i := 0; i < e.nClues && n < cr.minClues; i++ {
			if r.terms[e.clues[i]].pattern == p {
				continue
			}
			b.WriteByte('+')
			b.WriteString(r.terms[e.clues[i]].text)
			n++
		}
		return b.String()
	}
	return ""
}

func hasTheme(have, want []string) bool {
	for _, h := range have {
		for _, w := range want {
			if h == w {
				return true
			}
		}
	}
	return false
}

// explicitIn returns the concepts whose IRIs d refers to, a bit each.
func (r *Rules) explicitIn(d *catalog.Dataset) uint64 {
	var found uint64
	look := func(v string) {
		if len(v) == 0 || v[0] == '"' || v[0] == '_' {
			return
		}
		if c, ok := r.explicit[iriKey(v)]; ok {
			found |= 1 << c
		}
	}
	for _, v := range d.Themes {
		look(v)
	}
	for _, v := range d.Subjects {
		look(v)
	}
	for _, vs := range d.Related {
		for _, v := range vs {
			look(v)
		}
	}
	for _, vs := range d.Profile {
		for _, v := range vs {
			look(v)
		}
	}
	return found
}

// evidence is what the text of a record says of one concept. Term
// indices are +1, so that 0 is none. Of several terms, the first in the
// order of the terms (by kind, language tag, then as the file lists them)
// is kept, so that the result does not depend on the order the record's
// languages are read in.
type evidence struct {
	strong   int32 // a term in a title or keyword
	need     int32
	needHead bool // a need in a title or keyword
	// primary is a clue that support can make decide: a clue in a title or
	// keyword, or a term in a description. A clue that is only in a
	// description can be the second of two clues, never the first.
	primary int32
	clues   [maxClues]int32 // clues of distinct words, primary or not, by term index (not +1)
	nClues  int
}

// addClue notes clue term ti, keeping the first maxClues clues of distinct
// patterns in the order of the terms, whatever order the text gives them in.
func (e *evidence) addClue(terms []term, ti int32) {
	p := terms[ti].pattern
	for i := 0; i < e.nClues; i++ {
		if terms[e.clues[i]].pattern == p {
			if ti >= e.clues[i] {
				return
			}
			// The same words listed earlier: take its place, and keep the order.
			copy(e.clues[i:], e.clues[i+1:e.nClues])
			e.nClues--
			break
		}
	}
	i := e.nClues
	for i > 0 && e.clues[i-1] > ti {
		i--
	}
	if i == len(e.clues) {
		return
	}
	if e.nClues < len(e.clues) {
		e.nClues++
	}
	copy(e.clues[i+1:e.nClues], e.clues[i:e.nClues-1])
	e.clues[i] = ti
}

// scanner reads the words of a record's texts and notes the terms they
// match. It lives on the stack of one Classify.
type scanner struct {
	r    *Rules
	st   [maxConcepts]evidence
	seen uint64 // concepts with any evidence

	mask uint64 // languages of the text being read
	head bool   // the text is a title or keyword

	tok  [maxTokenBytes]byte
	n    int   // bytes of the word so far (may exceed len(tok))
	node int32 // trie node the word has reached; -1: none
	pfx  [maxPathPrefix]int32
	np   int

	pend  [maxPending]pending
	nPend int
}

// pending is a phrase whose first words matched: the next word must match
// word pos of the term's rest.
type pending struct {
	term int32
	pos  int
}

// text reads every value of t in every language.
func (s *scanner) text(t catalog.Text, head bool) {
	for lang, values := range t {
		s.mask = s.r.langMask(lang)
		s.head = head
		for _, v := range values {
			s.value(v)
		}
	}
}

// langMask returns the term languages a text in lang is read with.
func (r *Rules) langMask(lang string) uint64 {
	if m, ok := r.langs[lang]; ok {
		return m
	}
	if i := strings.IndexByte(lang, '-'); i > 0 {
		if m, ok := r.langs[lang[:i]]; ok {
			return m
		}
	}
	return r.allLangs
}

func (s *scanner) value(v string) {
	if len(v) > maxValueBytes {
		v = v[:maxValueBytes]
	}
	s.nPend = 0
	s.reset()
	var buf [8]byte
	for i := 0; i < len(v); {
		c := v[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			case c == '\'':
				continue
			default:
				s.endWord()
				continue
			}
			s.push(c)
			if s.node < 0 && s.nPend == 0 {
				// No term can match the rest of this word: skip its
				// ASCII letters and digits.
				for i < len(v) && isWordByte(v[i]) {
					i++
				}
			}
			continue
		}
		rn, size := utf8.DecodeRuneInString(v[i:])
		i += size
		out, ok := foldRune(buf[:0], rn)
		if !ok {
			s.endWord()
			continue
		}
		for _, b := range out {
			s.push(b)
		}
	}
	s.endWord()
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '\''
}

func (s *scanner) reset() {
	s.n, s.node, s.np = 0, 0, 0
}

func (s *scanner) push(b byte) {
	if s.n < len(s.tok) {
		s.tok[s.n] = b
	}
	s.n++
	if s.node < 0 {
		return
	}
	t := &s.r.trie
	s.node = t.step(s.node, b)
	if s.node > 0 && t.nodes[s.node].nPref > 0 && s.np < len(s.pfx) {
		s.pfx[s.np] = s.node
		s.np++
	}
}

// endWord matches the word read so far: first against the phrases under
// way, then as the first word of a term.
func (s *scanner) endWord() {
	if s.n == 0 {
		return
	}
	long := s.n > len(s.tok)
	tok := s.tok[:min(s.n, len(s.tok))]
	terms := s.r.terms
	k := 0
	for _, p := range s.pend[:s.nPend] {
		rest := terms[p.term].rest
		if !rest[p.pos].match(tok, long) {
			continue
		}
		p.pos++
		if p.pos == len(rest) {
			s.hit(p.term)
			continue
		}
		s.pend[k] = p
		k++
	}
	s.nPend = k
	if s.node > 0 && !long {
		for _, ti := range s.r.trie.exactRefs(s.node) {
			s.start(ti)
		}
	}
	for _, n := range s.pfx[:s.np] {
		for _, ti := range s.r.trie.prefixRefs(n) {
			s.start(ti)
		}
	}
	s.reset()
}

// start notes that a word matched the first word of term ti.
func (s *scanner) start(ti int32) {
	t := &s.r.terms[ti]
	if t.langs&s.mask == 0 {
		return
	}
	if len(t.rest) == 0 {
		s.hit(ti)
		return
	}
	if s.nPend < len(s.pend) {
		s.pend[s.nPend] = pending{term: ti}
		s.nPend++
	}
}

// hit notes that the text holds term ti.
func (s *scanner) hit(ti int32) {
	t := &s.r.terms[ti]
	e := &s.st[t.concept]
	s.seen |= 1 << t.concept
	switch {
	case t.kind == kindTerm && s.head:
		if e.strong == 0 || ti+1 < e.strong {
			e.strong = ti + 1
		}
	case t.kind == kindNeed:
		if e.need == 0 || ti+1 < e.need {
			e.need = ti + 1
		}
		e.needHead = e.needHead || s.head
	default: // a clue, or a term in a description
		if (s.head || t.kind == kindTerm) && (e.primary == 0 || ti+1 < e.primary) {
			e.primary = ti + 1
		}
		e.addClue(s.r.terms, ti)
	}
}

// publisher is one organisation the rules know, by its id in the file.
type publisher struct {
	id string
}

// pubName is one name of a publisher, as folded words joined by spaces.
type pubName struct {
	pub   int
	canon string
}

// pubSet is a set of publishers, a bit each.
type pubSet [maxPublishers / 64]uint64

func (p *pubSet) add(i int) { p[i/64] |= 1 << (i % 64) }

func (p *pubSet) intersects(q *pubSet) bool {
	for i := range p {
		if p[i]&q[i] != 0 {
			return true
		}
	}
	return false
}

// publishersOf returns the publishers a is: by IRI, by organisation number
// (its dct:identifier, or the last segment of its IRI when that is a
// number, as in the Norwegian registers' IRIs), or by a name that holds
// one of a publisher's names as whole words.
func (r *Rules) publishersOf(a *catalog.Agent) pubSet {
	var set pubSet
	if a == nil || len(r.pubs) == 0 {
		return set
	}
	if a.IRI != "" {
		for _, p := range r.pubIRIs[iriKey(a.IRI)] {
			set.add(p)
		}
		if n := orgNumberIn(a.IRI); n != "" {
			for _, p := range r.pubIDs[n] {
				set.add(p)
			}
		}
	}
	if a.Identifier != "" {
		var buf [32]byte
		d := buf[:0]
		for i := 0; i < len(a.Identifier) && len(d) < len(buf); i++ {
			if c := a.Identifier[i]; '0' <= c && c <= '9' {
				d = append(d, c)
			}
		}
		for _, p := range r.pubIDs[string(d)] {
			set.add(p)
		}
	}
	for _, names := range a.Name {
		for _, n := range names {
			r.nameMatches(n, &set)
		}
	}
	return set
}

// orgNumberIn returns the last path segment of iri, without an extension,
// when it is a number of six digits or more.
func orgNumberIn(iri string) string {
	s := strings.TrimRight(iri, "/")
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s = s[:i]
	}
	if len(s) < 6 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return ""
		}
	}
	return s
}

// nameMatches adds to set the publishers one of whose names name holds.
func (r *Rules) nameMatches(name string, set *pubSet) {
	var buf [maxNameBytes]byte
	var starts [32]int
	b := buf[:0]
	ns := 0
	inWord := false
	var rb [8]byte
	for _, rn := range name {
		out, ok := foldRune(rb[:0], rn)
		if !ok {
			inWord = false
			continue
		}
		if len(out) == 0 {
			continue
		}
		if !inWord {
			if ns == len(starts) || len(b)+1+len(out) > len(buf) {
				break
			}
			if len(b) > 0 {
				b = append(b, ' ')
			}
			starts[ns] = len(b)
			ns++
			inWord = true
		}
		if len(b)+len(out) > len(buf) {
			break
		}
		b = append(b, out...)
	}
	for i := 0; i < ns; i++ {
		end := len(b)
		if i+1 < ns {
			end = starts[i+1] - 1
		}
		for _, ni := range r.pubNames[string(b[starts[i]:end])] {
			c := r.names[ni].canon
			rest := b[starts[i]:]
			if len(rest) >= len(c) && string(rest[:len(c)]) == c && (len(rest) == len(c) || rest[len(c)] == ' ') {
				set.add(r.names[ni].pub)
			}
		}
	}
}
