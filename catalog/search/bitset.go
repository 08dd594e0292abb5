package search

import "math/bits"

// bitset is a set of document numbers, one bit each.
type bitset []uint64

func (b bitset) has(i uint32) bool {
	w := int(i >> 6)
	return w < len(b) && b[w]&(1<<(i&63)) != 0
}

// set adds i, growing b as needed.
func (b *bitset) set(i uint32) {
	w := int(i >> 6)
	if w >= len(*b) {
		*b = append(*b, make([]uint64, w+1-len(*b)+len(*b)/4)...)
	}
	(*b)[w] |= 1 << (i & 63)
}

func (b bitset) clear(i uint32) {
	if w := int(i >> 6); w < len(b) {
		b[w] &^= 1 << (i & 63)
	}
}

func (b bitset) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

// andCount returns the size of the intersection of b and c.
func (b bitset) andCount(c bitset) int {
	n := 0
	c = c[:min(len(b), len(c))]
	for i, w := range c {
		n += bits.OnesCount64(w & b[i])
	}
	return n
}

// reset makes b an empty set of at least words words, reusing its memory.
func (b bitset) reset(words int) bitset {
	if cap(b) < words {
		return make(bitset, words)
	}
	b = b[:words]
	clear(b)
	return b
}

// or adds c to b, which must be at least as long.
func (b bitset) or(c bitset) {
	for i, w := range c {
		b[i] |= w
	}
}

// and keeps in b only what c has.
func (b bitset) and(c bitset) {
	n := min(len(b), len(c))
	for i := range b[:n] {
		b[i] &= c[i]
	}
	clear(b[n:])
}

func trailingZeros(w uint64) int { return bits.TrailingZeros64(w) }
