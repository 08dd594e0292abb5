package lifeevent

import "sort"

// A term is one or more words (pattern); each word matches a folded word
// of a text whole, or as a prefix when the rules end it with '*'.
type pattern []wordPat

type wordPat struct {
	w      string // folded
	prefix bool
}

func (p pattern) String() string {
	s := ""
	for i, w := range p {
		if i > 0 {
			s += " "
		}
		s += w.w
		if w.prefix {
			s += "*"
		}
	}
	return s
}

// match reports whether the folded word tok matches w; long says tok was
// cut short (it is longer than the scanner keeps).
func (w wordPat) match(tok []byte, long bool) bool {
	if w.prefix {
		return len(tok) >= len(w.w) && string(tok[:len(w.w)]) == w.w
	}
	return !long && string(tok) == w.w
}

type termKind uint8

// Kinds of term (see the package documentation).
const (
	kindTerm termKind = iota + 1 // enough in a title or keyword; a clue in a description
	kindClue                     // needs support
	kindNeed                     // lets a clue count, and is needed by it
)

// term is one term of one concept, of one kind, in the languages that list
// it.
type term struct {
	concept int
	kind    termKind
	pattern int    // id shared by the terms of a concept with the same words
	langs   uint64 // languages whose texts it is matched in
	text    string // as the rules write it
	rest    pattern
	how     string // HowKeyword + text
	howTh   string // HowThemeKeyword + text
	howPub  string // HowPublisherKeyword + text
}

// trie holds the first word of every term, folded: walking it byte by byte
// along a word of the text finds every term whose first word the word is
// (exact) or starts with (prefix).
type trie struct {
	root  [256]int32 // edges of the root: node index, 0 for none
	nodes []trieNode
	edges []trieEdge
	refs  []int32 // term indices
}

type trieNode struct {
	edges, nEdges int32 // edges[edges:edges+nEdges], by byte
	exact, nExact int32 // refs of terms whose first word ends here
	pref, nPref   int32 // refs of terms whose first word is a prefix ending here
}

type trieEdge struct {
	b  byte
	to int32
}

// step returns the node after n along b, or -1.
func (t *trie) step(n int32, b byte) int32 {
	if n == 0 {
		if to := t.root[b]; to != 0 {
			return to
		}
		return -1
	}
	nd := &t.nodes[n]
	for _, e := range t.edges[nd.edges : nd.edges+nd.nEdges] {
		if e.b == b {
			return e.to
		}
		if e.b > b {
			break
		}
	}
	return -1
}

func (t *trie) exactRefs(n int32) []int32 {
	nd := &t.nodes[n]
	return t.refs[nd.exact : nd.exact+nd.nExact]
}

func (t *trie) prefixRefs(n int32) []int32 {
	nd := &t.nodes[n]
	return t.refs[nd.pref : nd.pref+nd.nPref]
}

// trieBuilder grows a trie with maps, then compact lays it out flat.
type trieBuilder struct {
	nodes []builderNode
}

type builderNode struct {
	next          map[byte]int32
	exact, prefix []int32
}

func (t *trieBuilder) init() { t.nodes = []builderNode{{}} }

func (t *trieBuilder) add(w wordPat, ti int) {
	n := int32(0)
	for i := 0; i < len(w.w); i++ {
		nd := &t.nodes[n]
		next, ok := nd.next[w.w[i]]
		if !ok {
			if nd.next == nil {
				nd.next = map[byte]int32{}
			}
			next = int32(len(t.nodes))
			nd.next[w.w[i]] = next
			t.nodes = append(t.nodes, builderNode{})
		}
		n = next
	}
	if w.prefix {
		t.nodes[n].prefix = append(t.nodes[n].prefix, int32(ti))
	} else {
		t.nodes[n].exact = append(t.nodes[n].exact, int32(ti))
	}
}

func (t *trieBuilder) compact() trie {
	var out trie
	out.nodes = make([]trieNode, len(t.nodes))
	for i, nd := range t.nodes {
		tn := &out.nodes[i]
		tn.edges = int32(len(out.edges))
		for b, to := range nd.next {
			out.edges = append(out.edges, trieEdge{b: b, to: to})
			if i == 0 {
				out.root[b] = to
			}
		}
		edges := out.edges[tn.edges:]
		sort.Slice(edges, func(i, j int) bool { return edges[i].b < edges[j].b })
		tn.nEdges = int32(len(edges))
		tn.exact = int32(len(out.refs))
		out.refs = append(out.refs, nd.exact...)
		tn.nExact = int32(len(nd.exact))
		tn.pref = int32(len(out.refs))
		out.refs = append(out.refs, nd.prefix...)
		tn.nPref = int32(len(nd.prefix))
	}
	return out
}
