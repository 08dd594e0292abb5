package rdf

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"io"
	"unicode/utf8"
)

// readBufSize is the size of a lexer's read buffer. It grows only when one
// token does not fit, up to about twice Limits.MaxTermBytes.
const readBufSize = 64 << 10

// lexer is the byte level of the Turtle and N-Triples decoders: a refillable
// buffer over the reader, line and column bookkeeping, and the scanners for the
// terminals the two syntaxes share (IRIREF, strings, blank node labels,
// language tags).
//
// Positions are indexes into buf. A refill drops the bytes before mark, the
// start of the token being read, and shifts the rest to the front; every index
// a scanner holds across a refill is taken back from l.p afterwards.
type lexer struct {
	r    io.Reader
	syn  Syntax
	buf  []byte
	p    int // next byte to read
	n    int // end of the bytes in buf
	mark int // start of the token being read; mark <= p
	eof  bool
	rerr error // the reader's error, other than io.EOF
	big  bool  // a token outgrew Limits.MaxTermBytes
	huge bool  // the document outgrew Limits.MaxBytes

	read     int64 // bytes read so far
	maxBytes int64 // Limits.MaxBytes; 0: no bound

	line      int // current line, 1-based
	lineStart int // index in buf of the current line's first byte; negative once dropped
	lineRunes int // characters of the current line dropped from buf
	inComment bool

	maxTerm int
	scratch []byte // escapes decoded
	litKey  []byte // the cache key of the literal being read
	cache   termCache
	langs   []string // language tags seen, so that each is allocated once
}

func (l *lexer) init(r io.Reader, syn Syntax, lim Limits) {
	l.r = r
	l.syn = syn
	l.buf = make([]byte, readBufSize)
	l.line = 1
	l.maxTerm = lim.maxTermBytes()
	l.maxBytes = lim.MaxBytes
}

// fill reads more input into buf, dropping the bytes before mark. It reports
// whether it added any; when it did not, the input has ended: cleanly, or cut
// short (see cut).
func (l *lexer) fill() bool {
	if l.eof {
		return false
	}
	if k := l.mark; k > 0 {
		if l.lineStart < k {
			l.lineRunes += countChars(l.buf[max(l.lineStart, 0):k])
		}
		l.n = copy(l.buf, l.buf[k:l.n])
		l.p -= k
		l.mark = 0
		l.lineStart -= k
	}
	if l.n == len(l.buf) {
		// One token fills the whole buffer.
		if l.n > l.maxTerm {
			l.big = true
			l.eof = true
			return false
		}
		nb := make([]byte, 2*len(l.buf))
		copy(nb, l.buf[:l.n])
		l.buf = nb
	}
	for tries := 0; tries < 100; tries++ {
		m, err := l.r.Read(l.buf[l.n:])
		if m < 0 || m > len(l.buf)-l.n {
			m, err = 0, fmt.Errorf("reader returned %d bytes for a %d-byte buffer", m, len(l.buf)-l.n)
		}
		l.read += int64(m)
		if l.maxBytes > 0 && l.read > l.maxBytes {
			// Keep what fits, so that the error points at the first byte too many.
			m -= int(l.read - l.maxBytes)
			l.n += m
			l.huge = true
			l.eof = true
			return m > 0
		}
		l.n += m
		if err != nil {
			l.eof = true
			if err != io.EOF {
				l.rerr = err
			}
			return m > 0
		}
		if m > 0 {
			return true
		}
	}
	l.eof = true
	l.rerr = io.ErrNoProgress
	return false
}

// avail makes buf[i:i+k] readable if the input holds that many bytes. It
// returns i as it is after any refill, and whether the bytes are there.
func (l *lexer) avail(i, k int) (int, bool) {
	for l.n-i < k {
		l.p = i
		if !l.fill() {
			return l.p, false
		}
		i = l.p
	}
	return i, true
}

// column returns the 1-based column, in characters, of buf[i] on the current line.
func (l *lexer) column(i int) int {
	from := max(l.lineStart, 0)
	if i < from {
		i = from
	}
	if i > l.n {
		i = l.n
	}
	return l.lineRunes + countChars(l.buf[from:i]) + 1
}

// countChars counts the UTF-8 characters in b by their first bytes, so that
// counting the two halves of a split character gives the count of the whole.
func countChars(b []byte) int {
	n := len(b)
	for _, c := range b {
		if c&0xC0 == 0x80 {
			n--
		}
	}
	return n
}

// errAt returns a syntax error at buf[i].
func (l *lexer) errAt(i int, format string, args ...any) *Error {
	return &Error{Syntax: l.syn, Line: l.line, Column: l.column(i), Msg: fmt.Sprintf(format, args...)}
}

// cut reports whether the input was cut short: by a read error or a limit.
func (l *lexer) cut() bool { return l.rerr != nil || l.big || l.huge }

// inputErr returns the error that cut the input short, placed at buf[i], or
// nil when the input ended cleanly.
func (l *lexer) inputErr(i int) *Error {
	switch {
	case l.huge:
		e := l.errAt(i, "document longer than %d bytes", l.maxBytes)
		e.Err = ErrTooLarge
		return e
	case l.big:
		return l.tooLarge(l.mark)
	case l.rerr != nil:
		e := l.errAt(i, "read: %v", l.rerr)
		e.Err = l.rerr
		return e
	}
	return nil
}

// endErr is the error for input that ended at buf[i] where what was expected:
// the error that cut the input short, or a syntax error.
func (l *lexer) endErr(i int, what string) *Error {
	if e := l.inputErr(i); e != nil {
		return e
	}
	return l.errAt(i, "expected %s, found end of input", what)
}

// atEnd returns nil for a clean end of input, or the error that cut it short.
func (l *lexer) atEnd() error {
	if e := l.inputErr(l.p); e != nil {
		return e
	}
	return nil
}

func (l *lexer) tooLarge(i int) *Error {
	e := l.errAt(i, "term longer than %d bytes", l.maxTerm)
	e.Err = ErrTermTooLarge
	return e
}

// found describes what is at buf[i], for "expected X, found Y" messages;
// end reports that the input ends before buf[i].
func (l *lexer) found(i int) (desc string, end bool) {
	i, ok := l.avail(i, 1)
	if !ok {
		return "end of input", true
	}
	c := l.buf[i]
	switch {
	case c == '\n' || c == '\r':
		return "end of line", false
	case c < utf8.RuneSelf:
		return fmt.Sprintf("%q", rune(c)), false
	}
	for !utf8.FullRune(l.buf[i:l.n]) {
		var ok bool
		if i, ok = l.avail(i, l.n-i+1); !ok {
			break
		}
	}
	r, _ := utf8.DecodeRune(l.buf[i:l.n])
	if r == utf8.RuneError {
		return "a byte that is not UTF-8", false
	}
	return fmt.Sprintf("%q", r), false
}

// expected returns the error "expected what, found ..." at buf[i].
func (l *lexer) expected(i int, what string) error {
	return l.errFound(i, i, "expected "+what+", found %s")
}

// errFound returns a syntax error at buf[i] whose message is format with
// what is at buf[j] in place of its one %s; or, when the input was cut short
// before buf[j], the error that cut it.
func (l *lexer) errFound(i, j int, format string) *Error {
	rel := i - l.mark // looking may refill, which moves the bytes
	f, end := l.found(j)
	i = l.mark + rel
	if end {
		if e := l.inputErr(i); e != nil {
			return e
		}
	}
	return l.errAt(i, format, f)
}

// decodeRune decodes the character at buf[i], reading more input if it
// straddles the end of buf. It returns i after any refill; size 0 means the
// bytes there are not UTF-8 (or the input ended inside the character).
func (l *lexer) decodeRune(i int) (r rune, size, ni int) {
	for !utf8.FullRune(l.buf[i:l.n]) {
		var ok bool
		if i, ok = l.avail(i, l.n-i+1); !ok {
			break
		}
	}
	r, size = utf8.DecodeRune(l.buf[i:l.n])
	if r == utf8.RuneError && size <= 1 {
		return r, 0, i
	}
	return r, size, i
}

// newline records that buf[i] is a line feed.
func (l *lexer) newline(i int) {
	l.line++
	l.lineStart = i + 1
	l.lineRunes = 0
}

// skipBOM drops a UTF-8 byte order mark at the start of the input.
func (l *lexer) skipBOM() {
	if i, ok := l.avail(l.p, 3); ok && l.buf[i] == 0xEF && l.buf[i+1] == 0xBB && l.buf[i+2] == 0xBF {
		l.p = i + 3
		l.mark = l.p
		l.lineStart = l.p
	}
}

// skipSpace skips white space and comments, across lines, and returns the next
// byte; ok is false at the end of the input. It leaves mark at l.p.
func (l *lexer) skipSpace() (c byte, ok bool) {
	for {
		i := l.p
		buf := l.buf[:l.n]
		if l.inComment {
			j := bytes.IndexByte(buf[i:], '\n')
			if j < 0 {
				l.p, l.mark = len(buf), len(buf)
				if !l.fill() {
					return 0, false
				}
				continue
			}
			i += j
			l.inComment = false
		}
		for i < len(buf) {
			switch c := buf[i]; c {
			case ' ', '\t', '\r':
				i++
			case '\n':
				l.newline(i)
				i++
			case '#':
				j := bytes.IndexByte(buf[i:], '\n')
				if j < 0 {
					l.inComment = true
					i = len(buf)
				} else {
					i += j
				}
			default:
				l.p, l.mark = i, i
				return c, true
			}
		}
		l.p, l.mark = i, i
		if !l.fill() {
			return 0, false
		}
	}
}

// Character classes of ASCII bytes.
const (
	cIRI    = 1 << iota // may stand unescaped in an IRIREF
	cStr                // may stand unescaped in a short string: not a quote, \, CR, LF
	cLong               // may stand unescaped in a long string: not a quote, \, LF
	cName               // PN_CHARS: letters, digits, _ and -
	cHex                // hexadecimal digit
	cLocEsc             // may follow \ in a local name
)

var charClass = func() (t [256]uint8) {
	for c := 0; c < utf8.RuneSelf; c++ {
		b := byte(c)
		if c > 0x20 && bytes.IndexByte([]byte("<>\"{}|^`\\"), b) < 0 {
			t[c] |= cIRI
		}
		if b != '"' && b != '\'' && b != '\\' && b != '\n' && b != '\r' {
			t[c] |= cStr
		}
		if b != '"' && b != '\'' && b != '\\' && b != '\n' {
			t[c] |= cLong
		}
		if isAlpha(b) || isDigit(b) || b == '_' || b == '-' {
			t[c] |= cName
		}
		if isDigit(b) || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F' {
			t[c] |= cHex
		}
		if bytes.IndexByte([]byte("_~.-!$&'()*+,;=/?#@%"), b) >= 0 {
			t[c] |= cLocEsc
		}
	}
	return t
}()

func hexVal(c byte) rune {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0')
	case c >= 'a' && c <= 'f':
		return rune(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return rune(c-'A') + 10
	}
	return -1
}

// isPNCharsBase reports whether r is PN_CHARS_BASE.
func isPNCharsBase(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return isAlpha(byte(r))
	case r >= 0xC0 && r <= 0xD6, r >= 0xD8 && r <= 0xF6, r >= 0xF8 && r <= 0x2FF,
		r >= 0x370 && r <= 0x37D, r >= 0x37F && r <= 0x1FFF, r >= 0x200C && r <= 0x200D,
		r >= 0x2070 && r <= 0x218F, r >= 0x2C00 && r <= 0x2FEF, r >= 0x3001 && r <= 0xD7FF,
		r >= 0xF900 && r <= 0xFDCF, r >= 0xFDF0 && r <= 0xFFFD, r >= 0x10000 && r <= 0xEFFFF:
		return true
	}
	return false
}

// isPNChars reports whether r is PN_CHARS.
func isPNChars(r rune) bool {
	if r < utf8.RuneSelf {
		return charClass[r]&cName != 0
	}
	return isPNCharsBase(r) || r == 0xB7 || r >= 0x300 && r <= 0x36F || r >= 0x203F && r <= 0x2040
}

// readUCHAR checks the \u or \U escape at buf[i] (the backslash) and returns
// the character it stands for and its length in bytes.
func (l *lexer) readUCHAR(i int) (r rune, size, ni int, err error) {
	n := 6
	if l.buf[i+1] == 'U' {
		n = 10
	}
	i, ok := l.avail(i, n)
	if !ok {
		// Report the first byte that is missing or not hexadecimal.
		for j := i + 2; j < l.n; j++ {
			if charClass[l.buf[j]]&cHex == 0 {
				return 0, 0, i, l.errAt(i, "bad escape: \\%c needs %d hexadecimal digits", l.buf[i+1], n-2)
			}
		}
		return 0, 0, i, l.endErr(l.n, "hexadecimal digits")
	}
	for j := i + 2; j < i+n; j++ {
		v := hexVal(l.buf[j])
		if v < 0 {
			return 0, 0, i, l.errAt(i, "bad escape: \\%c needs %d hexadecimal digits", l.buf[i+1], n-2)
		}
		r = r<<4 | v
	}
	if r > utf8.MaxRune || r >= 0xD800 && r <= 0xDFFF {
		return 0, 0, i, l.errAt(i, "bad escape: U+%04X is not a character", r)
	}
	return r, n, i, nil
}

// readIRIRef reads an IRIREF; buf[l.p] is '<'. It returns the IRI between the
// brackets with escapes decoded (in buf or in scratch, valid until the next
// read), and whether there were escapes. l.p ends after the '>'.
func (l *lexer) readIRIRef() (iri []byte, escaped bool, err error) {
	l.mark = l.p
	i := l.p + 1
	for {
		buf := l.buf[:l.n]
		i = scanIRI(buf, i)
		if i == len(buf) {
			l.p = i
			if !l.fill() {
				return nil, false, l.endErr(l.p, "'>' to end the IRI")
			}
			i = l.p
			continue
		}
		switch c := buf[i]; {
		case c == '>':
			start := l.mark + 1
			l.p = i + 1
			if i-start > l.maxTerm {
				return nil, false, l.tooLarge(l.mark)
			}
			if !escaped {
				return l.buf[start:i], false, nil
			}
			return l.unescapeIRI(l.buf[start:i]), true, nil
		case c == '\\':
			var ok bool
			if i, ok = l.avail(i, 2); !ok {
				return nil, false, l.endErr(l.n, "an escape after '\\'")
			}
			if b := l.buf[i+1]; b != 'u' && b != 'U' {
				return nil, false, l.errAt(i, "bad escape in IRI: only \\u and \\U may stand there")
			}
			r, size, ni, err := l.readUCHAR(i)
			if err != nil {
				return nil, false, err
			}
			i = ni
			if r <= 0x20 || r < utf8.RuneSelf && charClass[r]&cIRI == 0 {
				return nil, false, l.errAt(i, "bad escape in IRI: %U may not stand in an IRI", r)
			}
			i += size
			escaped = true
		case c >= utf8.RuneSelf:
			_, size, ni := l.decodeRune(i)
			i = ni
			if size == 0 {
				return nil, false, l.errAt(i, "invalid UTF-8 in IRI")
			}
			i += size
		default:
			return nil, false, l.errFound(i, i, "expected '>' to end the IRI, found %s")
		}
	}
}

// scanIRI returns the index of the first byte from buf[i] on that may not
// stand unescaped in an IRIREF, or len(buf). It looks at four bytes a turn.
func scanIRI(buf []byte, i int) int {
	for ; i+4 <= len(buf); i += 4 {
		b := buf[i : i+4 : i+4]
		if charClass[b[0]]&charClass[b[1]]&charClass[b[2]]&charClass[b[3]]&cIRI == 0 {
			break
		}
	}
	for i < len(buf) && charClass[buf[i]]&cIRI != 0 {
		i++
	}
	return i
}

// unescapeIRI decodes the UCHARs of a checked IRIREF into scratch.
func (l *lexer) unescapeIRI(s []byte) []byte {
	out := l.scratch[:0]
	for i := 0; i < len(s); {
		if s[i] != '\\' {
			j := bytes.IndexByte(s[i:], '\\')
			if j < 0 {
				j = len(s) - i
			}
			out = append(out, s[i:i+j]...)
			i += j
			continue
		}
		r, n := decodeUCHAR(s[i:])
		out = utf8.AppendRune(out, r)
		i += n
	}
	l.scratch = out
	return out
}

// decodeUCHAR decodes a checked \u or \U escape at the start of s.
func decodeUCHAR(s []byte) (rune, int) {
	n := 6
	if s[1] == 'U' {
		n = 10
	}
	var r rune
	for _, c := range s[2:n] {
		r = r<<4 | hexVal(c)
	}
	return r, n
}

// readString reads a string literal; buf[l.p] is its opening quote. Long
// strings ("""...""" and ”'...”') are read only when long is true. It
// returns the lexical form with escapes decoded (in buf or in scratch, valid
// until the next read). l.p ends after the closing quote.
func (l *lexer) readString(long bool) ([]byte, error) {
	l.mark = l.p
	q := l.buf[l.p]
	open := 1
	if long {
		if i, ok := l.avail(l.p, 3); ok && l.buf[i+1] == q && l.buf[i+2] == q {
			open = 3
		}
	}
	i := l.p + open
	class := uint8(cStr)
	if open == 3 {
		class = cLong
	}
	escaped := false
	for {
		buf := l.buf[:l.n]
		for i < len(buf) && charClass[buf[i]]&class != 0 {
			i++
		}
		if i == len(buf) {
			l.p = i
			if !l.fill() {
				return nil, l.endErr(l.p, "the closing quote of the string")
			}
			i = l.p
			continue
		}
		switch c := buf[i]; {
		case c == q:
			if open == 3 {
				var ok bool
				if i, ok = l.avail(i, 3); !ok || l.buf[i+1] != q || l.buf[i+2] != q {
					i++
					continue
				}
			}
			start := l.mark + open
			l.p = i + open
			if i-start > l.maxTerm {
				return nil, l.tooLarge(l.mark)
			}
			if !escaped {
				return l.buf[start:i], nil
			}
			return l.unescapeString(l.buf[start:i]), nil
		case c == '"' || c == '\'':
			i++ // the other quote
		case c == '\\':
			var ok bool
			if i, ok = l.avail(i, 2); !ok {
				return nil, l.endErr(l.n, "an escape after '\\'")
			}
			switch l.buf[i+1] {
			case 't', 'b', 'n', 'r', 'f', '"', '\'', '\\':
				i += 2
			case 'u', 'U':
				_, size, ni, err := l.readUCHAR(i)
				if err != nil {
					return nil, err
				}
				i = ni + size
			default:
				return nil, l.errFound(i, i+1, "bad escape in string: '\\' followed by %s")
			}
			escaped = true
		case c == '\n':
			if open == 1 {
				return nil, l.errAt(i, "expected the closing quote of the string, found end of line")
			}
			l.newline(i)
			i++
		case c == '\r':
			return nil, l.errAt(i, "expected the closing quote of the string, found end of line")
		default: // c >= utf8.RuneSelf
			_, size, ni := l.decodeRune(i)
			i = ni
			if size == 0 {
				return nil, l.errAt(i, "invalid UTF-8 in string")
			}
			i += size
		}
	}
}

// unescapeString decodes the ECHARs and UCHARs of a checked string into scratch.
func (l *lexer) unescapeString(s []byte) []byte {
	out := l.scratch[:0]
	for i := 0; i < len(s); {
		if s[i] != '\\' {
			j := bytes.IndexByte(s[i:], '\\')
			if j < 0 {
				j = len(s) - i
			}
			out = append(out, s[i:i+j]...)
			i += j
			continue
		}
		switch s[i+1] {
		case 't':
			out = append(out, '\t')
		case 'b':
			out = append(out, '\b')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 'f':
			out = append(out, '\f')
		case 'u', 'U':
			r, n := decodeUCHAR(s[i:])
			out = utf8.AppendRune(out, r)
			i += n
			continue
		default: // " ' \
			out = append(out, s[i+1])
		}
		i += 2
	}
	l.scratch = out
	return out
}

// scanName advances from buf[i] over PN_CHARS and '.', and when local is set
// also over ':' and PLX escapes (%XX, \c). It returns the index after the
// last name character, with trailing unescaped dots left out (they end a
// statement), and whether there were \ escapes.
func (l *lexer) scanName(i int, local bool) (end int, escaped bool, err error) {
	for {
		buf := l.buf[:l.n]
		for i < len(buf) && (charClass[buf[i]]&cName != 0 || buf[i] == '.') {
			i++
		}
		if i == len(buf) {
			l.p = i
			ok := l.fill()
			i = l.p // a refill moves the bytes, even one that adds none
			if !ok {
				if l.cut() {
					return 0, false, l.inputErr(i)
				}
				break
			}
			continue
		}
		c := buf[i]
		if c >= utf8.RuneSelf {
			r, size, ni := l.decodeRune(i)
			i = ni
			if size == 0 || !isPNChars(r) {
				break
			}
			i += size
			continue
		}
		if !local {
			break
		}
		if c == ':' {
			i++
			continue
		}
		if c == '%' {
			var ok bool
			i, ok = l.avail(i, 3)
			if !ok && l.cut() {
				return 0, false, l.inputErr(i)
			}
			if !ok || charClass[l.buf[i+1]]&cHex == 0 || charClass[l.buf[i+2]]&cHex == 0 {
				return 0, false, l.errAt(i, "bad escape in name: '%%' needs two hexadecimal digits")
			}
			i += 3
			continue
		}
		if c == '\\' {
			var ok bool
			i, ok = l.avail(i, 2)
			if !ok || charClass[l.buf[i+1]]&cLocEsc == 0 {
				return 0, false, l.errFound(i, i+1, "bad escape in name: '\\' followed by %s")
			}
			i += 2
			escaped = true
			continue
		}
		break
	}
	// Trailing dots end the statement, unless escaped.
	for i > l.mark && l.buf[i-1] == '.' && !(i-2 >= l.mark && l.buf[i-2] == '\\') {
		i--
	}
	if i-l.mark > l.maxTerm {
		return 0, false, l.tooLarge(l.mark)
	}
	return i, escaped, nil
}

// readBlankLabel reads a BLANK_NODE_LABEL; buf[l.p] is '_'. It returns the
// label after "_:"; l.p ends after it.
func (l *lexer) readBlankLabel() ([]byte, error) {
	l.mark = l.p
	i, ok := l.avail(l.p, 2)
	if !ok || l.buf[i+1] != ':' {
		return nil, l.expected(i+1, "':' after '_' to start a blank node label")
	}
	first := i + 2
	if first, ok = l.avail(first, 1); !ok {
		return nil, l.endErr(first, "a blank node label")
	}
	c := l.buf[first]
	if c >= utf8.RuneSelf {
		r, size, ni := l.decodeRune(first)
		first = ni
		if size == 0 || !isPNCharsBase(r) {
			return nil, l.errFound(first, first, "expected a blank node label, found %s")
		}
	} else if charClass[c]&cName == 0 || c == '-' {
		return nil, l.errFound(first, first, "expected a blank node label, found %s")
	}
	end, _, err := l.scanName(first, false)
	if err != nil {
		return nil, err
	}
	l.p = end
	return l.buf[l.mark+2 : end], nil
}

// readLangTag reads a LANGTAG; buf[l.p] is '@'. It returns the tag, the same
// string for the same tag throughout the document.
func (l *lexer) readLangTag() (string, error) {
	l.mark = l.p
	i := l.p + 1
	for {
		buf := l.buf[:l.n]
		for i < len(buf) && (isAlpha(buf[i]) || isDigit(buf[i]) || buf[i] == '-') {
			i++
		}
		if i < len(buf) {
			break
		}
		l.p = i
		ok := l.fill()
		i = l.p
		if !ok {
			if l.cut() {
				return "", l.inputErr(i)
			}
			break
		}
	}
	tag := l.buf[l.mark+1 : i]
	if !validLangTag(string(tag)) {
		return "", l.errAt(l.mark, "bad language tag %q", tag)
	}
	if len(tag) > l.maxTerm {
		return "", l.tooLarge(l.mark)
	}
	l.p = i
	for _, s := range l.langs {
		if s == string(tag) {
			return s, nil
		}
	}
	s := string(tag)
	if len(l.langs) < 64 && len(s) <= 64 {
		l.langs = append(l.langs, s)
	}
	return s, nil
}

// Kinds of terms in the term cache.
const (
	kindIRI   = iota + 1 // an IRIREF, keyed by its text between the brackets
	kindPName            // a prefixed name, keyed by its text
	kindBlank            // a blank node label, keyed by the label
	kindLit              // a short literal, keyed by litKey
)

// litCacheMax is the longest lexical form (in bytes) the term cache keeps.
const litCacheMax = 64

// literal holds a literal's lexical form while its language tag or datatype
// is read: short ones as the start of a cache key, long ones as a string.
type literal struct {
	key []byte // length byte, lexical form: when short
	lex string // when long
}

// keepLexical stashes the lexical form v, which the next read may overwrite.
func (l *lexer) keepLexical(v []byte) literal {
	if len(v) > litCacheMax {
		return literal{lex: string(v)}
	}
	k := append(l.litKey[:0], byte(len(v)))
	k = append(k, v...)
	l.litKey = k
	return literal{key: k}
}

// literalOf returns the boxed literal of lexical form lit with language tag
// lang or else datatype dt ("" for xsd:string). A short literal seen before
// costs no allocation.
func (l *lexer) literalOf(lit literal, lang, dt string) Object {
	if lit.key == nil {
		return newLiteral(lit.lex, lang, dt)
	}
	k := lit.key
	if lang != "" {
		k = append(k, '@')
		k = append(k, lang...)
	} else {
		k = append(k, '^')
		k = append(k, dt...)
	}
	l.litKey = k
	e := l.cache.slot(kindLit, k)
	if e.holds(&l.cache, kindLit, k) {
		return e.obj
	}
	ks := string(k)
	o := newLiteral(ks[1:1+int(k[0])], lang, dt)
	l.cache.put(e, kindLit, ks, o)
	return o
}

func newLiteral(lex, lang, dt string) Object {
	switch {
	case lang != "":
		return langLiteralOf(lex, lang)
	case dt == "":
		return NewStringLiteral(lex)
	}
	return NewTypedLiteral(lex, iriOf(dt))
}

// termCache remembers the boxed terms of recent tokens, so that a predicate,
// a datatype or an object that repeats costs no allocation. It is direct
// mapped: a token hashes to one slot and a newcomer evicts what was there.
// Bumping gen forgets everything, when a directive changes what tokens mean.
type termCache struct {
	seed   maphash.Seed
	slots  []cacheEntry
	gen    uint32
	misses int
	none   cacheEntry // the slot of keys too long to keep
}

type cacheEntry struct {
	key  string
	gen  uint32
	kind uint8
	obj  Object
}

const (
	cacheMinSlots = 256
	cacheMaxSlots = 4096
	cacheMaxKey   = 1024 // longer tokens are not kept: they rarely repeat, and they would pin memory
)

// slot returns the slot for key; it holds the term when its gen and key match.
func (c *termCache) slot(kind uint8, key []byte) *cacheEntry {
	if c.slots == nil {
		c.seed = maphash.MakeSeed()
		c.slots = make([]cacheEntry, cacheMinSlots)
		c.gen = 1
	}
	if len(key) > cacheMaxKey {
		return &c.none
	}
	h := maphash.Bytes(c.seed, key) + uint64(kind)
	return &c.slots[h&uint64(len(c.slots)-1)]
}

func (e *cacheEntry) holds(c *termCache, kind uint8, key []byte) bool {
	return e.gen == c.gen && e.kind == kind && e.key == string(key)
}

// put fills slot e, and grows the cache when it misses a lot.
func (c *termCache) put(e *cacheEntry, kind uint8, key string, obj Object) {
	if e == &c.none {
		return
	}
	e.key, e.gen, e.kind, e.obj = key, c.gen, kind, obj
	c.misses++
	if c.misses > 4*len(c.slots) && len(c.slots) < cacheMaxSlots {
		c.slots = make([]cacheEntry, 4*len(c.slots))
		c.misses = 0
	}
}

// forget empties the cache.
func (c *termCache) forget() {
	c.gen++
	if c.gen == 0 { // wrapped: clear for real
		clear(c.slots)
		c.gen = 1
	}
}
