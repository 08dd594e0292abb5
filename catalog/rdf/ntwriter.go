package rdf

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"unicode/utf8"
)

// NTriplesEncoder writes triples as N-Triples, one line each, as they come.
//
// IRIs are written in angle brackets; an IRI holding a character an IRIREF
// may not hold (controls, space, <>"{}|^`\) or invalid UTF-8 is an error, since no reader
// would take it back. Literals with quote, backslash, line feed and
// carriage return escaped, the other C0 controls as \u00XX and invalid
// UTF-8 as U+FFFD; xsd:string literals without a datatype, rdf:langString
// ones with their tag. A blank node keeps its label when the label is
// ASCII letters, digits, '_' and '-' (not first) and does not start with
// "x_"; any other label is written as "x_" and its hex, so that distinct
// labels stay distinct.
//
// Nothing is complete until Close, which flushes; it does not close the
// underlying writer.
type NTriplesEncoder struct {
	out *stickyWriter
	w   *bufio.Writer
	buf []byte
}

// NewNTriplesEncoder returns an encoder that writes to w.
func NewNTriplesEncoder(w io.Writer) *NTriplesEncoder {
	out := &stickyWriter{w: w}
	return &NTriplesEncoder{out: out, w: bufio.NewWriterSize(out, 64<<10)}
}

// Encode writes one triple.
func (e *NTriplesEncoder) Encode(t Triple) error {
	if e.out.err != nil {
		return e.out.err
	}
	b := e.buf[:0]
	var err error
	for i, term := range []Term{t.Subj, t.Pred, t.Obj} {
		if i > 0 {
			b = append(b, ' ')
		}
		if b, err = appendNTerm(b, term); err != nil {
			return fmt.Errorf("n-triples: %w", err)
		}
	}
	b = append(b, " .\n"...)
	e.buf = b
	e.w.Write(b)
	return e.out.err
}

// Close flushes what is buffered.
func (e *NTriplesEncoder) Close() error {
	if err := e.w.Flush(); err != nil {
		return err
	}
	return e.out.err
}

// appendNTerm appends a term as N-Triples writes it.
func appendNTerm(b []byte, t Term) ([]byte, error) {
	switch v := t.(type) {
	case IRI:
		return appendIRIRef(b, v.String())
	case Blank:
		return appendBlankLabel(b, v.String()), nil
	case Literal:
		b = appendQuoted(b, v.String())
		dt := v.DataType.String()
		switch {
		case v.Lang() != "":
			b = append(b, '@')
			b = append(b, v.Lang()...)
		case dt == "", dt == xsdString:
		case dt == rdfLangString:
			return b, fmt.Errorf("literal %q of datatype rdf:langString has no language tag", v.String())
		default:
			b = append(b, "^^"...)
			return appendIRIRef(b, dt)
		}
		return b, nil
	case nil:
		return b, fmt.Errorf("no term")
	}
	return b, fmt.Errorf("unknown term %T", t)
}

// appendIRIRef appends <iri>, or fails for an IRI that holds a character
// an IRIREF may not hold.
func appendIRIRef(b []byte, iri string) ([]byte, error) {
	if _, err := NewIRI(iri); err != nil {
		return b, err
	}
	if !utf8.ValidString(iri) {
		return b, fmt.Errorf("IRI %q is not valid UTF-8", iri)
	}
	b = append(b, '<')
	b = append(b, iri...)
	return append(b, '>'), nil
}

const hexUpper = "0123456789ABCDEF"

// appendQuoted appends a lexical form between double quotes, escaped as in
// canonical N-Triples.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	return append(AppendEscaped(b, s), '"')
}

// AppendEscaped appends a lexical form escaped as in canonical N-Triples
// (without the quotes): quote, backslash, line feed and carriage return by
// their escapes, the other control characters as \u00XX, invalid UTF-8 as
// U+FFFD. The catalogue's canonical hashes are computed over this form.
func AppendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"':
			b = append(b, '\\', '"')
		case c == '\\':
			b = append(b, '\\', '\\')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c < 0x20 || c == 0x7f:
			b = append(b, '\\', 'u', '0', '0', hexUpper[c>>4], hexUpper[c&15])
		case c < utf8.RuneSelf:
			b = append(b, c)
		default:
			r, w := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && w == 1 {
				b = utf8.AppendRune(b, utf8.RuneError)
			} else {
				b = append(b, s[i:i+w]...)
			}
			i += w
			continue
		}
		i++
	}
	return b
}

// appendBlankLabel appends _:label, the label made safe for N-Triples and
// Turtle (see NTriplesEncoder).
func appendBlankLabel(b []byte, label string) []byte {
	b = append(b, "_:"...)
	if safeBlankLabel(label) {
		return append(b, label...)
	}
	b = append(b, "x_"...)
	return hex.AppendEncode(b, []byte(label))
}

func safeBlankLabel(s string) bool {
	if s == "" || s[0] == '-' || len(s) >= 2 && s[:2] == "x_" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(isAlpha(c) || isDigit(c) || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
