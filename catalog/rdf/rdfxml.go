package rdf

import (
	"io"
	"strconv"
	"strings"
	"unsafe"
)

// The RDF/XML decoder follows the grammar of RDF 1.1 XML Syntax section 7 as
// events arrive from the tokenizer in xml.go: every element opens a frame on
// a stack, and a triple goes to the callback as soon as its three terms are
// known. What is kept is one frame per open element, the text of the innermost
// property element and, for rdf:parseType="Literal", the literal being written.
//
// Beyond the specification, as rapper reads them: the attributes about, ID,
// resource, parseType, type, nodeID and datatype without a namespace are read
// as the RDF attributes of those names (older documents use them; the
// specification forbids them), and characters an IRI may not hold (a space,
// say) in rdf:about, rdf:resource, rdf:datatype or xml:base are percent-encoded,
// as XML Schema's anyURI and the 2004 RDF/XML specification do.

const (
	rdfXMLLiteral = NSRDF + "XMLLiteral"
	rdfStatement  = NSRDF + "Statement"
	rdfSubject    = NSRDF + "subject"
	rdfPredicate  = NSRDF + "predicate"
	rdfObject     = NSRDF + "object"

	// termCacheSize bounds the IRIs kept boxed for reuse.
	termCacheSize = 8192
	// maxIDs bounds the rdf:ID values remembered to find a repeated one.
	maxIDs = 1 << 20
)

type frameKind uint8

const (
	frameDoc        frameKind = iota // outside the root element
	frameRDF                         // inside rdf:RDF: node elements
	frameNode                        // inside a node element or parseType="Resource": property elements
	frameProp                        // inside a property element: text, or one node element
	frameEmpty                       // inside a property element that must stay empty
	frameObject                      // inside a property element after its node element
	frameCollection                  // inside parseType="Collection": node elements
	frameLiteral                     // inside parseType="Literal"
)

// rdfFrame is what an open element means.
type rdfFrame struct {
	kind frameKind
	base string // in-scope xml:base (or the document's base)
	lang string // in-scope xml:lang
	// subj is the node's subject in a node frame, else the subject of the
	// statement the property element makes.
	subj        Subject
	pred        Predicate
	li          int     // node: the last rdf:li number given
	reif        string  // property: the statement's rdf:ID, resolved; "" if none
	datatype    IRI     // property: rdf:datatype
	hasDatatype bool    //
	cell        Subject // collection: the last list cell, nil if none yet
}

// term is an IRI boxed once as each of the interfaces a triple holds.
type term struct {
	s   Subject
	p   Predicate
	o   Object
	iri IRI
}

type rdfxmlParser struct {
	x      *xmlReader
	fn     func(Triple) error
	blanks blankLabels
	stack  []rdfFrame
	text   []byte // text of the innermost property element
	lit    litWriter
	// litDepth is the element depth inside a parseType="Literal" property.
	litDepth int
	maxTerm  int

	terms   map[string]term
	langs   map[string]string
	ids     map[string]struct{}
	key     []byte
	rdfType term
	// boxed constants
	oNil, oStatement       Object
	pFirst, pRest          Predicate
	pSubject, pPredicate   Predicate
	pObject, pType         Predicate
	dtXMLLiteral, dtString IRI
}

// decodeRDFXML reads RDF/XML; see Decode. Documents in UTF-8 are read, and
// those that declare ISO-8859-1 or windows-1252; UTF-16 and other encodings
// are refused with an error.
func decodeRDFXML(r io.Reader, opts Options, fn func(Triple) error) error {
	p := &rdfxmlParser{
		x:       newXMLReader(r, opts.Limits),
		fn:      fn,
		maxTerm: opts.Limits.maxTermBytes(),
		terms:   make(map[string]term),
		langs:   make(map[string]string),
	}
	p.lit.max = p.maxTerm
	p.rdfType = p.termOf(rdfType)
	p.pType = p.rdfType.p
	p.oNil = p.termOf(rdfNil).o
	p.oStatement = p.termOf(rdfStatement).o
	p.pFirst = p.termOf(rdfFirst).p
	p.pRest = p.termOf(rdfRest).p
	p.pSubject = p.termOf(rdfSubject).p
	p.pPredicate = p.termOf(rdfPredicate).p
	p.pObject = p.termOf(rdfObject).p
	p.dtXMLLiteral = iriOf(rdfXMLLiteral)
	p.dtString = iriOf(xsdString)
	p.stack = append(p.stack, rdfFrame{kind: frameDoc, base: opts.Base})
	return p.run()
}

func (p *rdfxmlParser) run() error {
	for {
		t, err := p.x.next()
		if err != nil {
			return err
		}
		switch t.kind {
		case xmlEOF:
			return nil
		case xmlStart:
			err = p.start(t)
		case xmlEnd:
			err = p.end(t)
		case xmlText:
			err = p.chars(t)
		case xmlComment:
			if p.top().kind == frameLiteral {
				err = p.lit.comment(t.text)
			}
		case xmlPI:
			if p.top().kind == frameLiteral {
				err = p.lit.pi(t.name.local, t.text)
			}
		}
		if err != nil {
			if err == errLiteralTooLarge {
				err = p.x.errAt(t.off, ErrTermTooLarge, "XML literal longer than %d bytes", p.maxTerm)
			}
			return err
		}
	}
}

func (p *rdfxmlParser) top() *rdfFrame { return &p.stack[len(p.stack)-1] }

// push opens a frame like f.
func (p *rdfxmlParser) push(f rdfFrame) {
	p.stack = append(p.stack, f)
}

func (p *rdfxmlParser) emit(s Subject, pr Predicate, o Object) error {
	return p.fn(Triple{Subj: s, Pred: pr, Obj: o})
}

// emitReified emits s p o and, if the property element had rdf:ID, the four
// triples that reify it.
func (p *rdfxmlParser) emitReified(f *rdfFrame, o Object) error {
	if err := p.emit(f.subj, f.pred, o); err != nil {
		return err
	}
	if f.reif == "" {
		return nil
	}
	r := p.termOf(f.reif)
	pred, _ := f.pred.(Object)
	for _, t := range [...]Triple{
		{Subj: r.s, Pred: p.pType, Obj: p.oStatement},
		{Subj: r.s, Pred: p.pSubject, Obj: f.subj.(Object)},
		{Subj: r.s, Pred: p.pPredicate, Obj: pred},
		{Subj: r.s, Pred: p.pObject, Obj: o},
	} {
		if err := p.fn(t); err != nil {
			return err
		}
	}
	return nil
}

func (p *rdfxmlParser) start(t *xmlToken) error {
	switch f := p.top(); f.kind {
	case frameLiteral:
		p.litDepth++
		return p.lit.start(t)
	case frameDoc:
		if t.name.ns == NSRDF && string(t.name.local) == "RDF" {
			base, lang, err := p.scope(t, f)
			if err != nil {
				return err
			}
			// Other attributes (xsi:schemaLocation, say) are ignored, as
			// rapper and rdflib do; RDF's own are refused.
			for i := range t.attrs {
				if a := &t.attrs[i]; a.ns == NSRDF || roleOf(a) == roleNoNS {
					return p.x.errAt(a.off, nil, "attribute %s not allowed on rdf:RDF", qname(&a.xmlName))
				}
			}
			p.push(rdfFrame{kind: frameRDF, base: base, lang: lang})
			return nil
		}
		_, err := p.nodeElement(t)
		return err
	case frameRDF:
		_, err := p.nodeElement(t)
		return err
	case frameNode:
		return p.propertyElement(t)
	case frameProp:
		if !isXMLSpace(p.text) {
			return p.x.errAt(t.off, nil, "property element holds both text and the element <%s>", qname(&t.name))
		}
		if f.hasDatatype {
			return p.x.errAt(t.off, nil, "property element with rdf:datatype holds the element <%s>", qname(&t.name))
		}
		f.kind = frameObject
		i := len(p.stack) - 1
		subj, err := p.nodeElement(t)
		if err != nil {
			return err
		}
		return p.emitReified(&p.stack[i], subj.(Object))
	case frameEmpty:
		return p.x.errAt(t.off, nil, "property element with rdf:resource, rdf:nodeID or property attributes must be empty, but holds <%s>", qname(&t.name))
	case frameObject:
		return p.x.errAt(t.off, nil, "property element holds more than one node element")
	case frameCollection:
		i := len(p.stack) - 1
		subj, err := p.nodeElement(t)
		if err != nil {
			return err
		}
		f := &p.stack[i]
		cell := Subject(p.blanks.fresh())
		if f.cell == nil {
			err = p.emitReified(f, cell.(Object))
		} else {
			err = p.emit(f.cell, p.pRest, cell.(Object))
		}
		if err != nil {
			return err
		}
		f.cell = cell
		return p.emit(cell, p.pFirst, subj.(Object))
	}
	return nil
}

func (p *rdfxmlParser) end(t *xmlToken) error {
	f := p.top()
	var err error
	switch f.kind {
	case frameLiteral:
		if p.litDepth > 0 {
			p.litDepth--
			return p.lit.end(t)
		}
		err = p.emitReified(f, NewTypedLiteral(string(p.lit.buf), p.dtXMLLiteral))
	case frameProp:
		s := string(p.text)
		var o Object
		switch {
		case f.hasDatatype:
			o = NewTypedLiteral(s, f.datatype)
		case f.lang != "":
			o = langLiteralOf(s, f.lang)
		default:
			o = NewTypedLiteral(s, p.dtString)
		}
		err = p.emitReified(f, o)
	case frameCollection:
		if f.cell == nil {
			err = p.emitReified(f, p.oNil)
		} else {
			err = p.emit(f.cell, p.pRest, p.oNil)
		}
	}
	p.stack = p.stack[:len(p.stack)-1]
	p.text = p.text[:0]
	return err
}

func (p *rdfxmlParser) chars(t *xmlToken) error {
	switch f := p.top(); f.kind {
	case frameLiteral:
		return p.lit.chars(t.text)
	case frameEmpty:
		if !isXMLSpace(t.text) {
			return p.x.errAt(t.off, nil, "property element with rdf:resource, rdf:nodeID or property attributes must be empty, but holds text %q", clip(t.text))
		}
		return nil
	case frameProp:
		if len(p.text)+len(t.text) > p.maxTerm {
			return p.x.errAt(t.off, ErrTermTooLarge, "literal longer than %d bytes", p.maxTerm)
		}
		p.text = append(p.text, t.text...)
		return nil
	}
	if !isXMLSpace(t.text) {
		return p.x.errAt(t.off+len(t.text)-len(strings.TrimLeft(string(t.text), " \t\r\n")), nil, "text %q where an element was expected", clip(t.text))
	}
	return nil
}

// attribute roles
type attrRole uint8

const (
	roleSkip      attrRole = iota // xml:*, names XML reserves
	roleProp                      // a property attribute
	roleAbout                     // rdf:about
	roleID                        // rdf:ID
	roleNodeID                    // rdf:nodeID
	roleType                      // rdf:type
	roleResource                  // rdf:resource
	roleParseType                 // rdf:parseType
	roleDatatype                  // rdf:datatype
	roleForbidden                 // an RDF name that may not be an attribute
	roleNoNS                      // another name without a namespace
)

func roleOf(a *xmlAttr) attrRole {
	switch a.ns {
	case nsXML:
		return roleSkip
	case "":
		if xmlReserved(a) {
			return roleSkip
		}
		if r := rdfAttrRole(a.local); r != roleProp && r != roleForbidden {
			return r
		}
		return roleNoNS
	case NSRDF:
		return rdfAttrRole(a.local)
	}
	return roleProp
}

func rdfAttrRole(local []byte) attrRole {
	switch string(local) {
	case "about":
		return roleAbout
	case "ID":
		return roleID
	case "nodeID":
		return roleNodeID
	case "type":
		return roleType
	case "resource":
		return roleResource
	case "parseType":
		return roleParseType
	case "datatype":
		return roleDatatype
	case "RDF", "Description", "li", "bagID", "aboutEach", "aboutEachPrefix":
		return roleForbidden
	}
	return roleProp
}

// xmlReserved reports whether an attribute has a name XML reserves (xml...).
func xmlReserved(a *xmlAttr) bool {
	n := a.local
	if len(a.prefix) > 0 {
		n = a.prefix
	}
	return len(n) >= 3 && (n[0]|0x20) == 'x' && (n[1]|0x20) == 'm' && (n[2]|0x20) == 'l'
}

// scope returns the base and language in force on an element.
func (p *rdfxmlParser) scope(t *xmlToken, parent *rdfFrame) (base, lang string, err error) {
	base, lang = parent.base, parent.lang
	for i := range t.attrs {
		a := &t.attrs[i]
		if a.ns != nsXML {
			continue
		}
		switch string(a.local) {
		case "lang":
			if len(a.value) == 0 {
				lang = ""
				break
			}
			l, ok := p.langs[string(a.value)]
			if !ok {
				l = string(a.value)
				if !validLangTag(l) {
					return "", "", p.x.errAt(a.off, nil, "bad language tag %q", clip(a.value))
				}
				if len(p.langs) < 1024 {
					p.langs[l] = l
				}
			}
			lang = l
		case "base":
			s, err := p.resolve(base, a.value, a.off)
			if err != nil {
				return "", "", err
			}
			base = s
		}
	}
	return base, lang, nil
}

// nodeElement opens a node element, emits its type and property attributes,
// and returns its subject.
func (p *rdfxmlParser) nodeElement(t *xmlToken) (Subject, error) {
	if err := p.checkElementName(t, true); err != nil {
		return nil, err
	}
	base, lang, err := p.scope(t, p.top())
	if err != nil {
		return nil, err
	}
	var subj Subject
	var idAttr *xmlAttr
	for i := range t.attrs {
		a := &t.attrs[i]
		switch r := roleOf(a); r {
		case roleAbout, roleID, roleNodeID:
			if idAttr != nil {
				return nil, p.x.errAt(a.off, nil, "a node element may have only one of rdf:about, rdf:ID and rdf:nodeID")
			}
			idAttr = a
			switch r {
			case roleAbout:
				s, err := p.resolve(base, a.value, a.off)
				if err != nil {
					return nil, err
				}
				subj = iriOf(s)
			case roleID:
				s, err := p.idIRI(base, a)
				if err != nil {
					return nil, err
				}
				subj = iriOf(s)
			case roleNodeID:
				b, err := p.nodeID(a)
				if err != nil {
					return nil, err
				}
				subj = b
			}
		case roleForbidden, roleResource, roleParseType, roleDatatype:
			return nil, p.x.errAt(a.off, nil, "attribute %s not allowed on a node element", qname(&a.xmlName))
		case roleNoNS:
			return nil, p.x.errAt(a.off, nil, "attribute %s has no namespace", a.local)
		}
	}
	if subj == nil {
		subj = p.blanks.fresh()
	}
	p.push(rdfFrame{kind: frameNode, base: base, lang: lang, subj: subj})
	if !(t.name.ns == NSRDF && string(t.name.local) == "Description") {
		typ, err := p.nameTerm(t)
		if err != nil {
			return nil, err
		}
		if err := p.emit(subj, p.pType, typ.o); err != nil {
			return nil, err
		}
	}
	if err := p.propertyAttrs(t, subj, base, lang); err != nil {
		return nil, err
	}
	return subj, nil
}

// propertyAttrs emits the triples of an element's property attributes.
func (p *rdfxmlParser) propertyAttrs(t *xmlToken, subj Subject, base, lang string) error {
	for i := range t.attrs {
		a := &t.attrs[i]
		switch roleOf(a) {
		case roleType:
			o, err := p.iriTerm(base, a.value, a.off)
			if err != nil {
				return err
			}
			if err := p.emit(subj, p.pType, o.o); err != nil {
				return err
			}
		case roleProp:
			pr, err := p.attrTerm(a)
			if err != nil {
				return err
			}
			var o Object
			if lang != "" {
				o = langLiteralOf(string(a.value), lang)
			} else {
				o = NewTypedLiteral(string(a.value), p.dtString)
			}
			if err := p.emit(subj, pr.p, o); err != nil {
				return err
			}
		}
	}
	return nil
}

// propertyElement opens a property element in the node frame on top.
func (p *rdfxmlParser) propertyElement(t *xmlToken) error {
	if err := p.checkElementName(t, false); err != nil {
		return err
	}
	node := p.top()
	var pred Predicate
	if t.name.ns == NSRDF && string(t.name.local) == "li" {
		node.li++
		tm, err := p.liTerm(node.li)
		if err != nil {
			return err
		}
		pred = tm.p
	} else {
		tm, err := p.nameTerm(t)
		if err != nil {
			return err
		}
		pred = tm.p
	}
	base, lang, err := p.scope(t, node)
	if err != nil {
		return err
	}
	f := rdfFrame{kind: frameProp, base: base, lang: lang, subj: node.subj, pred: pred}
	var obj Object
	var resAttr, parseType *xmlAttr
	props := false
	for i := range t.attrs {
		a := &t.attrs[i]
		switch roleOf(a) {
		case roleID:
			s, err := p.idIRI(base, a)
			if err != nil {
				return err
			}
			f.reif = s
		case roleResource, roleNodeID:
			if resAttr != nil {
				return p.x.errAt(a.off, nil, "a property element may not have both rdf:resource and rdf:nodeID")
			}
			resAttr = a
			if roleOf(a) == roleNodeID {
				b, err := p.nodeID(a)
				if err != nil {
					return err
				}
				obj = b
			} else {
				o, err := p.iriTerm(base, a.value, a.off)
				if err != nil {
					return err
				}
				obj = o.o
			}
		case roleParseType:
			parseType = a
		case roleDatatype:
			dt, err := p.iriTerm(base, a.value, a.off)
			if err != nil {
				return err
			}
			f.datatype, f.hasDatatype = dt.iri, true
		case roleProp, roleType:
			props = true
		case roleForbidden, roleAbout:
			return p.x.errAt(a.off, nil, "attribute %s not allowed on a property element", qname(&a.xmlName))
		case roleNoNS:
			return p.x.errAt(a.off, nil, "attribute %s has no namespace", a.local)
		}
	}
	switch {
	case parseType != nil:
		if resAttr != nil || f.hasDatatype || props {
			return p.x.errAt(parseType.off, nil, "rdf:parseType may not be used with rdf:resource, rdf:nodeID, rdf:datatype or property attributes")
		}
		switch string(parseType.value) {
		case "Resource":
			b := p.blanks.fresh()
			if err := p.emitReified(&f, b); err != nil {
				return err
			}
			p.push(rdfFrame{kind: frameNode, base: base, lang: lang, subj: b})
		case "Collection":
			f.kind = frameCollection
			p.push(f)
		default: // "Literal", and any other value
			f.kind = frameLiteral
			p.litDepth = 0
			p.lit.reset()
			p.push(f)
		}
		return nil
	case resAttr != nil || props:
		if f.hasDatatype {
			return p.x.errAt(t.off, nil, "rdf:datatype may not be used with rdf:resource, rdf:nodeID or property attributes")
		}
		if obj == nil {
			obj = p.blanks.fresh()
		}
		if err := p.emitReified(&f, obj); err != nil {
			return err
		}
		if props {
			if err := p.propertyAttrs(t, obj.(Subject), base, lang); err != nil {
				return err
			}
		}
		f.kind = frameEmpty
	}
	p.text = p.text[:0]
	p.push(f)
	return nil
}

// checkElementName refuses element names the grammar forbids.
func (p *rdfxmlParser) checkElementName(t *xmlToken, node bool) error {
	if t.name.ns == "" {
		return p.x.errAt(t.off, nil, "element <%s> has no namespace", t.name.local)
	}
	if t.name.ns != NSRDF {
		return nil
	}
	switch string(t.name.local) {
	case "RDF", "ID", "about", "bagID", "parseType", "resource", "nodeID", "aboutEach", "aboutEachPrefix", "datatype":
	case "li":
		if !node {
			return nil
		}
	case "Description":
		if node {
			return nil
		}
	default:
		return nil
	}
	what := "a property element"
	if node {
		what = "a node element"
	}
	return p.x.errAt(t.off, nil, "rdf:%s cannot be %s", t.name.local, what)
}

// idIRI checks an rdf:ID and returns the IRI it names, refusing one already used.
func (p *rdfxmlParser) idIRI(base string, a *xmlAttr) (string, error) {
	if !isNCName(a.value) {
		return "", p.x.errAt(a.off, nil, "rdf:ID %q is not an XML name", clip(a.value))
	}
	s := escapeIRI(Resolve(base, "#"+string(a.value)))
	if len(s) > p.maxTerm {
		return "", p.x.errAt(a.off, ErrTermTooLarge, "IRI longer than %d bytes", p.maxTerm)
	}
	if p.ids == nil {
		p.ids = make(map[string]struct{})
	}
	if _, dup := p.ids[s]; dup {
		return "", p.x.errAt(a.off, nil, "rdf:ID %q used twice", clip(a.value))
	}
	if len(p.ids) < maxIDs {
		p.ids[s] = struct{}{}
	}
	return s, nil
}

func (p *rdfxmlParser) nodeID(a *xmlAttr) (Blank, error) {
	if !isNCName(a.value) {
		return Blank{}, p.x.errAt(a.off, nil, "rdf:nodeID %q is not an XML name", clip(a.value))
	}
	return p.blanks.named(string(a.value)), nil
}

// resolve resolves an IRI reference against base.
func (p *rdfxmlParser) resolve(base string, ref []byte, off int) (string, error) {
	s := escapeIRI(Resolve(base, string(ref)))
	if len(s) > p.maxTerm {
		return "", p.x.errAt(off, ErrTermTooLarge, "IRI longer than %d bytes", p.maxTerm)
	}
	return s, nil
}

// iriTerm resolves an IRI reference and returns it boxed, from the cache when
// it has been seen.
func (p *rdfxmlParser) iriTerm(base string, ref []byte, off int) (term, error) {
	if v := view(ref); hasScheme(v) && !hasDotSegment(v) {
		if t, ok := p.terms[string(ref)]; ok {
			return t, nil
		}
	}
	s, err := p.resolve(base, ref, off)
	if err != nil {
		return term{}, err
	}
	return p.termOf(s), nil
}

// nameTerm returns the IRI an element name stands for.
func (p *rdfxmlParser) nameTerm(t *xmlToken) (term, error) {
	return p.concatTerm(t.name.ns, t.name.local, t.off)
}

func (p *rdfxmlParser) attrTerm(a *xmlAttr) (term, error) {
	return p.concatTerm(a.ns, a.local, a.off)
}

func (p *rdfxmlParser) concatTerm(ns string, local []byte, off int) (term, error) {
	p.key = append(append(p.key[:0], ns...), local...)
	if t, ok := p.terms[string(p.key)]; ok {
		return t, nil
	}
	if len(p.key) > p.maxTerm {
		return term{}, p.x.errAt(off, ErrTermTooLarge, "IRI longer than %d bytes", p.maxTerm)
	}
	return p.termOf(escapeIRI(string(p.key))), nil
}

func (p *rdfxmlParser) liTerm(n int) (term, error) {
	p.key = strconv.AppendInt(append(p.key[:0], NSRDF+"_"...), int64(n), 10)
	if t, ok := p.terms[string(p.key)]; ok {
		return t, nil
	}
	return p.termOf(string(p.key)), nil
}

// termOf returns s boxed, keeping it for reuse.
func (p *rdfxmlParser) termOf(s string) term {
	if t, ok := p.terms[s]; ok {
		return t
	}
	iri := iriOf(s)
	o := Object(iri)
	t := term{s: o.(Subject), p: o.(Predicate), o: o, iri: iri}
	if len(p.terms) >= termCacheSize {
		clear(p.terms)
	}
	p.terms[s] = t
	return t
}

// escapeIRI percent-encodes the characters an IRI may not hold.
func escapeIRI(s string) string {
	i := 0
	for i < len(s) && !badIRIByte(s[i]) {
		i++
	}
	if i == len(s) {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+8)
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		c := s[i]
		if badIRIByte(c) {
			b = append(b, '%', hex[c>>4], hex[c&15])
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}

func badIRIByte(c byte) bool {
	return c <= 0x20 || c == '<' || c == '>' || c == '"' || c == '{' || c == '}' || c == '|' || c == '^' || c == '`' || c == '\\'
}

// view returns b as a string without copying, for a look that keeps nothing.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func qname(n *xmlName) string {
	if len(n.prefix) == 0 {
		return string(n.local)
	}
	return string(n.prefix) + ":" + string(n.local)
}

// clip shortens b for an error message.
func clip(b []byte) string {
	const n = 40
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}
