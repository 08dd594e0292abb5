package rdf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file is a small streaming XML 1.0 tokenizer with namespaces, written for
// the RDF/XML decoder: encoding/xml allocates on every token and is several times
// slower. It reads UTF-8 (and ISO-8859-1, converted as it reads), tracks line
// and column for errors, expands character references, the predefined entities
// and the internal general entities a DOCTYPE declares, and never fetches
// anything: an external entity or DTD is refused or ignored, and entity
// expansion is bounded.

const (
	nsXML   = "http://www.w3.org/XML/1998/namespace"
	nsXMLNS = "http://www.w3.org/2000/xmlns/"

	// xmlBufSize is the first size of the read buffer; it grows for a longer token.
	xmlBufSize = 64 << 10
	// xmlTokenSlack is how far a token (a start tag, say) may go past MaxTermBytes.
	xmlTokenSlack = 64 << 10
	// xmlEntityDepth bounds entities that refer to entities.
	xmlEntityDepth = 16
	// xmlMaxAttrs bounds the attributes of one tag and xmlMaxBindings the
	// namespace declarations in scope: prefixes are looked up linearly.
	xmlMaxAttrs    = 1024
	xmlMaxBindings = 4096
)

type xmlKind uint8

const (
	xmlEOF xmlKind = iota
	xmlStart
	xmlEnd
	xmlText
	xmlComment
	xmlPI
)

// xmlName is a qualified name: its prefix and local part as written, and the
// namespace the prefix is bound to.
type xmlName struct {
	prefix, local []byte
	ns            string
}

type xmlAttr struct {
	xmlName
	value []byte
	off   int // offset of the attribute's name in the buffer
}

// xmlToken is one piece of a document. Its slices point into the reader's
// buffers and hold only until the next call to next.
type xmlToken struct {
	kind  xmlKind
	off   int // offset of the token's first byte in the buffer
	name  xmlName
	attrs []xmlAttr
	text  []byte // text (references expanded), comment, PI data
}

type xmlBinding struct{ prefix, uri string }

type xmlOpen struct {
	nsMark    int // len(ns) before the element's declarations
	nameStart int // offset of the qualified name in names
	prefixLen int // length of the prefix, 0 if none
}

type xmlEntity struct {
	value    []byte // replacement text (character references expanded)
	external bool
	busy     bool
	size     int64 // bytes the entity expands to, capped; -1 until known
}

// attrSpan records where an attribute's parts are while its tag is parsed.
type attrSpan struct {
	name, nameEnd, colon int // offsets in the tag; colon < 0 if no prefix
	val, valEnd          int // offsets in the tag, or in scratch if scratched
	scratched            bool
}

// errNeedMore says a token runs past the bytes read so far.
var errNeedMore = errors.New("need more input")

// xmlReader reads tokens from r.
type xmlReader struct {
	r        io.Reader
	buf      []byte
	pos, end int
	eof      bool
	rerr     error // a read fault to report once the bytes before it are used
	refills  int   // calls to more that read, for tests
	read     int64
	maxBytes int64
	maxTerm  int
	maxDepth int

	// line and col are the place of buf[0]: line 1-based, col the number of
	// characters between the start of the line and buf[0].
	line, col int

	tok        xmlToken
	pendingEnd bool // the last start tag was empty: its end comes next
	started    bool
	first      bool // no token read yet: an XML declaration may come
	sawDoctype bool
	rootOpened bool
	rootClosed bool
	latin1     bool // the document is ISO-8859-1 or windows-1252: bytes are converted as read
	cp1252     bool // windows-1252: 0x80-0x9F are not C1 controls
	rawBuf     []byte

	ns       []xmlBinding
	elems    []xmlOpen
	names    []byte
	scratch  []byte
	spans    []attrSpan
	seen     map[string]struct{}
	entities map[string]*xmlEntity
	expanded int64 // bytes produced by entity references
	intern   map[string]string
}

func newXMLReader(r io.Reader, lim Limits) *xmlReader {
	x := &xmlReader{
		r:        r,
		buf:      make([]byte, xmlBufSize),
		maxBytes: lim.MaxBytes,
		maxTerm:  lim.maxTermBytes(),
		maxDepth: lim.maxDepth(),
		line:     1,
		intern:   make(map[string]string),
	}
	x.ns = append(x.ns, xmlBinding{"xml", nsXML})
	return x
}

// errAt returns an *Error placed at buffer offset off.
func (x *xmlReader) errAt(off int, cause error, format string, args ...any) error {
	line, col := x.position(off)
	return &Error{Syntax: RDFXML, Line: line, Column: col, Msg: fmt.Sprintf(format, args...), Err: cause}
}

// position returns the 1-based line and column of buffer offset off.
func (x *xmlReader) position(off int) (line, col int) {
	off = max(0, min(off, x.end))
	line, col = x.line, x.col
	b := x.buf[:off]
	if n := bytes.Count(b, []byte{'\n'}); n > 0 {
		line += n
		b = b[bytes.LastIndexByte(b, '\n')+1:]
		col = 0
	}
	return line, col + utf8.RuneCount(b) + 1
}

// more reads more input, keeping buf[pos:end]. It reads at least as many new
// bytes as are pending (while the buffer has room), so that a token that
// arrives in many small reads is rescanned a logarithmic number of times.
// It returns io.EOF at the end of the input, an *Error for a read fault or a
// token that outgrows the limit.
func (x *xmlReader) more() error {
	if x.rerr != nil {
		return x.errAt(x.end, x.rerr, "read: %v", x.rerr)
	}
	if x.eof {
		return io.EOF
	}
	if x.pos > 0 {
		x.line, x.col = advancePosition(x.line, x.col, x.buf[:x.pos])
		x.end = copy(x.buf, x.buf[x.pos:x.end])
		x.pos = 0
	}
	if len(x.buf)-x.end < 2 { // 2: room for a converted ISO-8859-1 byte
		if len(x.buf) >= x.maxTerm+xmlTokenSlack {
			return x.errAt(0, ErrTermTooLarge, "token longer than %d bytes", x.maxTerm)
		}
		nb := make([]byte, min(2*len(x.buf), x.maxTerm+xmlTokenSlack))
		copy(nb, x.buf[:x.end])
		x.buf = nb
	}
	want := max(1, x.end)
	got := 0
	x.refills++
	for empty := 0; got < want && len(x.buf)-x.end >= 2; {
		n, err := x.fill(x.buf[x.end:])
		x.end += n
		x.read += int64(n)
		got += n
		if x.maxBytes > 0 && x.read > x.maxBytes {
			return x.errAt(x.end, ErrTooLarge, "document longer than %d bytes", x.maxBytes)
		}
		if err == io.EOF {
			x.eof = true
			break
		}
		if err != nil {
			if got > 0 { // tokenize what came first; report the fault next time
				x.rerr = err
				return nil
			}
			return x.errAt(x.end, err, "read: %v", err)
		}
		if n == 0 {
			if empty++; empty > 100 {
				return x.errAt(x.end, io.ErrNoProgress, "read: %v", io.ErrNoProgress)
			}
		}
	}
	if got == 0 && x.eof {
		return io.EOF
	}
	return nil
}

// fill reads into p, converting ISO-8859-1 to UTF-8 when the document is in it.
func (x *xmlReader) fill(p []byte) (int, error) {
	if !x.latin1 {
		return x.r.Read(p)
	}
	// Every byte becomes at most two.
	if len(p) < 2 {
		return 0, nil
	}
	if cap(x.rawBuf) < len(p)/2 {
		x.rawBuf = make([]byte, len(p)/2)
	}
	n, err := x.r.Read(x.rawBuf[:len(p)/2])
	out := p[:0]
	for _, c := range x.rawBuf[:n] {
		out = utf8.AppendRune(out, x.decodeByte(c))
	}
	return len(out), err
}

// decodeByte returns the character a byte of an ISO-8859-1 or windows-1252
// document stands for.
func (x *xmlReader) decodeByte(c byte) rune {
	if x.cp1252 && c >= 0x80 && c < 0xA0 {
		if r := cp1252[c-0x80]; r != 0 {
			return r
		}
	}
	return rune(c)
}

// cp1252 is windows-1252 from 0x80 to 0x9F; 0 where it leaves a byte undefined.
var cp1252 = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}

// advancePosition moves a line and column past b.
func advancePosition(line, col int, b []byte) (int, int) {
	if n := bytes.Count(b, []byte{'\n'}); n > 0 {
		line += n
		b = b[bytes.LastIndexByte(b, '\n')+1:]
		col = 0
	}
	return line, col + utf8.RuneCount(b)
}

// next returns the next token; kind xmlEOF at the end of a well-formed document.
func (x *xmlReader) next() (*xmlToken, error) {
	t := &x.tok
	if x.pendingEnd {
		x.pendingEnd = false
		x.popElement(t)
		return t, nil
	}
	if !x.started {
		if err := x.start(); err != nil {
			return nil, err
		}
	}
	for {
		var err error
		if x.pos >= x.end {
			err = errNeedMore
		} else if x.buf[x.pos] != '<' {
			err = x.scanText(t)
		} else {
			err = x.scanMarkup(t)
		}
		if err == nil {
			x.first = false
			return t, nil
		}
		if err != errNeedMore {
			return nil, err
		}
		if err := x.more(); err != nil {
			if err != io.EOF {
				return nil, err
			}
			if x.pos < x.end {
				// A token cut off by the end of the document.
				if x.buf[x.pos] != '<' {
					continue // text may end with the document; scanText sees eof
				}
				return nil, x.errAt(x.pos, nil, "unexpected end of document inside markup")
			}
			return x.atEOF(t)
		}
	}
}

func (x *xmlReader) atEOF(t *xmlToken) (*xmlToken, error) {
	if n := len(x.elems); n > 0 {
		open := x.elems[n-1]
		return nil, x.errAt(x.end, nil, "unexpected end of document: <%s> is not closed", x.names[open.nameStart:])
	}
	if !x.rootOpened {
		return nil, x.errAt(x.end, nil, "no root element: the document is empty")
	}
	t.kind = xmlEOF
	t.off = x.end
	return t, nil
}

// start looks at the first bytes: byte order mark, then what the document is.
func (x *xmlReader) start() error {
	for x.end < 4 && !x.eof {
		if err := x.more(); err != nil && err != io.EOF {
			return err
		}
	}
	x.started = true
	x.first = true
	b := x.buf[:x.end]
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		x.pos = 3
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}), bytes.HasPrefix(b, []byte{0xFF, 0xFE}),
		bytes.HasPrefix(b, []byte{0, '<'}), bytes.HasPrefix(b, []byte{'<', 0}):
		return x.errAt(0, nil, "UTF-16 documents are not supported: convert to UTF-8")
	}
	s := bytes.TrimLeft(x.buf[x.pos:x.end], " \t\r\n")
	if len(s) > 0 && s[0] != '<' {
		off := x.end - len(s)
		r, _ := utf8.DecodeRune(s)
		return x.errAt(off, nil, "not an XML document: it starts with %q", r)
	}
	return nil
}

// scanText reads character data up to the next '<'.
func (x *xmlReader) scanText(t *xmlToken) error {
	b := x.buf[x.pos:x.end]
	n := bytes.IndexByte(b, '<')
	if n < 0 {
		if !x.eof {
			if len(b) > x.maxTerm {
				return x.errAt(x.pos, ErrTermTooLarge, "text longer than %d bytes", x.maxTerm)
			}
			return errNeedMore
		}
		n = len(b)
	}
	raw := b[:n]
	if len(x.elems) == 0 {
		if !isXMLSpace(raw) {
			return x.errAt(x.pos+len(raw)-len(bytes.TrimLeft(raw, " \t\r\n")), nil, "text outside the root element")
		}
	}
	text, err := x.text(raw, x.pos, false, false)
	if err != nil {
		return err
	}
	t.kind, t.off, t.text = xmlText, x.pos, text
	x.pos += n
	return nil
}

// scanMarkup reads a token that starts with '<'.
func (x *xmlReader) scanMarkup(t *xmlToken) error {
	b := x.buf[x.pos:x.end]
	if len(b) < 2 {
		return errNeedMore
	}
	switch b[1] {
	case '/':
		return x.scanEnd(t)
	case '?':
		return x.scanPI(t)
	case '!':
		switch {
		case hasPrefixOrShort(b, "<!--"):
			if len(b) < 4 {
				return errNeedMore
			}
			end := bytes.Index(b[4:], []byte("-->"))
			if end < 0 {
				return errNeedMore
			}
			body := b[4 : 4+end]
			if bytes.Contains(body, []byte("--")) || (len(body) > 0 && body[len(body)-1] == '-') {
				return x.errAt(x.pos, nil, "\"--\" inside a comment")
			}
			if err := x.checkChars(body, x.pos+4); err != nil {
				return err
			}
			t.kind, t.off, t.text = xmlComment, x.pos, body
			x.pos += 4 + end + 3
			return nil
		case hasPrefixOrShort(b, "<![CDATA["):
			if len(b) < 9 {
				return errNeedMore
			}
			end := bytes.Index(b[9:], []byte("]]>"))
			if end < 0 {
				return errNeedMore
			}
			if len(x.elems) == 0 {
				return x.errAt(x.pos, nil, "CDATA section outside the root element")
			}
			text, err := x.text(b[9:9+end], x.pos+9, false, true)
			if err != nil {
				return err
			}
			t.kind, t.off, t.text = xmlText, x.pos, text
			x.pos += 9 + end + 3
			return nil
		case hasPrefixOrShort(b, "<!DOCTYPE"):
			if len(b) < 9 {
				return errNeedMore
			}
			if err := x.scanDoctype(); err != nil {
				return err
			}
			return x.scanAgain(t)
		}
		if len(b) < 9 {
			return errNeedMore
		}
		return x.errAt(x.pos, nil, "unknown markup %q", b[:min(len(b), 9)])
	}
	return x.scanStart(t)
}

// cut reports whether a name that ends at i may go on past the end of b.
func cut(b []byte, i int) bool {
	return i >= len(b) || b[i] >= 0x80 && !utf8.FullRune(b[i:])
}

func hasPrefixOrShort(b []byte, p string) bool {
	n := min(len(b), len(p))
	return string(b[:n]) == p[:n]
}

// scanPI reads a processing instruction or the XML declaration.
func (x *xmlReader) scanPI(t *xmlToken) error {
	b := x.buf[x.pos:x.end]
	end := bytes.Index(b[2:], []byte("?>"))
	if end < 0 {
		return errNeedMore
	}
	body := b[2 : 2+end]
	n := nameLen(body)
	if n == 0 {
		return x.errAt(x.pos, nil, "processing instruction without a target")
	}
	target, data := body[:n], body[n:]
	if len(data) > 0 && !isSpaceByte(data[0]) {
		return x.errAt(x.pos+2+n, nil, "processing instruction target %q must be followed by white space", body[:min(len(body), n+1)])
	}
	data = bytes.TrimLeft(data, " \t\r\n")
	if strings.EqualFold(string(target), "xml") {
		if !x.first || string(target) != "xml" {
			return x.errAt(x.pos, nil, "XML declaration not at the start of the document")
		}
		if err := x.xmlDecl(data, x.pos); err != nil {
			return err
		}
		x.first = false
		x.pos += 2 + end + 2
		return x.scanAgain(t)
	}
	if err := x.checkChars(data, x.pos); err != nil {
		return err
	}
	t.kind, t.off = xmlPI, x.pos
	t.name = xmlName{local: target}
	t.text = data
	x.pos += 2 + end + 2
	return nil
}

// scanAgain reads the token after one that is not reported (a declaration).
func (x *xmlReader) scanAgain(t *xmlToken) error {
	if x.pos >= x.end {
		return errNeedMore
	}
	if x.buf[x.pos] != '<' {
		return x.scanText(t)
	}
	return x.scanMarkup(t)
}

// xmlDecl checks the XML declaration: version 1.x and an encoding this reader reads.
func (x *xmlReader) xmlDecl(data []byte, off int) error {
	enc := pseudoAttr(data, "encoding")
	switch strings.ToLower(enc) {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
	case "iso-8859-1", "latin1", "iso_8859-1", "l1", "iso-latin-1", "windows-1252", "cp1252":
		x.cp1252 = strings.EqualFold(enc, "windows-1252") || strings.EqualFold(enc, "cp1252")
		// The rest of the buffer is converted now, what follows as it is read.
		rest := x.buf[x.pos:x.end]
		conv := make([]byte, 0, max(xmlBufSize, 2*len(rest)))
		conv = append(conv, x.buf[:x.pos]...)
		for _, c := range rest {
			conv = utf8.AppendRune(conv, x.decodeByte(c))
		}
		x.end = len(conv)
		x.buf = conv[:cap(conv)]
		x.latin1 = true
	default:
		return x.errAt(off, nil, "encoding %q is not supported: only UTF-8, ISO-8859-1 and windows-1252 documents are read", enc)
	}
	if v := pseudoAttr(data, "version"); v != "" && !strings.HasPrefix(v, "1.") {
		return x.errAt(off, nil, "XML version %q is not supported", v)
	}
	return nil
}

// pseudoAttr returns the value of name="value" in an XML declaration.
func pseudoAttr(data []byte, name string) string {
	i := bytes.Index(data, []byte(name))
	if i < 0 {
		return ""
	}
	s := bytes.TrimLeft(data[i+len(name):], " \t\r\n")
	if len(s) == 0 || s[0] != '=' {
		return ""
	}
	s = bytes.TrimLeft(s[1:], " \t\r\n")
	if len(s) == 0 || (s[0] != '"' && s[0] != '\'') {
		return ""
	}
	j := bytes.IndexByte(s[1:], s[0])
	if j < 0 {
		return ""
	}
	return string(s[1 : 1+j])
}

// scanStart reads a start tag, binds its namespace declarations and opens the element.
func (x *xmlReader) scanStart(t *xmlToken) error {
	if x.rootClosed {
		return x.errAt(x.pos, nil, "more than one root element")
	}
	b := x.buf[x.pos:x.end]
	nl := nameLen(b[1:])
	if cut(b, 1+nl) {
		return errNeedMore
	}
	if nl == 0 {
		return x.errAt(x.pos, nil, "a name must follow '<'")
	}
	i := 1 + nl
	if i >= len(b) {
		return errNeedMore
	}
	x.scratch = x.scratch[:0]
	x.spans = x.spans[:0]
	empty := false
	for {
		ws := i
		for i < len(b) && isSpaceByte(b[i]) {
			i++
		}
		if i >= len(b) {
			return errNeedMore
		}
		if b[i] == '>' {
			i++
			break
		}
		if b[i] == '/' {
			if i+1 >= len(b) {
				return errNeedMore
			}
			if b[i+1] != '>' {
				return x.errAt(x.pos+i, nil, "expected '>' after '/' in a tag")
			}
			empty = true
			i += 2
			break
		}
		if i == ws {
			return x.errAt(x.pos+i, nil, "attributes must be separated by white space")
		}
		an := nameLen(b[i:])
		if cut(b, i+an) {
			return errNeedMore
		}
		if an == 0 {
			r, _ := utf8.DecodeRune(b[i:])
			return x.errAt(x.pos+i, nil, "unexpected %q in a tag", r)
		}
		sp := attrSpan{name: i, nameEnd: i + an, colon: -1}
		if c := bytes.IndexByte(b[i:i+an], ':'); c >= 0 {
			sp.colon = i + c
		}
		i += an
		for i < len(b) && isSpaceByte(b[i]) {
			i++
		}
		if i >= len(b) {
			return errNeedMore
		}
		if b[i] != '=' {
			return x.errAt(x.pos+sp.name, nil, "attribute %s has no value", b[sp.name:sp.nameEnd])
		}
		i++
		for i < len(b) && isSpaceByte(b[i]) {
			i++
		}
		if i >= len(b) {
			return errNeedMore
		}
		q := b[i]
		if q != '"' && q != '\'' {
			return x.errAt(x.pos+i, nil, "attribute value must be quoted")
		}
		j := bytes.IndexByte(b[i+1:], q)
		if j < 0 {
			if len(b)-i > x.maxTerm {
				return x.errAt(x.pos+sp.name, ErrTermTooLarge, "attribute value longer than %d bytes", x.maxTerm)
			}
			return errNeedMore
		}
		raw := b[i+1 : i+1+j]
		if len(raw) > x.maxTerm {
			return x.errAt(x.pos+sp.name, ErrTermTooLarge, "attribute value longer than %d bytes", x.maxTerm)
		}
		if ok, high := plain(raw, true); ok {
			if high && !utf8.Valid(raw) {
				return x.errAt(x.pos+i+1+invalidUTF8At(raw), nil, "malformed UTF-8")
			}
			sp.val, sp.valEnd = i+1, i+1+j
		} else {
			start := len(x.scratch)
			s, err := x.decode(x.scratch, raw, x.pos+sp.name, true, false)
			if err != nil {
				return err
			}
			x.scratch = s
			sp.val, sp.valEnd, sp.scratched = start, len(s), true
		}
		if len(x.spans) == xmlMaxAttrs {
			return x.errAt(x.pos, ErrTermTooLarge, "tag with more than %d attributes", xmlMaxAttrs)
		}
		x.spans = append(x.spans, sp)
		i += j + 2
	}

	// The whole tag is read: bind namespaces, open the element.
	if len(x.elems) >= x.maxDepth {
		return x.errAt(x.pos, ErrTooDeep, "elements nested deeper than %d", x.maxDepth)
	}
	mark := len(x.ns)
	t.attrs = t.attrs[:0]
	for _, sp := range x.spans {
		val := b[sp.val:sp.valEnd]
		if sp.scratched {
			val = x.scratch[sp.val:sp.valEnd]
		}
		qn := b[sp.name:sp.nameEnd]
		var prefix, local []byte
		if sp.colon >= 0 {
			prefix, local = b[sp.name:sp.colon], b[sp.colon+1:sp.nameEnd]
		} else {
			local = qn
		}
		switch {
		case sp.colon < 0 && string(qn) == "xmlns":
			if err := x.bind(nil, val, x.pos+sp.name); err != nil {
				x.ns = x.ns[:mark]
				return err
			}
			continue
		case sp.colon >= 0 && string(prefix) == "xmlns":
			if err := x.bind(local, val, x.pos+sp.name); err != nil {
				x.ns = x.ns[:mark]
				return err
			}
			continue
		}
		t.attrs = append(t.attrs, xmlAttr{xmlName: xmlName{prefix: prefix, local: local}, value: val, off: x.pos + sp.name})
	}
	qn := b[1 : 1+nl]
	var err error
	t.name, err = x.splitName(qn, true, x.pos)
	for k := 0; err == nil && k < len(t.attrs); k++ {
		a := &t.attrs[k]
		if len(a.prefix) > 0 {
			if err = x.checkNCName(a.prefix, a.off); err == nil {
				a.ns, err = x.lookup(a.prefix, a.off)
			}
		}
		if err == nil {
			err = x.checkNCName(a.local, a.off)
		}
	}
	if err == nil {
		err = x.checkDuplicates(t.attrs)
	}
	if err != nil {
		x.ns = x.ns[:mark]
		return err
	}
	pl := 0
	if len(t.name.prefix) > 0 {
		pl = len(t.name.prefix) + 1
	}
	x.elems = append(x.elems, xmlOpen{nsMark: mark, nameStart: len(x.names), prefixLen: pl})
	x.names = append(x.names, qn...)
	x.rootOpened = true
	t.kind, t.off = xmlStart, x.pos
	t.text = nil
	x.pos += i
	x.pendingEnd = empty
	return nil
}

// splitName splits a qualified element name and finds its namespace.
func (x *xmlReader) splitName(qn []byte, useDefault bool, off int) (xmlName, error) {
	var n xmlName
	if c := bytes.IndexByte(qn, ':'); c >= 0 {
		n.prefix, n.local = qn[:c], qn[c+1:]
		if err := x.checkNCName(n.prefix, off); err != nil {
			return n, err
		}
		if string(n.prefix) == "xmlns" {
			return n, x.errAt(off, nil, "element name %s uses the reserved prefix xmlns", qn)
		}
		var err error
		if n.ns, err = x.lookup(n.prefix, off); err != nil {
			return n, err
		}
	} else {
		n.local = qn
		if useDefault {
			n.ns, _ = x.lookup(nil, off)
		}
	}
	return n, x.checkNCName(n.local, off)
}

func (x *xmlReader) checkNCName(b []byte, off int) error {
	if len(b) == 0 || bytes.IndexByte(b, ':') >= 0 {
		return x.errAt(off, nil, "bad qualified name %q", b)
	}
	return nil
}

// lookup returns the namespace bound to prefix; the default namespace for an
// empty prefix ("" if none).
func (x *xmlReader) lookup(prefix []byte, off int) (string, error) {
	for i := len(x.ns) - 1; i >= 0; i-- {
		if x.ns[i].prefix == string(prefix) {
			return x.ns[i].uri, nil
		}
	}
	if len(prefix) == 0 {
		return "", nil
	}
	return "", x.errAt(off, nil, "namespace prefix %s is not declared", prefix)
}

func (x *xmlReader) bind(prefix, uri []byte, off int) error {
	switch {
	case string(prefix) == "xmlns":
		return x.errAt(off, nil, "the prefix xmlns cannot be declared")
	case string(prefix) == "xml" && string(uri) != nsXML:
		return x.errAt(off, nil, "the prefix xml cannot be bound to another namespace")
	case string(prefix) != "xml" && (string(uri) == nsXML || string(uri) == nsXMLNS):
		return x.errAt(off, nil, "namespace %s is reserved", uri)
	case len(prefix) > 0 && len(uri) == 0:
		return x.errAt(off, nil, "namespace prefix %s bound to an empty name", prefix)
	}
	if len(prefix) > 0 {
		if err := x.checkNCName(prefix, off); err != nil {
			return err
		}
	}
	if len(x.ns) >= xmlMaxBindings {
		return x.errAt(off, ErrTermTooLarge, "more than %d namespace declarations in scope", xmlMaxBindings)
	}
	x.ns = append(x.ns, xmlBinding{x.internString(prefix), x.internString(uri)})
	return nil
}

func (x *xmlReader) internString(b []byte) string {
	if s, ok := x.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(x.intern) < 4096 {
		x.intern[s] = s
	}
	return s
}

func (x *xmlReader) checkDuplicates(attrs []xmlAttr) error {
	if len(attrs) <= 16 {
		for i := 1; i < len(attrs); i++ {
			for j := 0; j < i; j++ {
				if attrs[i].ns == attrs[j].ns && string(attrs[i].local) == string(attrs[j].local) {
					return x.errAt(attrs[i].off, nil, "attribute %s repeated", attrs[i].local)
				}
			}
		}
		return nil
	}
	if x.seen == nil {
		x.seen = make(map[string]struct{})
	}
	clear(x.seen)
	for _, a := range attrs {
		k := a.ns + " " + string(a.local)
		if _, dup := x.seen[k]; dup {
			return x.errAt(a.off, nil, "attribute %s repeated", a.local)
		}
		x.seen[k] = struct{}{}
	}
	return nil
}

// scanEnd reads an end tag and closes the element.
func (x *xmlReader) scanEnd(t *xmlToken) error {
	b := x.buf[x.pos:x.end]
	end := bytes.IndexByte(b, '>')
	if end < 0 {
		return errNeedMore
	}
	qn := b[2:end]
	for len(qn) > 0 && isSpaceByte(qn[len(qn)-1]) {
		qn = qn[:len(qn)-1]
	}
	if len(x.elems) == 0 {
		return x.errAt(x.pos, nil, "end tag </%s> without a start tag", qn)
	}
	open := x.elems[len(x.elems)-1]
	if want := x.names[open.nameStart:]; !bytes.Equal(qn, want) {
		return x.errAt(x.pos, nil, "end tag </%s> does not match <%s>", qn, want)
	}
	x.pos += end + 1
	x.popElement(t)
	t.off = x.pos - end - 1
	return nil
}

// popElement closes the innermost element and makes t its end token.
func (x *xmlReader) popElement(t *xmlToken) {
	open := x.elems[len(x.elems)-1]
	x.elems = x.elems[:len(x.elems)-1]
	qn := x.names[open.nameStart:]
	x.names = x.names[:open.nameStart]
	t.kind, t.off, t.attrs, t.text = xmlEnd, x.pos, t.attrs[:0], nil
	t.name = xmlName{local: qn[open.prefixLen:]}
	if open.prefixLen > 0 {
		t.name.prefix = qn[:open.prefixLen-1]
	}
	x.ns = x.ns[:open.nsMark]
	if len(x.elems) == 0 {
		x.rootClosed = true
	}
}

// checkChars refuses bytes that are not XML characters and malformed UTF-8.
func (x *xmlReader) checkChars(b []byte, off int) error {
	high := false
	for i, c := range b {
		switch {
		case c >= 0x80:
			high = true
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
			return x.errAt(off+i, nil, "character %U is not allowed in XML", c)
		}
	}
	if high && !utf8.Valid(b) {
		return x.errAt(off+invalidUTF8At(b), nil, "malformed UTF-8")
	}
	return nil
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return 0
}

// byte classes for decode: what needs more than a copy.
const (
	bcPlain = iota
	bcRef   // '&'
	bcCR    // '\r'
	bcWS    // '\t' '\n': normalised to ' ' in attribute values
	bcLT    // '<': not allowed in attribute values
	bcCtl   // not an XML character
	bcHigh  // start of a multi-byte sequence
)

var byteClass = func() (t [256]uint8) {
	for c := 0; c < 0x20; c++ {
		t[c] = bcCtl
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = bcHigh
	}
	t['&'] = bcRef
	t['\r'] = bcCR
	t['\t'] = bcWS
	t['\n'] = bcWS
	t['<'] = bcLT
	return t
}()

// plain reports whether raw can be taken as it is (no reference, no CR, no
// white space to normalise in an attribute), and whether it holds bytes >= 0x80.
func plain(raw []byte, attr bool) (ok, high bool) {
	for _, c := range raw {
		switch byteClass[c] {
		case bcPlain:
		case bcHigh:
			high = true
		case bcWS, bcLT:
			if attr {
				return false, high
			}
		default:
			return false, high
		}
	}
	return true, high
}

// text returns raw decoded: raw itself if plain, else a copy in scratch.
func (x *xmlReader) text(raw []byte, off int, attr, cdata bool) ([]byte, error) {
	ok, high := plain(raw, attr)
	if ok {
		if high && !utf8.Valid(raw) {
			return nil, x.errAt(off+invalidUTF8At(raw), nil, "malformed UTF-8")
		}
		return raw, nil
	}
	s, err := x.decode(x.scratch[:0], raw, off, attr, cdata)
	if err != nil {
		return nil, err
	}
	x.scratch = s
	return s, nil
}

// decode appends raw to dst with references expanded, line ends normalised and,
// in an attribute value, white space normalised. cdata turns reference
// expansion off.
func (x *xmlReader) decode(dst, raw []byte, off int, attr, cdata bool) ([]byte, error) {
	i := 0
	high := false
	for i < len(raw) {
		c := byteClass[raw[i]]
		if c == bcPlain || (c == bcWS && !attr) || (c == bcLT && !attr) || (c == bcRef && cdata) {
			i++
			continue
		}
		if c == bcHigh {
			high = true
			i++
			continue
		}
		break
	}
	if i == len(raw) {
		if high && !utf8.Valid(raw) {
			return nil, x.errAt(off+invalidUTF8At(raw), nil, "malformed UTF-8")
		}
		return append(dst, raw...), nil
	}
	start := len(dst)
	dst = append(dst, raw[:i]...)
	var err error
	dst, err = x.expand(dst, raw[i:], off, attr, cdata, 0)
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(dst[start:]) {
		return nil, x.errAt(off+invalidUTF8At(raw), nil, "malformed UTF-8")
	}
	return dst, nil
}

func (x *xmlReader) expand(dst, raw []byte, off int, attr, cdata bool, depth int) ([]byte, error) {
	for i := 0; i < len(raw); {
		c := raw[i]
		switch byteClass[c] {
		case bcRef:
			if cdata {
				dst = append(dst, c)
				i++
				continue
			}
			j := bytes.IndexByte(raw[i:], ';')
			if j < 0 {
				return nil, x.errAt(off, nil, "'&' must start a reference (write &amp;)")
			}
			ref := raw[i+1 : i+j]
			var err error
			dst, err = x.reference(dst, ref, off, attr, depth)
			if err != nil {
				return nil, err
			}
			i += j + 1
		case bcCR:
			if attr {
				dst = append(dst, ' ')
			} else {
				dst = append(dst, '\n')
			}
			i++
			if i < len(raw) && raw[i] == '\n' {
				i++
			}
		case bcWS:
			if attr {
				c = ' '
			}
			dst = append(dst, c)
			i++
		case bcLT:
			if attr {
				return nil, x.errAt(off, nil, "'<' is not allowed in an attribute value")
			}
			if depth > 0 {
				return nil, x.errAt(off, nil, "entities that hold markup are not supported")
			}
			dst = append(dst, c)
			i++
		case bcCtl:
			return nil, x.errAt(off, nil, "character %U is not allowed in XML", c)
		default:
			j := i + 1
			for j < len(raw) && (byteClass[raw[j]] == bcPlain || byteClass[raw[j]] == bcHigh) {
				j++
			}
			dst = append(dst, raw[i:j]...)
			i = j
		}
		if len(dst) > x.maxTerm {
			return nil, x.errAt(off, ErrTermTooLarge, "text longer than %d bytes", x.maxTerm)
		}
	}
	return dst, nil
}

// reference appends what &ref; stands for.
func (x *xmlReader) reference(dst, ref []byte, off int, attr bool, depth int) ([]byte, error) {
	if len(ref) > 0 && ref[0] == '#' {
		r, ok := charRef(ref[1:])
		if !ok {
			return nil, x.errAt(off, nil, "bad character reference &%s;", ref)
		}
		return utf8.AppendRune(dst, r), nil
	}
	switch string(ref) {
	case "lt":
		return append(dst, '<'), nil
	case "gt":
		return append(dst, '>'), nil
	case "amp":
		return append(dst, '&'), nil
	case "apos":
		return append(dst, '\''), nil
	case "quot":
		return append(dst, '"'), nil
	}
	if nameLen(ref) != len(ref) || len(ref) == 0 {
		return nil, x.errAt(off, nil, "bad entity reference &%s;", ref)
	}
	e := x.entities[string(ref)]
	switch {
	case e == nil:
		return nil, x.errAt(off, nil, "undefined entity &%s;", ref)
	case e.external:
		return nil, x.errAt(off, nil, "external entity &%s; is not read", ref)
	case e.busy:
		return nil, x.errAt(off, nil, "entity &%s; refers to itself", ref)
	case depth >= xmlEntityDepth:
		return nil, x.errAt(off, ErrTooDeep, "entities nested deeper than %d", xmlEntityDepth)
	}
	if size, err := x.entitySize(e, 0, off); err != nil {
		return nil, err
	} else if int64(len(dst))+size > int64(x.maxTerm) {
		return nil, x.errAt(off, ErrTermTooLarge, "text longer than %d bytes (entity &%s; expands to %d bytes or more)", x.maxTerm, ref, size)
	}
	e.busy = true
	n := len(dst)
	dst, err := x.expand(dst, e.value, off, attr, false, depth+1)
	e.busy = false
	if err != nil {
		return nil, err
	}
	if depth > 0 {
		return dst, nil
	}
	x.expanded += int64(len(dst) - n)
	if x.expanded > 4*int64(x.maxTerm)+8*x.read {
		return nil, x.errAt(off, ErrTermTooLarge, "entity expansion exceeds its limit")
	}
	return dst, nil
}

// entitySize returns how many bytes e expands to, at most a little past
// MaxTermBytes, without expanding it: a billion laughs fails at once.
func (x *xmlReader) entitySize(e *xmlEntity, depth int, off int) (int64, error) {
	if e.size >= 0 {
		return e.size, nil
	}
	if e.busy {
		return 0, nil // expand reports the loop
	}
	if depth >= xmlEntityDepth {
		return 0, x.errAt(off, ErrTooDeep, "entities nested deeper than %d", xmlEntityDepth)
	}
	e.busy = true
	defer func() { e.busy = false }()
	limit := int64(x.maxTerm) + 1
	var n int64
	v := e.value
	for len(v) > 0 && n < limit {
		i := bytes.IndexByte(v, '&')
		if i < 0 {
			n += int64(len(v))
			break
		}
		n += int64(i)
		j := bytes.IndexByte(v[i:], ';')
		if j < 0 {
			n += int64(len(v) - i)
			break
		}
		ref := v[i+1 : i+j]
		switch {
		case len(ref) > 0 && ref[0] == '#':
			r, _ := charRef(ref[1:])
			n += int64(utf8.RuneLen(max(r, 0)))
		case string(ref) == "lt", string(ref) == "gt", string(ref) == "amp", string(ref) == "apos", string(ref) == "quot":
			n++
		default:
			if inner := x.entities[string(ref)]; inner != nil && !inner.external {
				m, err := x.entitySize(inner, depth+1, off)
				if err != nil {
					return 0, err
				}
				n += m
			}
		}
		v = v[i+j+1:]
	}
	e.size = min(n, limit)
	return e.size, nil
}

func charRef(s []byte) (rune, bool) {
	var v uint64
	var err error
	if len(s) > 0 && s[0] == 'x' {
		v, err = strconv.ParseUint(string(s[1:]), 16, 32)
	} else {
		v, err = strconv.ParseUint(string(s), 10, 32)
	}
	if err != nil || len(s) == 0 || s[0] == '+' || s[0] == '-' {
		return 0, false
	}
	r := rune(v)
	ok := r == 0x9 || r == 0xA || r == 0xD || (r >= 0x20 && r <= 0xD7FF) ||
		(r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
	return r, ok
}

// scanDoctype reads a document type declaration and the general entities its
// internal subset declares. Nothing external is read.
func (x *xmlReader) scanDoctype() error {
	b := x.buf[x.pos:x.end]
	end := doctypeEnd(b)
	if end < 0 {
		return errNeedMore
	}
	if x.sawDoctype || x.rootOpened {
		return x.errAt(x.pos, nil, "DOCTYPE not allowed here")
	}
	x.sawDoctype = true
	d := b[:end]
	off := x.pos
	i := len("<!DOCTYPE")
	i = skipSpace(d, i)
	n := nameLen(d[i:])
	if n == 0 {
		return x.errAt(off+i, nil, "DOCTYPE without a name")
	}
	i = skipSpace(d, i+n)
	// An external DTD is named but never read.
	if hasWord(d[i:], "SYSTEM") || hasWord(d[i:], "PUBLIC") {
		lits := 1
		if hasWord(d[i:], "PUBLIC") {
			lits = 2
		}
		i = skipSpace(d, i+6)
		for ; lits > 0; lits-- {
			_, j, ok := quoted(d, i)
			if !ok {
				return x.errAt(off+i, nil, "bad external identifier in DOCTYPE")
			}
			i = skipSpace(d, j)
		}
	}
	if i < len(d) && d[i] == '[' {
		var err error
		if i, err = x.internalSubset(d, i+1, off); err != nil {
			return err
		}
		i = skipSpace(d, i)
	}
	if i != len(d)-1 || d[i] != '>' {
		return x.errAt(off+i, nil, "bad DOCTYPE declaration")
	}
	x.pos += end
	return nil
}

// doctypeEnd returns the length of the DOCTYPE declaration at the start of b,
// or -1 if b does not hold all of it.
func doctypeEnd(b []byte) int {
	var q byte
	bracket := false
	for i := len("<!DOCTYPE"); i < len(b); i++ {
		c := b[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case bracket && c == '<' && bytes.HasPrefix(b[i:], []byte("<!--")):
			j := bytes.Index(b[i+4:], []byte("-->"))
			if j < 0 {
				return -1
			}
			i += 4 + j + 2
		case bracket && c == '<' && bytes.HasPrefix(b[i:], []byte("<?")):
			j := bytes.Index(b[i+2:], []byte("?>"))
			if j < 0 {
				return -1
			}
			i += 2 + j + 1
		case c == '[':
			bracket = true
		case c == ']':
			bracket = false
		case c == '>' && !bracket:
			return i + 1
		}
	}
	return -1
}

// internalSubset reads markup declarations up to ']' and returns the offset after it.
func (x *xmlReader) internalSubset(d []byte, i, off int) (int, error) {
	for {
		i = skipSpace(d, i)
		if i >= len(d) {
			return i, x.errAt(off+i, nil, "unterminated DOCTYPE internal subset")
		}
		switch {
		case d[i] == ']':
			return i + 1, nil
		case bytes.HasPrefix(d[i:], []byte("<!--")):
			j := bytes.Index(d[i+4:], []byte("-->"))
			if j < 0 {
				return i, x.errAt(off+i, nil, "unterminated comment in DOCTYPE")
			}
			i += 4 + j + 3
		case bytes.HasPrefix(d[i:], []byte("<?")):
			j := bytes.Index(d[i+2:], []byte("?>"))
			if j < 0 {
				return i, x.errAt(off+i, nil, "unterminated processing instruction in DOCTYPE")
			}
			i += 2 + j + 2
		case bytes.HasPrefix(d[i:], []byte("<!ENTITY")):
			var err error
			if i, err = x.entityDecl(d, i, off); err != nil {
				return i, err
			}
		case bytes.HasPrefix(d[i:], []byte("<!ELEMENT")), bytes.HasPrefix(d[i:], []byte("<!ATTLIST")),
			bytes.HasPrefix(d[i:], []byte("<!NOTATION")):
			// Not needed to read RDF: skipped, quoted strings and all.
			j := i + 2
			for j < len(d) && d[j] != '>' {
				if d[j] == '"' || d[j] == '\'' {
					_, k, ok := quoted(d, j)
					if !ok {
						return j, x.errAt(off+j, nil, "unterminated literal in DOCTYPE")
					}
					j = k
					continue
				}
				j++
			}
			i = j + 1
		case d[i] == '%':
			return i, x.errAt(off+i, nil, "parameter entity references are not supported")
		default:
			return i, x.errAt(off+i, nil, "bad declaration in DOCTYPE")
		}
	}
}

// entityDecl reads <!ENTITY ...>. General internal entities are kept;
// external ones are remembered only so that a reference to one can be refused.
func (x *xmlReader) entityDecl(d []byte, i, off int) (int, error) {
	start := i
	i = skipSpace(d, i+len("<!ENTITY"))
	param := false
	if i < len(d) && d[i] == '%' {
		param = true
		i = skipSpace(d, i+1)
	}
	n := nameLen(d[i:])
	if n == 0 {
		return i, x.errAt(off+i, nil, "ENTITY declaration without a name")
	}
	name := string(d[i : i+n])
	i = skipSpace(d, i+n)
	e := &xmlEntity{size: -1}
	switch {
	case hasWord(d[i:], "SYSTEM"), hasWord(d[i:], "PUBLIC"):
		e.external = true
		lits := 1
		if hasWord(d[i:], "PUBLIC") {
			lits = 2
		}
		i = skipSpace(d, i+6)
		for ; lits > 0; lits-- {
			_, j, ok := quoted(d, i)
			if !ok {
				return i, x.errAt(off+i, nil, "bad external identifier in ENTITY %s", name)
			}
			i = skipSpace(d, j)
		}
		if hasWord(d[i:], "NDATA") {
			i = skipSpace(d, i+5)
			i += nameLen(d[i:])
		}
	default:
		v, j, ok := quoted(d, i)
		if !ok {
			return i, x.errAt(off+i, nil, "bad value in ENTITY %s", name)
		}
		if bytes.IndexByte(v, '%') >= 0 {
			return i, x.errAt(off+i, nil, "parameter entity references are not supported")
		}
		// Character references are replaced now, entity references when used.
		val, err := x.entityValue(v, off+i)
		if err != nil {
			return i, err
		}
		e.value = val
		i = j
	}
	i = skipSpace(d, i)
	if i >= len(d) || d[i] != '>' {
		return i, x.errAt(off+start, nil, "bad ENTITY declaration %s", name)
	}
	if !param {
		if x.entities == nil {
			x.entities = make(map[string]*xmlEntity)
		}
		if _, dup := x.entities[name]; !dup { // the first declaration binds
			x.entities[name] = e
		}
	}
	return i + 1, nil
}

func (x *xmlReader) entityValue(v []byte, off int) ([]byte, error) {
	if err := x.checkChars(v, off); err != nil {
		return nil, err
	}
	var out []byte
	for i := 0; i < len(v); {
		if v[i] == '&' && i+1 < len(v) && v[i+1] == '#' {
			j := bytes.IndexByte(v[i:], ';')
			if j < 0 {
				return nil, x.errAt(off, nil, "bad character reference in ENTITY value")
			}
			r, ok := charRef(v[i+2 : i+j])
			if !ok {
				return nil, x.errAt(off, nil, "bad character reference &%s;", v[i+1:i+j])
			}
			out = utf8.AppendRune(out, r)
			i += j + 1
			continue
		}
		out = append(out, v[i])
		i++
	}
	return out, nil
}

func quoted(d []byte, i int) (val []byte, next int, ok bool) {
	if i >= len(d) || (d[i] != '"' && d[i] != '\'') {
		return nil, i, false
	}
	j := bytes.IndexByte(d[i+1:], d[i])
	if j < 0 {
		return nil, i, false
	}
	return d[i+1 : i+1+j], i + j + 2, true
}

func hasWord(b []byte, w string) bool {
	return len(b) > len(w) && string(b[:len(w)]) == w && isSpaceByte(b[len(w)])
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpaceByte(b[i]) {
		i++
	}
	return i
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// isXMLSpace reports whether b is only XML white space.
func isXMLSpace(b []byte) bool {
	for _, c := range b {
		if !isSpaceByte(c) {
			return false
		}
	}
	return true
}

// nameStartByte and nameByte classify ASCII for XML names; a byte >= 0x80 is
// taken as part of a name and the name is checked as UTF-8 where it matters.
var nameByte = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = 2
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = 2
	}
	t['_'], t[':'] = 2, 2
	for c := '0'; c <= '9'; c++ {
		t[c] = 1
	}
	t['-'], t['.'] = 1, 1
	for c := 0x80; c < 0x100; c++ {
		t[c] = 2
	}
	return t
}()

// nameLen returns the length of the XML name at the start of b, 0 if none.
func nameLen(b []byte) int {
	if len(b) == 0 || nameByte[b[0]] != 2 {
		return 0
	}
	if b[0] >= 0x80 {
		r, _ := utf8.DecodeRune(b)
		if !isNameStartRune(r) {
			return 0
		}
	}
	i := 1
	for i < len(b) && nameByte[b[i]] != 0 {
		if b[i] >= 0x80 {
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError || !isNameRune(r) {
				break
			}
			i += n
			continue
		}
		i++
	}
	return i
}

func isNameStartRune(r rune) bool {
	return r < 0x80 && nameByte[r] == 2 || r >= 0x80 && r != utf8.RuneError && (unicode.IsLetter(r) || unicode.Is(unicode.Nl, r) ||
		r >= 0xC0 && r <= 0x2FF && r != 0xD7 && r != 0xF7 || r >= 0x370 && r <= 0x1FFF && r != 0x37E ||
		r >= 0x200C && r <= 0x200D || r >= 0x2070 && r <= 0x218F || r >= 0x2C00 && r <= 0x2FEF ||
		r >= 0x3001 && r <= 0xD7FF || r >= 0xF900 && r <= 0xFDCF || r >= 0xFDF0 && r <= 0xFFFD || r >= 0x10000 && r <= 0xEFFFF)
}

func isNameRune(r rune) bool {
	return r < 0x80 && nameByte[r] != 0 || r >= 0x80 && (isNameStartRune(r) || r == 0xB7 ||
		r >= 0x300 && r <= 0x36F || r == 0x203F || r == 0x2040 || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) ||
		unicode.IsDigit(r))
}

// isNCName reports whether s is an XML name without a colon.
func isNCName(b []byte) bool {
	return len(b) > 0 && nameLen(b) == len(b) && bytes.IndexByte(b, ':') < 0
}
