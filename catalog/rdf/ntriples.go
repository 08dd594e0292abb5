package rdf

import "io"

// decodeNTriples reads an N-Triples document: one triple a line, absolute
// IRIs only, taken as written (N-Triples has no base to resolve against).
func decodeNTriples(r io.Reader, opts Options, fn func(Triple) error) error {
	p := &ntParser{fn: fn}
	p.init(r, NTriples, opts.Limits)
	p.skipBOM()
	for {
		// Blank lines and comment lines between triples.
		c, ok := p.skipSpace()
		if !ok {
			return p.atEnd()
		}
		if err := p.triple(c); err != nil {
			return err
		}
	}
}

// ntParser is an N-Triples decoder.
type ntParser struct {
	lexer
	fn     func(Triple) error
	blanks blankLabels

	// The last subject IRI, unescaped, for the lines that repeat it.
	lastIRI  string
	lastSubj Subject
}

// space skips spaces and tabs within a line and returns the next byte; ok is
// false at the end of the input.
func (p *ntParser) space() (byte, bool) {
	for {
		for p.p < p.n {
			if c := p.buf[p.p]; c != ' ' && c != '\t' {
				return c, true
			}
			p.p++
		}
		p.mark = p.p
		if !p.fill() {
			return 0, false
		}
	}
}

// triple reads one line's triple; c is its first byte.
func (p *ntParser) triple(c byte) error {
	var subj Subject
	switch c {
	case '<':
		if n := len(p.lastIRI); p.lastSubj != nil && p.n-p.p > n+1 && p.buf[p.p+n+1] == '>' && string(p.buf[p.p+1:p.p+n+1]) == p.lastIRI {
			subj = p.lastSubj // as the line before
			p.p += n + 2
			break
		}
		o, escaped, err := p.iriEsc()
		if err != nil {
			return err
		}
		subj = o.(Subject)
		if !escaped {
			p.lastIRI, p.lastSubj = o.(IRI).String(), subj
		}
	case '_':
		o, err := p.blank()
		if err != nil {
			return err
		}
		subj = o.(Subject)
	default:
		return p.expected(p.p, "a subject ('<' or '_:')")
	}

	c, ok := p.space()
	if !ok || c != '<' {
		return p.expected(p.p, "a predicate IRI")
	}
	o, err := p.iri()
	if err != nil {
		return err
	}
	pred := o.(Predicate)

	var obj Object
	c, ok = p.space()
	switch {
	case !ok:
		return p.endErr(p.p, "an object")
	case c == '<':
		obj, err = p.iri()
	case c == '_':
		obj, err = p.blank()
	case c == '"':
		obj, err = p.literal()
	default:
		return p.expected(p.p, "an object ('<', '_:' or '\"')")
	}
	if err != nil {
		return err
	}

	if c, ok = p.space(); !ok || c != '.' {
		return p.expected(p.p, "'.' after the triple")
	}
	p.p++
	c, ok = p.space()
	if ok && c != '\n' && c != '\r' && c != '#' {
		return p.expected(p.p, "end of line after the triple")
	}
	return p.fn(Triple{Subj: subj, Pred: pred, Obj: obj})
}

// iri reads an absolute IRIREF; buf[l.p] is '<'.
func (p *ntParser) iri() (Object, error) {
	o, _, err := p.iriEsc()
	return o, err
}

// iriEsc is iri, and tells whether the IRIREF held escapes.
func (p *ntParser) iriEsc() (Object, bool, error) {
	v, escaped, err := p.readIRIRef()
	if err != nil {
		return nil, false, err
	}
	e := p.cache.slot(kindIRI, v)
	if e.holds(&p.cache, kindIRI, v) {
		return e.obj, escaped, nil
	}
	s := string(v)
	if !hasScheme(s) {
		return nil, false, p.errAt(p.mark, "relative IRI <%s>: N-Triples takes absolute IRIs only", s)
	}
	var o Object = iriOf(s)
	p.cache.put(e, kindIRI, s, o)
	return o, escaped, nil
}

// blank reads a blank node label; buf[l.p] is '_'.
func (p *ntParser) blank() (Object, error) {
	label, err := p.readBlankLabel()
	if err != nil {
		return nil, err
	}
	e := p.cache.slot(kindBlank, label)
	if e.holds(&p.cache, kindBlank, label) {
		return e.obj, nil
	}
	b := p.blanks.named(string(label))
	key := b.String()
	if key != string(label) {
		key = string(label)
	}
	var o Object = b
	p.cache.put(e, kindBlank, key, o)
	return o, nil
}

// literal reads a string with its language tag or datatype, if any.
func (p *ntParser) literal() (Object, error) {
	v, err := p.readString(false)
	if err != nil {
		return nil, err
	}
	lit := p.keepLexical(v)
	i, ok := p.avail(p.p, 1)
	p.p = i
	if !ok {
		return p.literalOf(lit, "", ""), nil
	}
	switch p.buf[i] {
	case '@':
		lang, err := p.readLangTag()
		if err != nil {
			return nil, err
		}
		return p.literalOf(lit, lang, ""), nil
	case '^':
		if i, ok = p.avail(i, 2); !ok || p.buf[i+1] != '^' {
			return nil, p.expected(i+1, "'^^' before a datatype IRI")
		}
		if i, ok = p.avail(i, 3); !ok || p.buf[i+2] != '<' {
			return nil, p.expected(i+2, "a datatype IRI after '^^'")
		}
		p.p = i + 2
		dt, err := p.iri()
		if err != nil {
			return nil, err
		}
		dts := dt.(IRI).String()
		if dts == xsdString {
			dts = ""
		}
		return p.literalOf(lit, "", dts), nil
	}
	return p.literalOf(lit, "", ""), nil
}
