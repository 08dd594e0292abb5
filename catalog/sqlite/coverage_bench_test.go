package sqlite

import (
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"samband/catalog"
)

// benchRecords is how many records the coverage benchmarks' catalogue
// holds: go test -bench 'FinishRun|DatasetsAt' -benchtime 20x.
const benchRecords = 100_000

var (
	benchCountries = []string{"NO", "SE", "DK", "FI", "IS"}
	benchThemes    = []string{"AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR", "JUST", "REGI", "SOCI", "TECH", "TRAN"}
)

// coverageRecord returns record n in version v, of one of five countries,
// with one or two EU themes (none for one in seven; version 2 moves the
// second theme) and a quality score.
func coverageRecord(n, v int) catalog.Dataset {
	rec := record(n, v)
	rec.Sources[0].Country = benchCountries[n%len(benchCountries)]
	rec.EUThemes = []string{benchThemes[n%len(benchThemes)]}
	if n%3 == 0 {
		rec.EUThemes = append(rec.EUThemes, benchThemes[(n/3+v)%len(benchThemes)])
	}
	if n%7 == 0 {
		rec.EUThemes = nil
	}
	rec.Quality = &catalog.Quality{Score: 100 + n%300, Max: catalog.MaxScore}
	return rec
}

// coverageStore returns a store of benchRecords records harvested at t0,
// one in ten of them changed at t0+1h.
func coverageStore(b *testing.B) *Store {
	b.Helper()
	st, err := Open(ctx, filepath.Join(b.TempDir(), "catalog.db"))
	if err != nil {
		b.Fatal(err)
	}
	st.UpsertSource(ctx, fdk)
	start := time.Now()
	for v, seen := range []time.Time{t0, t0.Add(time.Hour)} {
		run, err := st.StartRun(ctx, "fdk", seen)
		if err != nil {
			b.Fatal(err)
		}
		for n := 0; n < benchRecords; n++ {
			if v == 1 && n%10 != 0 {
				continue
			}
			if _, err := st.Put(ctx, run, coverageRecord(n, v+1), seen); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := st.FinishRun(ctx, run, catalog.Report{Status: catalog.StatusPartial, Finished: seen.Add(time.Minute)}); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%d records stored in %v", benchRecords, time.Since(start).Round(time.Second))
	return st
}

// BenchmarkFinishRun measures FinishRun on a catalogue of 100,000 records,
// coverage snapshot included: after a run that changed nothing (the run
// shares the last snapshot), and after a run that changed one record's
// themes (a new snapshot of every country and theme; the Put is part of
// the time). "aggregate" is, for comparison, what one aggregate query
// over the records (the alternative to the triggers' live counts) costs.
func BenchmarkFinishRun(b *testing.B) {
	st := coverageStore(b)
	defer st.Close()
	when := t0.Add(2 * time.Hour)
	b.Run("unchanged", func(b *testing.B) {
		for b.Loop() {
			when = when.Add(time.Minute)
			run, err := st.StartRun(ctx, "fdk", when)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := st.FinishRun(ctx, run, catalog.Report{Status: catalog.StatusComplete, NotModified: true, Finished: when}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("changed", func(b *testing.B) {
		v := 3
		for b.Loop() {
			when = when.Add(time.Minute)
			run, err := st.StartRun(ctx, "fdk", when)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := st.Put(ctx, run, coverageRecord(3, v), when); err != nil {
				b.Fatal(err)
			}
			v++
			if _, err := st.FinishRun(ctx, run, catalog.Report{Status: catalog.StatusPartial, Finished: when}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("aggregate", func(b *testing.B) {
		for b.Loop() {
			rows, err := st.rdb.QueryContext(ctx, `SELECT r.country, t.value, count(*) FROM records r, json_each(r.themes) t
				WHERE r.withdrawn_at IS NULL GROUP BY r.country, t.value`)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				n++
			}
			rows.Close()
			if n == 0 {
				b.Fatal("no counts")
			}
		}
	})
	points, err := st.CoverageHistory(ctx, time.Time{}, time.Time{})
	if err != nil || len(points) == 0 {
		b.Fatalf("CoverageHistory = %d points, %v", len(points), err)
	}
}

// BenchmarkDatasetsAt walks the 100,000 records as they stood between the
// two harvests (one in ten from its earlier version) and reports records a
// second and the most heap in use during the walk.
func BenchmarkDatasetsAt(b *testing.B) {
	st := coverageStore(b)
	defer st.Close()
	b.ResetTimer()
	var peak uint64
	var ms runtime.MemStats
	for b.Loop() {
		n := 0
		err := st.DatasetsAt(ctx, t0.Add(30*time.Minute), func(d catalog.Dataset) error {
			n++
			if n%10_000 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
			return nil
		})
		if err != nil || n != benchRecords {
			b.Fatalf("DatasetsAt = %d records, %v; want %d", n, err, benchRecords)
		}
	}
	b.ReportMetric(float64(b.N*benchRecords)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(peak)/(1<<20), "MiB-heap")
}
