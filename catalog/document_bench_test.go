package catalog

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"samband/catalog/rdf"
)

// navCatalogue returns copies of the NAV/Skatteetaten catalogue (42 datasets)
// as one Turtle document, each copy's datasets, distributions and contact
// points under IRIs of their own; the publisher stays one.
func navCatalogue(tb testing.TB, copies int, uniqueLiterals bool) []byte {
	tb.Helper()
	src, err := os.ReadFile(filepath.Join(corpusDir, "no-fdk-legacy/nav-2017-10-31.ttl"))
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	out.Grow(copies * len(src))
	for i := 0; i < copies; i++ {
		c := bytes.ReplaceAll(src, []byte("http://brreg.no/catalogs/"), fmt.Appendf(nil, "http://brreg.no/copy%d/catalogs/", i))
		c = bytes.ReplaceAll(c, []byte("http://data.brreg.no/datakatalog/"), fmt.Appendf(nil, "http://data.brreg.no/copy%d/datakatalog/", i))
		if uniqueLiterals {
			// Every Norwegian text of the copy its own, as in a real
			// catalogue, but for the label of the language all share.
			c = bytes.ReplaceAll(c, []byte(`"@nb`), fmt.Appendf(nil, ` %d"@nb`, i))
			c = bytes.ReplaceAll(c, fmt.Appendf(nil, `"Norsk %d"@nb`, i), []byte(`"Norsk"@nb`))
		}
		out.Write(c)
		out.WriteByte('\n')
	}
	return out.Bytes()
}

// BenchmarkDocument builds a Document from a catalogue of about 20,000
// datasets and maps every record: records/s of Records, heap bytes a triple
// of the built Document (HeapInuse after building, less before). In
// "shared-literals" the copies of the catalogue share their texts, as the
// brief for the benchmark asks; in "unique-literals" every text is distinct.
func BenchmarkDocument(b *testing.B) {
	for _, unique := range []bool{false, true} {
		name := "shared-literals"
		if unique {
			name = "unique-literals"
		}
		b.Run(name, func(b *testing.B) { benchmarkDocument(b, navCatalogue(b, 480, unique)) })
	}
}

func benchmarkDocument(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	var heapPerTriple, recordsPerSec, triples, records float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		doc := NewDocument()
		if err := rdf.Decode(bytes.NewReader(data), rdf.Turtle, rdf.Options{}, doc.Add); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		heapPerTriple = float64(int64(after.HeapInuse)-int64(before.HeapInuse)) / float64(doc.Len())
		start := time.Now()
		n := 0
		if _, err := doc.Records(MapOptions{Source: "bench", Country: "NO"}, func(Dataset) error {
			n++
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		recordsPerSec = float64(n) / time.Since(start).Seconds()
		triples, records = float64(doc.Len()), float64(n)
		runtime.KeepAlive(doc)
	}
	b.ReportMetric(recordsPerSec, "records/s")
	b.ReportMetric(heapPerTriple, "heap-B/triple")
	b.ReportMetric(triples, "triples")
	b.ReportMetric(records, "records")
}
