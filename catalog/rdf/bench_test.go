package rdf

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// BenchmarkDecodeFiles decodes the files bench/rdfgen writes (dcat.ttl,
// dcat.nt, dcat.rdf, dcat.jsonld) from the directory named by
// SAMBAND_BENCH_DIR, one sub-benchmark per syntax, and reports MB/s,
// triples/s and allocations per triple. bench/rdf.sh runs it beside serdi and
// rapper; docs/benchmarks.md has the numbers.
//
//	go run ./bench/rdfgen -mb 80 -out bench/out
//	SAMBAND_BENCH_DIR=$PWD/bench/out go test -run '^$' -bench BenchmarkDecodeFiles -benchtime 3x ./catalog/rdf/
func BenchmarkDecodeFiles(b *testing.B) {
	dir := os.Getenv("SAMBAND_BENCH_DIR")
	if dir == "" {
		b.Skip("SAMBAND_BENCH_DIR is not set; bench/rdf.sh sets it")
	}
	for _, bc := range []struct {
		name, file string
		syn        Syntax
	}{
		{"turtle", "dcat.ttl", Turtle},
		{"ntriples", "dcat.nt", NTriples},
		{"rdfxml", "dcat.rdf", RDFXML},
		{"jsonld", "dcat.jsonld", JSONLD},
	} {
		b.Run(bc.name, func(b *testing.B) {
			path := filepath.Join(dir, bc.file)
			fi, err := os.Stat(path)
			if err != nil {
				b.Skipf("no %s: %v", bc.file, err)
			}
			b.SetBytes(fi.Size())
			var triples int64
			var mallocs uint64
			var before, after runtime.MemStats
			for i := 0; i < b.N; i++ {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				runtime.ReadMemStats(&before)
				// JSON-LD is read whole; the generated file is larger than its default bound.
				err = Decode(bufio.NewReaderSize(f, 1<<20), bc.syn, Options{Limits: Limits{MaxBytes: 1 << 30}}, func(Triple) error {
					n++
					return nil
				})
				runtime.ReadMemStats(&after)
				f.Close()
				if errors.Is(err, ErrUnknownSyntax) {
					b.Skipf("%s: %v", bc.name, err)
				}
				if err != nil {
					b.Fatalf("Decode(%s) = %v", path, err)
				}
				triples += int64(n)
				mallocs += after.Mallocs - before.Mallocs
			}
			if triples > 0 {
				b.ReportMetric(float64(triples)/b.Elapsed().Seconds(), "triples/s")
				b.ReportMetric(float64(mallocs)/float64(triples), "allocs/triple")
			}
		})
	}
}
