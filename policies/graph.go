package policies

import (
	"samband/catalog/rdf"
)

// graph is the triples of one document, by subject, each subject's
// statements in the order the decoder gave them: document order for
// Turtle, and for JSON-LD the order of the values of each property.
type graph struct {
	nodes    map[string]*gnode
	order    []*gnode            // subjects, first seen first
	incoming map[string][]inEdge // object key -> statements that point at it
	triples  int
}

// gnode is a subject and what the document says of it.
type gnode struct {
	key   string
	term  rdf.Term
	props []gprop
}

type gprop struct {
	pred string
	obj  rdf.Object
}

type inEdge struct {
	subj *gnode
	pred string
}

func newGraph() *graph {
	return &graph{nodes: make(map[string]*gnode), incoming: make(map[string][]inEdge)}
}

// termKey names a node: IRIs and blank nodes never share a key.
func termKey(t rdf.Term) string {
	switch t := t.(type) {
	case rdf.IRI:
		return "<" + t.String()
	case rdf.Blank:
		return "_:" + t.String()
	}
	return ""
}

func (g *graph) add(t rdf.Triple) {
	g.triples++
	k := termKey(t.Subj)
	n := g.nodes[k]
	if n == nil {
		n = &gnode{key: k, term: t.Subj}
		g.nodes[k] = n
		g.order = append(g.order, n)
	}
	pred := t.Pred.String()
	n.props = append(n.props, gprop{pred: pred, obj: t.Obj})
	if ok := termKey(t.Obj); ok != "" {
		g.incoming[ok] = append(g.incoming[ok], inEdge{subj: n, pred: pred})
	}
}

// node returns the subject a term names, or nil when the document says
// nothing of it.
func (g *graph) node(t rdf.Term) *gnode {
	return g.nodes[termKey(t)]
}

// values returns the objects of a node's statements with a predicate, in order.
func (n *gnode) values(pred string) []rdf.Object {
	var out []rdf.Object
	for _, p := range n.props {
		if p.pred == pred {
			out = append(out, p.obj)
		}
	}
	return out
}

// one returns the first object of a node's statements with a predicate, and
// how many there are.
func (n *gnode) one(pred string) (rdf.Object, int) {
	var first rdf.Object
	count := 0
	for _, p := range n.props {
		if p.pred == pred {
			if count == 0 {
				first = p.obj
			}
			count++
		}
	}
	return first, count
}

// has reports whether the node has a statement with the predicate.
func (n *gnode) has(pred string) bool {
	for _, p := range n.props {
		if p.pred == pred {
			return true
		}
	}
	return false
}
