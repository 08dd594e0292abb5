package catalog

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"samband/catalog/rdf"
)

// The description CheckRules reads, as a small graph.

// gterm is a term of a record's description. kind is termIRI, termBlank
// or 'L' (a literal); v is the IRI, the blank node as "_:" and its label,
// or the lexical form; dt is a literal's datatype IRI (rdf:langString with
// a lang).
type gterm struct {
	kind        byte
	v, lang, dt string
}

// key identifies the term within one description: an IRI or blank node
// by v (no IRI starts with "_:"), a literal by its N-Triples.
func (t gterm) key() string {
	if t.kind == 'L' {
		return t.nt()
	}
	return t.v
}

// focus writes the term as RuleResult.Focus does.
func (t gterm) focus() string {
	if t.kind == 'L' {
		return t.nt()
	}
	return t.v
}

// nt writes the term as N-Triples.
func (t gterm) nt() string {
	switch t.kind {
	case termIRI:
		return string(appendIRI(nil, []byte(t.v)))
	case termBlank:
		return t.v
	}
	b := append(rdf.AppendEscaped([]byte{'"'}, t.v), '"')
	switch {
	case t.lang != "":
		b = append(append(b, '@'), t.lang...)
	case t.dt != "" && t.dt != xsdStringIRI:
		b = appendIRI(append(b, "^^"...), []byte(t.dt))
	}
	return string(b)
}

// show writes the term for a message: the IRI <...>, the literal "..."
// (shortened), a blank node.
func (t gterm) show() string {
	switch t.kind {
	case termIRI:
		return "the IRI <" + clipText(t.v, 120) + ">"
	case termBlank:
		return "a blank node"
	}
	return "the literal " + strconv.Quote(clipText(t.v, 60))
}

func clipText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

func termOfRDF(t rdf.Term) gterm {
	switch x := t.(type) {
	case rdf.IRI:
		return gterm{kind: termIRI, v: x.String()}
	case rdf.Blank:
		return gterm{kind: termBlank, v: "_:" + x.String()}
	case rdf.Literal:
		return gterm{kind: 'L', v: x.String(), lang: x.Lang(), dt: x.DataType.String()}
	}
	return gterm{kind: 'L'}
}

// gedge is a property and its object.
type gedge struct {
	p string
	o gterm
}

// ruleGraph is the description of one record: the triples of every node
// by its key, in the order read.
type ruleGraph struct {
	out  map[string][]gedge
	seen map[gtriple]bool // to drop repeated triples; nil when the source has none (canonical N-Triples)
}

type gtriple struct {
	s, p string
	o    gterm
}

// addTriple adds a triple of the rdf package.
func (g *ruleGraph) addTriple(t rdf.Triple) error {
	g.add(termOfRDF(t.Subj).v, gedge{p: t.Pred.String(), o: termOfRDF(t.Obj)})
	return nil
}

// add adds the edge e of the node whose key is s.
func (g *ruleGraph) add(s string, e gedge) {
	if g.seen != nil {
		k := gtriple{s, e.p, e.o}
		if g.seen[k] {
			return
		}
		g.seen[k] = true
	}
	g.out[s] = append(g.out[s], e)
}

// objects returns the values of property p of node n.
func (g *ruleGraph) objects(n gterm, p string) []gterm {
	if n.kind == 'L' {
		return nil
	}
	return valuesOf(g.out[n.v], p)
}

// valuesOf returns the values of property p among edges.
func valuesOf(edges []gedge, p string) []gterm {
	var vs []gterm
	for _, e := range edges {
		if e.p == p {
			vs = append(vs, e.o)
		}
	}
	return vs
}

// types returns the IRIs n is typed with.
func (g *ruleGraph) types(n gterm) []string {
	var cs []string
	for _, o := range g.objects(n, rdfType) {
		if o.kind == termIRI {
			cs = append(cs, o.v)
		}
	}
	return cs
}

// recordGraph returns the description CheckRules reads (see CheckRules), or nil.
func recordGraph(d Dataset) *ruleGraph {
	for _, s := range d.Sources {
		orig := strings.TrimSpace(s.Original)
		if !strings.HasPrefix(orig, "<") && !strings.HasPrefix(orig, "_:") {
			continue // not N-Triples: a CKAN package, say
		}
		// An original is canonical N-Triples, which parseCanonical reads
		// without the cost of a decoder made for documents; anything else
		// in its place goes to the decoder. No triple is there twice.
		g := &ruleGraph{out: map[string][]gedge{}}
		if err := parseCanonical(orig, g.add); err != nil {
			g = &ruleGraph{out: map[string][]gedge{}, seen: map[gtriple]bool{}}
			if err := rdf.Decode(strings.NewReader(orig), rdf.NTriples, rdf.Options{}, g.addTriple); err != nil {
				continue
			}
			g.seen = nil
		}
		if len(g.out[d.IRI]) > 0 {
			return g
		}
	}
	if d.IRI == "" {
		return nil
	}
	g := &ruleGraph{out: map[string][]gedge{}, seen: map[gtriple]bool{}}
	if err := d.Triples(g.addTriple); err != nil {
		return nil
	}
	g.seen = nil
	return g
}

var errNotCanonical = errors.New("not canonical N-Triples")

// parseCanonical reads N-Triples as canonical (Samband writes a record's
// original so): one triple a line, terms separated by one space, IRIs and
// literals escaped as appendIRI and rdf.AppendEscaped write them. It
// returns errNotCanonical at the first line that is not.
func parseCanonical(nt string, add func(s string, e gedge)) error {
	for len(nt) > 0 {
		line := nt
		if i := strings.IndexByte(nt, '\n'); i >= 0 {
			line, nt = nt[:i], nt[i+1:]
		} else {
			nt = ""
		}
		if line == "" {
			continue
		}
		s, rest, ok := canonicalTerm(line)
		if !ok || s.kind == 'L' || !strings.HasPrefix(rest, " ") {
			return errNotCanonical
		}
		p, rest, ok := canonicalTerm(rest[1:])
		if !ok || p.kind != termIRI || !strings.HasPrefix(rest, " ") {
			return errNotCanonical
		}
		o, rest, ok := canonicalTerm(rest[1:])
		if !ok || rest != " ." {
			return errNotCanonical
		}
		add(s.v, gedge{p: p.v, o: o})
	}
	return nil
}

// canonicalTerm reads one term at the start of s.
func canonicalTerm(s string) (gterm, string, bool) {
	switch {
	case strings.HasPrefix(s, "<"):
		end := strings.IndexByte(s, '>')
		if end < 0 {
			return gterm{}, "", false
		}
		v, ok := unescape(s[1:end])
		return gterm{kind: termIRI, v: v}, s[end+1:], ok && v != ""
	case strings.HasPrefix(s, "_:"):
		end := strings.IndexByte(s, ' ')
		if end < 0 {
			end = len(s)
		}
		return gterm{kind: termBlank, v: s[:end]}, s[end:], end > 2
	case strings.HasPrefix(s, `"`):
		end := 1
		for end < len(s) && s[end] != '"' {
			if s[end] == '\\' {
				end++
			}
			end++
		}
		if end >= len(s) {
			return gterm{}, "", false
		}
		v, ok := unescape(s[1:end])
		t := gterm{kind: 'L', v: v, dt: xsdStringIRI}
		rest := s[end+1:]
		switch {
		case strings.HasPrefix(rest, "@"):
			i := strings.IndexByte(rest, ' ')
			if i < 0 {
				i = len(rest)
			}
			t.lang, t.dt, rest = rest[1:i], rdfLangStr, rest[i:]
			ok = ok && t.lang != ""
		case strings.HasPrefix(rest, "^^"):
			dt, r, dok := canonicalTerm(rest[2:])
			t.dt, rest, ok = dt.v, r, ok && dok && dt.kind == termIRI
		}
		return t, rest, ok
	}
	return gterm{}, "", false
}

// unescape undoes the escapes of N-Triples: \t \b \n \r \f \" \' \\,
// \uXXXX and \UXXXXXXXX.
func unescape(s string) (string, bool) {
	if strings.IndexByte(s, '\\') < 0 {
		return s, utf8.ValidString(s)
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(s) {
			return "", false
		}
		i++
		switch s[i] {
		case 't':
			b.WriteByte('\t')
		case 'b':
			b.WriteByte('\b')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case '"', '\'', '\\':
			b.WriteByte(s[i])
		case 'u', 'U':
			n := 4
			if s[i] == 'U' {
				n = 8
			}
			if i+1+n > len(s) {
				return "", false
			}
			r, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32)
			if err != nil || !utf8.ValidRune(rune(r)) {
				return "", false
			}
			b.WriteRune(rune(r))
			i += n
		default:
			return "", false
		}
	}
	return b.String(), utf8.ValidString(b.String())
}
