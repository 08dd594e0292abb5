package rdf

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzRDFXML checks that no input makes the decoder panic, that every IRI it
// emits is one NewIRI takes, that every fault is an *Error with a line, and
// that reading a byte at a time gives what reading whole gives.
func FuzzRDFXML(f *testing.F) {
	for _, name := range []string{
		"rdf-charmod-literals/test001.rdf", "rdf-containers-syntax-vs-schema/test004.rdf",
		"rdfms-empty-property-elements/test004.rdf", "rdfms-reification-required/test001.rdf",
		"rdfms-syntax-incomplete/test003.rdf", "rdfms-xml-literal-namespaces/test001.rdf",
		"rdfms-xmllang/test003.rdf", "xmlbase/test013.rdf", "xml-canon/test001.rdf",
		"rdf-ns-prefix-confusion/test0010.rdf", "rdfms-rdf-names-use/error-011.rdf",
	} {
		addSeedFile(f, filepath.Join("testdata", "w3c", "rdf-xml", name))
	}
	for _, name := range []string{"dk-dcat-ap-dk/basic-example1.rdf", "ckanext-dcat-examples/dataset_sweden.rdf", "no-fdk-legacy/oljedir.xml"} {
		addSeedFile(f, filepath.Join(corpusDir, name))
	}
	f.Add([]byte(`<!DOCTYPE r [<!ENTITY e "http://example.org/"><!ENTITY f "&e;x">]>` + rdfHead +
		`<ex:A rdf:about="&f;" xml:base="http://b/" xml:lang="en"><ex:p rdf:parseType="Literal"><a xmlns="http://a/" b="&amp;">&f;</a></ex:p>` +
		`<ex:c rdf:parseType="Collection"><ex:B/></ex:c><rdf:li rdf:ID="s" rdf:nodeID="n" ex:q="v"/></ex:A></rdf:RDF>`))
	f.Add([]byte("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>" + rdfHead + "<ex:A ex:p=\"\xe6\"/></rdf:RDF>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := Options{Base: "http://example.org/base", Limits: Limits{MaxDepth: 64, MaxTermBytes: 1 << 16}}
		check := func(t Triple) error {
			for _, x := range []Term{t.Subj, t.Pred, t.Obj} {
				switch v := x.(type) {
				case IRI:
					if _, err := NewIRI(v.String()); err != nil {
						return err
					}
				case Literal:
					if _, err := NewIRI(v.DataType.String()); err != nil {
						return err
					}
					if v.Lang() != "" && !validLangTag(v.Lang()) {
						return errors.New("bad language tag " + v.Lang())
					}
				case Blank:
					if v.String() == "" {
						return errors.New("empty blank node label")
					}
				}
			}
			return nil
		}
		var whole, bytewise strings.Builder
		errWhole := Decode(strings.NewReader(string(data)), RDFXML, opts, func(tr Triple) error {
			whole.WriteString(termKey(tr.Subj) + " " + termKey(tr.Pred) + " " + termKey(tr.Obj) + "\n")
			return check(tr)
		})
		if errWhole != nil {
			var de *Error
			if !errors.As(errWhole, &de) || de.Line < 1 || de.Column < 1 {
				t.Fatalf("Decode(%q) = %v, want nil or *Error with a place", data, errWhole)
			}
		}
		errBytes := Decode(&oneByteReader{string(data)}, RDFXML, opts, func(tr Triple) error {
			bytewise.WriteString(termKey(tr.Subj) + " " + termKey(tr.Pred) + " " + termKey(tr.Obj) + "\n")
			return nil
		})
		if whole.String() != bytewise.String() || (errWhole == nil) != (errBytes == nil) {
			t.Fatalf("Decode(%q): whole gives %v\n%s\na byte at a time gives %v\n%s", data, errWhole, whole.String(), errBytes, bytewise.String())
		}
	})
}

func addSeedFile(f *testing.F, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
}
