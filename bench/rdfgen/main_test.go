package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	knakk "github.com/knakk/rdf"

	"samband/catalog/rdf"
)

const navTTL = "../../testdata/corpus/no-fdk-legacy/nav-2017-10-31.ttl"

// key writes a triple with blank node labels left out: the decoders label
// blank nodes each their own way.
func key(t rdf.Triple) string {
	k := func(x rdf.Term) string {
		switch v := x.(type) {
		case rdf.Blank:
			return "_"
		case rdf.Literal:
			if v.Lang() != "" {
				return fmt.Sprintf("%q@%s", v.String(), strings.ToLower(v.Lang()))
			}
			return fmt.Sprintf("%q^^%s", v.String(), v.DataType.String())
		}
		return "<" + x.String() + ">"
	}
	return k(t.Subj) + " " + k(t.Pred) + " " + k(t.Obj)
}

func readFile(t *testing.T, path string, syn rdf.Syntax) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	add := func(tr rdf.Triple) error {
		keys = append(keys, key(tr))
		return nil
	}
	err = rdf.Decode(bytes.NewReader(raw), syn, rdf.Options{}, add)
	if errors.Is(err, rdf.ErrUnknownSyntax) {
		// This package's decoder for syn is built on another branch; knakk
		// reads Turtle and N-Triples, but not this RDF/XML.
		var f knakk.Format
		switch syn {
		case rdf.Turtle:
			f = knakk.Turtle
		case rdf.NTriples:
			f = knakk.NTriples
		default:
			t.Logf("%s: no decoder on this branch, not checked", filepath.Base(path))
			return nil
		}
		keys = keys[:0]
		dec := knakk.NewTripleDecoder(bytes.NewReader(raw), f)
		for {
			tr, err := dec.Decode()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("knakk reads %s: %v", path, err)
			}
			add(tr)
		}
	} else if err != nil {
		t.Fatalf("Decode(%s) = %v", path, err)
	}
	slices.Sort(keys)
	return keys
}

// TestRun writes three copies of the NAV catalogue and reads every file back:
// each holds 3 x 883 triples, the same in every syntax, and no copy shares a
// subject with another.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run([]string{"-mb", "0.2", "-out", dir, "-src", navTTL}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "dcat.ttl\t") || !strings.Contains(out.String(), "\t2649\t3\n") {
		t.Errorf("run printed %q, want a manifest of 3 copies, 2649 triples", out.String())
	}
	if fi, err := os.Stat(filepath.Join(dir, "dcat.ttl")); err != nil || fi.Size() < 200000 {
		t.Errorf("dcat.ttl: %v, %v, want at least 200000 bytes", fi, err)
	}
	want := readFile(t, filepath.Join(dir, "dcat.nt"), rdf.NTriples)
	if len(want) != 3*883 {
		t.Fatalf("dcat.nt holds %d triples, want %d", len(want), 3*883)
	}
	subjects := make(map[string]bool)
	for _, k := range want {
		subjects[k[:strings.IndexByte(k, ' ')]] = true
	}
	// The source has 42 datasets and more described IRIs; each copy has its own.
	if n := len(subjects); n < 3*42 {
		t.Errorf("dcat.nt has %d distinct subjects, want at least %d", n, 3*42)
	}
	for _, f := range []struct {
		name string
		syn  rdf.Syntax
	}{{"dcat.ttl", rdf.Turtle}, {"dcat.jsonld", rdf.JSONLD}, {"dcat.rdf", rdf.RDFXML}} {
		got := readFile(t, filepath.Join(dir, f.name), f.syn)
		if got == nil {
			continue
		}
		if !slices.Equal(got, want) {
			for i := range min(len(got), len(want)) {
				if got[i] != want[i] {
					t.Errorf("%s differs from dcat.nt first at\n%s\nwant\n%s", f.name, got[i], want[i])
					break
				}
			}
			t.Errorf("%s holds %d triples, dcat.nt %d", f.name, len(got), len(want))
		}
	}
}

// TestRunJSONLDBound: -jsonld-mb stops the JSON-LD file early and the
// manifest says so.
func TestRunJSONLDBound(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run([]string{"-mb", "0.2", "-jsonld-mb", "0.01", "-out", dir, "-src", navTTL}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "dcat.jsonld\t") || !strings.Contains(out.String(), "\t883\t1\n") {
		t.Errorf("run printed %q, want dcat.jsonld with 1 copy", out.String())
	}
	if got := readFile(t, filepath.Join(dir, "dcat.jsonld"), rdf.JSONLD); len(got) != 883 {
		t.Errorf("dcat.jsonld holds %d triples, want 883", len(got))
	}
}
