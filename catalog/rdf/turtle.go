package rdf

import (
	"bytes"
	"io"
	"unicode/utf8"
)

// decodeTurtle reads a Turtle 1.1 document. Nesting (blank node property lists
// and collections) is kept on an explicit stack bounded by Limits.MaxDepth, so
// no input can exhaust the goroutine stack.
func decodeTurtle(r io.Reader, opts Options, fn func(Triple) error) error {
	p := &ttlParser{fn: fn, base: opts.Base, maxDepth: opts.Limits.maxDepth()}
	p.init(r, Turtle, opts.Limits)
	p.boxVocabulary()
	p.skipBOM()
	for {
		c, ok := p.skipSpace()
		if !ok {
			return p.atEnd()
		}
		if err := p.statement(c); err != nil {
			return err
		}
	}
}

// ttlParser is a Turtle decoder. Between statements its state is the prefix
// map and the base; within one, the current subject and predicate and a stack
// of the property lists and collections it is inside.
type ttlParser struct {
	lexer
	fn       func(Triple) error
	base     string
	prefixes map[string]string
	blanks   blankLabels
	stack    []frame
	maxDepth int
	subj     Subject
	pred     Predicate

	// Boxed once per document.
	rdfType, rdfFirst, rdfRest Predicate
	rdfNil                     Object
	rdfNilSubj                 Subject
	litTrue, litFalse          Object
}

// frame is one open blank node property list or collection.
type frame struct {
	kind       uint8
	subj       Subject // the subject and predicate to go back to
	pred       Predicate
	head, last Subject // a collection's first and last cell so far
}

// Frame kinds: what a '[' or '(' stood for.
const (
	fBlankObj  = iota + 1 // [ ... ] as an object
	fBlankSubj            // [ ... ] as the subject of a statement
	fListObj              // ( ... ) as an object
	fListSubj             // ( ... ) as a subject
)

// Parser states within a statement.
const (
	stVerb     = iota // a predicate must come
	stVerbOpt         // after ';': a predicate may come
	stObject          // an object must come
	stAfterObj        // an object is done: ',', ';', '.', ']' or the next item of a collection
	stListItem        // in a collection: an item or ')'
)

func (p *ttlParser) boxVocabulary() {
	var o Object = iriOf(rdfType)
	p.rdfType = o.(Predicate)
	o = iriOf(rdfFirst)
	p.rdfFirst = o.(Predicate)
	o = iriOf(rdfRest)
	p.rdfRest = o.(Predicate)
	p.rdfNil = iriOf(rdfNil)
	p.rdfNilSubj = p.rdfNil.(Subject)
	p.litTrue = NewTypedLiteral("true", iriOf(xsdBoolean))
	p.litFalse = NewTypedLiteral("false", iriOf(xsdBoolean))
}

func (p *ttlParser) emit(s Subject, pr Predicate, o Object) error {
	return p.fn(Triple{Subj: s, Pred: pr, Obj: o})
}

// statement reads a directive or a statement of triples; c is its first byte.
func (p *ttlParser) statement(c byte) error {
	switch c {
	case '@':
		return p.atDirective()
	case '[':
		p.p++
		if c, ok := p.skipSpace(); ok && c == ']' {
			p.p++
			_, p.subj = p.freshNode()
			return p.triples(stVerb)
		}
		if err := p.push(fBlankSubj); err != nil {
			return err
		}
		_, p.subj = p.freshNode()
		return p.triples(stVerb)
	case '(':
		p.p++
		if err := p.push(fListSubj); err != nil {
			return err
		}
		return p.triples(stListItem)
	case '<':
		o, err := p.iri()
		if err != nil {
			return err
		}
		p.subj = o.(Subject)
		return p.triples(stVerb)
	case '_':
		o, err := p.blank()
		if err != nil {
			return err
		}
		p.subj = o.(Subject)
		return p.triples(stVerb)
	}
	o, word, err := p.name("a subject or a directive")
	if err != nil {
		return err
	}
	if o == nil {
		switch {
		case bytes.EqualFold(word, []byte("prefix")):
			return p.prefixDirective(false)
		case bytes.EqualFold(word, []byte("base")):
			return p.baseDirective(false)
		}
		return p.errAt(p.mark, "expected a subject or a directive, found %q", word)
	}
	p.subj = o.(Subject)
	return p.triples(stVerb)
}

// atDirective reads @prefix or @base; buf[l.p] is '@'.
func (p *ttlParser) atDirective() error {
	p.mark = p.p
	i := p.p + 1
	for {
		var ok bool
		if i, ok = p.avail(i, 1); !ok || !isAlpha(p.buf[i]) {
			if !ok && p.cut() {
				return p.inputErr(i)
			}
			break
		}
		i++
	}
	word := p.buf[p.mark+1 : i]
	p.p = i
	switch string(word) {
	case "prefix":
		return p.prefixDirective(true)
	case "base":
		return p.baseDirective(true)
	}
	return p.errAt(p.mark, "expected @prefix or @base, found %q", "@"+string(word))
}

// prefixDirective reads the rest of @prefix (at is set) or PREFIX.
func (p *ttlParser) prefixDirective(at bool) error {
	c, ok := p.skipSpace()
	if !ok {
		return p.endErr(p.p, "a prefix name")
	}
	p.mark = p.p
	i := p.p
	if c != ':' {
		if c >= utf8.RuneSelf {
			r, size, ni := p.decodeRune(i)
			i = ni
			if size == 0 || !isPNCharsBase(r) {
				return p.expected(i, "a prefix name ending in ':'")
			}
			i += size
		} else if isAlpha(c) {
			i++
		} else {
			return p.expected(i, "a prefix name ending in ':'")
		}
		var err error
		if i, _, err = p.scanName(i, false); err != nil {
			return err
		}
		if i, ok = p.avail(i, 1); !ok || p.buf[i] != ':' {
			return p.expected(i, "':' after the prefix name")
		}
	}
	prefix := string(p.buf[p.mark:i])
	p.p = i + 1
	if c, ok = p.skipSpace(); !ok || c != '<' {
		return p.expected(p.p, "an IRI in '<>' for the prefix")
	}
	v, _, err := p.readIRIRef()
	if err != nil {
		return err
	}
	if p.prefixes == nil {
		p.prefixes = make(map[string]string)
	}
	p.prefixes[prefix] = Resolve(p.base, string(v))
	p.cache.forget()
	if at {
		return p.directiveEnd("@prefix")
	}
	return nil
}

// baseDirective reads the rest of @base (at is set) or BASE.
func (p *ttlParser) baseDirective(at bool) error {
	if c, ok := p.skipSpace(); !ok || c != '<' {
		return p.expected(p.p, "an IRI in '<>' for the base")
	}
	v, _, err := p.readIRIRef()
	if err != nil {
		return err
	}
	p.base = Resolve(p.base, string(v))
	p.cache.forget()
	if at {
		return p.directiveEnd("@base")
	}
	return nil
}

func (p *ttlParser) directiveEnd(name string) error {
	if c, ok := p.skipSpace(); !ok || c != '.' {
		return p.expected(p.p, "'.' after "+name)
	}
	p.p++
	return nil
}

func (p *ttlParser) push(kind uint8) error {
	if len(p.stack) >= p.maxDepth {
		e := p.errAt(p.p-1, "nesting deeper than %d", p.maxDepth)
		e.Err = ErrTooDeep
		return e
	}
	p.stack = append(p.stack, frame{kind: kind, subj: p.subj, pred: p.pred})
	return nil
}

func (p *ttlParser) freshNode() (Object, Subject) {
	var o Object = p.blanks.fresh()
	return o, o.(Subject)
}

// triples reads the rest of a statement of triples, from state st, up to and
// including its final '.'.
func (p *ttlParser) triples(st int) error {
	for {
		switch st {
		case stVerb, stVerbOpt:
			c, ok := p.skipSpace()
			if !ok {
				return p.endErr(p.p, "a predicate")
			}
			if st == stVerbOpt {
				if c == ';' {
					p.p++
					continue
				}
				if c == '.' || c == ']' {
					st = stAfterObj
					continue
				}
			}
			pred, err := p.verb(c)
			if err != nil {
				return err
			}
			p.pred = pred
			st = stObject

		case stObject:
			c, ok := p.skipSpace()
			if !ok {
				return p.endErr(p.p, "an object")
			}
			var obj Object
			switch c {
			case '[':
				p.p++
				if c, ok := p.skipSpace(); ok && c == ']' {
					p.p++
					obj, _ = p.freshNode()
					break
				}
				o, s := p.freshNode()
				if err := p.emit(p.subj, p.pred, o); err != nil {
					return err
				}
				if err := p.push(fBlankObj); err != nil {
					return err
				}
				p.subj = s
				st = stVerb
				continue
			case '(':
				p.p++
				if err := p.push(fListObj); err != nil {
					return err
				}
				st = stListItem
				continue
			default:
				var err error
				if obj, err = p.object(c); err != nil {
					return err
				}
			}
			if err := p.emit(p.subj, p.pred, obj); err != nil {
				return err
			}
			st = stAfterObj

		case stListItem:
			c, ok := p.skipSpace()
			if !ok {
				return p.endErr(p.p, "')' to end the collection")
			}
			f := &p.stack[len(p.stack)-1]
			if c == ')' {
				p.p++
				obj := p.rdfNil
				if f.head != nil {
					if err := p.emit(f.last, p.rdfRest, p.rdfNil); err != nil {
						return err
					}
					obj = f.head.(Object)
				}
				kind := f.kind
				p.subj, p.pred = f.subj, f.pred
				p.stack = p.stack[:len(p.stack)-1]
				if kind == fListSubj {
					if f.head == nil {
						p.subj = p.rdfNilSubj
					} else {
						p.subj = f.head
					}
					st = stVerb
					continue
				}
				if err := p.emit(p.subj, p.pred, obj); err != nil {
					return err
				}
				st = stAfterObj
				continue
			}
			_, cell := p.freshNode()
			if f.last == nil {
				f.head = cell
			} else if err := p.emit(f.last, p.rdfRest, cell.(Object)); err != nil {
				return err
			}
			f.last = cell
			p.subj, p.pred = cell, p.rdfFirst
			st = stObject

		case stAfterObj:
			if n := len(p.stack); n > 0 && p.stack[n-1].kind >= fListObj {
				st = stListItem
				continue
			}
			c, ok := p.skipSpace()
			if !ok {
				if len(p.stack) > 0 {
					return p.endErr(p.p, "']' to end the blank node")
				}
				return p.endErr(p.p, "'.' after the triple")
			}
			switch c {
			case ',':
				p.p++
				st = stObject
			case ';':
				p.p++
				st = stVerbOpt
			case '.':
				if len(p.stack) > 0 {
					return p.errAt(p.p, "expected ']' to end the blank node, found '.'")
				}
				p.p++
				return nil
			case ']':
				n := len(p.stack)
				if n == 0 {
					return p.errAt(p.p, "expected '.' after the triple, found ']'")
				}
				p.p++
				f := p.stack[n-1]
				p.stack = p.stack[:n-1]
				if f.kind == fBlankObj {
					p.subj, p.pred = f.subj, f.pred
					continue
				}
				// [ ... ] as subject: its node stays the subject, and the
				// statement may end here.
				if c, ok := p.skipSpace(); ok && c == '.' {
					p.p++
					return nil
				}
				st = stVerb
			default:
				what := "',', ';' or '.' after the object"
				if len(p.stack) > 0 {
					what = "',', ';' or ']' after the object"
				}
				return p.expected(p.p, what)
			}
		}
	}
}

// verb reads a predicate; c is its first byte.
func (p *ttlParser) verb(c byte) (Predicate, error) {
	switch {
	case c == '<':
		o, err := p.iri()
		if err != nil {
			return nil, err
		}
		return o.(Predicate), nil
	case c == ':' || isAlpha(c) || c >= utf8.RuneSelf:
		o, word, err := p.name("a predicate")
		if err != nil {
			return nil, err
		}
		if o == nil {
			if string(word) == "a" {
				return p.rdfType, nil
			}
			return nil, p.errAt(p.mark, "expected a predicate, found %q", word)
		}
		return o.(Predicate), nil
	}
	return nil, p.expected(p.p, "a predicate")
}

// object reads an object other than a blank node property list or a
// collection; c is its first byte.
func (p *ttlParser) object(c byte) (Object, error) {
	switch {
	case c == '<':
		return p.iri()
	case c == '_':
		return p.blank()
	case c == '"' || c == '\'':
		return p.literal()
	case isDigit(c) || c == '+' || c == '-' || c == '.':
		return p.number()
	case c == ':' || isAlpha(c) || c >= utf8.RuneSelf:
		o, word, err := p.name("an object")
		if err != nil {
			return nil, err
		}
		if o == nil {
			switch string(word) {
			case "true":
				return p.litTrue, nil
			case "false":
				return p.litFalse, nil
			}
			return nil, p.errAt(p.mark, "expected an object, found %q", word)
		}
		return o, nil
	}
	return nil, p.expected(p.p, "an object")
}

// iri reads an IRIREF, resolved against the base; buf[l.p] is '<'.
func (p *ttlParser) iri() (Object, error) {
	v, _, err := p.readIRIRef()
	if err != nil {
		return nil, err
	}
	e := p.cache.slot(kindIRI, v)
	if e.holds(&p.cache, kindIRI, v) {
		return e.obj, nil
	}
	s := string(v)
	abs := Resolve(p.base, s)
	if !IsAbsolute(abs) {
		return nil, p.errAt(p.mark, "relative IRI <%s> and no base IRI to resolve it against", abs)
	}
	var o Object = iriOf(abs)
	p.cache.put(e, kindIRI, s, o)
	return o, nil
}

// blank reads a blank node label; buf[l.p] is '_'.
func (p *ttlParser) blank() (Object, error) {
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

// name reads a prefixed name, or a bare word (a, true, false, PREFIX, BASE),
// at l.p. For a prefixed name it returns its IRI; for a bare word, the word
// (valid until the next read). what says what was expected, for errors.
func (p *ttlParser) name(what string) (Object, []byte, error) {
	p.mark = p.p
	i := p.p
	if c := p.buf[i]; c != ':' {
		if c >= utf8.RuneSelf {
			r, size, ni := p.decodeRune(i)
			i = ni
			if size == 0 || !isPNCharsBase(r) {
				return nil, nil, p.expected(i, what)
			}
			i += size
		} else if isAlpha(c) {
			i++
		} else {
			return nil, nil, p.expected(i, what)
		}
		var err error
		if i, _, err = p.scanName(i, false); err != nil {
			return nil, nil, err
		}
		var ok bool
		if i, ok = p.avail(i, 1); !ok || p.buf[i] != ':' {
			if !ok && p.cut() {
				return nil, nil, p.inputErr(i)
			}
			p.p = i
			return nil, p.buf[p.mark:i], nil
		}
	}
	colon := i - p.mark // relative: refills move the token
	i++
	escaped := false
	i, ok := p.avail(i, 1)
	if !ok && p.cut() {
		return nil, nil, p.inputErr(i)
	}
	if ok {
		c := p.buf[i]
		start := false
		if c >= utf8.RuneSelf {
			r, size, ni := p.decodeRune(i)
			i = ni
			start = size > 0 && isPNCharsBase(r)
		} else {
			start = isAlpha(c) || isDigit(c) || c == '_' || c == ':' || c == '%' || c == '\\'
		}
		if start {
			var err error
			if i, escaped, err = p.scanName(i, true); err != nil {
				return nil, nil, err
			}
		}
	}
	p.p = i
	raw := p.buf[p.mark:i]
	e := p.cache.slot(kindPName, raw)
	if e.holds(&p.cache, kindPName, raw) {
		return e.obj, nil, nil
	}
	ns, known := p.prefixes[string(raw[:colon])]
	if !known {
		return nil, nil, p.errAt(p.mark, "undefined prefix %q", raw[:colon+1])
	}
	b := append(p.scratch[:0], ns...)
	local := raw[colon+1:]
	if !escaped {
		b = append(b, local...)
	} else {
		for k := 0; k < len(local); k++ {
			if local[k] == '\\' {
				k++
			}
			b = append(b, local[k])
		}
	}
	p.scratch = b
	s := string(b)
	if !IsAbsolute(s) {
		return nil, nil, p.errAt(p.mark, "%s stands for the relative IRI <%s>, and there is no base IRI to resolve it against", raw, s)
	}
	var o Object = iriOf(s)
	p.cache.put(e, kindPName, string(raw), o)
	return o, nil, nil
}

// literal reads a string with its language tag or datatype, if any.
func (p *ttlParser) literal() (Object, error) {
	v, err := p.readString(true)
	if err != nil {
		return nil, err
	}
	lit := p.keepLexical(v)
	i, ok := p.avail(p.p, 1)
	p.p = i
	if !ok {
		if p.cut() {
			return nil, p.inputErr(i)
		}
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
			return nil, p.expected(i+1, "'^^' before a datatype")
		}
		p.p = i + 2
		c, ok := p.skipSpace()
		var dt Object
		switch {
		case !ok:
			return nil, p.endErr(p.p, "a datatype IRI")
		case c == '<':
			dt, err = p.iri()
		case c == ':' || isAlpha(c) || c >= utf8.RuneSelf:
			var word []byte
			dt, word, err = p.name("a datatype IRI")
			if err == nil && dt == nil {
				return nil, p.errAt(p.mark, "expected a datatype IRI, found %q", word)
			}
		default:
			return nil, p.expected(p.p, "a datatype IRI")
		}
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

// number reads an integer, decimal or double.
func (p *ttlParser) number() (Object, error) {
	p.mark = p.p
	at := func(k int) byte {
		i, ok := p.avail(p.mark+k, 1)
		if !ok {
			return 0
		}
		return p.buf[i]
	}
	digits := func(k int) int {
		n := 0
		for isDigit(at(k + n)) {
			n++
		}
		return n
	}
	exponent := func(k int) int {
		if c := at(k); c != 'e' && c != 'E' {
			return 0
		}
		n := 1
		if c := at(k + n); c == '+' || c == '-' {
			n++
		}
		d := digits(k + n)
		if d == 0 {
			return 0
		}
		return n + d
	}
	k := 0
	if c := at(0); c == '+' || c == '-' {
		k++
	}
	d1 := digits(k)
	k += d1
	dt := xsdInteger
	if at(k) == '.' {
		if d2 := digits(k + 1); d2 > 0 {
			k += 1 + d2
			dt = xsdDecimal
			if e := exponent(k); e > 0 {
				k += e
				dt = xsdDouble
			}
		} else if e := exponent(k + 1); e > 0 && d1 > 0 {
			k += 1 + e
			dt = xsdDouble
		}
	} else if e := exponent(k); e > 0 && d1 > 0 {
		k += e
		dt = xsdDouble
	}
	if d1 == 0 && dt == xsdInteger {
		return nil, p.expected(p.mark, "an object")
	}
	if p.mark+k >= p.n && p.cut() {
		return nil, p.inputErr(p.n)
	}
	if k > p.maxTerm {
		return nil, p.tooLarge(p.mark)
	}
	lit := p.keepLexical(p.buf[p.mark : p.mark+k])
	p.p = p.mark + k
	return p.literalOf(lit, "", dt), nil
}
