package rdf

import "testing"

func BenchmarkDecodeNTriples(b *testing.B) {
	benchDecode(b, benchNTriples(b), NTriples)
}
