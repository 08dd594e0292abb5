package catalog

import "testing"

// BenchmarkCheckRules: the rule checks of the 42 records of the NAV
// catalogue, as a Norwegian harvest runs them (DCAT-AP's and DCAT-AP-NO's
// rules, each record's original parsed), one record an op.
func BenchmarkCheckRules(b *testing.B) {
	recs, _ := mapFile(b, "no-fdk-legacy/nav-2017-10-31.ttl")
	results := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		results += len(CheckRules(recs[i%len(recs)]))
	}
	b.StopTimer()
	b.ReportMetric(float64(results)/float64(b.N), "results/op")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
