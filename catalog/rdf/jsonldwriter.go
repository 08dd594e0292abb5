package rdf

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/piprate/json-gold/ld"
)

// JSONLDEncoder writes triples as one JSON-LD document, compacted with a
// context of the given prefixes only, embedded in the document: a reader
// needs no remote context to expand it. JSON-LD is not a streaming syntax,
// so the encoder keeps every triple until Close, which converts them with
// json-gold (fromRdf, then compaction) and writes the document. Typed
// literals stay {"@value", "@type"} objects (no native JSON numbers or
// booleans), so that every lexical form round-trips exactly.
type JSONLDEncoder struct {
	w        io.Writer
	prefixes map[string]string
	quads    []*ld.Quad
	closed   bool
}

// NewJSONLDEncoder returns an encoder that writes to w with a context of the
// given prefixes (prefix -> namespace IRI).
func NewJSONLDEncoder(w io.Writer, prefixes map[string]string) *JSONLDEncoder {
	return &JSONLDEncoder{w: w, prefixes: prefixes}
}

// Encode keeps one triple for Close.
func (e *JSONLDEncoder) Encode(t Triple) error {
	if e.closed {
		return fmt.Errorf("json-ld: encoder closed")
	}
	s, err := ldNode(t.Subj)
	if err != nil {
		return err
	}
	p, err := ldNode(t.Pred)
	if err != nil {
		return err
	}
	o, err := ldNode(t.Obj)
	if err != nil {
		return err
	}
	e.quads = append(e.quads, ld.NewQuad(s, p, o, "@default"))
	return nil
}

func ldNode(t Term) (ld.Node, error) {
	switch v := t.(type) {
	case IRI:
		if _, err := appendIRIRef(nil, v.String()); err != nil {
			return nil, fmt.Errorf("json-ld: %w", err)
		}
		return ld.NewIRI(v.String()), nil
	case Blank:
		var b []byte
		return ld.NewBlankNode(string(appendBlankLabel(b, v.String()))), nil
	case Literal:
		dt := v.DataType.String()
		if v.Lang() != "" {
			return ld.NewLiteral(v.String(), rdfLangString, v.Lang()), nil
		}
		if dt == rdfLangString {
			return nil, fmt.Errorf("json-ld: literal %q of datatype rdf:langString has no language tag", v.String())
		}
		return ld.NewLiteral(v.String(), dt, ""), nil
	}
	return nil, fmt.Errorf("json-ld: unknown term %T", t)
}

// Close converts the triples and writes the document.
func (e *JSONLDEncoder) Close() error {
	if e.closed {
		return nil
	}
	e.closed = true
	ds := ld.NewRDFDataset()
	ds.Graphs["@default"] = e.quads
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = newOfflineLoader(nil, Limits{})
	expanded, err := ld.NewJsonLdApi().FromRDF(ds, opts)
	if err != nil {
		return fmt.Errorf("json-ld: from RDF: %w", err)
	}
	ctx := map[string]any{}
	for p, ns := range e.prefixes {
		ctx[p] = ns
	}
	doc, err := ld.NewJsonLdProcessor().Compact(expanded, map[string]any{"@context": ctx}, opts)
	if err != nil {
		return fmt.Errorf("json-ld: compact: %w", err)
	}
	enc := json.NewEncoder(e.w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
