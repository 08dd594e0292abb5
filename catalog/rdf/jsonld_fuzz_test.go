package rdf

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzJSONLD: whatever the input, the decoder returns nil or an *Error (never
// panics), and every IRI it hands out is absolute and passes NewIRI.
func FuzzJSONLD(f *testing.F) {
	for _, pattern := range []string{"*/*.jsonld", "*/*/*.jsonld", "no-fdk-legacy/brreg.rdf"} {
		files, _ := filepath.Glob(filepath.Join(corpusDir, pattern))
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil && len(data) < 8<<10 {
				f.Add(data)
			}
		}
	}
	for _, s := range []string{
		`{"@id": "http://ex.org/s", "http://ex.org/p": {"@list": [1, 2.5, true, {"@id": "_:b"}]}}`,
		`{"@context": {"@vocab": "http://ex.org/", "@base": "http://ex.org/b/"}, "@id": "a", "p": {"@value": "x", "@language": "en"}}`,
		`[{"@id": "http://ex.org/g", "@graph": [{"@id": "http://ex.org/a", "@type": "http://ex.org/T"}]}]`,
		`{"@context": {"ex": "http://ex.org/", "p": {"@id": "ex:p", "@container": "@language"}}, "@id": "ex:s", "p": {"en": "a", "nb": ["b"]}}`,
		`{"@context": {"@version": 1.1, "r": {"@reverse": "http://ex.org/r"}}, "@id": "http://ex.org/s", "r": {"@id": "http://ex.org/o"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := Options{Base: "http://example.org/base/doc.jsonld", Limits: Limits{MaxDepth: 64, MaxBytes: 1 << 20}}
		err := Decode(bytes.NewReader(data), JSONLD, opts, func(tr Triple) error {
			for _, term := range []Term{tr.Subj, tr.Pred, tr.Obj} {
				switch v := term.(type) {
				case IRI:
					if _, err := NewIRI(v.String()); err != nil || !IsAbsolute(v.String()) {
						t.Fatalf("Decode(%q) gave the IRI %q: %v", data, v.String(), err)
					}
				case Literal:
					if _, err := NewIRI(v.DataType.String()); err != nil {
						t.Fatalf("Decode(%q) gave the datatype %q: %v", data, v.DataType.String(), err)
					}
					if v.Lang() != "" && !validLangTag(v.Lang()) {
						t.Fatalf("Decode(%q) gave the language tag %q", data, v.Lang())
					}
				}
			}
			return nil
		})
		var e *Error
		if err != nil && !errors.As(err, &e) {
			t.Fatalf("Decode(%q) = %v (%T), want nil or an *Error", data, err, err)
		}
	})
}
