package rdf

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"
)

// Accept is the HTTP Accept header that asks for the syntaxes this package
// reads, Turtle first (it streams fastest), JSON-LD late (it is read whole).
const Accept = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, application/n-triples;q=0.7, */*;q=0.1"

// sniffLen is how much of a document Detect looks at.
const sniffLen = 4096

// Detect returns the syntax of a document from its first bytes. The hint (a
// Content-Type or a file name) only settles what the content leaves open: a
// document that starts like JSON is JSON-LD and one that starts like XML is
// RDF/XML whatever it is called; a Turtle-family document is N-Triples only when
// the hint says so, since Turtle reads N-Triples too. It returns Unknown for
// an empty document, an HTML page or anything else it cannot place.
func Detect(head []byte, hint string) Syntax {
	s := skipBOMAndSpace(head)
	if len(s) == 0 {
		return Unknown
	}
	switch s[0] {
	case '{', '[':
		return JSONLD
	case '<':
		if looksLikeXML(s) {
			if looksLikeHTML(s) {
				return Unknown
			}
			return RDFXML
		}
		return turtleFamily(hint)
	}
	if looksLikeTurtle(s) {
		return turtleFamily(hint)
	}
	return Unknown
}

// DetectHint returns the syntax a Content-Type or file name names, or Unknown.
func DetectHint(hint string) Syntax {
	h := strings.ToLower(strings.TrimSpace(hint))
	if h == "" {
		return Unknown
	}
	if strings.Contains(h, "/") && !strings.Contains(h, ".") || strings.Contains(h, ";") || strings.Contains(h, "+") {
		if syn, err := ParseSyntax(h); err == nil {
			return syn
		}
	}
	switch path.Ext(h) {
	case ".ttl", ".turtle":
		return Turtle
	case ".nt":
		return NTriples
	case ".rdf", ".owl", ".xml":
		return RDFXML
	case ".jsonld", ".json":
		return JSONLD
	}
	if syn, err := ParseSyntax(h); err == nil {
		return syn
	}
	return Unknown
}

func turtleFamily(hint string) Syntax {
	if DetectHint(hint) == NTriples {
		return NTriples
	}
	return Turtle
}

func skipBOMAndSpace(s []byte) []byte {
	s = bytes.TrimPrefix(s, []byte("\xef\xbb\xbf"))
	return bytes.TrimLeft(s, " \t\r\n")
}

// looksLikeXML tells an XML start (<?xml, <!--, <!DOCTYPE, <rdf:RDF xmlns...>)
// from a Turtle or N-Triples IRI (<http://example.org/a>): an IRI holds no
// white space, '=' or quote, while an RDF/XML root element must declare the
// RDF namespace in an attribute, unless an XML declaration, comment or
// DOCTYPE comes first.
func looksLikeXML(s []byte) bool {
	if len(s) < 2 {
		return false
	}
	if s[1] == '?' || s[1] == '!' {
		return true
	}
	end := bytes.IndexByte(s, '>')
	if end < 0 {
		end = len(s)
	}
	return bytes.ContainsAny(s[1:end], " \t\r\n=\"'")
}

func looksLikeHTML(s []byte) bool {
	head := bytes.ToLower(s[:min(len(s), 512)])
	return bytes.Contains(head, []byte("<!doctype html")) || bytes.Contains(head, []byte("<html"))
}

// looksLikeTurtle accepts what a Turtle document may start with: a comment,
// a directive, a blank node, a collection, a prefixed name.
func looksLikeTurtle(s []byte) bool {
	for len(s) > 0 && s[0] == '#' {
		i := bytes.IndexAny(s, "\r\n")
		if i < 0 {
			return true // only comments so far
		}
		s = skipBOMAndSpace(s[i:])
	}
	if len(s) == 0 {
		return true
	}
	switch {
	case s[0] == '@', s[0] == '_', s[0] == '(', s[0] == '<':
		return true
	case hasPrefixFold(s, "prefix"), hasPrefixFold(s, "base"):
		return true
	}
	// A prefixed name: letters, then ':'.
	for i, c := range s {
		if c == ':' {
			return true
		}
		if !(isAlpha(c) || isDigit(c) || c == '_' || c == '-' || c == '.' || c >= 0x80) || i > 256 {
			return false
		}
	}
	return false
}

func hasPrefixFold(s []byte, p string) bool {
	return len(s) > len(p) && strings.EqualFold(string(s[:len(p)]), p) && (s[len(p)] == ' ' || s[len(p)] == '\t')
}

// DecodeAny detects the syntax of the document in r (see Detect) and decodes it.
// It returns the syntax it chose, even with an error.
func DecodeAny(r io.Reader, hint string, opts Options, fn func(Triple) error) (Syntax, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(sniffLen)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return Unknown, fmt.Errorf("read: %w", err)
	}
	syn := Detect(head, hint)
	if syn == Unknown {
		what := "not a document in an RDF syntax Samband reads"
		switch s := skipBOMAndSpace(head); {
		case len(s) == 0:
			what = "empty document"
		case s[0] == '<' && looksLikeHTML(s):
			what = "an HTML page, not RDF"
		}
		return Unknown, &Error{Syntax: Unknown, Line: 1, Column: 1, Msg: what, Err: ErrUnknownSyntax}
	}
	return syn, Decode(br, syn, opts, fn)
}
