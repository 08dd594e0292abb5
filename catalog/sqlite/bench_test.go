package sqlite

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"samband/catalog"
	"samband/internal/procstat"
)

// benchRecord returns a record of the size Felles datakatalog's are: about
// 2 KB of JSON and 3 KB of original N-Triples.
func benchRecord(n, v int) catalog.Dataset {
	rec := record(n, v)
	rec.Description["en"] = []string{"Persons registered as completely unemployed with the Norwegian Labour and Welfare Administration (NAV), by county and month. The figures include persons who have registered as job seekers and who have not worked in the last two weeks."}
	rec.Distributions = append(rec.Distributions, catalog.Distribution{
		Title:        catalog.Text{"nb": {"Månedlige tall som JSON"}, "en": {"Monthly figures as JSON"}},
		AccessURLs:   []string{fmt.Sprintf("https://data.nav.no/api/v1/datasets/%d/distributions/json", n)},
		DownloadURLs: []string{fmt.Sprintf("https://data.nav.no/api/v1/datasets/%d/arbeidsledige.json", n)},
		Format:       "http://publications.europa.eu/resource/authority/file-type/JSON",
		FormatEU:     "JSON", MediaType: "application/json",
		License: "http://data.norge.no/nlod/no/2.0", LicenseEU: "NLOD_2_0",
	})
	rec.Languages = []string{"http://publications.europa.eu/resource/authority/language/NOB", "http://publications.europa.eu/resource/authority/language/NNO"}
	rec.Spatial = []string{"http://publications.europa.eu/resource/authority/country/NOR"}
	rec.LandingPages = []string{"https://www.nav.no/no/nav-og-samfunn/statistikk/arbeidssokere-og-stillinger-statistikk"}
	var b strings.Builder
	for i := 0; i < 24; i++ {
		fmt.Fprintf(&b, "<%s> <http://purl.org/dc/terms/description> \"Helt ledige registrert hos NAV, del %d av beskrivelsen, versjon %d.\"@nb .\n", rec.IRI, i, v)
	}
	rec.Sources[0].Original = b.String()
	return rec
}

// BenchmarkPut stores b.N records in runs of 10,000: new records, then the
// same records unchanged. Run with -benchtime=100000x for the figure in
// docs/benchmarks.md.
func BenchmarkPut(b *testing.B) {
	for _, mode := range []string{"new", "unchanged"} {
		b.Run(mode, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "catalog.db")
			st, err := Open(ctx, path)
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			st.UpsertSource(ctx, fdk)
			seen := t0
			harvest := func(want catalog.PutOutcome) {
				for start := 0; start < b.N; start += 10000 {
					run, err := st.StartRun(ctx, "fdk", seen)
					if err != nil {
						b.Fatal(err)
					}
					for i := start; i < b.N && i < start+10000; i++ {
						out, err := st.Put(ctx, run, benchRecord(i, 1), seen)
						if err != nil || out != want {
							b.Fatalf("Put = %d, %v; want %d", out, err, want)
						}
					}
					if _, err := st.FinishRun(ctx, run, catalog.Report{Status: catalog.StatusPartial}); err != nil {
						b.Fatal(err)
					}
				}
				seen = seen.Add(time.Hour)
			}
			want := catalog.Added
			if mode == "unchanged" {
				harvest(catalog.Added)
				want = catalog.Unchanged
			}
			b.ResetTimer()
			cpu := procstat.CPU()
			harvest(want)
			cpu = procstat.CPU() - cpu
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
			// On a machine shared with other work, CPU time says more
			// than the clock: records a second of this process's CPU
			// (both cores' worth when the GC runs beside the writer).
			b.ReportMetric(float64(b.N)/cpu.Seconds(), "records/cpu-s")
			if mode == "new" && b.N >= 1000 {
				st.mu.Lock()
				st.w.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
				st.mu.Unlock()
				if fi, err := os.Stat(path); err == nil {
					b.ReportMetric(float64(fi.Size())/float64(b.N)*1000/1024, "KiB/1000rec")
				}
			}
		})
	}
}
