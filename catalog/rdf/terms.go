package rdf

import (
	"fmt"
	"strconv"
	"unsafe"

	knakk "github.com/knakk/rdf"
)

// Vocabulary IRIs the decoders and their callers need.
const (
	NSRDF  = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	NSXSD  = "http://www.w3.org/2001/XMLSchema#"
	NSRDFS = "http://www.w3.org/2000/01/rdf-schema#"

	rdfType       = NSRDF + "type"
	rdfFirst      = NSRDF + "first"
	rdfRest       = NSRDF + "rest"
	rdfNil        = NSRDF + "nil"
	rdfLangString = NSRDF + "langString"
	xsdString     = NSXSD + "string"
	xsdBoolean    = NSXSD + "boolean"
	xsdInteger    = NSXSD + "integer"
	xsdDecimal    = NSXSD + "decimal"
	xsdDouble     = NSXSD + "double"
)

// NewIRI returns s as an IRI after checking that it holds none of the characters
// an IRI may not hold (controls, space, <>"{}|^`\). It does not check that s is absolute.
func NewIRI(s string) (IRI, error) {
	if s == "" {
		return IRI{}, fmt.Errorf("empty IRI")
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c <= 0x20, c == '<', c == '>', c == '"', c == '{', c == '}', c == '|', c == '^', c == '`', c == '\\':
			return IRI{}, fmt.Errorf("IRI %s holds a disallowed character %q", strconv.Quote(s), c)
		}
	}
	return iriOf(s), nil
}

// iriOf makes an IRI without looking at it: for strings a decoder has already
// checked. knakk's IRI is a struct holding one string, so the cast is exact
// (TestTermLayout guards it).
func iriOf(s string) IRI {
	return *(*IRI)(unsafe.Pointer(&s))
}

// literalLayout mirrors knakk.Literal field for field; TestTermLayout guards it.
// knakk's NewLangLiteral refuses valid BCP 47 tags with more than one subtag
// ("sr-Latn-RS"), so language-tagged literals are built here instead.
type literalLayout struct {
	str      string
	val      any
	lang     string
	DataType IRI
}

// NewLangLiteral returns a literal of datatype rdf:langString. The tag must match
// [a-zA-Z]+('-'[a-zA-Z0-9]+)*; it is kept as written.
func NewLangLiteral(lexical, lang string) (Literal, error) {
	if !validLangTag(lang) {
		return Literal{}, fmt.Errorf("bad language tag %q", lang)
	}
	return langLiteralOf(lexical, lang), nil
}

func langLiteralOf(lexical, lang string) Literal {
	l := literalLayout{str: lexical, lang: lang, DataType: iriOf(rdfLangString)}
	return *(*Literal)(unsafe.Pointer(&l))
}

// NewTypedLiteral returns a literal with the given datatype.
func NewTypedLiteral(lexical string, datatype IRI) Literal {
	return knakk.NewTypedLiteral(lexical, datatype)
}

// NewStringLiteral returns a literal of datatype xsd:string.
func NewStringLiteral(lexical string) Literal {
	return knakk.NewTypedLiteral(lexical, iriOf(xsdString))
}

// NewBlank returns a blank node with the given label, which must not be empty.
func NewBlank(label string) Blank {
	if label == "" {
		label = "genid0" // knakk refuses empty labels; no decoder makes one
	}
	return blankOf("_:" + label)
}

// blankOf makes a blank node from its knakk form, "_:" and the label: knakk's
// Blank is a struct holding that one string (TestTermLayout guards the cast).
func blankOf(id string) Blank {
	return *(*Blank)(unsafe.Pointer(&id))
}

func validLangTag(tag string) bool {
	if tag == "" {
		return false
	}
	i := 0
	for i < len(tag) && isAlpha(tag[i]) {
		i++
	}
	if i == 0 {
		return false
	}
	for i < len(tag) {
		if tag[i] != '-' {
			return false
		}
		i++
		start := i
		for i < len(tag) && (isAlpha(tag[i]) || isDigit(tag[i])) {
			i++
		}
		if i == start {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// blankLabels hands out blank nodes for one document: labels the document gives
// are kept (those that start with "genid" are renamed, so that they cannot meet
// a made-up one), and anonymous nodes get "genid" and a counter.
type blankLabels struct {
	n       int
	renamed map[string]Blank
}

// fresh returns a new anonymous blank node.
func (b *blankLabels) fresh() Blank {
	b.n++
	var buf [32]byte
	id := strconv.AppendInt(append(buf[:0], "_:genid"...), int64(b.n), 10)
	return blankOf(string(id))
}

// named returns the blank node the document calls label.
func (b *blankLabels) named(label string) Blank {
	if len(label) < 5 || label[:5] != "genid" {
		return NewBlank(label)
	}
	if bl, ok := b.renamed[label]; ok {
		return bl
	}
	if b.renamed == nil {
		b.renamed = make(map[string]Blank)
	}
	bl := b.fresh()
	b.renamed[label] = bl
	return bl
}
