package rdf

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	knakk "github.com/knakk/rdf"
)

func TestDecodeNTriples(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"minimal whitespace", "<http://e/s><http://e/p><http://e/o>.", []string{"<http://e/s> <http://e/p> <http://e/o>"}},
		{"comments, blank lines, CRLF, no final newline",
			"# head\r\n\r\n\t<http://e/s> <http://e/p> _:b1 . # tail\r\n_:b1 <http://e/p> \"x\" .",
			[]string{"<http://e/s> <http://e/p> _:b1", `_:b1 <http://e/p> "x"^^<` + xsdString + ">"}},
		{"language and datatype", `<http://e/s> <http://e/p> "x"@sr-Latn-RS .` + "\n" + `<http://e/s> <http://e/p> "1"^^<http://e/d> .`,
			[]string{`<http://e/s> <http://e/p> "x"@sr-latn-rs`, `<http://e/s> <http://e/p> "1"^^<http://e/d>`}},
		{"escapes", `<http://e/\u00E6> <http://e/p> "\"\\\n\u00E6\U0001F600" .`,
			[]string{"<http://e/æ> <http://e/p> \"\\\"\\\\\\næ😀\"^^<" + xsdString + ">"}},
		{"IRIs taken as written", "<http://e/a/../b> <http://e/p> <http://e/./o> .",
			[]string{"<http://e/a/../b> <http://e/p> <http://e/./o>"}},
		{"genid labels renamed", "_:genid1 <http://e/p> _:genid1 .\n_:x <http://e/p> _:genid2 .",
			[]string{"_:genid1 <http://e/p> _:genid1", "_:x <http://e/p> _:genid2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeAll(strings.NewReader(tc.doc), NTriples, Options{Base: "http://ignored/"})
			if err != nil || strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("Decode(%q) = %q, %v, want %q", tc.doc, got, err, tc.want)
			}
		})
	}
}

func TestDecodeNTriplesErrorPlace(t *testing.T) {
	tests := []struct {
		name, doc string
		line, col int
		msgPrefix string
	}{
		{"relative subject", "<s> <http://e/p> <http://e/o> .", 1, 1, "relative IRI <s>"},
		{"empty IRI first", "<> <http://e/p> <http://e/o> .", 1, 1, "relative IRI <>"},
		{"empty IRI after a triple", "<http://e/s> <http://e/p> <http://e/o> .\n<> <http://e/p> <http://e/o> .", 2, 1, "relative IRI <>"},
		{"relative datatype", "\n<http://e/s> <http://e/p> \"1\"^^<d> .", 2, 32, "relative IRI <d>"},
		{"two triples on a line", "<http://e/s> <http://e/p> <http://e/o> . <http://e/s> <http://e/p> <http://e/o> .", 1, 42, "expected end of line after the triple, found '<'"},
		{"triple across lines", "<http://e/s> <http://e/p>\n<http://e/o> .", 1, 26, "expected an object"},
		{"number", "<http://e/s> <http://e/p> 1 .", 1, 27, "expected an object"},
		{"prefixed name", "<http://e/s> <http://e/p> e:o .", 1, 27, "expected an object"},
		{"single quotes", "<http://e/s> <http://e/p> 'o' .", 1, 27, "expected an object"},
		{"long string", `<http://e/s> <http://e/p> """o""" .`, 1, 29, "expected '.' after the triple"},
		{"missing dot", "<http://e/s> <http://e/p> \"ø\"\n", 1, 30, "expected '.' after the triple, found end of line"},
		{"bad escape after multi-byte characters", `<http://e/s> <http://e/p> "øø\z" .`, 1, 30, `bad escape in string: '\' followed by 'z'`},
		{"directive", "@prefix e: <http://e/> .", 1, 1, "expected a subject"},
		{"label with colon", "_:a:b <http://e/p> <http://e/o> .", 1, 4, "expected a predicate IRI, found ':'"},
		{"fault after a refill", strings.Repeat("<http://e/s> <http://e/p> \"ø\" .\n", 5000) + "<http://e/s> <http://e/p> <http://e/o> ,\n",
			5001, 40, "expected '.' after the triple, found ','"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(tc.doc), iotest.OneByteReader(strings.NewReader(tc.doc))} {
				_, err := decodeAll(r, NTriples, Options{})
				var de *Error
				if !errors.As(err, &de) || de.Line != tc.line || de.Column != tc.col || !strings.HasPrefix(de.Msg, tc.msgPrefix) || de.Syntax != NTriples {
					t.Fatalf("Decode(%.60q) = %v, want n-triples:%d:%d: %s...", tc.doc, err, tc.line, tc.col, tc.msgPrefix)
				}
			}
		})
	}
}

func TestDecodeNTriplesLimits(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		lim  Limits
	}{
		{"huge literal", `<http://e/s> <http://e/p> "` + strings.Repeat("a", DefaultMaxTermBytes+10) + `" .`, Limits{}},
		{"huge IRI", `<http://e/s> <http://e/p> <http://e/` + strings.Repeat("a", 3000) + `> .`, Limits{MaxTermBytes: 1000}},
		{"huge label", `_:` + strings.Repeat("a", 3000) + ` <http://e/p> <http://e/o> .`, Limits{MaxTermBytes: 1000}},
		{"huge language tag", `<http://e/s> <http://e/p> "x"@` + strings.Repeat("a", 3000) + ` .`, Limits{MaxTermBytes: 1000}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeAll(strings.NewReader(tc.doc), NTriples, Options{Limits: tc.lim})
			var de *Error
			if !errors.Is(err, ErrTermTooLarge) || !errors.As(err, &de) || de.Line < 1 {
				t.Fatalf("Decode(%.40q...) = %v, want *Error wrapping %v", tc.doc, err, ErrTermTooLarge)
			}
		})
	}
}

// roundTrip writes g with knakk's N-Triples encoder and reads it back.
func roundTrip(g *graph) (*graph, []byte, error) {
	var buf bytes.Buffer
	enc := knakk.NewTripleEncoder(&buf, knakk.NTriples)
	for _, tr := range g.triples {
		if err := enc.Encode(tr); err != nil {
			return nil, nil, err
		}
	}
	if err := enc.Close(); err != nil {
		return nil, nil, err
	}
	back, err := decodeGraph(bytes.NewReader(buf.Bytes()), NTriples, "")
	return back, buf.Bytes(), err
}

func FuzzNTriples(f *testing.F) {
	fuzzSeeds(f, NTriples)
	f.Fuzz(func(t *testing.T, data []byte) {
		g := fuzzDecode(t, data, NTriples)
		if g == nil {
			return
		}
		back, written, err := roundTrip(g)
		if err != nil {
			t.Fatalf("Decode(%q) round trip: %v\n%s", data, err, written)
		}
		if !isomorphic(g, back) {
			t.Fatalf("Decode(%q) round trip changed the graph:\n%s\nwritten:\n%s", data, g.dump(), written)
		}
	})
}

func BenchmarkDecodeNTriples(b *testing.B) {
	benchDecode(b, benchNTriples(b), NTriples)
}
