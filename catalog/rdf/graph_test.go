package rdf

import (
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"sort"
	"strings"
)

// graph is a set of triples, for comparing what a decoder read with what it
// should have read.
type graph struct {
	triples []Triple
	seen    map[string]bool
}

func (g *graph) add(t Triple) error {
	if g.seen == nil {
		g.seen = make(map[string]bool)
	}
	k := termKey(t.Subj) + " " + termKey(t.Pred) + " " + termKey(t.Obj)
	if !g.seen[k] {
		g.seen[k] = true
		g.triples = append(g.triples, t)
	}
	return nil
}

func (g *graph) len() int { return len(g.triples) }

// termKey is a term as N-Triples writes it, with language tags in lower case
// (RDF 1.1 compares them so) and blank node labels kept.
func termKey(t Term) string {
	switch v := t.(type) {
	case IRI:
		return "<" + v.String() + ">"
	case Blank:
		return "_:" + v.String()
	case Literal:
		if v.Lang() != "" {
			return fmt.Sprintf("%q@%s", v.String(), strings.ToLower(v.Lang()))
		}
		return fmt.Sprintf("%q^^<%s>", v.String(), v.DataType.String())
	}
	return fmt.Sprintf("?%v", t)
}

func decodeGraph(r io.Reader, syn Syntax, base string) (*graph, error) {
	g := &graph{}
	err := Decode(r, syn, Options{Base: base}, g.add)
	return g, err
}

func decodeGraphFile(path string, syn Syntax, base string) (*graph, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return decodeGraph(f, syn, base)
}

// isomorphic reports whether a and b are the same graph up to blank node
// labels. Blank nodes are coloured by iterated neighbourhood hashing; ties left
// after that are settled by a backtracking search.
func isomorphic(a, b *graph) bool {
	if a.len() != b.len() {
		return false
	}
	ca, cb := colour(a), colour(b)
	// The multisets of colours must agree.
	if !sameColourCounts(ca, cb) {
		return false
	}
	var anodes []string
	for n := range ca {
		anodes = append(anodes, n)
	}
	sort.Slice(anodes, func(i, j int) bool {
		ni, nj := countColour(cb, ca[anodes[i]]), countColour(cb, ca[anodes[j]])
		if ni != nj {
			return ni < nj
		}
		return anodes[i] < anodes[j]
	})
	bset := make(map[string]bool, b.len())
	for _, t := range b.triples {
		bset[termKey(t.Subj)+" "+termKey(t.Pred)+" "+termKey(t.Obj)] = true
	}
	mapping := make(map[string]string)
	used := make(map[string]bool)
	var try func(i int) bool
	try = func(i int) bool {
		if i == len(anodes) {
			for _, t := range a.triples {
				if !bset[mapKey(t.Subj, mapping)+" "+termKey(t.Pred)+" "+mapKey(t.Obj, mapping)] {
					return false
				}
			}
			return true
		}
		n := anodes[i]
		for m, c := range cb {
			if c != ca[n] || used[m] {
				continue
			}
			mapping[n], used[m] = m, true
			if try(i + 1) {
				return true
			}
			delete(mapping, n)
			used[m] = false
		}
		return false
	}
	return try(0)
}

func mapKey(t Term, m map[string]string) string {
	if bl, ok := t.(Blank); ok {
		return "_:" + m[bl.String()]
	}
	return termKey(t)
}

func countColour(c map[string]uint64, want uint64) int {
	n := 0
	for _, v := range c {
		if v == want {
			n++
		}
	}
	return n
}

func sameColourCounts(a, b map[string]uint64) bool {
	if len(a) != len(b) {
		return false
	}
	count := make(map[uint64]int)
	for _, c := range a {
		count[c]++
	}
	for _, c := range b {
		count[c]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return true
}

// colour hashes every blank node of g by the triples around it, refined by
// the colours of its blank neighbours, a fixed number of rounds.
func colour(g *graph) map[string]uint64 {
	c := make(map[string]uint64)
	for _, t := range g.triples {
		for _, x := range []Term{t.Subj, t.Obj} {
			if bl, ok := x.(Blank); ok {
				c[bl.String()] = 1
			}
		}
	}
	key := func(t Term, cur map[string]uint64) string {
		if bl, ok := t.(Blank); ok {
			return fmt.Sprintf("_:%d", cur[bl.String()])
		}
		return termKey(t)
	}
	for round := 0; round < 8; round++ {
		parts := make(map[string][]string)
		for _, t := range g.triples {
			s, o := key(t.Subj, c), key(t.Obj, c)
			p := termKey(t.Pred)
			if bl, ok := t.Subj.(Blank); ok {
				parts[bl.String()] = append(parts[bl.String()], "out "+p+" "+o)
			}
			if bl, ok := t.Obj.(Blank); ok {
				parts[bl.String()] = append(parts[bl.String()], "in "+s+" "+p)
			}
		}
		next := make(map[string]uint64, len(c))
		for n := range c {
			ps := parts[n]
			sort.Strings(ps)
			h := fnv.New64a()
			fmt.Fprintf(h, "%d|%s", c[n], strings.Join(ps, "|"))
			next[n] = h.Sum64()
		}
		c = next
	}
	return c
}

// dump writes g as sorted N-Triples-like lines, for failure messages.
func (g *graph) dump() string {
	var lines []string
	for _, t := range g.triples {
		lines = append(lines, termKey(t.Subj)+" "+termKey(t.Pred)+" "+termKey(t.Obj)+" .")
	}
	sort.Strings(lines)
	if len(lines) > 40 {
		lines = append(lines[:40], fmt.Sprintf("... %d more", len(lines)-40))
	}
	return strings.Join(lines, "\n")
}
