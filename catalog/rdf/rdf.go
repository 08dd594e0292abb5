package rdf

import (
	"errors"
	"fmt"
	"io"
	"strings"

	knakk "github.com/knakk/rdf"
)

// The term types are those of github.com/knakk/rdf, so that its writers and every
// package that speaks knakk terms can take what these decoders produce.
type (
	// Term is an IRI, a blank node or a literal.
	Term = knakk.Term
	// IRI is an absolute IRI.
	IRI = knakk.IRI
	// Blank is a blank node, labelled within one document.
	Blank = knakk.Blank
	// Literal is a lexical form with a datatype and, for rdf:langString, a language tag.
	Literal = knakk.Literal
	// Subject is an IRI or a blank node.
	Subject = knakk.Subject
	// Predicate is an IRI.
	Predicate = knakk.Predicate
	// Object is an IRI, a blank node or a literal.
	Object = knakk.Object
	// Triple is one RDF statement.
	Triple = knakk.Triple
)

// Syntax is an RDF concrete syntax.
type Syntax int

// The syntaxes Samband reads.
const (
	Unknown Syntax = iota
	Turtle
	NTriples
	RDFXML
	JSONLD
)

var syntaxNames = [...]string{
	Unknown:  "unknown",
	Turtle:   "turtle",
	NTriples: "n-triples",
	RDFXML:   "rdf/xml",
	JSONLD:   "json-ld",
}

var syntaxMediaTypes = [...]string{
	Unknown:  "",
	Turtle:   "text/turtle",
	NTriples: "application/n-triples",
	RDFXML:   "application/rdf+xml",
	JSONLD:   "application/ld+json",
}

// String returns the syntax's common name: "turtle", "n-triples", "rdf/xml" or "json-ld".
func (s Syntax) String() string {
	if s < 0 || int(s) >= len(syntaxNames) {
		return fmt.Sprintf("Syntax(%d)", int(s))
	}
	return syntaxNames[s]
}

// MediaType returns the syntax's registered media type, or "" for Unknown.
func (s Syntax) MediaType() string {
	if s < 0 || int(s) >= len(syntaxMediaTypes) {
		return ""
	}
	return syntaxMediaTypes[s]
}

// ParseSyntax returns the syntax named by a common name ("turtle", "ttl", "nt",
// "rdfxml", "jsonld", ...) or a media type ("text/turtle; charset=utf-8", ...).
func ParseSyntax(name string) (Syntax, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if i := strings.IndexByte(n, ';'); i >= 0 {
		n = strings.TrimSpace(n[:i])
	}
	switch n {
	case "turtle", "ttl", "text/turtle", "application/x-turtle":
		return Turtle, nil
	case "n-triples", "ntriples", "nt", "application/n-triples", "text/plain":
		return NTriples, nil
	case "rdf/xml", "rdfxml", "rdf", "xml", "application/rdf+xml", "application/xml", "text/xml":
		return RDFXML, nil
	case "json-ld", "jsonld", "application/ld+json":
		return JSONLD, nil
	}
	return Unknown, fmt.Errorf("unknown RDF syntax %q", name)
}

// Limits bound what one document may cost. A zero field takes its default.
type Limits struct {
	// MaxDepth bounds nesting: blank node property lists and collections in Turtle,
	// element depth in RDF/XML, object depth in JSON-LD. Default 512.
	MaxDepth int
	// MaxTermBytes bounds one IRI, literal or token. Default 8 MiB.
	MaxTermBytes int
	// MaxBytes bounds the whole document. Default 0: no bound (the caller's reader
	// bounds it). JSON-LD, which is read whole and costs about 15 bytes of
	// memory per byte of input in json-gold, defaults to 64 MiB.
	MaxBytes int64
}

// Defaults for Limits.
const (
	DefaultMaxDepth       = 512
	DefaultMaxTermBytes   = 8 << 20
	DefaultMaxJSONLDBytes = 64 << 20
)

func (l Limits) maxDepth() int {
	if l.MaxDepth <= 0 {
		return DefaultMaxDepth
	}
	return l.MaxDepth
}

func (l Limits) maxTermBytes() int {
	if l.MaxTermBytes <= 0 {
		return DefaultMaxTermBytes
	}
	return l.MaxTermBytes
}

// Options tell a decoder how to read one document.
type Options struct {
	// Base is the IRI that relative IRIs resolve against: the document's
	// retrieval IRI unless the document sets its own base.
	Base string
	// Limits bound depth, term size and document size.
	Limits Limits
	// Contexts resolves JSON-LD remote contexts. Nil means the contexts Samband
	// ships; a context it does not have is an error, never a fetch.
	Contexts ContextLoader
}

// ContextLoader returns the JSON-LD context document published at an IRI.
type ContextLoader interface {
	LoadContext(iri string) ([]byte, error)
}

// Decode reads one document of the given syntax from r and calls fn with every
// triple, in document order, as soon as it is read. It returns nil at the end of
// the document, the first error fn returns, or an *Error saying where the document
// went wrong. Triples already passed to fn stay passed: a caller that wants all or
// nothing collects them and discards them on error.
//
// Blank node labels are scoped to one call: the same label in two documents
// names two nodes, and the caller that merges documents must rename them.
// Labels the document gives are kept unless they start with "genid"; labels
// the decoder makes up are "genid" followed by a number.
func Decode(r io.Reader, syn Syntax, opts Options, fn func(Triple) error) error {
	switch syn {
	case Turtle:
		return decodeTurtle(r, opts, fn)
	case NTriples:
		return decodeNTriples(r, opts, fn)
	case RDFXML:
		return decodeRDFXML(r, opts, fn)
	case JSONLD:
		return decodeJSONLD(r, opts, fn)
	}
	return fmt.Errorf("decode: %w: %v", ErrUnknownSyntax, syn)
}

// Sentinel errors. An *Error wraps one of these when a limit was hit.
var (
	ErrUnknownSyntax = errors.New("unknown RDF syntax")
	ErrTooDeep       = errors.New("nesting too deep")
	ErrTermTooLarge  = errors.New("term too large")
	ErrTooLarge      = errors.New("document too large")
	ErrRemoteContext = errors.New("remote JSON-LD context not available offline")
)

// Error is a fault in a document, with the place it was found.
type Error struct {
	Syntax Syntax
	// Line and Column are 1-based; Column counts characters, not bytes.
	// Zero means unknown.
	Line, Column int
	Msg          string
	// Err is the underlying cause, if any (a limit sentinel or an I/O error).
	Err error
}

// Error returns "turtle:12:5: msg".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Syntax.String())
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }
