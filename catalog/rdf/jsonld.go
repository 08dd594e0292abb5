package rdf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/piprate/json-gold/ld"
)

const rdfJSON = NSRDF + "JSON"

// maxJSONLDBytes is the bound on one JSON-LD document (and on one remote
// context document).
func (l Limits) maxJSONLDBytes() int64 {
	if l.MaxBytes <= 0 {
		return DefaultMaxJSONLDBytes
	}
	return l.MaxBytes
}

// decodeJSONLD reads a JSON-LD document whole, within Limits.MaxBytes, and
// passes every triple of every graph, default and named, to fn: the triples of
// a named graph are read as if they stood in the default graph (real catalogue
// exports, EntryScape's for one, put each entry in a graph of its own).
//
// The document is expanded by json-gold with a document loader that never
// goes to the network (see offlineLoader), and the expanded node map is turned
// into triples here, following the JSON-LD 1.1 "Deserialize JSON-LD to RDF"
// algorithm with these decisions:
//
//   - A term that holds a character an IRI may not hold (see NewIRI) is an
//     *Error naming it, whether it is a subject, a predicate, an object or a
//     datatype: the document is broken, and dropping the statement would lose
//     data without a word. So is a language tag that is not well-formed.
//   - An IRI that is still relative after expansion (no base, or a reference
//     the base cannot make absolute) is not an IRI of the graph: the
//     statements that would hold it are skipped, as the JSON-LD algorithm says.
//   - Language tags come in lower case: json-gold normalises them, as
//     JSON-LD 1.1 allows (RDF compares tags without regard to case).
//   - Blank node labels are json-gold's ("b0", "b1", ...), not the document's;
//     list nodes the decoder makes up are "genid" and a number.
//   - Graphs are read in order ("@default" first, then named graphs by name),
//     and subjects and properties within a graph sorted by IRI: JSON-LD has no
//     document order once expanded, and this one is reproducible.
//
// JSON numbers are read as float64, as in the JSON-LD algorithms: an integer
// beyond 2^53 loses digits. An rdf:JSON literal (@type @json) is written by
// encoding/json with sorted keys, which is close to but not exactly the JSON
// Canonicalization Scheme.
func decodeJSONLD(r io.Reader, opts Options, fn func(Triple) error) error {
	max := opts.Limits.maxJSONLDBytes()
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return &Error{Syntax: JSONLD, Msg: fmt.Sprintf("read: %v", err), Err: err}
	}
	if int64(len(data)) > max {
		return &Error{Syntax: JSONLD, Msg: fmt.Sprintf("document larger than %d bytes", max), Err: ErrTooLarge}
	}
	doc, err := parseJSON(data, opts.Limits)
	if err != nil {
		return err
	}
	switch doc.(type) {
	case map[string]any, []any:
	default:
		// json-gold would take a top-level string for a document IRI to load.
		return &Error{Syntax: JSONLD, Line: 1, Column: 1, Msg: "a JSON-LD document is a JSON object or array"}
	}
	nodeMap, err := expandJSONLD(doc, opts)
	if err != nil {
		return err
	}
	c := jsonldConverter{fn: fn, maxTerm: opts.Limits.maxTermBytes()}
	return c.nodeMap(nodeMap)
}

// expandJSONLD expands doc and flattens it into a node map: graph name ->
// node id -> node object. A panic inside json-gold becomes an *Error.
func expandJSONLD(doc any, opts Options) (nodeMap map[string]any, err error) {
	loader := newOfflineLoader(opts.Contexts, opts.Limits)
	defer func() {
		if p := recover(); p != nil {
			nodeMap, err = nil, &Error{Syntax: JSONLD, Msg: fmt.Sprintf("JSON-LD processor failed: %v", p)}
		}
	}()
	if err := checkJSONLDWork(doc, opts.Base, loader); err != nil {
		return nil, err
	}
	ldOpts := ld.NewJsonLdOptions(opts.Base)
	ldOpts.DocumentLoader = loader
	expanded, err := ld.NewJsonLdProcessor().Expand(doc, ldOpts)
	if err != nil {
		if loader.err != nil {
			return nil, loader.err
		}
		return nil, jsonldError(err)
	}
	nodeMap = map[string]any{"@default": map[string]any{}}
	issuer := ld.NewIdentifierIssuer("_:b")
	if _, err := ld.NewJsonLdApi().GenerateNodeMap(expanded, nodeMap, "@default", issuer, "", "", nil); err != nil {
		return nil, jsonldError(err)
	}
	return nodeMap, nil
}

// jsonldError wraps an error json-gold returned.
func jsonldError(err error) error {
	return &Error{Syntax: JSONLD, Msg: fmt.Sprintf("JSON-LD: %v", err), Err: err}
}

// jsonldConverter turns a node map into triples.
type jsonldConverter struct {
	fn      func(Triple) error
	maxTerm int
	blanks  blankLabels
}

func (c *jsonldConverter) nodeMap(nodeMap map[string]any) error {
	names := make([]string, 0, len(nodeMap))
	for name := range nodeMap {
		if name != "@default" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	if _, ok := nodeMap["@default"]; ok {
		names = slices.Insert(names, 0, "@default")
	}
	for _, name := range names {
		graph, _ := nodeMap[name].(map[string]any)
		if err := c.graph(graph); err != nil {
			return err
		}
	}
	return nil
}

func (c *jsonldConverter) graph(graph map[string]any) error {
	ids := make([]string, 0, len(graph))
	for id := range graph {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var props []string
	for _, id := range ids {
		subj, ok, err := c.subject(id)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		node, _ := graph[id].(map[string]any)
		props = props[:0]
		for p := range node {
			props = append(props, p)
		}
		slices.Sort(props)
		for _, p := range props {
			var pred IRI
			switch {
			case p == "@type":
				pred = iriOf(rdfType)
			case strings.HasPrefix(p, "@"), strings.HasPrefix(p, "_:"):
				// Keywords, and blank node properties (generalized RDF).
				continue
			default:
				iri, ok, err := c.iri(p, "property")
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				pred = iri
			}
			values, _ := node[p].([]any)
			for _, v := range values {
				obj, ok, err := c.object(v, p == "@type")
				if err != nil {
					return err
				}
				if ok {
					if err := c.fn(Triple{Subj: subj, Pred: pred, Obj: obj}); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// subject returns the node an id names: a blank node, an IRI, or nothing
// (ok false) for a relative IRI.
func (c *jsonldConverter) subject(id string) (Subject, bool, error) {
	if label, ok := strings.CutPrefix(id, "_:"); ok {
		return c.blanks.named(label), true, nil
	}
	iri, ok, err := c.iri(id, "subject")
	return iri, ok, err
}

// iri checks an expanded IRI: an error for one that holds a character no IRI
// may hold, ok false for one that is still relative.
func (c *jsonldConverter) iri(s, role string) (IRI, bool, error) {
	if s == "" {
		return IRI{}, false, nil
	}
	if len(s) > c.maxTerm {
		return IRI{}, false, &Error{Syntax: JSONLD, Msg: fmt.Sprintf("%s IRI of %d bytes, more than %d", role, len(s), c.maxTerm), Err: ErrTermTooLarge}
	}
	iri, err := NewIRI(s)
	if err != nil {
		return IRI{}, false, &Error{Syntax: JSONLD, Msg: fmt.Sprintf("bad %s IRI %s", role, quoteShort(s))}
	}
	if !IsAbsolute(s) {
		return IRI{}, false, nil
	}
	return iri, true, nil
}

// object converts a value of the node map: a value object, a list object, a
// node reference, or (for @type) an IRI string.
func (c *jsonldConverter) object(v any, isType bool) (Object, bool, error) {
	switch v := v.(type) {
	case string:
		if !isType {
			return nil, false, nil
		}
		return c.node(v)
	case map[string]any:
		if _, ok := v["@value"]; ok {
			return c.literal(v)
		}
		if list, ok := v["@list"]; ok {
			items, _ := list.([]any)
			return c.list(items)
		}
		id, _ := v["@id"].(string)
		return c.node(id)
	}
	return nil, false, nil
}

func (c *jsonldConverter) node(id string) (Object, bool, error) {
	if label, ok := strings.CutPrefix(id, "_:"); ok {
		return c.blanks.named(label), true, nil
	}
	iri, ok, err := c.iri(id, "object")
	return iri, ok, err
}

// list writes the rdf:first / rdf:rest chain of a list and returns its head.
func (c *jsonldConverter) list(items []any) (Object, bool, error) {
	if len(items) == 0 {
		return iriOf(rdfNil), true, nil
	}
	head := c.blanks.fresh()
	node := head
	for i, item := range items {
		obj, ok, err := c.object(item, false)
		if err != nil {
			return nil, false, err
		}
		if ok {
			if err := c.fn(Triple{Subj: node, Pred: iriOf(rdfFirst), Obj: obj}); err != nil {
				return nil, false, err
			}
		}
		var rest Object = iriOf(rdfNil)
		var next Blank
		if i < len(items)-1 {
			next = c.blanks.fresh()
			rest = next
		}
		if err := c.fn(Triple{Subj: node, Pred: iriOf(rdfRest), Obj: rest}); err != nil {
			return nil, false, err
		}
		node = next
	}
	return head, true, nil
}

// literal converts a value object, as "Object to RDF" in JSON-LD 1.1 says
// (with rdfDirection unset: a direction is dropped).
func (c *jsonldConverter) literal(v map[string]any) (Object, bool, error) {
	value := v["@value"]
	datatype, _ := v["@type"].(string)
	var dt IRI
	if datatype != "" && datatype != "@json" {
		iri, ok, err := c.iri(datatype, "datatype")
		if err != nil || !ok {
			return nil, false, err
		}
		dt = iri
	}
	var lexical string
	switch {
	case datatype == "@json":
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(value); err != nil {
			return nil, false, &Error{Syntax: JSONLD, Msg: fmt.Sprintf("JSON literal: %v", err), Err: err}
		}
		lexical, dt = strings.TrimSuffix(b.String(), "\n"), iriOf(rdfJSON)
	default:
		switch x := value.(type) {
		case bool:
			lexical = strconv.FormatBool(x)
			if datatype == "" {
				dt = iriOf(xsdBoolean)
			}
		case float64:
			if x != math.Trunc(x) || x >= 1e21 || math.IsInf(x, 0) || dt.String() == xsdDouble {
				lexical = ld.GetCanonicalDouble(x)
				if datatype == "" {
					dt = iriOf(xsdDouble)
				}
			} else {
				lexical = strconv.FormatFloat(x, 'f', -1, 64)
				if datatype == "" {
					dt = iriOf(xsdInteger)
				}
			}
		case string:
			lexical = x
			if lang, ok := v["@language"].(string); ok && datatype == "" {
				if len(lexical) > c.maxTerm {
					return nil, false, c.tooLarge(len(lexical))
				}
				if !validLangTag(lang) {
					return nil, false, &Error{Syntax: JSONLD, Msg: fmt.Sprintf("bad language tag %s", quoteShort(lang))}
				}
				return langLiteralOf(lexical, lang), true, nil
			}
			if datatype == "" {
				dt = iriOf(xsdString)
			}
		default:
			// Expansion leaves no other @value; a null one means no value.
			return nil, false, nil
		}
	}
	if len(lexical) > c.maxTerm {
		return nil, false, c.tooLarge(len(lexical))
	}
	return NewTypedLiteral(lexical, dt), true, nil
}

func (c *jsonldConverter) tooLarge(n int) error {
	return &Error{Syntax: JSONLD, Msg: fmt.Sprintf("literal of %d bytes, more than %d", n, c.maxTerm), Err: ErrTermTooLarge}
}

// quoteShort quotes s for an error message, cut to a readable length.
func quoteShort(s string) string {
	const max = 200
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8RuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut]) + "..."
	}
	return strconv.Quote(s)
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
