package rdf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

// decodeAll decodes doc and returns its triples, as N-Triples-like lines.
func decodeAll(r io.Reader, syn Syntax, opts Options) ([]string, error) {
	var out []string
	err := Decode(r, syn, opts, func(t Triple) error {
		out = append(out, termKey(t.Subj)+" "+termKey(t.Pred)+" "+termKey(t.Obj))
		return nil
	})
	return out, err
}

func TestDecodeTurtle(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"prefixed names", "@prefix e: <http://e/> . e:s e:p e:o .",
			[]string{"<http://e/s> <http://e/p> <http://e/o>"}},
		{"sparql prefix and base any case", "pReFiX e: <x/>\nbase <http://b/>\ne:s <p> <#o> .",
			[]string{"<http://h/d/x/s> <http://b/p> <http://b/#o>"}},
		{"base resolves against base", "@base <http://a/b/> . @base <../c/> . <s> <p> <o> .",
			[]string{"<http://a/c/s> <http://a/c/p> <http://a/c/o>"}},
		{"relative IRI against options base", "<s> <p> <../o> .",
			[]string{"<http://h/d/s> <http://h/d/p> <http://h/o>"}},
		{"local name escapes and percent", `@prefix e: <http://e/> . e:a\-b%20c e:p e:o\.x.`,
			[]string{"<http://e/a-b%20c> <http://e/p> <http://e/o.x>"}},
		{"trailing dot ends the statement", "@prefix e: <http://e/> . e:s e:p e:o.\ne:t e:p e:o.",
			[]string{"<http://e/s> <http://e/p> <http://e/o>", "<http://e/t> <http://e/p> <http://e/o>"}},
		{"dots and colons inside local names", "@prefix e: <http://e/> . e:s e:p e:o.e:t.",
			[]string{"<http://e/s> <http://e/p> <http://e/o.e:t>"}},
		{"a and literals", `<http://e/s> a <http://e/C> ; <http://e/p> 1, -2.5, 3e1, .5E-2, true, "x"@en-GB, 'y'^^<http://e/d>, """z
"q""\"""" .`,
			[]string{
				"<http://e/s> <" + rdfType + "> <http://e/C>",
				`<http://e/s> <http://e/p> "1"^^<` + xsdInteger + ">",
				`<http://e/s> <http://e/p> "-2.5"^^<` + xsdDecimal + ">",
				`<http://e/s> <http://e/p> "3e1"^^<` + xsdDouble + ">",
				`<http://e/s> <http://e/p> ".5E-2"^^<` + xsdDouble + ">",
				`<http://e/s> <http://e/p> "true"^^<` + xsdBoolean + ">",
				`<http://e/s> <http://e/p> "x"@en-gb`,
				`<http://e/s> <http://e/p> "y"^^<http://e/d>`,
				`<http://e/s> <http://e/p> "z\n\"q\"\"\""^^<` + xsdString + ">",
			}},
		{"integer then dot", "<http://e/s> <http://e/p> 7.", []string{`<http://e/s> <http://e/p> "7"^^<` + xsdInteger + ">"}},
		{"empty predicate-object pairs", "<http://e/s> <http://e/p> <http://e/o> ;; <http://e/q> <http://e/r> ; .",
			[]string{"<http://e/s> <http://e/p> <http://e/o>", "<http://e/s> <http://e/q> <http://e/r>"}},
		{"sole blank node property list", "[ <http://e/p> <http://e/o> ] .",
			[]string{"_:genid1 <http://e/p> <http://e/o>"}},
		{"] ; pattern", "<http://e/s> <http://e/p> [ <http://e/q> 1 ] ; <http://e/r> 2 .",
			[]string{
				"<http://e/s> <http://e/p> _:genid1",
				`_:genid1 <http://e/q> "1"^^<` + xsdInteger + ">",
				`<http://e/s> <http://e/r> "2"^^<` + xsdInteger + ">",
			}},
		{"empty collection", "<http://e/s> <http://e/p> () .", []string{"<http://e/s> <http://e/p> <" + rdfNil + ">"}},
		{"collection as subject", "(<http://e/a>) <http://e/p> <http://e/o> .",
			[]string{
				"_:genid1 <" + rdfFirst + "> <http://e/a>",
				"_:genid1 <" + rdfRest + "> <" + rdfNil + ">",
				"_:genid1 <http://e/p> <http://e/o>",
			}},
		{"blank node scoping", "_:a <http://e/p> _:genid1 . _:genid1 <http://e/p> [] . _:a <http://e/q> _:a .",
			[]string{
				"_:a <http://e/p> _:genid1",
				"_:genid1 <http://e/p> _:genid2",
				"_:a <http://e/q> _:a",
			}},
		{"prefix redefined", "@prefix e: <http://a/> . e:s e:p e:o . @prefix e: <http://b/> . e:s e:p e:o .",
			[]string{"<http://a/s> <http://a/p> <http://a/o>", "<http://b/s> <http://b/p> <http://b/o>"}},
		{"base changed", "@base <http://a/> . <s> <p> <o> . @base <http://b/> . <s> <p> <o> .",
			[]string{"<http://a/s> <http://a/p> <http://a/o>", "<http://b/s> <http://b/p> <http://b/o>"}},
		{"repeated literals", `<http://e/s> <http://e/p> "ab"@c, "ab"@c, "ab", "ab"^^<http://e/d>, "ab"@C, 12, "12"^^<` + xsdInteger + `> .`,
			[]string{
				`<http://e/s> <http://e/p> "ab"@c`, `<http://e/s> <http://e/p> "ab"@c`,
				`<http://e/s> <http://e/p> "ab"^^<` + xsdString + ">", `<http://e/s> <http://e/p> "ab"^^<http://e/d>`,
				`<http://e/s> <http://e/p> "ab"@c`,
				`<http://e/s> <http://e/p> "12"^^<` + xsdInteger + ">", `<http://e/s> <http://e/p> "12"^^<` + xsdInteger + ">",
			}},
		{"byte order mark and comments", "\ufeff# c\n<http://e/s> # c\n <http://e/p> <http://e/o> . # c",
			[]string{"<http://e/s> <http://e/p> <http://e/o>"}},
		{"unicode escapes", `<http://e/\u00E6> <http://e/p> "\U0001F600\t" .`,
			[]string{"<http://e/æ> <http://e/p> \"😀\\t\"^^<" + xsdString + ">"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeAll(strings.NewReader(tc.doc), Turtle, Options{Base: "http://h/d/x"})
			if err != nil || strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("Decode(%q) = %q, %v, want %q", tc.doc, got, err, tc.want)
			}
		})
	}
}

// TestDecodeTurtleErrorPlace checks the line, column and message of faults.
func TestDecodeTurtleErrorPlace(t *testing.T) {
	longLine := `<http://e/s> <http://e/p> "` + strings.Repeat("æ", 50000) + `" , ; .`
	tests := []struct {
		name, doc  string
		line, col  int
		msgPrefix  string
		wantSyntax Syntax
	}{
		{"comma after dot", "<http://e/s> <http://e/p> <http://e/o> .,", 1, 41, "expected a subject", Turtle},
		{"missing dot", "<http://e/s> <http://e/p> <http://e/o> , <http://e/o2>\n<http://e/t> <http://e/p> <http://e/o> .", 2, 1,
			"expected ',', ';' or '.' after the object, found '<'", Turtle},
		{"after multi-byte characters", "<http://e/s> <http://e/p> \"æøå\" ,, .", 1, 34, "expected an object, found ','", Turtle},
		{"space in IRI", "<http://e/s> <http://e/p> <http://e/a b> .", 1, 38, "expected '>' to end the IRI, found ' '", Turtle},
		{"undefined prefix", "\n  e:s <http://e/p> 1 .", 2, 3, `undefined prefix "e:"`, Turtle},
		{"prefix without dot", "@prefix e: <http://e/>\n@prefix f: <http://f/> .", 2, 1, "expected '.' after @prefix, found '@'", Turtle},
		{"slash in local name", "@prefix e: <http://e/> .\ne:a/b e:p e:o .", 2, 4, "expected a predicate, found '/'", Turtle},
		{"bad escape in IRI", `<http://e/\u0020> <http://e/p> <http://e/o> .`, 1, 11, "bad escape in IRI", Turtle},
		{"surrogate escape", `<http://e/s> <http://e/p> "\uD800" .`, 1, 28, "bad escape", Turtle},
		{"unterminated string", "<http://e/s> <http://e/p> \"abc\n\" .", 1, 31, "expected the closing quote", Turtle},
		{"end inside a blank node", "<http://e/s> <http://e/p> [ <http://e/q> 1 ", 1, 44, "expected ']'", Turtle},
		{"bad language tag", `<http://e/s> <http://e/p> "x"@1 .`, 1, 30, "bad language tag", Turtle},
		{"two byte input", ".3", 1, 1, "expected a subject", Turtle},
		{"a million brackets", strings.Repeat("[", 1_000_000), 1, 2, "expected a predicate, found '['", Turtle},
		{"relative IRI without a base", "<http://e/s> <http://e/p>\n  <o> .", 2, 3, "relative IRI <o> and no base", Turtle},
		{"relative namespace without a base", "@prefix e: <e/> .\ne:s <http://e/p> 1 .", 2, 1, "e:s stands for the relative IRI <e/s>", Turtle},
		{"literal subject", `"s" <http://e/p> <http://e/o> .`, 1, 1, "expected a subject", Turtle},
		{"fault in a line longer than the buffer", "# first\n\n" + longLine, 3, 50032, "expected an object, found ';'", Turtle},
		{"fault after a refill", strings.Repeat("<http://e/s> <http://e/p> \"ø\" .\n", 5000) + "<http://e/s> <http://e/p> <http://e/o> <http://e/x> .",
			5001, 40, "expected ',', ';' or '.' after the object, found '<'", Turtle},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(tc.doc), iotest.OneByteReader(strings.NewReader(tc.doc))} {
				_, err := decodeAll(r, tc.wantSyntax, Options{})
				var de *Error
				if !errors.As(err, &de) || de.Line != tc.line || de.Column != tc.col || !strings.HasPrefix(de.Msg, tc.msgPrefix) || de.Syntax != tc.wantSyntax {
					t.Fatalf("Decode(%.60q) = %v, want %v:%d:%d: %s...", tc.doc, err, tc.wantSyntax, tc.line, tc.col, tc.msgPrefix)
				}
			}
		})
	}
}

func TestDecodeTurtleLimits(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		lim  Limits
		want error
	}{
		{"nested property lists", "<http://e/s> <http://e/p> " + strings.Repeat("[ <http://e/p> ", 1_000_000), Limits{}, ErrTooDeep},
		{"nested collections", strings.Repeat("(", 1_000_000), Limits{}, ErrTooDeep},
		{"depth limit set", "<http://e/s> <http://e/p> ((((1)))) .", Limits{MaxDepth: 3}, ErrTooDeep},
		{"huge literal", `<http://e/s> <http://e/p> "` + strings.Repeat("a", DefaultMaxTermBytes+10) + `" .`, Limits{}, ErrTermTooLarge},
		{"huge long literal", `<http://e/s> <http://e/p> """` + strings.Repeat("a\n", 600) + `""" .`, Limits{MaxTermBytes: 1000}, ErrTermTooLarge},
		{"huge IRI", `<http://e/s> <http://e/p> <http://e/` + strings.Repeat("a", 3000) + `> .`, Limits{MaxTermBytes: 1000}, ErrTermTooLarge},
		{"huge IRI over the buffer", `<http://e/s> <http://e/p> <http://e/` + strings.Repeat("a", 300_000) + `> .`, Limits{MaxTermBytes: 100_000}, ErrTermTooLarge},
		{"document too large", strings.Repeat("<http://e/s> <http://e/p> <http://e/o> .\n", 1000), Limits{MaxBytes: 4000}, ErrTooLarge},
		{"document too large inside a token", "<http://e/s> <http://e/p> <http://e/o> .\n<http://e/s> <http://e/p> 1234567", Limits{MaxBytes: 60}, ErrTooLarge},
		{"huge prefixed name", `@prefix e: <http://e/> . e:s e:p e:` + strings.Repeat("a", 3000) + ` .`, Limits{MaxTermBytes: 1000}, ErrTermTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeAll(strings.NewReader(tc.doc), Turtle, Options{Limits: tc.lim})
			var de *Error
			if !errors.Is(err, tc.want) || !errors.As(err, &de) || de.Line < 1 {
				t.Fatalf("Decode(%.40q...) = %v, want *Error wrapping %v", tc.doc, err, tc.want)
			}
		})
	}
	// Within the limit, the same terms are read.
	doc := `<http://e/s> <http://e/p> <http://e/` + strings.Repeat("a", 300_000) + `> .`
	if got, err := decodeAll(strings.NewReader(doc), Turtle, Options{}); err != nil || len(got) != 1 {
		t.Fatalf("Decode(300 kB IRI) = %d triples, %v, want 1, nil", len(got), err)
	}
}

// linesReader produces n lines made by line(i), without holding them all.
type linesReader struct {
	i, n int
	line func(i int) string
	buf  []byte
}

func (r *linesReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.i == r.n {
			return 0, io.EOF
		}
		r.buf = []byte(r.line(r.i))
		r.i++
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// TestDecodeMemoryBounded reads 77 MB of distinct long IRIs: what the decoder
// keeps (buffer, term cache) must not grow with them.
func TestDecodeMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("77 MB")
	}
	long := strings.Repeat("x", 128<<10)
	for _, syn := range []Syntax{Turtle, NTriples} {
		t.Run(syn.String(), func(t *testing.T) {
			r := &linesReader{n: 600, line: func(i int) string {
				return fmt.Sprintf("<http://e/%d/%s> <http://e/p> <http://e/o%d> .\n", i, long, i)
			}}
			var heap uint64
			n := 0
			err := Decode(r, syn, Options{}, func(Triple) error {
				if n++; n == 600 {
					runtime.GC()
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					heap = ms.HeapAlloc
				}
				return nil
			})
			if err != nil || n != 600 || heap > 4<<20 {
				t.Fatalf("Decode(600 lines of 128 kB) = %d triples, %v, heap %d MB at the end, want 600, nil, < 4 MB", n, err, heap>>20)
			}
		})
	}
}

func TestDecodeCallbackError(t *testing.T) {
	stop := errors.New("stop")
	for _, syn := range []Syntax{Turtle, NTriples} {
		t.Run(syn.String(), func(t *testing.T) {
			doc := strings.Repeat("<http://e/s> <http://e/p> <http://e/o> .\n", 10)
			n := 0
			err := Decode(strings.NewReader(doc), syn, Options{}, func(Triple) error {
				n++
				if n == 3 {
					return stop
				}
				return nil
			})
			if err != stop || n != 3 {
				t.Fatalf("Decode(%.20q) = %v after %d triples, want %v after 3", doc, err, n, stop)
			}
		})
	}
}

// errAfterReader returns its bytes, then err.
type errAfterReader struct {
	r   io.Reader
	err error
}

func (e *errAfterReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		return n, e.err
	}
	return n, err
}

func TestDecodeReaderError(t *testing.T) {
	boom := errors.New("connection reset")
	tests := []struct {
		syn     Syntax
		doc     string
		triples int // read before the error; none may be cut short
	}{
		{Turtle, "", 0},
		{Turtle, "<http://e/s> <http://e/p> <http://e/o> .\n", 1},
		{Turtle, "<http://e/s> <http://e/p> <http://e/o", 0},
		{Turtle, "<http://e/s> <http://e/p> 12", 0},
		{Turtle, "<http://e/s> <http://e/p> \"abc\"", 0},
		{Turtle, "<http://e/s> <http://e/p> \"abc\"@en", 0},
		{Turtle, "@prefix e: <http://e/> . e:s e:p e:ab", 0},
		{Turtle, "@prefix e: <http://e/> . e:s e:p e:", 0},
		{Turtle, "@prefix e: <http://e/> . e:s e:p _:ab", 0},
		{Turtle, "@pre", 0},
		{NTriples, "", 0},
		{NTriples, "<http://e/s> <http://e/p> <http://e/o> .\n", 1},
		{NTriples, "<http://e/s> <http://e/p> \"abc\"@en", 0},
		{NTriples, "<http://e/s> <http://e/p> _:ab", 0},
	}
	for _, tc := range tests {
		t.Run(tc.syn.String(), func(t *testing.T) {
			r := &errAfterReader{strings.NewReader(tc.doc), boom}
			got, err := decodeAll(r, tc.syn, Options{})
			var de *Error
			if !errors.Is(err, boom) || !errors.As(err, &de) || de.Line < 1 || len(got) != tc.triples {
				t.Fatalf("Decode(%q) = %q, %v, want %d triples and *Error wrapping %v", tc.doc, got, err, tc.triples, boom)
			}
		})
	}
}

func TestDecodeNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	for _, syn := range []Syntax{Turtle, NTriples} {
		for _, doc := range []string{".3", "<http://e/s> <http://e/p> <http://e/o> .", "<http://e/s> <http://e/p>"} {
			_, _ = decodeAll(strings.NewReader(doc), syn, Options{})
		}
	}
	if after := runtime.NumGoroutine(); after != before {
		t.Fatalf("goroutines: %d before, %d after decoding", before, after)
	}
}

// testFiles lists the W3C suite files and corpus files of a syntax.
func testFiles(t testing.TB, syn Syntax) []string {
	var files []string
	exts := map[string]bool{".ttl": syn == Turtle, ".nt": true}
	for _, root := range []string{filepath.Join("testdata", "w3c", "rdf-turtle"), filepath.Join("testdata", "w3c", "rdf-n-triples"), corpusDir} {
		_ = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && exts[filepath.Ext(path)] {
				files = append(files, path)
			}
			return nil
		})
	}
	if len(files) == 0 {
		t.Fatal("no test files")
	}
	return files
}

// TestDecodeOneByteReader decodes every test file whole and one byte a read:
// every token straddles a refill, and the triples and errors must not change.
func TestDecodeOneByteReader(t *testing.T) {
	for _, syn := range []Syntax{Turtle, NTriples} {
		for _, path := range testFiles(t, syn) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			opts := Options{Base: "http://example/base/x"}
			want, wantErr := decodeAll(bytes.NewReader(data), syn, opts)
			got, gotErr := decodeAll(iotest.OneByteReader(bytes.NewReader(data)), syn, opts)
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%v %s one byte a read: %d triples, %v; whole: %d triples, %v", syn, path, len(got), gotErr, len(want), wantErr)
			}
		}
	}
}
