package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestRun runs the benchmark on a small catalogue: it must build, measure and
// query without error. The numbers are not checked.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	args := []string{"-n", "2000", "-queries", "200", "-dir", t.TempDir(), "-corpus", "../../testdata/corpus"}
	if err := run(context.Background(), args, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"build: 2000 datasets", "save:", "open:", "highlights of 10 hits", "queries with facets, 2 clients: 200", "queries without facets", "p99"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestDatasetIsDeterministic(t *testing.T) {
	bases, err := readCorpus("../../testdata/corpus")
	if err != nil {
		t.Fatal(err)
	}
	a, b := newGenerator(bases, 7), newGenerator(bases, 7)
	for i := range 50 {
		x, y := a.dataset(i), b.dataset(i)
		if x.ID != y.ID || x.Title.Get() != y.Title.Get() || x.Publisher.IRI != y.Publisher.IRI || len(x.Title) == 0 {
			t.Fatalf("dataset(%d) = %v and %v, want the same, with a title", i, x.Title, y.Title)
		}
	}
}

// BenchmarkDataset is the generator's own cost, to subtract from the build rate.
func BenchmarkDataset(b *testing.B) {
	bases, err := readCorpus("../../testdata/corpus")
	if err != nil {
		b.Fatal(err)
	}
	g := newGenerator(bases, 1)
	b.ResetTimer()
	for i := range b.N {
		g.dataset(i)
	}
}
