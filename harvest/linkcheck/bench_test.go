package linkcheck

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"samband/catalog"
	"samband/catalog/sqlite"
)

// BenchmarkPassNothingDue measures the fixed cost of a pass: walking 20,000
// records with three links each, all checked recently, and, in the first
// pass of a Checker (and in any pass that checked something), re-scoring
// them (every score already right here, so nothing is written). It is what
// a pass costs a catalogue beyond its requests.
//
//	go test -run '^$' -bench BenchmarkPassNothingDue ./harvest/linkcheck/
func BenchmarkPassNothingDue(b *testing.B) {
	const n = 20_000
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "catalog.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := st.UpsertSource(ctx, catalog.Source{Name: "bench", Kind: "dcat", URL: "https://data.example/catalog"}); err != nil {
		b.Fatal(err)
	}
	run, err := st.StartRun(ctx, "bench", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	for i := 0; i < n; i++ {
		host := fmt.Sprintf("https://host%d.example", i%500)
		d := dataset(fmt.Sprintf("https://data.example/ds/%d", i),
			[]string{fmt.Sprintf("%s/api/%d", host, i)}, []string{fmt.Sprintf("%s/files/%d.csv", host, i), host + "/shared.csv"})
		known := catalog.LinkStatuses{}
		for j, u := range catalog.LinkURLs(&d) {
			ls := catalog.LinkStatus{URL: u, Checked: now, Answered: j != 1 || i%7 != 0, Status: 200}
			known[u] = ls
			if err := st.SetLinkStatus(ctx, ls); err != nil {
				b.Fatal(err)
			}
		}
		q := catalog.ScoreWith(d, known)
		d.Quality = &q
		d.Sources = []catalog.SourceRecord{{Source: "bench", Hash: fmt.Sprint(i)}}
		if _, err := st.Put(ctx, run, d, now); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := st.FinishRun(ctx, run, catalog.Report{Status: catalog.StatusComplete}); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name  string
		fresh bool // a new Checker each pass: walk and re-score
	}{{"walk", false}, {"walk+rescore", true}} {
		b.Run(bc.name, func(b *testing.B) {
			c := New(st, nil, Options{})
			if !bc.fresh {
				c.Pass(ctx) // the first pass re-scores
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if bc.fresh {
					c = New(st, nil, Options{})
				}
				sum, err := c.Pass(ctx)
				if err != nil || sum.Records != n || sum.Checked != 0 || sum.Rescored != 0 {
					b.Fatalf("Pass = %+v, %v", sum, err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
