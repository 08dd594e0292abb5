package rdf

import "testing"

// The examples of RFC 3986 section 5.4, and a few an RDF document meets.
func TestResolve(t *testing.T) {
	const base = "http://a/b/c/d;p?q"
	cases := []struct{ ref, want string }{
		{"g:h", "g:h"}, {"g", "http://a/b/c/g"}, {"./g", "http://a/b/c/g"}, {"g/", "http://a/b/c/g/"},
		{"/g", "http://a/g"}, {"//g", "http://g"}, {"?y", "http://a/b/c/d;p?y"}, {"g?y", "http://a/b/c/g?y"},
		{"#s", "http://a/b/c/d;p?q#s"}, {"g#s", "http://a/b/c/g#s"}, {"g?y#s", "http://a/b/c/g?y#s"},
		{";x", "http://a/b/c/;x"}, {"g;x", "http://a/b/c/g;x"}, {"g;x?y#s", "http://a/b/c/g;x?y#s"},
		{"", "http://a/b/c/d;p?q"}, {".", "http://a/b/c/"}, {"./", "http://a/b/c/"}, {"..", "http://a/b/"},
		{"../", "http://a/b/"}, {"../g", "http://a/b/g"}, {"../..", "http://a/"}, {"../../", "http://a/"},
		{"../../g", "http://a/g"}, {"../../../g", "http://a/g"}, {"../../../../g", "http://a/g"},
		{"/./g", "http://a/g"}, {"/../g", "http://a/g"}, {"g.", "http://a/b/c/g."}, {".g", "http://a/b/c/.g"},
		{"g..", "http://a/b/c/g.."}, {"..g", "http://a/b/c/..g"}, {"./../g", "http://a/b/g"}, {"./g/.", "http://a/b/c/g/"},
		{"g/./h", "http://a/b/c/g/h"}, {"g/../h", "http://a/b/c/h"}, {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
		{"g;x=1/../y", "http://a/b/c/y"}, {"g?y/./x", "http://a/b/c/g?y/./x"}, {"g?y/../x", "http://a/b/c/g?y/../x"},
		{"g#s/./x", "http://a/b/c/g#s/./x"}, {"g#s/../x", "http://a/b/c/g#s/../x"}, {"http:g", "http:g"},
		{"mailto:someone@example.org", "mailto:someone@example.org"},
		{"https://data.norge.no/datasets/1", "https://data.norge.no/datasets/1"},
	}
	for _, tc := range cases {
		if got := Resolve(base, tc.ref); got != tc.want {
			t.Errorf("Resolve(%q, %q) = %q, want %q", base, tc.ref, got, tc.want)
		}
	}
	if got := Resolve("http://a", "g"); got != "http://a/g" {
		t.Errorf("Resolve(http://a, g) = %q, want http://a/g", got)
	}
	if got := Resolve("", "g"); got != "g" {
		t.Errorf("Resolve(\"\", g) = %q, want g", got)
	}
}

func TestDetect(t *testing.T) {
	cases := []struct {
		head, hint string
		want       Syntax
	}{
		{`{"@context": {}}`, "brreg.rdf", JSONLD},
		{"\xef\xbb\xbf  [ {\"@id\": \"x\"} ]", "", JSONLD},
		{`<?xml version="1.0"?><rdf:RDF/>`, "x.ttl", RDFXML},
		{`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">`, "", RDFXML},
		{"<!-- c -->\n<rdf:RDF>", "", RDFXML},
		{"<https://creativecommons.org/publicdomain/zero/1.0/> <http://a/p> <http://a/o> .", "x.nt", NTriples},
		{"<a> <b> <c> .", "", Turtle},
		{"<http://a/s> <http://a/p> <http://a/o> .\n", "data.nt", NTriples},
		{"<http://a/s> <http://a/p> <http://a/o> .\n", "text/turtle", Turtle},
		{"<http://a/s> <http://a/p> <http://a/o> .\n", "application/rdf+xml", Turtle},
		{"@prefix dcat: <http://www.w3.org/ns/dcat#> .", "catalog.rdf", Turtle},
		{"PREFIX dcat: <http://www.w3.org/ns/dcat#>", "", Turtle},
		{"# comment\n\ndcat:x a dcat:Dataset .", "", Turtle},
		{"_:b <http://a/p> \"x\" .", "application/n-triples; charset=utf-8", NTriples},
		{"<!DOCTYPE html><html><body>", "text/turtle", Unknown},
		{"", "x.ttl", Unknown},
		{"Not found", "x.ttl", Unknown},
	}
	for _, tc := range cases {
		if got := Detect([]byte(tc.head), tc.hint); got != tc.want {
			t.Errorf("Detect(%q, %q) = %v, want %v", tc.head, tc.hint, got, tc.want)
		}
	}
}
