package rdf

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// benchRDFXML returns datanorge.xml (34 KB, 328 triples) replicated inside one
// rdf:RDF to about size bytes, each copy's dataset and distribution IRIs made
// distinct, and the number of triples it holds.
func benchRDFXML(tb testing.TB, size int) ([]byte, int) {
	tb.Helper()
	src, err := os.ReadFile(filepath.Join(corpusDir, "no-fdk-legacy", "datanorge.xml"))
	if err != nil {
		tb.Skip(err)
	}
	open := bytes.Index(src, []byte("<rdf:RDF"))
	bodyStart := open + bytes.IndexByte(src[open:], '>') + 1
	bodyEnd := bytes.LastIndex(src, []byte("</rdf:RDF>"))
	head, body, tail := src[:bodyStart], src[bodyStart:bodyEnd], src[bodyEnd:]
	var b bytes.Buffer
	b.Grow(size + len(src))
	b.Write(head)
	copies := 0
	for b.Len() < size {
		b.Write(bytes.ReplaceAll(body, []byte("/uuid/"), fmt.Appendf(nil, "/uuid/c%d-", copies)))
		copies++
	}
	b.Write(tail)
	n := 0
	if err := Decode(bytes.NewReader(b.Bytes()), RDFXML, Options{}, func(Triple) error { n++; return nil }); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes(), n
}

func BenchmarkDecodeRDFXML(b *testing.B) {
	data, triples := benchRDFXML(b, 10<<20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := Decode(bytes.NewReader(data), RDFXML, Options{}, func(Triple) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(triples)/sec, "triples/s")
	allocs := testing.AllocsPerRun(1, func() {
		_ = Decode(bytes.NewReader(data), RDFXML, Options{}, func(Triple) error { return nil })
	})
	b.ReportMetric(allocs/float64(triples), "allocs/triple")
}
