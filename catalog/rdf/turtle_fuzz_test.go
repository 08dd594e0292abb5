package rdf

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

// fuzzSeeds adds a few W3C and corpus files of a syntax to f's corpus.
func fuzzSeeds(f *testing.F, syn Syntax) {
	var paths []string
	if syn == Turtle {
		paths = []string{
			"testdata/w3c/rdf-turtle/turtle-subm-27.ttl",
			"testdata/w3c/rdf-turtle/LITERAL_LONG2_with_REVERSE_SOLIDUS.ttl",
			"testdata/w3c/rdf-turtle/localName_with_PN_CHARS_BASE_character_boundaries.ttl",
			"testdata/w3c/rdf-turtle/nested_collection.ttl",
			"testdata/w3c/rdf-turtle/turtle-syntax-bad-num-01.ttl",
			filepath.Join(corpusDir, "no-fdk-dataset-harvester", "nested_blank_nodes.ttl"),
			filepath.Join(corpusDir, "dk-dcat-ap-dk", "extended-example1.ttl"),
		}
		f.Add([]byte(".3"))
		f.Add([]byte("@prefix : <http://e/> . :s :p [ :q ( 1 2.5 -3e0 ) ] , true ; ; .\n"))
	} else {
		paths = []string{
			"testdata/w3c/rdf-n-triples/literal_all_controls.nt",
			"testdata/w3c/rdf-n-triples/nt-syntax-subm-01.nt",
			"testdata/w3c/rdf-n-triples/literal_with_UTF8_boundaries.nt",
			"testdata/w3c/rdf-n-triples/nt-syntax-bad-uri-09.nt",
			filepath.Join(corpusDir, "eu-semic-dcat-ap", "examples-2.1.1", "example1.nt"),
		}
		f.Add([]byte("_:a <http://e/p> \"x\\u00e6\"@en-GB .\r\n<http://e/s> <http://e/p> \"1\"^^<http://e/d> . # c"))
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// checkTriple reports what is wrong with a decoded triple's terms, or "".
func checkTriple(tr Triple) string {
	if _, ok := tr.Pred.(IRI); !ok {
		return fmt.Sprintf("predicate %#v is not an IRI", tr.Pred)
	}
	switch tr.Subj.(type) {
	case IRI, Blank:
	default:
		return fmt.Sprintf("subject %#v is not an IRI or a blank node", tr.Subj)
	}
	for _, term := range []Term{tr.Subj, tr.Pred, tr.Obj} {
		switch v := term.(type) {
		case IRI:
			if _, err := NewIRI(v.String()); err != nil {
				return err.Error()
			}
			if !IsAbsolute(v.String()) {
				return fmt.Sprintf("IRI %q is not absolute", v.String())
			}
			if !utf8.ValidString(v.String()) {
				return fmt.Sprintf("IRI %q is not UTF-8", v.String())
			}
		case Blank:
			if v.String() == "" {
				return "blank node without a label"
			}
		case Literal:
			if _, err := NewIRI(v.DataType.String()); err != nil {
				return "datatype: " + err.Error()
			}
			if v.Lang() != "" && !validLangTag(v.Lang()) {
				return fmt.Sprintf("bad language tag %q", v.Lang())
			}
			if !utf8.ValidString(v.String()) {
				return fmt.Sprintf("literal %q is not UTF-8", v.String())
			}
		default:
			return fmt.Sprintf("term %#v of unknown type", term)
		}
	}
	return ""
}

// fuzzDecode decodes data whole and one byte a read; both must agree, and
// every triple must be sound. It returns the graph, or nil on a decode error.
func fuzzDecode(t *testing.T, data []byte, syn Syntax) *graph {
	opts := Options{Base: "http://example/base/doc", Limits: Limits{MaxDepth: 64, MaxTermBytes: 1 << 16}}
	g := &graph{}
	var lines []string
	err := Decode(bytes.NewReader(data), syn, opts, func(tr Triple) error {
		if msg := checkTriple(tr); msg != "" {
			t.Fatalf("Decode(%q): %s", data, msg)
		}
		lines = append(lines, termKey(tr.Subj)+" "+termKey(tr.Pred)+" "+termKey(tr.Obj))
		return g.add(tr)
	})
	if err != nil {
		var de *Error
		if !errors.As(err, &de) || de.Line < 1 || de.Column < 1 || de.Syntax != syn {
			t.Fatalf("Decode(%q) = %v, want *Error with line and column", data, err)
		}
	}
	lines1, err1 := decodeAll(iotest.OneByteReader(bytes.NewReader(data)), syn, opts)
	if fmt.Sprint(err1) != fmt.Sprint(err) || strings.Join(lines1, "\n") != strings.Join(lines, "\n") {
		t.Fatalf("Decode(%q) one byte a read = %q, %v; whole = %q, %v", data, lines1, err1, lines, err)
	}
	if err != nil {
		return nil
	}
	return g
}

func FuzzTurtle(f *testing.F) {
	fuzzSeeds(f, Turtle)
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzDecode(t, data, Turtle)
	})
}
