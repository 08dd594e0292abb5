package rdf

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

func mustIRI(t *testing.T, s string) IRI {
	t.Helper()
	iri, err := NewIRI(s)
	if err != nil {
		t.Fatal(err)
	}
	return iri
}

func encodeXML(t *testing.T, prefixes map[string]string, triples []Triple) (string, error) {
	t.Helper()
	var b bytes.Buffer
	enc := NewXMLEncoder(&b, prefixes)
	for _, tr := range triples {
		if err := enc.Encode(tr); err != nil {
			return b.String(), err
		}
	}
	err := enc.Close()
	return b.String(), err
}

// wellFormed fails unless doc is well-formed XML.
func wellFormed(t *testing.T, doc string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("output is not well-formed XML: %v\n%s", err, doc)
		}
	}
}

func TestXMLEncoderGolden(t *testing.T) {
	ex := func(s string) IRI { return mustIRI(t, "http://example.org/"+s) }
	dcat := func(s string) IRI { return mustIRI(t, "http://www.w3.org/ns/dcat#"+s) }
	dct := func(s string) IRI { return mustIRI(t, "http://purl.org/dc/terms/"+s) }
	lang, err := NewLangLiteral("Bier & <Brot>", "de-CH")
	if err != nil {
		t.Fatal(err)
	}
	triples := []Triple{
		{Subj: ex("ds/1?a=1&b=2"), Pred: mustIRI(t, rdfType), Obj: dcat("Dataset")},
		{Subj: ex("ds/1?a=1&b=2"), Pred: dct("title"), Obj: lang},
		{Subj: ex("ds/1?a=1&b=2"), Pred: dct("description"), Obj: NewStringLiteral("line 1\r\nline \"2\"\t]]>")},
		{Subj: ex("ds/1?a=1&b=2"), Pred: dct("issued"), Obj: NewTypedLiteral("2024-01-02", mustIRI(t, NSXSD+"date"))},
		{Subj: ex("ds/1?a=1&b=2"), Pred: dcat("distribution"), Obj: NewBlank("d1")},
		{Subj: NewBlank("d1"), Pred: ex("vocab/size"), Obj: NewTypedLiteral("42", mustIRI(t, xsdInteger))},
		{Subj: NewBlank("d1"), Pred: mustIRI(t, "urn:x:weird-ns:p"), Obj: NewBlank("1st")},
		{Subj: NewBlank("d1"), Pred: ex("vocab/size"), Obj: NewTypedLiteral("43", mustIRI(t, xsdInteger))},
		{Subj: ex("ds/1?a=1&b=2"), Pred: dct("title"), Obj: NewStringLiteral("again")},
	}
	got, err := encodeXML(t, map[string]string{"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/"}, triples)
	if err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF
    xmlns:dcat="http://www.w3.org/ns/dcat#"
    xmlns:dct="http://purl.org/dc/terms/"
    xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="http://example.org/ds/1?a=1&amp;b=2">
    <rdf:type rdf:resource="http://www.w3.org/ns/dcat#Dataset"/>
    <dct:title xml:lang="de-CH">Bier &amp; &lt;Brot&gt;</dct:title>
    <dct:description>line 1&#xD;
line "2"	]]&gt;</dct:description>
    <dct:issued rdf:datatype="http://www.w3.org/2001/XMLSchema#date">2024-01-02</dct:issued>
    <dcat:distribution rdf:nodeID="d1"/>
  </rdf:Description>
  <rdf:Description rdf:nodeID="d1">
    <ns1:size xmlns:ns1="http://example.org/vocab/" rdf:datatype="http://www.w3.org/2001/XMLSchema#integer">42</ns1:size>
    <ns2:p xmlns:ns2="urn:x:weird-ns:" rdf:nodeID="x-317374"/>
    <ns1:size xmlns:ns1="http://example.org/vocab/" rdf:datatype="http://www.w3.org/2001/XMLSchema#integer">43</ns1:size>
  </rdf:Description>
  <rdf:Description rdf:about="http://example.org/ds/1?a=1&amp;b=2">
    <dct:title>again</dct:title>
  </rdf:Description>
</rdf:RDF>
`
	if got != want {
		t.Errorf("XMLEncoder wrote\n%s\nwant\n%s", got, want)
	}
	wellFormed(t, got)

	// What XML gives back is what went in: text, line ends and all.
	d := xml.NewDecoder(strings.NewReader(got))
	var texts []string
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		if cd, ok := tok.(xml.CharData); ok && strings.TrimSpace(string(cd)) != "" {
			texts = append(texts, string(cd))
		}
	}
	if len(texts) < 2 || texts[1] != "line 1\r\nline \"2\"\t]]>" {
		t.Errorf("XML reads the description back as %q, want %q", texts, "line 1\r\nline \"2\"\t]]>")
	}
}

func TestXMLEncoderEmpty(t *testing.T) {
	got, err := encodeXML(t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rdf:RDF\n    xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n</rdf:RDF>\n"
	if got != want {
		t.Errorf("XMLEncoder wrote %q, want %q", got, want)
	}
}

func TestXMLEncoderErrors(t *testing.T) {
	s := mustIRI(t, "http://example.org/s")
	p := mustIRI(t, "http://example.org/p")
	tests := []struct {
		name     string
		prefixes map[string]string
		triple   Triple
		contains string
	}{
		{"predicate ends in a slash", nil, Triple{Subj: s, Pred: mustIRI(t, "http://example.org/p/"), Obj: s}, "QName"},
		{"predicate ends in digits", nil, Triple{Subj: s, Pred: mustIRI(t, "urn:isbn:123"), Obj: s}, "QName"},
		{"rdf:li", nil, Triple{Subj: s, Pred: mustIRI(t, NSRDF+"li"), Obj: s}, "rdf:li"},
		{"control character in a literal", nil, Triple{Subj: s, Pred: p, Obj: NewStringLiteral("bell\x07")}, "U+0007"},
		{"invalid UTF-8", nil, Triple{Subj: s, Pred: p, Obj: NewStringLiteral("a\xffb")}, "UTF-8"},
		{"bad prefix", map[string]string{"1x": "http://example.org/"}, Triple{Subj: s, Pred: p, Obj: s}, "prefix"},
		{"xml prefix", map[string]string{"xmlfoo": "http://example.org/"}, Triple{Subj: s, Pred: p, Obj: s}, "prefix"},
		{"rdf rebound", map[string]string{"rdf": "http://example.org/"}, Triple{Subj: s, Pred: p, Obj: s}, "rdf"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			enc := NewXMLEncoder(&b, tc.prefixes)
			err := enc.Encode(tc.triple)
			if err == nil || !strings.Contains(err.Error(), tc.contains) {
				t.Fatalf("Encode(%v) = %v, want an error saying %q", tc.triple, err, tc.contains)
			}
			// Nothing of the refused triple is written; the document stays good.
			if tc.prefixes == nil {
				if err := enc.Close(); err != nil {
					t.Fatalf("Close() = %v", err)
				}
				wellFormed(t, b.String())
				if strings.Contains(b.String(), "Description") {
					t.Errorf("a refused triple left %q", b.String())
				}
			}
		})
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n += len(p); w.n > 100 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestXMLEncoderWriteError(t *testing.T) {
	enc := NewXMLEncoder(&failWriter{}, nil)
	s := mustIRI(t, "http://example.org/s")
	p := mustIRI(t, "http://example.org/p")
	var err error
	for i := 0; i < 10000 && err == nil; i++ {
		err = enc.Encode(Triple{Subj: s, Pred: p, Obj: NewStringLiteral(strings.Repeat("x", 100))})
	}
	if err == nil {
		err = enc.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Encode/Close on a failing writer = %v, want disk full", err)
	}
}

// readXMLSubset reads the RDF/XML subset XMLEncoder writes (flat
// rdf:Description elements) with encoding/xml, which resolves the namespaces:
// a reading of the output that shares no code with the encoder.
func readXMLSubset(t *testing.T, doc string) *graph {
	t.Helper()
	g := &graph{}
	d := xml.NewDecoder(strings.NewReader(doc))
	attr := func(se xml.StartElement, space, local string) (string, bool) {
		for _, a := range se.Attr {
			if a.Name.Space == space && a.Name.Local == local {
				return a.Value, true
			}
		}
		return "", false
	}
	const nsXML = "http://www.w3.org/XML/1998/namespace"
	var subj Subject
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return g
		}
		if err != nil {
			t.Fatalf("read back: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			depth++
			switch depth {
			case 2:
				if v, ok := attr(tok, NSRDF, "about"); ok {
					subj = mustIRI(t, v)
				} else if v, ok := attr(tok, NSRDF, "nodeID"); ok {
					subj = NewBlank(v)
				}
			case 3:
				pred := mustIRI(t, tok.Name.Space+tok.Name.Local)
				if v, ok := attr(tok, NSRDF, "resource"); ok {
					g.add(Triple{Subj: subj, Pred: pred, Obj: mustIRI(t, v)})
					continue
				}
				if v, ok := attr(tok, NSRDF, "nodeID"); ok {
					g.add(Triple{Subj: subj, Pred: pred, Obj: NewBlank(v)})
					continue
				}
				var text string
				if err := d.DecodeElement(&text, &tok); err != nil {
					t.Fatalf("read back: %v", err)
				}
				depth--
				var obj Object
				if v, ok := attr(tok, nsXML, "lang"); ok {
					obj = langLiteralOf(text, v)
				} else if v, ok := attr(tok, NSRDF, "datatype"); ok {
					obj = NewTypedLiteral(text, mustIRI(t, v))
				} else {
					obj = NewStringLiteral(text)
				}
				g.add(Triple{Subj: subj, Pred: pred, Obj: obj})
			}
		case xml.EndElement:
			depth--
		}
	}
}

// TestXMLEncoderRoundTrip writes real catalogues as RDF/XML and reads them
// back: with this package's RDF/XML decoder once it is built, and always with
// readXMLSubset. The graph must come back the same.
func TestXMLEncoderRoundTrip(t *testing.T) {
	for _, file := range []string{"no-fdk-legacy/entryscape.jsonld", "ckanext-dcat-examples/catalog_pod.jsonld", "no-fdk-legacy/brreg.rdf"} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			want, err := decodeGraphFile(filepath.Join(corpusDir, file), JSONLD, "")
			if err != nil {
				t.Fatal(err)
			}
			out, err := encodeXML(t, map[string]string{"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/"}, want.triples)
			if err != nil {
				t.Fatal(err)
			}
			wellFormed(t, out)
			if got := readXMLSubset(t, out); !isomorphic(got, want) {
				t.Errorf("round trip of %s through encoding/xml: %d triples back, want %d\n%s", file, got.len(), want.len(), got.dump())
			}
			got, err := decodeGraph(strings.NewReader(out), RDFXML, "")
			if errors.Is(err, ErrUnknownSyntax) {
				t.Logf("RDF/XML decoder not built on this branch: %v", err)
				return
			}
			if err != nil {
				t.Fatalf("Decode(RDF/XML output of %s) = %v", file, err)
			}
			if !isomorphic(got, want) {
				t.Errorf("round trip of %s through the RDF/XML decoder: %d triples back, want %d\n%s", file, got.len(), want.len(), got.dump())
			}
		})
	}
}
