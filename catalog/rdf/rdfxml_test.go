package rdf

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

const rdfHead = `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">`

// decodeRDFXMLLines decodes doc and returns its triples as N-Triples lines in
// the order they came.
func decodeRDFXMLLines(doc string, opts Options) ([]string, error) {
	var lines []string
	err := Decode(strings.NewReader(doc), RDFXML, opts, func(t Triple) error {
		lines = append(lines, termKey(t.Subj)+" "+termKey(t.Pred)+" "+termKey(t.Obj))
		return nil
	})
	return lines, err
}

func TestRDFXMLTriples(t *testing.T) {
	const (
		ex  = "<http://example.org/"
		rdf = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#"
		str = "^^<http://www.w3.org/2001/XMLSchema#string>"
	)
	tests := []struct {
		name string
		doc  string
		base string
		want []string
	}{
		{
			name: "typed node element, mailto resource",
			doc: rdfHead + `<ex:Dataset rdf:about="http://example.org/d">
				<ex:contact rdf:resource="mailto:info@example.se"/></ex:Dataset></rdf:RDF>`,
			want: []string{
				ex + `d> ` + rdf + `type> ` + ex + `Dataset>`,
				ex + `d> ` + ex + `contact> <mailto:info@example.se>`,
			},
		},
		{
			name: "no rdf:RDF, one node element",
			doc:  `<ex:Thing xmlns:ex="http://example.org/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" rdf:about="a"/>`,
			base: "http://example.org/",
			want: []string{ex + `a> ` + rdf + `type> ` + ex + `Thing>`},
		},
		{
			name: "rdf:li counts per node",
			doc: rdfHead + `<rdf:Seq rdf:about="http://example.org/s">
				<rdf:li>a</rdf:li>
				<rdf:li><rdf:Bag rdf:about="http://example.org/b"><rdf:li>x</rdf:li></rdf:Bag></rdf:li>
				<rdf:li>c</rdf:li></rdf:Seq></rdf:RDF>`,
			want: []string{
				ex + `s> ` + rdf + `type> ` + rdf + `Seq>`,
				ex + `s> ` + rdf + `_1> "a"` + str,
				ex + `b> ` + rdf + `type> ` + rdf + `Bag>`,
				ex + `s> ` + rdf + `_2> ` + ex + `b>`,
				ex + `b> ` + rdf + `_1> "x"` + str,
				ex + `s> ` + rdf + `_3> "c"` + str,
			},
		},
		{
			name: "xml:lang inherited, overridden and reset",
			doc: `<rdf:RDF xml:lang="nb" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
				<rdf:Description rdf:about="http://example.org/d" ex:attr="a">
				<ex:p>nb</ex:p><ex:p xml:lang="sv-SE">sv</ex:p><ex:p xml:lang="">none</ex:p>
				<ex:p rdf:datatype="http://example.org/dt">typed</ex:p>
				</rdf:Description></rdf:RDF>`,
			want: []string{
				ex + `d> ` + ex + `attr> "a"@nb`,
				ex + `d> ` + ex + `p> "nb"@nb`,
				ex + `d> ` + ex + `p> "sv"@sv-se`,
				ex + `d> ` + ex + `p> "none"` + str,
				ex + `d> ` + ex + `p> "typed"^^` + ex + `dt>`,
			},
		},
		{
			name: "xml:base inherited and nested",
			doc: `<rdf:RDF xml:base="http://example.org/dir/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
				<rdf:Description rdf:about="a" xml:base="sub/"><ex:p rdf:resource="b"/><ex:q rdf:resource="../c" xml:base="/x/y"/></rdf:Description>
				<rdf:Description rdf:ID="frag"/>
				</rdf:RDF>`,
			base: "http://ignored.example/doc",
			want: []string{
				`<http://example.org/dir/sub/a> ` + ex + `p> <http://example.org/dir/sub/b>`,
				`<http://example.org/dir/sub/a> ` + ex + `q> <http://example.org/c>`,
			},
		},
		{
			name: "parseType Resource, Collection and empty property with attributes",
			doc: rdfHead + `<rdf:Description rdf:about="http://example.org/d">
				<ex:r rdf:parseType="Resource"><ex:v>1</ex:v></ex:r>
				<ex:c rdf:parseType="Collection"><rdf:Description rdf:about="http://example.org/i1"/><rdf:Description rdf:about="http://example.org/i2"/></ex:c>
				<ex:n rdf:parseType="Collection"/>
				<ex:e ex:name="n" rdf:type="http://example.org/T"/>
				</rdf:Description></rdf:RDF>`,
			want: []string{
				ex + `d> ` + ex + `r> _:genid1`,
				`_:genid1 ` + ex + `v> "1"` + str,
				ex + `d> ` + ex + `c> _:genid2`,
				`_:genid2 ` + rdf + `first> ` + ex + `i1>`,
				`_:genid2 ` + rdf + `rest> _:genid3`,
				`_:genid3 ` + rdf + `first> ` + ex + `i2>`,
				`_:genid3 ` + rdf + `rest> ` + rdf + `nil>`,
				ex + `d> ` + ex + `n> ` + rdf + `nil>`,
				ex + `d> ` + ex + `e> _:genid4`,
				`_:genid4 ` + ex + `name> "n"` + str,
				`_:genid4 ` + rdf + `type> ` + ex + `T>`,
			},
		},
		{
			name: "parseType Literal is canonical XML",
			doc: rdfHead + `<rdf:Description rdf:about="http://example.org/d">` +
				`<ex:x rdf:parseType="Literal"><a:b xmlns:a="http://a/" z="1" a:y="&lt;2&gt;"><c/><!--note--> &amp; </a:b></ex:x>` +
				`</rdf:Description></rdf:RDF>`,
			want: []string{
				ex + `d> ` + ex + `x> "<a:b xmlns:a=\"http://a/\" z=\"1\" a:y=\"&lt;2>\"><c></c><!--note--> &amp; </a:b>"^^` + rdf + `XMLLiteral>`,
			},
		},
		{
			name: "reification by rdf:ID on a property element",
			doc:  rdfHead + `<rdf:Description rdf:about="http://example.org/d"><ex:p rdf:ID="st">v</ex:p></rdf:Description></rdf:RDF>`,
			base: "http://example.org/doc",
			want: []string{
				ex + `d> ` + ex + `p> "v"` + str,
				ex + `doc#st> ` + rdf + `type> ` + rdf + `Statement>`,
				ex + `doc#st> ` + rdf + `subject> ` + ex + `d>`,
				ex + `doc#st> ` + rdf + `predicate> ` + ex + `p>`,
				ex + `doc#st> ` + rdf + `object> "v"` + str,
			},
		},
		{
			name: "references, CDATA, comments, CR LF",
			doc: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<!-- c -->" + rdfHead +
				"<rdf:Description rdf:about=\"http://example.org/a?x=1&amp;y=2\">" +
				"<ex:p>&#65;&#x42;&lt;<![CDATA[<&>]]><!-- skip -->\r\nz</ex:p></rdf:Description></rdf:RDF>",
			want: []string{ex + `a?x=1&y=2> ` + ex + `p> "AB<<&>\nz"` + str},
		},
		{
			name: "DOCTYPE internal entities",
			doc: `<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
  <!ENTITY ex "http://example.org/">
  <!ENTITY name "&ex;name">
  <!ENTITY % param "ignored">
  <!ELEMENT rdf:RDF ANY>
]>
` + `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="&ex;">
<rdf:Description rdf:about="&ex;d"><ex:p rdf:resource="&name;"/><ex:q>&name; &amp; &#x263A;</ex:q></rdf:Description></rdf:RDF>`,
			want: []string{
				ex + `d> ` + ex + `p> ` + ex + `name>`,
				ex + `d> ` + ex + `q> "http://example.org/name & ☺"` + str,
			},
		},
		{
			name: "IRI characters percent-encoded",
			doc:  rdfHead + `<rdf:Description rdf:about="http://example.org/a b"><ex:p rdf:resource="http://example.org/{x}"/></rdf:Description></rdf:RDF>`,
			want: []string{ex + `a%20b> ` + ex + `p> ` + ex + `%7Bx%7D>`},
		},
		{
			name: "unqualified legacy attributes",
			doc: rdfHead + `<rdf:Description about="http://example.org/d">
				<ex:p resource="http://example.org/o"/><ex:g datatype="http://example.org/dt">v</ex:g>
				<ex:r parseType="Resource"/></rdf:Description></rdf:RDF>`,
			want: []string{
				ex + `d> ` + ex + `p> ` + ex + `o>`,
				ex + `d> ` + ex + `g> "v"^^` + ex + `dt>`,
				ex + `d> ` + ex + `r> _:genid1`,
			},
		},
		{
			name: "nodeID and made-up labels",
			doc: rdfHead + `<rdf:Description rdf:nodeID="n1"><ex:p rdf:nodeID="genid1"/></rdf:Description>
				<rdf:Description><ex:q>v</ex:q></rdf:Description></rdf:RDF>`,
			want: []string{
				`_:n1 ` + ex + `p> _:genid1`,
				`_:genid2 ` + ex + `q> "v"` + str,
			},
		},
		{
			name: "ISO-8859-1",
			doc:  "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" + rdfHead + "<rdf:Description rdf:about=\"http://example.org/d\"><ex:p>Bl\xe5b\xe6r</ex:p></rdf:Description></rdf:RDF>",
			want: []string{ex + `d> ` + ex + `p> "Blåbær"` + str},
		},
		{
			name: "foreign attributes on rdf:RDF ignored",
			doc: `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
				xsi:schemaLocation="a b" xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/d" ex:p="v"/></rdf:RDF>`,
			want: []string{ex + `d> ` + ex + `p> "v"` + str},
		},
		{
			name: "windows-1252",
			doc:  "<?xml version=\"1.0\" encoding=\"windows-1252\"?>" + rdfHead + "<rdf:Description rdf:about=\"http://example.org/d\" ex:p=\"\x80 \x93\xe5\x94\"/></rdf:RDF>",
			want: []string{ex + `d> ` + ex + `p> "€ “å”"` + str},
		},
		{
			name: "byte order mark",
			doc:  "\xef\xbb\xbf" + rdfHead + `<rdf:Description rdf:about="http://example.org/d" ex:p="v"/></rdf:RDF>`,
			want: []string{ex + `d> ` + ex + `p> "v"` + str},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeRDFXMLLines(tc.doc, Options{Base: tc.base})
			if err != nil {
				t.Fatalf("Decode(%q) = %v, want %d triples", tc.doc, err, len(tc.want))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("Decode(%q) =\n%s\nwant\n%s", tc.doc, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestRDFXMLErrors(t *testing.T) {
	tests := []struct {
		name      string
		doc       string
		line, col int
		msg       string
	}{
		{"not XML", "\n  {\"@context\": {}}", 2, 3, "not an XML document"},
		{"empty", "", 1, 1, "no root element"},
		{"unclosed", rdfHead + "\n<rdf:Description>", 2, 18, "not closed"},
		{"mismatched end tag", rdfHead + "\n  <ex:A>\n  </ex:B></rdf:RDF>", 3, 3, "does not match"},
		{"undeclared prefix", rdfHead + "\n <foo:Bar/>", 2, 2, "not declared"},
		{"column counts characters", rdfHead + "\n<!-- æøå --><ex:A rdf:about=\"x\" rdf:bagID=\"b\"/>", 2, 33, "rdf:bagID"},
		{"text in a node element", rdfHead + "<ex:A>\n  stray<ex:p/></ex:A></rdf:RDF>", 2, 3, "where an element was expected"},
		{"text and element in a property", rdfHead + "<ex:A><ex:p>t<ex:B/></ex:p></ex:A></rdf:RDF>", 1, 110, "both text and"},
		{"two node elements in a property", rdfHead + "<ex:A><ex:p><ex:B/><ex:C/></ex:p></ex:A></rdf:RDF>", 1, 116, "more than one node"},
		{"resource with content", rdfHead + "<ex:A><ex:p rdf:resource=\"http://x/\">t</ex:p></ex:A></rdf:RDF>", 1, 134, "must be empty, but holds text"},
		{"about and nodeID", rdfHead + "<ex:A rdf:about=\"http://x/\" rdf:nodeID=\"n\"/></rdf:RDF>", 1, 125, "only one of"},
		{"bad rdf:ID", rdfHead + "<ex:A rdf:ID=\"1a\"/></rdf:RDF>", 1, 103, "not an XML name"},
		{"repeated rdf:ID", rdfHead + "<ex:A rdf:ID=\"a\"/>\n<ex:B rdf:ID=\"a\"/></rdf:RDF>", 2, 7, "used twice"},
		{"element without namespace", "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><Thing/></rdf:RDF>", 1, 66, "no namespace"},
		{"attribute without namespace", rdfHead + "<ex:A foo=\"1\"/></rdf:RDF>", 1, 103, "no namespace"},
		{"bad language tag", rdfHead + "<ex:A xml:lang=\"en_US\" ex:p=\"v\"/></rdf:RDF>", 1, 103, "language tag"},
		{"rdf:about on rdf:RDF", "<rdf:RDF rdf:about=\"http://x/\" xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/>", 1, 10, "not allowed on rdf:RDF"},
		{"two roots", rdfHead + "</rdf:RDF>\n<ex:A/>", 2, 1, "more than one root"},
		{"duplicate attribute", rdfHead + "<ex:A ex:p=\"1\" ex:p=\"2\"/></rdf:RDF>", 1, 112, "repeated"},
		{"undefined entity", rdfHead + "<ex:A ex:p=\"&nope;\"/></rdf:RDF>", 1, 103, "undefined entity"},
		{"control character", rdfHead + "<ex:A ex:p=\"\x01\"/></rdf:RDF>", 1, 103, "not allowed"},
		{"malformed UTF-8", rdfHead + "<ex:A><ex:p>\xff</ex:p></ex:A></rdf:RDF>", 1, 109, "malformed UTF-8"},
		{"UTF-16", "\xff\xfe<\x00", 1, 1, "UTF-16"},
		{"unknown encoding", `<?xml version="1.0" encoding="Shift_JIS"?><a/>`, 1, 1, "not supported"},
		{"declaration not first", "\n<?xml version=\"1.0\"?><a/>", 2, 1, "XML declaration"},
		{"cut off in a tag", rdfHead + "<ex:A ex:p=\"v", 1, 97, "unexpected end"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeRDFXMLLines(tc.doc, Options{Base: "http://example.org/doc"})
			var de *Error
			if !errors.As(err, &de) || de.Syntax != RDFXML || de.Line != tc.line || de.Column != tc.col || !strings.Contains(de.Msg, tc.msg) {
				t.Errorf("Decode(%q) = %v, want rdf/xml:%d:%d: ...%s...", tc.doc, err, tc.line, tc.col, tc.msg)
			}
		})
	}
}

func TestRDFXMLLimits(t *testing.T) {
	deep := rdfHead + strings.Repeat("<ex:A><ex:p>", 40) + strings.Repeat("</ex:p></ex:A>", 40) + "</rdf:RDF>"
	long := rdfHead + "<ex:A><ex:p>" + strings.Repeat("x", 5000) + "</ex:p></ex:A></rdf:RDF>"
	longIRI := rdfHead + "<ex:A rdf:about=\"http://example.org/" + strings.Repeat("x", 5000) + "\"/></rdf:RDF>"
	longLiteral := rdfHead + "<ex:A><ex:p rdf:parseType=\"Literal\">" + strings.Repeat("<b>x</b>", 1000) + "</ex:p></ex:A></rdf:RDF>"
	hugeText := rdfHead + "<ex:A><ex:p>" + strings.Repeat("y", 300<<10) + "</ex:p></ex:A></rdf:RDF>"
	laughs := `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
` + rdfHead + `<ex:A><ex:p>&lol9;</ex:p></ex:A></rdf:RDF>`
	manyLaughs := `<!DOCTYPE r [<!ENTITY a "` + strings.Repeat("a", 1000) + `">]>` + rdfHead + "<ex:A>" +
		strings.Repeat(`<ex:p>`+strings.Repeat("&a;", 900)+`</ex:p>`, 200) + "</ex:A></rdf:RDF>"
	recursive := `<!DOCTYPE r [<!ENTITY a "&b;"><!ENTITY b "&a;">]>` + rdfHead + `<ex:A ex:p="&a;"/></rdf:RDF>`
	dir := t.TempDir()
	dtd := filepath.Join(dir, "ext.dtd")
	if err := os.WriteFile(dtd, []byte(`<!ENTITY e "from the external DTD">`), 0o644); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(dir, "secret.txt")
	if err := os.WriteFile(secret, []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	external := `<!DOCTYPE r [<!ENTITY x SYSTEM "file://` + secret + `">]>` + rdfHead + `<ex:A><ex:p>&x;</ex:p></ex:A></rdf:RDF>`
	externalDTD := `<!DOCTYPE r SYSTEM "file://` + dtd + `">` + rdfHead + `<ex:A><ex:p>&e;</ex:p></ex:A></rdf:RDF>`

	tests := []struct {
		name   string
		doc    string
		limits Limits
		want   error  // sentinel, or nil for any *Error
		msg    string // part of the message
	}{
		{"depth", deep, Limits{MaxDepth: 30}, ErrTooDeep, "deeper than 30"},
		{"default depth", rdfHead + strings.Repeat("<ex:A><ex:p>", 300) + strings.Repeat("</ex:p></ex:A>", 300) + "</rdf:RDF>", Limits{}, ErrTooDeep, "deeper than 512"},
		{"long literal", long, Limits{MaxTermBytes: 4096}, ErrTermTooLarge, "longer than 4096"},
		{"long IRI", longIRI, Limits{MaxTermBytes: 4096}, ErrTermTooLarge, "longer than 4096"},
		{"long XML literal", longLiteral, Limits{MaxTermBytes: 4096}, ErrTermTooLarge, "longer than 4096"},
		{"text past the buffer", hugeText, Limits{MaxTermBytes: 100 << 10}, ErrTermTooLarge, "longer than"},
		{"document size", long, Limits{MaxBytes: 1000}, ErrTooLarge, "longer than 1000"},
		{"billion laughs", laughs, Limits{}, ErrTermTooLarge, "longer than"},
		{"quadratic blowup", manyLaughs, Limits{MaxTermBytes: 1 << 20}, ErrTermTooLarge, "entity expansion"},
		{"many attributes", rdfHead + "<ex:A" + strings.Repeat(" ex:p=\"1\"", 2000) + "/></rdf:RDF>", Limits{}, ErrTermTooLarge, "more than 1024 attributes"},
		{"many namespaces", rdfHead + strings.Repeat("<ex:A xmlns:a=\"http://a/\" xmlns:b=\"http://b/\" xmlns:c=\"http://c/\" xmlns:d=\"http://d/\" xmlns:e=\"http://e/\" xmlns:f=\"http://f/\" xmlns:g=\"http://g/\" xmlns:h=\"http://h/\" xmlns:i=\"http://i/\" xmlns:j=\"http://j/\"><ex:p>", 450), Limits{MaxDepth: 1000}, ErrTermTooLarge, "namespace declarations in scope"},
		{"recursive entity", recursive, Limits{}, nil, "refers to itself"},
		{"external entity", external, Limits{}, nil, "external entity &x; is not read"},
		{"external DTD is not read", externalDTD, Limits{}, nil, "undefined entity &e;"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := decodeRDFXMLLines(tc.doc, Options{Limits: tc.limits})
			var de *Error
			if !errors.As(err, &de) || de.Line < 1 || (tc.want != nil && !errors.Is(err, tc.want)) || !strings.Contains(de.Msg, tc.msg) {
				t.Fatalf("Decode(%.60q...) = %v, want *Error wrapping %v saying %q", tc.doc, err, tc.want, tc.msg)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("Decode(%.60q...) took %v", tc.doc, d)
			}
		})
	}
}

func TestRDFXMLDefaultLimitsAllowLongText(t *testing.T) {
	doc := rdfHead + "<ex:A><ex:p>" + strings.Repeat("y", 1<<20) + "</ex:p></ex:A></rdf:RDF>"
	got, err := decodeRDFXMLLines(doc, Options{})
	if err != nil || len(got) != 2 {
		t.Fatalf("Decode(1 MiB literal) = %d triples, %v; want 2, nil", len(got), err)
	}
}

func TestRDFXMLCallbackError(t *testing.T) {
	stop := errors.New("stop here")
	doc := rdfHead + strings.Repeat(`<ex:A rdf:about="http://example.org/a" ex:p="1" ex:q="2"/>`, 10) + "</rdf:RDF>"
	n := 0
	err := Decode(strings.NewReader(doc), RDFXML, Options{}, func(Triple) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if err != stop || n != 3 {
		t.Fatalf("Decode with a callback failing at 3 = %v after %d triples, want %v after 3", err, n, stop)
	}
}

// failingReader gives its data, then fails.
type failingReader struct {
	data string
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestRDFXMLReaderError(t *testing.T) {
	broken := errors.New("connection reset")
	r := &failingReader{data: rdfHead + "\n<ex:A rdf:about=\"http://example.org/a\" ex:p=\"1\"/>\n<ex:A", err: broken}
	n := 0
	err := Decode(r, RDFXML, Options{}, func(Triple) error { n++; return nil })
	var de *Error
	if !errors.As(err, &de) || !errors.Is(err, broken) || de.Line != 3 || n != 2 {
		t.Fatalf("Decode(failing reader) = %v after %d triples, want *Error at line 3 wrapping %v after 2", err, n, broken)
	}
}

// oneByteReader hands out its data a byte at a time, to cut every token.
type oneByteReader struct{ data string }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = r.data[0]
	r.data = r.data[1:]
	return 1, nil
}

// TestRDFXMLReadBoundaries decodes the W3C and corpus files whole and a byte
// at a time, and from a big document that crosses the buffer many times.
func TestRDFXMLReadBoundaries(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "w3c", "rdf-xml", "*", "*.rdf"))
	for _, c := range rdfxmlCorpus {
		paths = append(paths, filepath.Join(corpusDir, c.path))
	}
	if len(paths) < 100 {
		t.Fatalf("%d test files, want the W3C suite and the corpus", len(paths))
	}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		whole, errWhole := decodeLines(strings.NewReader(string(data)))
		bytewise, errBytes := decodeLines(&oneByteReader{string(data)})
		if (errWhole == nil) != (errBytes == nil) || whole != bytewise {
			t.Errorf("%s: read whole: %v, %d bytes; a byte at a time: %v, %d bytes", path, errWhole, len(whole), errBytes, len(bytewise))
		}
		if errWhole != nil && errBytes != nil && errWhole.Error() != errBytes.Error() {
			t.Errorf("%s: read whole: %v; a byte at a time: %v", path, errWhole, errBytes)
		}
	}
}

func decodeLines(r io.Reader) (string, error) {
	var b strings.Builder
	err := Decode(r, RDFXML, Options{Base: "http://example.org/base"}, func(t Triple) error {
		b.WriteString(termKey(t.Subj) + " " + termKey(t.Pred) + " " + termKey(t.Obj) + "\n")
		return nil
	})
	return b.String(), err
}

func TestRDFXMLNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	stop := errors.New("stop")
	doc := rdfHead + `<ex:A rdf:about="http://example.org/a" ex:p="1" ex:q="2"/></rdf:RDF>`
	for range 200 {
		_ = Decode(strings.NewReader(doc), RDFXML, Options{}, func(Triple) error { return stop })
		_ = Decode(strings.NewReader(doc[:len(doc)/2]), RDFXML, Options{}, func(Triple) error { return nil })
	}
	time.Sleep(10 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before {
		t.Fatalf("goroutines: %d before, %d after 400 decodes", before, after)
	}
}

// TestRDFXMLWithdrawnW3C runs the seven tests the W3C manifest comments out
// (XML literal canonicalisation, mostly): they still hold for this decoder.
func TestRDFXMLWithdrawnW3C(t *testing.T) {
	const base = "https://w3c.github.io/rdf-tests/rdf/rdf11/rdf-xml/"
	dir := filepath.Join("testdata", "w3c", "rdf-xml")
	for _, name := range []string{
		"rdfms-empty-property-elements/test003", "rdfms-empty-property-elements/test009",
		"rdfms-xml-literal-namespaces/test001", "rdfms-xml-literal-namespaces/test002",
		"rdfms-xmllang/test001", "rdfms-xmllang/test002",
	} {
		got, err := decodeGraphFile(filepath.Join(dir, name+".rdf"), RDFXML, base+name+".rdf")
		if err != nil {
			t.Errorf("Decode(%q) = %v", name, err)
			continue
		}
		want, err := decodeGraphFile(filepath.Join(dir, name+".nt"), NTriples, base+name+".nt")
		if err != nil {
			t.Fatal(err)
		}
		if !isomorphic(got, want) {
			t.Errorf("Decode(%q) =\n%s\nwant\n%s", name, got.dump(), want.dump())
		}
	}
	if _, err := decodeGraphFile(filepath.Join(dir, "rdfms-empty-property-elements", "error003.rdf"), RDFXML, base); err == nil {
		t.Errorf("Decode(rdfms-empty-property-elements/error003) = nil, want an error")
	}
}

// dripReader hands out its data in reads of at most n bytes and counts them.
type dripReader struct {
	data  string
	n     int
	reads int
}

func (r *dripReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, io.EOF
	}
	r.reads++
	k := copy(p[:min(len(p), r.n)], r.data)
	r.data = r.data[k:]
	return k, nil
}

// TestRDFXMLSlowReader checks that a long literal arriving in small reads
// costs linear time: the tokenizer must not rescan it after every read.
func TestRDFXMLSlowReader(t *testing.T) {
	doc := rdfHead + "<ex:A><ex:p>" + strings.Repeat("z", 4<<20) + "</ex:p></ex:A></rdf:RDF>"
	r := &dripReader{data: doc, n: 1460}
	var scanned int64
	x := newXMLReader(r, Limits{})
	for {
		tok, err := x.next()
		if err != nil {
			t.Fatalf("next() = %v", err)
		}
		if tok.kind == xmlEOF {
			break
		}
		if tok.kind == xmlText && len(tok.text) == 4<<20 {
			scanned++
		}
	}
	// Reads of 1460 bytes: about 2900 of them. What matters is the number of
	// refills that rescan the pending text, each at least doubling it.
	if scanned != 1 || x.refills > 64 {
		t.Fatalf("4 MiB literal in 1460-byte reads: %d text tokens, %d refills; want 1 token, at most 64 refills", scanned, x.refills)
	}
}
