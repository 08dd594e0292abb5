package rdf

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// XMLEncoder writes triples as RDF/XML, one at a time, as they come: each run
// of consecutive triples with the same subject becomes one rdf:Description,
// and each triple one property element named by the predicate's QName. It
// holds no more than the current subject, so a caller that wants one
// description per subject sends a subject's triples together.
//
// The namespaces given to NewXMLEncoder are declared on rdf:RDF; a predicate
// in any other namespace declares a generated prefix on its own element. A
// predicate whose IRI cannot be split into a namespace and an XML local name
// (it ends in '/' or '#', or in a digit after them) cannot be written in
// RDF/XML: Encode returns an error for it and writes nothing.
//
// Literals are written as element text, with xml:lang or rdf:datatype (none
// for xsd:string); blank nodes as rdf:nodeID, their labels kept when they are
// XML names. A literal or IRI holding a character XML 1.0 cannot carry (most
// C0 controls, U+FFFE, U+FFFF, invalid UTF-8) is an error, not a silent
// replacement.
//
// Nothing is complete until Close, which ends the document and flushes; it
// does not close the underlying writer.
type XMLEncoder struct {
	out     *stickyWriter
	w       *bufio.Writer
	ns      map[string]string // namespace -> declared prefix
	gen     map[string]string // namespace -> generated prefix, declared where used
	decls   []nsDecl          // sorted by prefix
	subj    Subject
	inDesc  bool
	started bool
	closed  bool
	err     error // sticky: a write error or a bad prefix map
	nodeIDs map[string]string
}

// stickyWriter keeps the first write error of the writer under the buffer.
type stickyWriter struct {
	w   io.Writer
	err error
}

func (s *stickyWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	s.err = err
	return n, err
}

type nsDecl struct{ prefix, ns string }

// NewXMLEncoder returns an encoder that writes to w and declares the given
// prefixes (prefix -> namespace IRI). The rdf prefix is always declared for
// the RDF namespace. A prefix that is not an XML NCName, starts with "xml",
// or is rdf bound to another namespace makes every later call fail.
func NewXMLEncoder(w io.Writer, prefixes map[string]string) *XMLEncoder {
	out := &stickyWriter{w: w}
	e := &XMLEncoder{out: out, w: bufio.NewWriterSize(out, 64<<10), ns: map[string]string{NSRDF: "rdf"}}
	e.decls = append(e.decls, nsDecl{"rdf", NSRDF})
	keys := make([]string, 0, len(prefixes))
	for p := range prefixes {
		keys = append(keys, p)
	}
	slices.Sort(keys)
	for _, p := range keys {
		ns := prefixes[p]
		switch {
		case p == "rdf" && ns == NSRDF:
			continue
		case p == "rdf":
			e.err = fmt.Errorf("rdf/xml: prefix rdf must name %s, not %s", NSRDF, ns)
		case !isNCName([]byte(p)) || strings.HasPrefix(strings.ToLower(p), "xml"):
			e.err = fmt.Errorf("rdf/xml: prefix %q is not an XML namespace prefix", p)
		case ns == "" || checkXMLChars(ns) != nil:
			e.err = fmt.Errorf("rdf/xml: prefix %s: bad namespace %q", p, ns)
		}
		if e.err != nil {
			return e
		}
		if _, dup := e.ns[ns]; !dup {
			e.ns[ns] = p
		}
		e.decls = append(e.decls, nsDecl{p, ns})
	}
	slices.SortFunc(e.decls, func(a, b nsDecl) int { return strings.Compare(a.prefix, b.prefix) })
	return e
}

// Encode writes one triple.
func (e *XMLEncoder) Encode(t Triple) error {
	if e.err != nil {
		return e.err
	}
	if e.closed {
		return errors.New("rdf/xml: encode after close")
	}
	pred, ok := t.Pred.(IRI)
	if !ok {
		return fmt.Errorf("rdf/xml: predicate %v is not an IRI", t.Pred)
	}
	ns, local, err := splitQName(pred.String())
	if err != nil {
		return err
	}
	// Check the whole triple before writing any of it.
	var about string
	switch s := t.Subj.(type) {
	case IRI:
		about = s.String()
		if err := checkXMLChars(about); err != nil {
			return fmt.Errorf("rdf/xml: subject %w", err)
		}
	case Blank:
	default:
		return fmt.Errorf("rdf/xml: subject %v is neither an IRI nor a blank node", t.Subj)
	}
	switch o := t.Obj.(type) {
	case IRI:
		if err := checkXMLChars(o.String()); err != nil {
			return fmt.Errorf("rdf/xml: object %w", err)
		}
	case Literal:
		if err := checkXMLChars(o.String()); err != nil {
			return fmt.Errorf("rdf/xml: literal %w", err)
		}
		if err := checkXMLChars(o.DataType.String()); err != nil {
			return fmt.Errorf("rdf/xml: datatype %w", err)
		}
	case Blank:
	default:
		return fmt.Errorf("rdf/xml: object %v is not an RDF term", t.Obj)
	}

	e.start()
	if !e.inDesc || !sameSubject(e.subj, t.Subj) {
		if e.inDesc {
			e.w.WriteString("  </rdf:Description>\n")
		}
		e.w.WriteString("  <rdf:Description ")
		if b, ok := t.Subj.(Blank); ok {
			e.w.WriteString(`rdf:nodeID="`)
			e.w.WriteString(e.nodeID(b))
		} else {
			e.w.WriteString(`rdf:about="`)
			writeEscaped(e.w, about, true)
		}
		e.w.WriteString("\">\n")
		e.subj, e.inDesc = t.Subj, true
	}

	// The property element's name, with a declaration if the namespace has no prefix.
	e.w.WriteString("    <")
	var name string
	if p, ok := e.ns[ns]; ok {
		name = p + ":" + local
		e.w.WriteString(name)
	} else {
		p := e.generatedPrefix(ns)
		name = p + ":" + local
		e.w.WriteString(name)
		e.w.WriteString(" xmlns:")
		e.w.WriteString(p)
		e.w.WriteString(`="`)
		writeEscaped(e.w, ns, true)
		e.w.WriteString(`"`)
	}

	switch o := t.Obj.(type) {
	case IRI:
		e.w.WriteString(` rdf:resource="`)
		writeEscaped(e.w, o.String(), true)
		e.w.WriteString("\"/>\n")
	case Blank:
		e.w.WriteString(` rdf:nodeID="`)
		e.w.WriteString(e.nodeID(o))
		e.w.WriteString("\"/>\n")
	case Literal:
		switch dt := o.DataType.String(); {
		case o.Lang() != "":
			e.w.WriteString(` xml:lang="`)
			writeEscaped(e.w, o.Lang(), true)
			e.w.WriteString(`"`)
		case dt != xsdString && dt != "":
			e.w.WriteString(` rdf:datatype="`)
			writeEscaped(e.w, dt, true)
			e.w.WriteString(`"`)
		}
		e.w.WriteString(">")
		writeEscaped(e.w, o.String(), false)
		e.w.WriteString("</")
		e.w.WriteString(name)
		e.w.WriteString(">\n")
	}
	if e.out.err != nil {
		e.err = fmt.Errorf("rdf/xml: %w", e.out.err)
	}
	return e.err
}

// Close ends the document and flushes it. Calling it again does nothing.
func (e *XMLEncoder) Close() error {
	if e.err != nil || e.closed {
		return e.err
	}
	e.start()
	if e.inDesc {
		e.w.WriteString("  </rdf:Description>\n")
	}
	e.w.WriteString("</rdf:RDF>\n")
	e.closed = true
	if err := e.w.Flush(); err != nil {
		e.err = fmt.Errorf("rdf/xml: %w", err)
	}
	return e.err
}

// start writes the XML declaration and the rdf:RDF start tag, once.
func (e *XMLEncoder) start() {
	if e.started {
		return
	}
	e.started = true
	e.w.WriteString("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rdf:RDF")
	for _, d := range e.decls {
		e.w.WriteString("\n    xmlns:")
		e.w.WriteString(d.prefix)
		e.w.WriteString(`="`)
		writeEscaped(e.w, d.ns, true)
		e.w.WriteString(`"`)
	}
	e.w.WriteString(">\n")
}

// generatedPrefix returns the prefix for a namespace that was not declared
// up front: "ns" and a number, the same for every use of the namespace.
func (e *XMLEncoder) generatedPrefix(ns string) string {
	if p, ok := e.gen[ns]; ok {
		return p
	}
	if e.gen == nil {
		e.gen = make(map[string]string)
	}
	n := len(e.gen) + 1
	p := "ns" + strconv.Itoa(n)
	for slices.ContainsFunc(e.decls, func(d nsDecl) bool { return d.prefix == p }) {
		n++
		p = "ns" + strconv.Itoa(n)
	}
	e.gen[ns] = p
	return p
}

// nodeID returns the rdf:nodeID for a blank node: its label when that is an
// XML name, otherwise "x-" and the label in hex (so are labels that start
// with "x-", to keep the mapping one to one).
func (e *XMLEncoder) nodeID(b Blank) string {
	label := b.String()
	if isNCName([]byte(label)) && !strings.HasPrefix(label, "x-") {
		return label
	}
	if id, ok := e.nodeIDs[label]; ok {
		return id
	}
	if e.nodeIDs == nil {
		e.nodeIDs = make(map[string]string)
	}
	id := "x-" + hex.EncodeToString([]byte(label))
	e.nodeIDs[label] = id
	return id
}

func sameSubject(a, b Subject) bool {
	switch x := a.(type) {
	case IRI:
		y, ok := b.(IRI)
		return ok && x == y
	case Blank:
		y, ok := b.(Blank)
		return ok && x == y
	}
	return false
}

// splitQName splits a predicate IRI into a namespace and the longest local
// part that is an XML NCName.
func splitQName(iri string) (ns, local string, err error) {
	if err := checkXMLChars(iri); err != nil {
		return "", "", fmt.Errorf("rdf/xml: predicate %w", err)
	}
	i := len(iri)
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(iri[:i])
		if !isNCNameChar(r) {
			break
		}
		i -= size
	}
	// The local name must start with a name start character.
	for i < len(iri) {
		r, size := utf8.DecodeRuneInString(iri[i:])
		if isNCNameStart(r) {
			break
		}
		i += size
	}
	ns, local = iri[:i], iri[i:]
	if local == "" || ns == "" {
		return "", "", fmt.Errorf("rdf/xml: predicate %s cannot be written as an XML QName", strconv.Quote(iri))
	}
	if ns == NSRDF {
		switch local {
		case "RDF", "Description", "ID", "about", "parseType", "resource", "nodeID", "datatype", "li", "aboutEach", "aboutEachPrefix", "bagID":
			return "", "", fmt.Errorf("rdf/xml: rdf:%s cannot be a property element", local)
		}
	}
	return ns, local, nil
}

// isNCNameStart and isNCNameChar are the reader's name rules (xml.go) without
// the colon, so that every name the writer makes, the reader takes.
func isNCNameStart(r rune) bool { return r != ':' && isNameStartRune(r) }

func isNCNameChar(r rune) bool { return r != ':' && isNameRune(r) }

// checkXMLChars fails for a string that XML 1.0 cannot carry.
func checkXMLChars(s string) error {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return fmt.Errorf("%s holds invalid UTF-8", quoteShort(s))
			}
		}
		if !isXMLChar(r) {
			return fmt.Errorf("%s holds %U, which XML 1.0 cannot carry", quoteShort(s), r)
		}
	}
	return nil
}

func isXMLChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || 0x20 <= r && r <= 0xD7FF ||
		0xE000 <= r && r <= 0xFFFD || 0x10000 <= r && r <= unicode.MaxRune
}

// writeEscaped writes s as XML character data, or as an attribute value
// (quoted with '"'), keeping every character: line ends and tabs that XML
// would normalise are written as character references.
func writeEscaped(w *bufio.Writer, s string, attr bool) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			if !attr {
				continue
			}
			esc = "&quot;"
		case '\r':
			esc = "&#xD;"
		case '\n':
			if !attr {
				continue
			}
			esc = "&#xA;"
		case '\t':
			if !attr {
				continue
			}
			esc = "&#x9;"
		default:
			continue
		}
		w.WriteString(s[last:i])
		w.WriteString(esc)
		last = i + 1
	}
	w.WriteString(s[last:])
}
