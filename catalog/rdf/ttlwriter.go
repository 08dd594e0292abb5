package rdf

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// TurtleEncoder writes triples as Turtle, one at a time, as they come: each
// run of consecutive triples with the same subject becomes one statement,
// its predicates joined by ';' and the objects of a repeated predicate by
// ','. It holds no more than the current subject and predicate.
//
// IRIs are written as prefixed names when a declared namespace is a prefix of
// them and the rest is a local name every Turtle reader takes as it is
// (ASCII letters, digits, '_' and '-', not starting or ending with '-');
// otherwise, and for the empty local name, in angle brackets. rdf:type is
// written "a". Literals and blank nodes are written as NTriplesEncoder
// writes them, typed literals with a prefixed datatype where one fits.
//
// Nothing is complete until Close, which ends the last statement and
// flushes; it does not close the underlying writer.
type TurtleEncoder struct {
	out      *stickyWriter
	w        *bufio.Writer
	prefixes []nsDecl // longest namespace first
	subj     string   // the current subject as written, "" before the first
	pred     string
	buf      []byte
	err      error
}

// NewTurtleEncoder returns an encoder that writes to w and declares the given
// prefixes (prefix -> namespace IRI) at its start. A prefix that is not a
// Turtle PN_PREFIX (ASCII letters, digits, '_', '-', starting with a letter;
// or "") makes every later call fail.
func NewTurtleEncoder(w io.Writer, prefixes map[string]string) *TurtleEncoder {
	out := &stickyWriter{w: w}
	e := &TurtleEncoder{out: out, w: bufio.NewWriterSize(out, 64<<10)}
	names := make([]string, 0, len(prefixes))
	for p := range prefixes {
		names = append(names, p)
	}
	slices.Sort(names)
	for _, p := range names {
		if !validPrefixName(p) {
			e.err = fmt.Errorf("turtle: prefix %q is not a valid prefix name", p)
			return e
		}
		ns := prefixes[p]
		e.buf = append(e.buf[:0], "@prefix "...)
		e.buf = append(e.buf, p...)
		e.buf = append(e.buf, ": "...)
		var err error
		if e.buf, err = appendIRIRef(e.buf, ns); err != nil {
			e.err = fmt.Errorf("turtle: prefix %s: %w", p, err)
			return e
		}
		e.buf = append(e.buf, " .\n"...)
		e.w.Write(e.buf)
		e.prefixes = append(e.prefixes, nsDecl{p, ns})
	}
	if len(names) > 0 {
		e.w.WriteByte('\n')
	}
	slices.SortStableFunc(e.prefixes, func(a, b nsDecl) int { return len(b.ns) - len(a.ns) })
	return e
}

func validPrefixName(p string) bool {
	if p == "" {
		return true
	}
	if !isAlpha(p[0]) {
		return false
	}
	for i := 1; i < len(p); i++ {
		if c := p[i]; !(isAlpha(c) || isDigit(c) || c == '_' || c == '-') {
			return false
		}
	}
	return p[len(p)-1] != '-'
}

// Encode writes one triple.
func (e *TurtleEncoder) Encode(t Triple) error {
	if e.err != nil {
		return e.err
	}
	if e.out.err != nil {
		return e.out.err
	}
	subj, err := e.term(nil, t.Subj)
	if err != nil {
		return err
	}
	pred := []byte("a")
	if p, ok := t.Pred.(IRI); !ok || p.String() != rdfType {
		if pred, err = e.term(nil, t.Pred); err != nil {
			return err
		}
	}
	obj, err := e.term(nil, t.Obj)
	if err != nil {
		return err
	}
	b := e.buf[:0]
	switch {
	case e.subj == string(subj) && e.pred == string(pred):
		b = append(b, " ,\n        "...)
	case e.subj == string(subj):
		b = append(b, " ;\n    "...)
		b = append(b, pred...)
		b = append(b, ' ')
		e.pred = string(pred)
	default:
		if e.subj != "" {
			b = append(b, " .\n\n"...)
		}
		b = append(b, subj...)
		b = append(b, "\n    "...)
		b = append(b, pred...)
		b = append(b, ' ')
		e.subj, e.pred = string(subj), string(pred)
	}
	b = append(b, obj...)
	e.buf = b
	e.w.Write(b)
	return e.out.err
}

// Close ends the last statement and flushes.
func (e *TurtleEncoder) Close() error {
	if e.err != nil {
		return e.err
	}
	if e.subj != "" {
		e.w.WriteString(" .\n")
		e.subj, e.pred = "", ""
	}
	if err := e.w.Flush(); err != nil {
		return err
	}
	return e.out.err
}

// term appends a term as Turtle writes it.
func (e *TurtleEncoder) term(b []byte, t Term) ([]byte, error) {
	switch v := t.(type) {
	case IRI:
		return e.iri(b, v.String())
	case Literal:
		dt := v.DataType.String()
		if v.Lang() != "" || dt == "" || dt == xsdString || dt == rdfLangString {
			b, err := appendNTerm(b, v)
			if err != nil {
				return b, fmt.Errorf("turtle: %w", err)
			}
			return b, nil
		}
		b = appendQuoted(b, v.String())
		b = append(b, "^^"...)
		return e.iri(b, dt)
	}
	b, err := appendNTerm(b, t)
	if err != nil {
		return b, fmt.Errorf("turtle: %w", err)
	}
	return b, nil
}

// iri appends an IRI as a prefixed name when one fits, else as <iri>.
func (e *TurtleEncoder) iri(b []byte, iri string) ([]byte, error) {
	for _, p := range e.prefixes {
		if local, ok := strings.CutPrefix(iri, p.ns); ok && safeLocalName(local) {
			b = append(b, p.prefix...)
			b = append(b, ':')
			return append(b, local...), nil
		}
	}
	b, err := appendIRIRef(b, iri)
	if err != nil {
		return b, fmt.Errorf("turtle: %w", err)
	}
	return b, nil
}

// safeLocalName reports whether s can be written as the local part of a
// prefixed name without escapes in every Turtle reader.
func safeLocalName(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(isAlpha(c) || isDigit(c) || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
