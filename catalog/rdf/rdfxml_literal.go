package rdf

import (
	"errors"
	"slices"
	"strings"
)

// errLiteralTooLarge is turned into an *Error by the parser, which knows where.
var errLiteralTooLarge = errors.New("XML literal too large")

// litWriter writes the content of an rdf:parseType="Literal" property element
// as exclusive XML canonicalization (with comments) does: a namespace is
// declared on the outermost element that visibly uses it and is not declared
// by an output ancestor, declarations come first sorted by prefix, attributes
// sorted by namespace and local name, empty elements get an end tag, and
// text and attribute values are escaped as the canonical form says.
type litWriter struct {
	buf   []byte
	decl  []xmlBinding // declarations made by the open elements, outermost first
	marks []int        // len(decl) before each open element's declarations
	tmp   []xmlBinding
	attrs []*xmlAttr
	max   int
}

func (w *litWriter) reset() {
	w.buf = w.buf[:0]
	w.decl = w.decl[:0]
	w.marks = w.marks[:0]
}

func (w *litWriter) check() error {
	if len(w.buf) > w.max {
		return errLiteralTooLarge
	}
	return nil
}

// declared returns the namespace an output ancestor binds prefix to.
func (w *litWriter) declared(prefix string) (string, bool) {
	for i := len(w.decl) - 1; i >= 0; i-- {
		if w.decl[i].prefix == prefix {
			return w.decl[i].uri, true
		}
	}
	return "", false
}

// need adds a declaration of prefix to w.tmp unless it is already in force.
func (w *litWriter) need(prefix []byte, ns string) {
	if string(prefix) == "xml" {
		return
	}
	for _, b := range w.tmp {
		if b.prefix == string(prefix) {
			return
		}
	}
	cur, ok := w.declared(string(prefix))
	if cur == ns && (ok || len(prefix) == 0) {
		return
	}
	w.tmp = append(w.tmp, xmlBinding{string(prefix), ns})
}

func (w *litWriter) start(t *xmlToken) error {
	w.marks = append(w.marks, len(w.decl))
	w.tmp = w.tmp[:0]
	w.need(t.name.prefix, t.name.ns)
	w.attrs = w.attrs[:0]
	for i := range t.attrs {
		a := &t.attrs[i]
		if len(a.prefix) > 0 {
			w.need(a.prefix, a.ns)
		}
		w.attrs = append(w.attrs, a)
	}
	slices.SortFunc(w.tmp, func(a, b xmlBinding) int { return strings.Compare(a.prefix, b.prefix) })
	slices.SortFunc(w.attrs, func(a, b *xmlAttr) int {
		if c := strings.Compare(a.ns, b.ns); c != 0 {
			return c
		}
		return strings.Compare(string(a.local), string(b.local))
	})
	w.buf = append(w.buf, '<')
	w.name(&t.name)
	for _, d := range w.tmp {
		w.buf = append(w.buf, " xmlns"...)
		if d.prefix != "" {
			w.buf = append(w.buf, ':')
			w.buf = append(w.buf, d.prefix...)
		}
		w.buf = append(w.buf, `="`...)
		w.escape([]byte(d.uri), true)
		w.buf = append(w.buf, '"')
		w.decl = append(w.decl, d)
	}
	for _, a := range w.attrs {
		w.buf = append(w.buf, ' ')
		w.name(&a.xmlName)
		w.buf = append(w.buf, `="`...)
		w.escape(a.value, true)
		w.buf = append(w.buf, '"')
	}
	w.buf = append(w.buf, '>')
	return w.check()
}

func (w *litWriter) end(t *xmlToken) error {
	w.buf = append(w.buf, "</"...)
	w.name(&t.name)
	w.buf = append(w.buf, '>')
	if n := len(w.marks); n > 0 {
		w.decl = w.decl[:w.marks[n-1]]
		w.marks = w.marks[:n-1]
	}
	return w.check()
}

func (w *litWriter) chars(b []byte) error {
	w.escape(b, false)
	return w.check()
}

func (w *litWriter) comment(b []byte) error {
	w.buf = append(w.buf, "<!--"...)
	w.buf = append(w.buf, b...)
	w.buf = append(w.buf, "-->"...)
	return w.check()
}

func (w *litWriter) pi(target, data []byte) error {
	w.buf = append(w.buf, "<?"...)
	w.buf = append(w.buf, target...)
	if len(data) > 0 {
		w.buf = append(w.buf, ' ')
		w.buf = append(w.buf, data...)
	}
	w.buf = append(w.buf, "?>"...)
	return w.check()
}

func (w *litWriter) name(n *xmlName) {
	if len(n.prefix) > 0 {
		w.buf = append(w.buf, n.prefix...)
		w.buf = append(w.buf, ':')
	}
	w.buf = append(w.buf, n.local...)
}

// escape writes text (attr false) or an attribute value (attr true) as
// canonical XML escapes it.
func (w *litWriter) escape(b []byte, attr bool) {
	for _, c := range b {
		switch {
		case c == '&':
			w.buf = append(w.buf, "&amp;"...)
		case c == '<':
			w.buf = append(w.buf, "&lt;"...)
		case c == '>' && !attr:
			w.buf = append(w.buf, "&gt;"...)
		case c == '"' && attr:
			w.buf = append(w.buf, "&quot;"...)
		case c == '\t' && attr:
			w.buf = append(w.buf, "&#x9;"...)
		case c == '\n' && attr:
			w.buf = append(w.buf, "&#xA;"...)
		case c == '\r':
			w.buf = append(w.buf, "&#xD;"...)
		default:
			w.buf = append(w.buf, c)
		}
	}
}
