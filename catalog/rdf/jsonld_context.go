package rdf

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/piprate/json-gold/ld"
)

// contextFiles holds the JSON-LD contexts Samband ships; contexts/README.md
// says where each comes from and under which licence.
//
//go:embed contexts/*.jsonld
var contextFiles embed.FS

// shippedContext is one context file Samband ships and the IRIs it is
// published at.
type shippedContext struct {
	file string
	iris []string
}

// shippedContexts lists the contexts in contexts/.
func shippedContexts() []shippedContext {
	return []shippedContext{{
		// The DCAT-AP 3.0.1 examples context. The 3.0.1 examples themselves
		// reference the 3.0.0 address, so both releases map to it.
		file: "dcat-ap-3.0.1.jsonld",
		iris: []string{
			"https://semiceu.github.io/uri.semic.eu-generated/DCAT-AP/releases/3.0.0/html/examples/context.jsonld",
			"https://semiceu.github.io/uri.semic.eu-generated/DCAT-AP/releases/3.0.1/html/examples/context.jsonld",
			"https://semiceu.github.io/DCAT-AP/releases/3.0.0/html/examples/context.jsonld",
			"https://semiceu.github.io/DCAT-AP/releases/3.0.1/html/examples/context.jsonld",
		},
	}, {
		// The ODRL 2.2 context. The Dataspace Protocol context below imports
		// an ODRL context from an address nothing is published at; it gets
		// this one.
		file: "odrl-2.2.jsonld",
		iris: []string{
			"http://www.w3.org/ns/odrl.jsonld",
			"https://www.w3.org/ns/odrl.jsonld",
			"http://www.w3.org/dspace-odrl/odrl.jsonld",
		},
	}, {
		// The Dataspace Protocol 2024/1 context.
		file: "dspace-2024-1.jsonld",
		iris: []string{"https://w3id.org/dspace/2024/1/context.json"},
	}}
}

// ContextLoaderFunc adapts a function to a ContextLoader.
type ContextLoaderFunc func(iri string) ([]byte, error)

// LoadContext returns f(iri).
func (f ContextLoaderFunc) LoadContext(iri string) ([]byte, error) { return f(iri) }

// ShippedContexts returns the ContextLoader that Decode uses when
// Options.Contexts is nil: it answers from the JSON-LD contexts compiled into
// Samband and fails, wrapping ErrRemoteContext, for any other IRI. A custom
// loader can fall back to it.
func ShippedContexts() ContextLoader { return ContextLoaderFunc(loadShippedContext) }

// ShippedContextIRIs returns the IRIs ShippedContexts answers for.
func ShippedContextIRIs() []string {
	var iris []string
	for _, c := range shippedContexts() {
		iris = append(iris, c.iris...)
	}
	return iris
}

func loadShippedContext(iri string) ([]byte, error) {
	for _, c := range shippedContexts() {
		if slices.Contains(c.iris, iri) {
			return contextFiles.ReadFile("contexts/" + c.file)
		}
	}
	return nil, fmt.Errorf("context %s is not shipped: %w", iri, ErrRemoteContext)
}

// offlineLoader is json-gold's DocumentLoader for one document: it never
// touches the network, answers from a ContextLoader, and keeps the first
// failure so that Decode can report it as an *Error naming the IRI.
type offlineLoader struct {
	contexts ContextLoader
	limits   Limits
	cache    map[string][]byte
	loaded   int64 // bytes of context parsed so far
	err      *Error
}

var _ ld.DocumentLoader = (*offlineLoader)(nil)

func newOfflineLoader(contexts ContextLoader, limits Limits) *offlineLoader {
	if contexts == nil {
		contexts = ShippedContexts()
	}
	return &offlineLoader{contexts: contexts, limits: limits}
}

// LoadDocument returns the context document published at iri. The document is
// parsed anew on every call, since json-gold may change what it is given, and
// json-gold asks anew each time it meets a reference: so that a document
// cannot reference a context a great many times for free, the bytes parsed
// add up against Limits.MaxBytes.
func (l *offlineLoader) LoadDocument(iri string) (*ld.RemoteDocument, error) {
	data, ok := l.cache[iri]
	if !ok {
		var err error
		data, err = l.contexts.LoadContext(iri)
		switch {
		case err != nil && errors.Is(err, ErrRemoteContext):
			return nil, l.fail(&Error{Syntax: JSONLD, Msg: fmt.Sprintf("remote context %s is not available offline", iri), Err: err})
		case err != nil:
			return nil, l.fail(&Error{Syntax: JSONLD, Msg: fmt.Sprintf("remote context %s: %v", iri, err), Err: fmt.Errorf("%w: %w", ErrRemoteContext, err)})
		case data == nil:
			return nil, l.fail(&Error{Syntax: JSONLD, Msg: fmt.Sprintf("remote context %s is not available offline", iri), Err: ErrRemoteContext})
		}
		if max := l.limits.maxJSONLDBytes(); int64(len(data)) > max {
			return nil, l.fail(&Error{Syntax: JSONLD, Msg: fmt.Sprintf("remote context %s is larger than %d bytes", iri, max), Err: ErrTooLarge})
		}
		if l.cache == nil {
			l.cache = make(map[string][]byte)
		}
		l.cache[iri] = data
	}
	l.loaded += int64(len(data))
	if max := l.limits.maxJSONLDBytes(); l.loaded > max {
		return nil, l.fail(&Error{Syntax: JSONLD, Msg: fmt.Sprintf("remote contexts loaded add up to more than %d bytes", max), Err: ErrTooLarge})
	}
	doc, err := parseJSON(data, l.limits)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Msg = fmt.Sprintf("remote context %s: %s", iri, e.Msg)
			return nil, l.fail(e)
		}
		return nil, l.fail(&Error{Syntax: JSONLD, Msg: fmt.Sprintf("remote context %s: %v", iri, err), Err: err})
	}
	return &ld.RemoteDocument{DocumentURL: iri, Document: doc}, nil
}

func (l *offlineLoader) fail(e *Error) error {
	if l.err == nil {
		l.err = e
	}
	return e
}

// parseJSON checks nesting depth, then unmarshals data.
func parseJSON(data []byte, limits Limits) (any, error) {
	data = skipBOM(data)
	if off, deep := jsonTooDeep(data, limits.maxDepth()); deep {
		line, col := jsonPosition(data, off)
		return nil, &Error{Syntax: JSONLD, Line: line, Column: col,
			Msg: fmt.Sprintf("JSON nested deeper than %d", limits.maxDepth()), Err: ErrTooDeep}
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, jsonSyntaxError(data, err)
	}
	return doc, nil
}
