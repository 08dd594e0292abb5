// Package rdf reads RDF documents in Turtle, N-Triples, RDF/XML and JSON-LD
// into the term types of github.com/knakk/rdf, one triple at a time.
//
// Real catalogues are dirty and some are hostile, so every decoder here streams
// (JSON-LD excepted, which is read whole within a byte limit), never panics,
// starts no goroutine, bounds nesting and term size (see Limits), and reports
// a fault as an *Error with line and column. The syntax of a document is found
// from its content (see Detect), not trusted from its name or Content-Type.
//
//	err := rdf.Decode(f, rdf.Turtle, rdf.Options{Base: "https://example.org/"},
//		func(t rdf.Triple) error {
//			fmt.Println(t.Subj, t.Pred, t.Obj)
//			return nil
//		})
package rdf
