// Command rdfgen writes a large DCAT catalogue in four RDF syntaxes, for the
// decoder benchmarks (bench/rdf.sh, catalog/rdf's BenchmarkDecodeFiles).
//
// It reads a real catalogue (by default the NAV catalogue of the corpus, 42
// datasets) and writes it again and again, each copy with its own IRIs: every
// IRI the catalogue describes (every subject IRI) gets "-c" and the copy
// number appended, and blank nodes are renamed per copy. IRIs the catalogue
// only points at (themes, licences, publishers' registry entries) stay as
// they are, as they would in a real national catalogue. Copy 0 is the
// catalogue as it is.
//
//	go run ./bench/rdfgen -mb 80 -out bench/out
//
// writes, in -out:
//
//	dcat.ttl     Turtle, at least -mb megabytes (10^6 bytes), prefixed names, ';' lists
//	dcat.nt      N-Triples, the same graph
//	dcat.rdf     RDF/XML, the same graph (catalog/rdf's XMLEncoder)
//	dcat.jsonld  JSON-LD, a @context of the catalogue's prefixes and a flat @graph
//	             of node objects with compact IRIs, as catalogue exports write it;
//	             the same graph, or its first copies only when -jsonld-mb bounds it
//	manifest.tsv file, bytes, triples, copies
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	knakk "github.com/knakk/rdf"

	"samband/catalog/rdf"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "rdfgen:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("rdfgen", flag.ContinueOnError)
	mb := fs.Float64("mb", 80, "write copies until the Turtle file holds at least this many megabytes (10^6 bytes)")
	jsonldMB := fs.Float64("jsonld-mb", 0, "stop adding copies to the JSON-LD file once it holds this many megabytes (0: no bound)")
	nCopies := fs.Int("copies", 0, "write exactly this many copies, whatever their size (overrides -mb)")
	out := fs.String("out", "bench/out", "directory to write the files to")
	src := fs.String("src", "testdata/corpus/no-fdk-legacy/nav-2017-10-31.ttl", "the catalogue to copy, in Turtle")
	if err := fs.Parse(args); err != nil {
		return err
	}
	raw, err := os.ReadFile(*src)
	if err != nil {
		return err
	}
	cat, err := readCatalogue(raw, *src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	ws, err := newWriters(*out, cat.prefixes)
	if err != nil {
		return err
	}
	defer ws.closeFiles()

	targetTTL := int64(*mb * 1e6)
	targetJSONLD := int64(*jsonldMB * 1e6)
	copies, jsonldCopies := 0, 0
	more := func() bool { return copies == 0 || ws.ttl.n < targetTTL }
	if *nCopies > 0 {
		more = func() bool { return copies < *nCopies }
	}
	for more() {
		withJSONLD := targetJSONLD <= 0 || ws.jsonld.n < targetJSONLD
		if err := ws.writeCopy(cat, copies, withJSONLD); err != nil {
			return err
		}
		copies++
		if withJSONLD {
			jsonldCopies++
		}
	}
	if err := ws.finish(); err != nil {
		return err
	}
	n := int64(len(cat.triples))
	manifest := fmt.Sprintf("file\tbytes\ttriples\tcopies\n"+
		"dcat.ttl\t%d\t%d\t%d\ndcat.nt\t%d\t%d\t%d\ndcat.rdf\t%d\t%d\t%d\ndcat.jsonld\t%d\t%d\t%d\n",
		ws.ttl.n, n*int64(copies), copies, ws.nt.n, n*int64(copies), copies,
		ws.rdf.n, n*int64(copies), copies, ws.jsonld.n, n*int64(jsonldCopies), jsonldCopies)
	if err := os.WriteFile(filepath.Join(*out, "manifest.tsv"), []byte(manifest), 0o644); err != nil {
		return err
	}
	_, err = io.WriteString(stdout, manifest)
	return err
}

// catalogue is the source: its triples grouped by subject, its prefixes, and
// the IRIs it describes.
type catalogue struct {
	triples  []rdf.Triple
	prefixes []prefix // sorted by namespace, longest first among equals
	own      map[string]bool
	blanks   map[string]int
}

type prefix struct{ name, ns string }

var prefixRE = regexp.MustCompile(`(?m)^\s*@prefix\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>\s*\.`)

func readCatalogue(raw []byte, name string) (*catalogue, error) {
	cat := &catalogue{own: make(map[string]bool), blanks: make(map[string]int)}
	err := decodeTurtle(raw, name, func(t rdf.Triple) error {
		cat.triples = append(cat.triples, t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(cat.triples) == 0 {
		return nil, fmt.Errorf("read %s: no triples", name)
	}
	// Group by subject, keeping the source's order otherwise.
	first := make(map[string]int)
	for i, t := range cat.triples {
		k := termID(t.Subj)
		if _, ok := first[k]; !ok {
			first[k] = i
		}
		if iri, ok := t.Subj.(rdf.IRI); ok {
			cat.own[iri.String()] = true
		}
		for _, x := range []rdf.Term{t.Subj, t.Obj} {
			if b, ok := x.(rdf.Blank); ok {
				if _, seen := cat.blanks[b.String()]; !seen {
					cat.blanks[b.String()] = len(cat.blanks)
				}
			}
		}
	}
	slices.SortStableFunc(cat.triples, func(a, b rdf.Triple) int {
		return first[termID(a.Subj)] - first[termID(b.Subj)]
	})
	for _, m := range prefixRE.FindAllSubmatch(raw, -1) {
		cat.prefixes = append(cat.prefixes, prefix{string(m[1]), string(m[2])})
	}
	slices.SortFunc(cat.prefixes, func(a, b prefix) int { return strings.Compare(b.ns, a.ns) })
	return cat, nil
}

// decodeTurtle reads the source with catalog/rdf's Turtle decoder, or, on a
// branch where that decoder is not built yet, with knakk's.
func decodeTurtle(raw []byte, name string, fn func(rdf.Triple) error) error {
	err := rdf.Decode(bytes.NewReader(raw), rdf.Turtle, rdf.Options{Base: "file:///" + filepath.ToSlash(name)}, fn)
	if !errors.Is(err, rdf.ErrUnknownSyntax) {
		return err
	}
	dec := knakk.NewTripleDecoder(bytes.NewReader(raw), knakk.Turtle)
	for {
		t, err := dec.Decode()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(t); err != nil {
			return err
		}
	}
}

func termID(t rdf.Term) string {
	if b, ok := t.(rdf.Blank); ok {
		return "_:" + b.String()
	}
	return t.String()
}

// copyTriple returns t as it stands in copy n.
func (c *catalogue) copyTriple(t rdf.Triple, n int) (rdf.Triple, error) {
	s, err := c.copyTerm(t.Subj, n)
	if err != nil {
		return t, err
	}
	o, err := c.copyTerm(t.Obj, n)
	if err != nil {
		return t, err
	}
	return rdf.Triple{Subj: s.(rdf.Subject), Pred: t.Pred, Obj: o.(rdf.Object)}, nil
}

func (c *catalogue) copyTerm(t rdf.Term, n int) (rdf.Term, error) {
	switch v := t.(type) {
	case rdf.IRI:
		if n == 0 || !c.own[v.String()] {
			return v, nil
		}
		return rdf.NewIRI(v.String() + "-c" + strconv.Itoa(n))
	case rdf.Blank:
		return rdf.NewBlank("c" + strconv.Itoa(n) + "b" + strconv.Itoa(c.blanks[v.String()])), nil
	}
	return t, nil
}

// countingWriter counts what goes through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

type writers struct {
	files                []*os.File
	ttl, nt, rdf, jsonld *countingWriter
	ttlBuf, jsonldBuf    *bufio.Writer
	ntEnc                *knakk.TripleEncoder
	xmlEnc               *rdf.XMLEncoder
	prefixes             []prefix
	jsonldFirst          bool
	turtleSubj           string
	jsonldSubj           string
	jsonldProps          map[string][]any
	jsonldOrder          []string
}

func newWriters(dir string, prefixes []prefix) (*writers, error) {
	ws := &writers{prefixes: prefixes, jsonldFirst: true}
	open := func(name string) (*countingWriter, error) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		ws.files = append(ws.files, f)
		return &countingWriter{w: f}, nil
	}
	var err error
	if ws.ttl, err = open("dcat.ttl"); err != nil {
		return nil, err
	}
	if ws.nt, err = open("dcat.nt"); err != nil {
		return nil, err
	}
	if ws.rdf, err = open("dcat.rdf"); err != nil {
		return nil, err
	}
	if ws.jsonld, err = open("dcat.jsonld"); err != nil {
		return nil, err
	}
	ws.ttlBuf = bufio.NewWriterSize(ws.ttl, 1<<20)
	ws.jsonldBuf = bufio.NewWriterSize(ws.jsonld, 1<<20)
	ws.ntEnc = knakk.NewTripleEncoder(ws.nt, knakk.NTriples)
	xmlPrefixes := make(map[string]string)
	ctx := make(map[string]string)
	for _, p := range prefixes {
		fmt.Fprintf(ws.ttlBuf, "@prefix %s: <%s> .\n", p.name, p.ns)
		if p.name != "" && p.name != "rdf" {
			xmlPrefixes[p.name] = p.ns
		}
		if p.name != "" {
			ctx[p.name] = p.ns
		}
	}
	ws.ttlBuf.WriteString("\n")
	ws.xmlEnc = rdf.NewXMLEncoder(ws.rdf, xmlPrefixes)
	ctxJSON, err := json.Marshal(ctx)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(ws.jsonldBuf, "{\n\"@context\": %s,\n\"@graph\": [\n", ctxJSON)
	return ws, nil
}

func (ws *writers) closeFiles() {
	for _, f := range ws.files {
		f.Close()
	}
}

func (ws *writers) writeCopy(cat *catalogue, n int, withJSONLD bool) error {
	for _, t := range cat.triples {
		c, err := cat.copyTriple(t, n)
		if err != nil {
			return err
		}
		ws.writeTurtle(c)
		if err := ws.ntEnc.Encode(c); err != nil {
			return err
		}
		if err := ws.xmlEnc.Encode(c); err != nil {
			return err
		}
		if withJSONLD {
			if err := ws.addJSONLD(c); err != nil {
				return err
			}
		}
	}
	// Flush the buffered Turtle so that its size is known.
	if err := ws.ttlBuf.Flush(); err != nil {
		return err
	}
	if withJSONLD {
		if err := ws.flushJSONLDNode(); err != nil {
			return err
		}
		return ws.jsonldBuf.Flush()
	}
	return nil
}

func (ws *writers) finish() error {
	if ws.turtleSubj != "" {
		ws.ttlBuf.WriteString(" .\n")
	}
	if err := ws.flushJSONLDNode(); err != nil {
		return err
	}
	ws.jsonldBuf.WriteString("\n]\n}\n")
	for _, err := range []error{ws.ttlBuf.Flush(), ws.jsonldBuf.Flush(), ws.ntEnc.Close(), ws.xmlEnc.Close()} {
		if err != nil {
			return err
		}
	}
	for _, f := range ws.files {
		if err := f.Close(); err != nil {
			return err
		}
	}
	ws.files = nil
	return nil
}

// compact returns the prefixed name of an IRI, or "" when no prefix fits or
// the local part is not one every syntax takes as it is.
func (ws *writers) compact(iri string) string {
	for _, p := range ws.prefixes {
		if local, ok := strings.CutPrefix(iri, p.ns); ok && p.name != "" && safeLocal(local) {
			return p.name + ":" + local
		}
	}
	return ""
}

func safeLocal(s string) bool {
	if s == "" || strings.HasPrefix(s, "//") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return s[len(s)-1] != '-'
}

func (ws *writers) turtleTerm(t rdf.Term) string {
	switch v := t.(type) {
	case rdf.IRI:
		if c := ws.compact(v.String()); c != "" {
			return c
		}
		return "<" + v.String() + ">"
	case rdf.Blank:
		return "_:" + v.String()
	case rdf.Literal:
		s := turtleString(v.String())
		switch dt := v.DataType.String(); {
		case v.Lang() != "":
			return s + "@" + v.Lang()
		case dt == rdf.NSXSD+"string":
			return s
		default:
			return s + "^^" + ws.turtleTerm(v.DataType)
		}
	}
	return ""
}

func turtleString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func (ws *writers) writeTurtle(t rdf.Triple) {
	subj := ws.turtleTerm(t.Subj)
	if subj != ws.turtleSubj {
		if ws.turtleSubj != "" {
			ws.ttlBuf.WriteString(" .\n\n")
		}
		ws.ttlBuf.WriteString(subj)
		ws.turtleSubj = subj
	} else {
		ws.ttlBuf.WriteString(" ;")
	}
	pred := "a"
	if t.Pred.String() != rdf.NSRDF+"type" {
		pred = ws.turtleTerm(t.Pred)
	}
	ws.ttlBuf.WriteString("\n    ")
	ws.ttlBuf.WriteString(pred)
	ws.ttlBuf.WriteString(" ")
	ws.ttlBuf.WriteString(ws.turtleTerm(t.Obj))
}

// jsonldIRI returns an IRI as JSON-LD may write it where IRIs are expanded
// against the vocabulary (keys, @type): compacted when a prefix fits.
func (ws *writers) jsonldIRI(iri string) string {
	if c := ws.compact(iri); c != "" {
		return c
	}
	return iri
}

func (ws *writers) addJSONLD(t rdf.Triple) error {
	subj := termID(t.Subj)
	if subj != ws.jsonldSubj {
		if err := ws.flushJSONLDNode(); err != nil {
			return err
		}
		ws.jsonldSubj = subj
		ws.jsonldProps = make(map[string][]any)
		ws.jsonldOrder = ws.jsonldOrder[:0]
	}
	key := ws.jsonldIRI(t.Pred.String())
	var val any
	if t.Pred.String() == rdf.NSRDF+"type" {
		if iri, ok := t.Obj.(rdf.IRI); ok {
			key, val = "@type", ws.jsonldIRI(iri.String())
		}
	}
	if val == nil {
		switch o := t.Obj.(type) {
		case rdf.IRI:
			val = map[string]string{"@id": o.String()}
		case rdf.Blank:
			val = map[string]string{"@id": "_:" + o.String()}
		case rdf.Literal:
			switch dt := o.DataType.String(); {
			case o.Lang() != "":
				val = map[string]string{"@value": o.String(), "@language": o.Lang()}
			case dt == rdf.NSXSD+"string":
				val = o.String()
			default:
				val = map[string]string{"@value": o.String(), "@type": ws.jsonldIRI(dt)}
			}
		}
	}
	if _, ok := ws.jsonldProps[key]; !ok {
		ws.jsonldOrder = append(ws.jsonldOrder, key)
	}
	ws.jsonldProps[key] = append(ws.jsonldProps[key], val)
	return nil
}

// flushJSONLDNode writes the node object gathered so far.
func (ws *writers) flushJSONLDNode() error {
	if ws.jsonldSubj == "" {
		return nil
	}
	if !ws.jsonldFirst {
		ws.jsonldBuf.WriteString(",\n")
	}
	ws.jsonldFirst = false
	id, _ := json.Marshal(ws.jsonldSubj)
	ws.jsonldBuf.WriteString(`{"@id": `)
	ws.jsonldBuf.Write(id)
	for _, k := range ws.jsonldOrder {
		key, _ := json.Marshal(k)
		v, err := json.Marshal(ws.jsonldProps[k])
		if err != nil {
			return err
		}
		ws.jsonldBuf.WriteString(", ")
		ws.jsonldBuf.Write(key)
		ws.jsonldBuf.WriteString(": ")
		ws.jsonldBuf.Write(v)
	}
	ws.jsonldBuf.WriteString("}")
	ws.jsonldSubj = ""
	return nil
}
