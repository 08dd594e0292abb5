package rdf

import (
	"fmt"
	"strconv"
)

// maxJSONLDWork bounds the work json-gold may be given: the term definitions
// of scoped contexts (contexts inside a term definition, which json-gold
// applies anew to every node that uses the term) times the JSON objects of the
// document. Measured on this project's 2-core machine, one unit costs about
// 2.5 µs, so the bound is about five seconds of CPU; a real DCAT-AP document
// with the shipped context costs no units at all, as that context is not scoped.
const maxJSONLDWork = 2_000_000

// jsonldWork estimates what expanding a document will cost before json-gold
// sees it. It walks the parsed document (whose depth parseJSON has bounded)
// and the remote contexts it names, loaded through the same offline loader.
type jsonldWork struct {
	loader      *offlineLoader
	base        string
	objects     int
	scopedTerms int
	loaded      map[string]bool
	err         error
}

// checkJSONLDWork returns an *Error wrapping ErrTooLarge when doc is too costly to expand.
func checkJSONLDWork(doc any, base string, loader *offlineLoader) error {
	w := &jsonldWork{loader: loader, base: base, loaded: make(map[string]bool)}
	w.walk(doc)
	if w.err != nil {
		return w.err
	}
	if w.scopedTerms > 0 && w.objects > maxJSONLDWork/w.scopedTerms {
		return &Error{Syntax: JSONLD, Line: 1, Column: 1, Err: ErrTooLarge, Msg: fmt.Sprintf(
			"document too costly to expand: %d scoped context terms applied to up to %d objects (bound %s)",
			w.scopedTerms, w.objects, strconv.Itoa(maxJSONLDWork))}
	}
	return nil
}

func (w *jsonldWork) walk(v any) {
	switch x := v.(type) {
	case map[string]any:
		w.objects++
		for k, val := range x {
			if k == "@context" {
				w.context(val, false)
				continue
			}
			w.walk(val)
		}
	case []any:
		for _, e := range x {
			w.walk(e)
		}
	}
}

// context counts the term definitions of a context that sits inside a term
// definition (scoped), and follows remote context references.
func (w *jsonldWork) context(v any, scoped bool) {
	switch x := v.(type) {
	case string:
		w.remote(x, scoped)
	case []any:
		for _, e := range x {
			w.context(e, scoped)
		}
	case map[string]any:
		if scoped {
			w.scopedTerms += len(x)
		}
		for _, def := range x {
			if d, ok := def.(map[string]any); ok {
				if c, ok := d["@context"]; ok {
					w.context(c, true)
				}
			}
		}
	}
}

// remote loads a context document once per IRI and counts its context.
func (w *jsonldWork) remote(iri string, scoped bool) {
	iri = Resolve(w.base, iri)
	key := iri
	if scoped {
		key = "scoped " + iri
	}
	if w.loaded[key] || w.err != nil {
		return
	}
	w.loaded[key] = true
	if len(w.loaded) > 64 {
		w.err = &Error{Syntax: JSONLD, Line: 1, Column: 1, Err: ErrTooLarge, Msg: "document names more than 64 remote contexts"}
		return
	}
	rd, err := w.loader.LoadDocument(iri)
	if err != nil {
		w.err = err
		return
	}
	if m, ok := rd.Document.(map[string]any); ok {
		w.context(m["@context"], scoped)
	}
}
