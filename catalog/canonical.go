package catalog

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"sort"
	"strings"

	"samband/catalog/rdf"
)

// Bounds of a record's description.
const (
	// maxDescribeDepth bounds how far from the record links are followed:
	// record -> distribution -> checksum is 2.
	maxDescribeDepth = 8
	// maxDescribeTriples bounds the triples of one description; a record
	// that reaches more is described up to the bound, with a warning.
	maxDescribeTriples = 50_000
	// maxSigDepth bounds the nesting of blank nodes a signature looks into.
	maxSigDepth = 64
	// describeBudget bounds the triples of all descriptions of a document,
	// as a multiple of its triples: shared resources are repeated in every
	// record that reaches them, but a document that makes each of many
	// records reach a large shared node gets short descriptions, not
	// quadratic time.
	describeBudget = 32
)

// DefaultSkolemBase is the IRI prefix of blank-node records when
// MapOptions.SkolemBase is empty.
const DefaultSkolemBase = "https://samband.invalid/.well-known/genid/"

// canon writes records' descriptions as canonical N-Triples: the record's own
// triples and those of the blank nodes and the other resources described in
// the document that it reaches (not other records, not catalogues, not
// classes), every line sorted, blank nodes labelled by a signature of their
// content.
type canon struct {
	d   *Document
	x   *docIndex
	typ uint32 // rdf:type, or noTerm

	record   []uint64 // bit set of record term ids
	boundary []uint64 // records and catalogues: descriptions stop there

	skolem   map[uint32]string // blank record -> its IRI ("" when it has none)
	inSkolem bool              // computing a skolem IRI: blank records are "_:record"

	spent int // triples written in descriptions so far

	sigs  map[uint32]sigState
	mark  []uint32 // generation a term was queued in
	gen   uint32
	queue []reach
	trip  []uint32
	lines [][]byte
	buf   []byte
}

type reach struct {
	id    uint32
	depth int
}

type sigState struct {
	done bool
	sum  [16]byte
}

// cycleSig labels a blank node met again inside its own signature, or nested
// deeper than maxSigDepth.
var cycleSig = [16]byte{'c', 'y', 'c', 'l', 'e'}

func newCanon(d *Document, x *docIndex) *canon {
	n := len(d.locs)
	return &canon{
		d:        d,
		x:        x,
		typ:      d.lookup(rdfType),
		record:   make([]uint64, (n+63)/64),
		boundary: make([]uint64, (n+63)/64),
		skolem:   map[uint32]string{},
		sigs:     map[uint32]sigState{},
		mark:     make([]uint32, n),
	}
}

func setBit(b []uint64, i uint32)      { b[i/64] |= 1 << (i % 64) }
func hasBit(b []uint64, i uint32) bool { return b[i/64]&(1<<(i%64)) != 0 }

// describe returns the triples of the description of root, and whether the
// description was cut at maxDescribeTriples or at the document's budget
// (the record's own triples are never cut).
func (c *canon) describe(root uint32) ([]uint32, bool) {
	limit := min(maxDescribeTriples, describeBudget*len(c.x.order)+100_000-c.spent)
	trip, cut := c.describeUpTo(root, limit)
	c.spent += len(trip)
	return trip, cut
}

func (c *canon) describeUpTo(root uint32, limit int) ([]uint32, bool) {
	c.gen++
	if c.gen == 0 { // wrapped: start the marks afresh
		clear(c.mark)
		c.gen = 1
	}
	c.trip = c.trip[:0]
	c.queue = append(c.queue[:0], reach{root, 0})
	c.mark[root] = c.gen
	for len(c.queue) > 0 {
		n := c.queue[0]
		c.queue = c.queue[1:]
		for _, t := range c.x.out(n.id) {
			if len(c.trip) >= limit && n.depth > 0 {
				return c.trip, true
			}
			c.trip = append(c.trip, t)
			_, p, o := c.d.triple(t)
			if p == c.typ || n.depth >= maxDescribeDepth || c.mark[o] == c.gen {
				continue
			}
			switch c.d.kind(o) {
			case termIRI, termBlank:
			default:
				continue
			}
			if hasBit(c.boundary, o) || c.x.start[o] == c.x.start[o+1] {
				continue
			}
			c.mark[o] = c.gen
			c.queue = append(c.queue, reach{o, n.depth + 1})
		}
	}
	return c.trip, false
}

// canonical returns the canonical N-Triples of the given triples.
func (c *canon) canonical(triples []uint32) string {
	if len(c.sigs) > 4096 {
		c.sigs = map[uint32]sigState{}
	} else {
		clear(c.sigs)
	}
	c.buf = c.buf[:0]
	type span struct{ from, to int }
	spans := make([]span, 0, len(triples))
	for _, t := range triples {
		s, p, o := c.d.triple(t)
		from := len(c.buf)
		c.buf = c.appendTerm(c.buf, s, 0)
		c.buf = append(c.buf, ' ')
		c.buf = c.appendTerm(c.buf, p, 0)
		c.buf = append(c.buf, ' ')
		c.buf = c.appendTerm(c.buf, o, 0)
		c.buf = append(c.buf, " .\n"...)
		spans = append(spans, span{from, len(c.buf)})
	}
	line := func(s span) []byte { return c.buf[s.from:s.to] }
	sort.Slice(spans, func(i, j int) bool { return bytes.Compare(line(spans[i]), line(spans[j])) < 0 })
	var out strings.Builder
	out.Grow(len(c.buf))
	for i, s := range spans {
		if i > 0 && bytes.Equal(line(s), line(spans[i-1])) {
			continue
		}
		out.Write(line(s))
	}
	return out.String()
}

// appendTerm appends term id as N-Triples: a blank node that is a record as its
// skolem IRI, any other blank node as "_:b" and its signature.
func (c *canon) appendTerm(b []byte, id uint32, depth int) []byte {
	r := c.d.raw(id)
	switch r[0] {
	case termIRI:
		return appendIRI(b, r[1:])
	case termBlank:
		if hasBit(c.record, id) {
			if iri := c.skolem[id]; iri != "" && !c.inSkolem {
				return appendIRI(b, []byte(iri))
			}
			return append(b, "_:record"...)
		}
		sum := c.sig(id, depth)
		b = append(b, "_:b"...)
		return hex.AppendEncode(b, sum[:])
	}
	b = append(b, '"')
	b = rdf.AppendEscaped(b, c.d.text(id))
	b = append(b, '"')
	switch r[0] {
	case termLang:
		b = append(b, '@')
		b = append(b, c.d.lang(id)...)
	case termTyped:
		b = append(b, "^^"...)
		b = appendIRI(b, []byte(c.d.datatype(id)))
	}
	return b
}

// sig returns the signature of blank node id: the hash of the sorted lines of
// its own triples, its inner blank nodes written as their signatures.
func (c *canon) sig(id uint32, depth int) [16]byte {
	st, seen := c.sigs[id]
	if st.done {
		return st.sum
	}
	if seen || depth > maxSigDepth {
		return cycleSig
	}
	c.sigs[id] = sigState{}
	out := c.x.out(id)
	lines := make([][]byte, 0, len(out))
	for _, t := range out {
		_, p, o := c.d.triple(t)
		l := append([]byte(nil), "_:s "...)
		l = c.appendTerm(l, p, depth+1)
		l = append(l, ' ')
		l = c.appendTerm(l, o, depth+1)
		lines = append(lines, l)
	}
	slices.SortFunc(lines, bytes.Compare)
	h := sha256.New()
	for i, l := range lines {
		if i > 0 && bytes.Equal(l, lines[i-1]) {
			continue
		}
		h.Write(l)
		h.Write([]byte{'\n'})
	}
	var sum [16]byte
	copy(sum[:], h.Sum(nil))
	c.sigs[id] = sigState{done: true, sum: sum}
	return sum
}

// skolemIRI returns the IRI of a blank-node record: base plus a hash of the
// source and the record's dct:identifier values, or, if it has none, of its
// canonical description. It returns "" for a record with neither identifier
// nor anything but its type.
func (c *canon) skolemIRI(id uint32, base, source string, identifiers []string) string {
	var key string
	if len(identifiers) > 0 {
		ids := slices.Clone(identifiers)
		slices.Sort(ids)
		key = "identifier\x00" + strings.Join(slices.Compact(ids), "\x00")
	} else {
		content := false
		for _, t := range c.x.out(id) {
			if _, p, _ := c.d.triple(t); p != c.typ {
				content = true
				break
			}
		}
		if !content {
			return ""
		}
		c.inSkolem = true
		trip, _ := c.describe(id)
		key = "content\x00" + c.canonical(trip)
		c.inSkolem = false
	}
	if base == "" {
		base = DefaultSkolemBase
	}
	sum := sha256.Sum256([]byte(source + "\x00" + key))
	return base + hex.EncodeToString(sum[:16])
}

// appendIRI appends <iri>, escaping what N-Triples does not allow in an IRI.
func appendIRI(b, iri []byte) []byte {
	b = append(b, '<')
	clean := true
	for _, ch := range iri {
		if ch <= 0x20 || ch == '<' || ch == '>' || ch == '"' || ch == '{' || ch == '}' || ch == '|' || ch == '^' || ch == '`' || ch == '\\' {
			clean = false
			break
		}
	}
	if clean {
		return append(append(b, iri...), '>')
	}
	for _, ch := range iri {
		switch {
		case ch <= 0x20, ch == '<', ch == '>', ch == '"', ch == '{', ch == '}', ch == '|', ch == '^', ch == '`', ch == '\\':
			b = append(b, '\\', 'u', '0', '0', hexDigit(ch>>4), hexDigit(ch&15))
		default:
			b = append(b, ch)
		}
	}
	return append(b, '>')
}

func hexDigit(n byte) byte { return "0123456789ABCDEF"[n&15] }

// hashOf returns the hex SHA-256 of a canonical description.
func hashOf(original string) string {
	sum := sha256.Sum256([]byte(original))
	return hex.EncodeToString(sum[:])
}
