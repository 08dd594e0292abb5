package rdf

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	knakk "github.com/knakk/rdf"
)

// benchCopies copies of the NAV catalogue (77 kB, 883 triples) make ~10 MB.
const benchCopies = 130

// benchTurtle returns a real catalogue replicated benchCopies times, each copy
// with IRIs of its own, so that the decoder cannot live off its cache.
func benchTurtle(b *testing.B) []byte {
	b.Helper()
	src, err := os.ReadFile(filepath.Join(corpusDir, "no-fdk-legacy", "nav-2017-10-31.ttl"))
	if err != nil {
		b.Skipf("no corpus: %v", err)
	}
	var prefixes, body []string
	for _, line := range strings.SplitAfter(string(src), "\n") {
		if strings.HasPrefix(line, "@prefix") {
			prefixes = append(prefixes, line)
		} else {
			body = append(body, line)
		}
	}
	var buf bytes.Buffer
	buf.WriteString(strings.Join(prefixes, ""))
	rest := strings.Join(body, "")
	for i := 0; i < benchCopies; i++ {
		r := strings.NewReplacer(
			"http://brreg.no/catalogs/", fmt.Sprintf("http://brreg.no/catalogs/c%d-", i),
			"http://data.brreg.no/enhetsregisteret/enhet/", fmt.Sprintf("http://data.brreg.no/enhetsregisteret/enhet/c%d-", i),
		)
		buf.WriteString(r.Replace(rest))
	}
	return buf.Bytes()
}

// benchNTriples returns benchTurtle as N-Triples, written by knakk's encoder.
func benchNTriples(b *testing.B) []byte {
	b.Helper()
	ttl := benchTurtle(b)
	var buf bytes.Buffer
	enc := knakk.NewTripleEncoder(&buf, knakk.NTriples)
	err := Decode(bytes.NewReader(ttl), Turtle, Options{}, enc.Encode)
	if err == nil {
		err = enc.Close()
	}
	if err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// benchDecode decodes data b.N times and reports bytes, triples and
// allocations per triple.
func benchDecode(b *testing.B, data []byte, syn Syntax) {
	count := 0
	if err := Decode(bytes.NewReader(data), syn, Options{}, func(Triple) error { count++; return nil }); err != nil {
		b.Fatal(err)
	}
	var sink Triple
	fn := func(t Triple) error { sink = t; return nil }
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := Decode(bytes.NewReader(data), syn, Options{}, fn); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	_ = sink
	triples := float64(count) * float64(b.N)
	b.ReportMetric(triples/b.Elapsed().Seconds(), "triples/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/triples, "allocs/triple")
}

func BenchmarkDecodeTurtle(b *testing.B) {
	benchDecode(b, benchTurtle(b), Turtle)
}
