package catalog

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"math"

	"samband/catalog/rdf"
)

// Term kinds, the first byte of a term's encoding in a Document's arena.
const (
	termIRI    = 'I' // the IRI
	termBlank  = 'B' // the label
	termString = 'S' // a literal of datatype xsd:string: the lexical form
	termLang   = 'L' // rdf:langString: lower-case tag, 0, lexical form
	termTyped  = 'T' // any other datatype: uvarint term id of the datatype IRI, lexical form
)

const (
	arenaChunk   = 1 << 20 // bytes in one arena chunk; a larger term gets a chunk of its own
	tripleBlock  = 1 << 15 // triples in one block
	noTerm       = math.MaxUint32
	rdfType      = rdf.NSRDF + "type"
	rdfLangStr   = rdf.NSRDF + "langString"
	xsdStringIRI = rdf.NSXSD + "string"
)

// Document holds the triples of one source document compactly (terms interned
// into a table, triples as integer triples), so that a document of 100,000
// datasets (about 2 million triples, 80–100 MB of Turtle) fits in well under
// 200 MB; records are read from it once the document has ended.
//
// Each distinct term is stored once, as a kind byte and its text, in an arena
// of 1 MiB chunks; a triple costs 12 bytes. Nothing grows by copying more
// than an index of 8 bytes a term, so a document's memory is close to the sum
// of its distinct terms plus 12 bytes a triple.
type Document struct {
	chunks [][]byte // arena; a term is uvarint(len) then its encoding
	locs   []uint64 // term id -> chunk<<32 | offset
	slots  []uint32 // open-addressing table of term id+1; 0 is empty
	seed   maphash.Seed
	blocks [][]uint32 // triples, 3 ids each, tripleBlock triples a block
	n      int
	buf    []byte

	idx *docIndex // built by Records; dropped by Add
}

// docIndex lists every subject's triples: the triples of term s are
// order[start[s]:start[s+1]], in document order.
type docIndex struct {
	start []uint32
	order []uint32
}

// NewDocument returns an empty Document.
func NewDocument() *Document {
	return &Document{seed: maphash.MakeSeed(), slots: make([]uint32, 1024)}
}

// Add is an rdf.Decode callback. Blank node labels are those of this one document.
func (d *Document) Add(t rdf.Triple) error {
	s, err := d.termOf(t.Subj)
	if err != nil {
		return fmt.Errorf("subject: %w", err)
	}
	p, err := d.termOf(t.Pred)
	if err != nil {
		return fmt.Errorf("predicate: %w", err)
	}
	o, err := d.termOf(t.Obj)
	if err != nil {
		return fmt.Errorf("object: %w", err)
	}
	if d.n == math.MaxUint32-1 {
		return fmt.Errorf("document holds too many triples (%d)", d.n)
	}
	b := d.n / tripleBlock
	if b == len(d.blocks) {
		d.blocks = append(d.blocks, make([]uint32, 0, 3*tripleBlock))
	}
	d.blocks[b] = append(d.blocks[b], s, p, o)
	d.n++
	d.idx = nil
	return nil
}

// Len returns the number of triples added (a triple added twice counts twice).
func (d *Document) Len() int { return d.n }

// triple returns the ids of triple i.
func (d *Document) triple(i uint32) (s, p, o uint32) {
	b := d.blocks[i/tripleBlock]
	j := 3 * (i % tripleBlock)
	return b[j], b[j+1], b[j+2]
}

func (d *Document) termOf(t rdf.Term) (uint32, error) {
	switch t := t.(type) {
	case rdf.IRI:
		return d.intern(termIRI, "", t.String()), nil
	case rdf.Blank:
		return d.intern(termBlank, "", t.String()), nil
	case rdf.Literal:
		dt := t.DataType.String()
		switch {
		case t.Lang() != "" || dt == rdfLangStr:
			return d.intern(termLang, lowerASCII(t.Lang()), t.String()), nil
		case dt == "" || dt == xsdStringIRI:
			return d.intern(termString, "", t.String()), nil
		default:
			id := d.intern(termIRI, "", dt)
			var v [binary.MaxVarintLen32]byte
			n := binary.PutUvarint(v[:], uint64(id))
			return d.intern(termTyped, string(v[:n]), t.String()), nil
		}
	case nil:
		return 0, fmt.Errorf("no term")
	}
	return 0, fmt.Errorf("unknown term type %T", t)
}

// intern returns the id of the term whose encoding is kind, head (a language
// tag and 0, or a datatype id) and body, adding it if it is new.
func (d *Document) intern(kind byte, head, body string) uint32 {
	d.buf = append(d.buf[:0], kind)
	if kind == termLang {
		d.buf = append(d.buf, head...)
		d.buf = append(d.buf, 0)
	} else {
		d.buf = append(d.buf, head...)
	}
	d.buf = append(d.buf, body...)
	h := maphash.Bytes(d.seed, d.buf)
	mask := uint64(len(d.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		v := d.slots[i]
		if v == 0 {
			id := d.store(d.buf)
			d.slots[i] = id + 1
			if uint64(len(d.locs))*4 > uint64(len(d.slots))*3 {
				d.grow()
			}
			return id
		}
		if string(d.raw(v-1)) == string(d.buf) {
			return v - 1
		}
	}
}

// store copies an encoded term into the arena and returns its new id.
func (d *Document) store(enc []byte) uint32 {
	need := binary.MaxVarintLen64 + len(enc)
	last := len(d.chunks) - 1
	if last < 0 || cap(d.chunks[last])-len(d.chunks[last]) < need {
		size := arenaChunk
		if need > size/4 {
			size = need
		}
		d.chunks = append(d.chunks, make([]byte, 0, size))
		last++
	}
	c := d.chunks[last]
	off := len(c)
	c = binary.AppendUvarint(c, uint64(len(enc)))
	c = append(c, enc...)
	d.chunks[last] = c
	if need > arenaChunk/4 {
		// A chunk of its own: start the next term in a fresh chunk.
		d.chunks[last] = c[:len(c):len(c)]
	}
	d.locs = append(d.locs, uint64(last)<<32|uint64(off))
	return uint32(len(d.locs) - 1)
}

func (d *Document) grow() {
	slots := make([]uint32, 2*len(d.slots))
	mask := uint64(len(slots) - 1)
	for id := range d.locs {
		h := maphash.Bytes(d.seed, d.raw(uint32(id)))
		i := h & mask
		for slots[i] != 0 {
			i = (i + 1) & mask
		}
		slots[i] = uint32(id) + 1
	}
	d.slots = slots
}

// raw returns the encoding of term id: kind byte, then the rest.
func (d *Document) raw(id uint32) []byte {
	loc := d.locs[id]
	c := d.chunks[loc>>32]
	off := int(uint32(loc))
	n, w := binary.Uvarint(c[off:])
	return c[off+w : off+w+int(n)]
}

// kind returns the kind byte of term id.
func (d *Document) kind(id uint32) byte { return d.raw(id)[0] }

// text returns the IRI, blank label or lexical form of term id.
func (d *Document) text(id uint32) string {
	r := d.raw(id)
	switch r[0] {
	case termLang:
		for i := 1; i < len(r); i++ {
			if r[i] == 0 {
				return string(r[i+1:])
			}
		}
	case termTyped:
		_, w := binary.Uvarint(r[1:])
		return string(r[1+w:])
	}
	return string(r[1:])
}

// lang returns the language tag of a literal, or "".
func (d *Document) lang(id uint32) string {
	r := d.raw(id)
	if r[0] != termLang {
		return ""
	}
	for i := 1; i < len(r); i++ {
		if r[i] == 0 {
			return string(r[1:i])
		}
	}
	return ""
}

// datatype returns the datatype IRI of a literal ("" for an IRI or a blank node).
func (d *Document) datatype(id uint32) string {
	r := d.raw(id)
	switch r[0] {
	case termString:
		return xsdStringIRI
	case termLang:
		return rdfLangStr
	case termTyped:
		dt, _ := binary.Uvarint(r[1:])
		return d.text(uint32(dt))
	}
	return ""
}

// lookup returns the id of an IRI, or noTerm if the document never used it.
func (d *Document) lookup(iri string) uint32 {
	d.buf = append(append(d.buf[:0], termIRI), iri...)
	h := maphash.Bytes(d.seed, d.buf)
	mask := uint64(len(d.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		v := d.slots[i]
		if v == 0 {
			return noTerm
		}
		if string(d.raw(v-1)) == string(d.buf) {
			return v - 1
		}
	}
}

// index builds, once, the list of every subject's triples.
func (d *Document) index() *docIndex {
	if d.idx != nil {
		return d.idx
	}
	nt := len(d.locs)
	start := make([]uint32, nt+1)
	for i := 0; i < d.n; i++ {
		s, _, _ := d.triple(uint32(i))
		start[s+1]++
	}
	for i := 1; i <= nt; i++ {
		start[i] += start[i-1]
	}
	order := make([]uint32, d.n)
	next := make([]uint32, nt)
	copy(next, start[:nt])
	for i := 0; i < d.n; i++ {
		s, _, _ := d.triple(uint32(i))
		order[next[s]] = uint32(i)
		next[s]++
	}
	// A graph is a set: a triple stated twice (a publisher described in
	// every page of a catalogue) is listed once, where it was first stated.
	w := uint32(0)
	seen := map[uint64]struct{}{}
	for s := 0; s < nt; s++ {
		from, to := start[s], start[s+1]
		start[s] = w
		seg := order[from:to]
		for i, t := range seg {
			_, p, o := d.triple(t)
			dup := false
			if len(seg) <= 16 {
				for _, u := range seg[:i] {
					if _, up, uo := d.triple(u); up == p && uo == o {
						dup = true
						break
					}
				}
			} else {
				if i == 0 {
					clear(seen)
				}
				k := uint64(p)<<32 | uint64(o)
				_, dup = seen[k]
				seen[k] = struct{}{}
			}
			if !dup {
				order[w] = t
				w++
			}
		}
	}
	start[nt] = w
	d.idx = &docIndex{start: start, order: order[:w]}
	return d.idx
}

// out returns the indexes of the triples whose subject is term s.
func (x *docIndex) out(s uint32) []uint32 {
	return x.order[x.start[s]:x.start[s+1]]
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
