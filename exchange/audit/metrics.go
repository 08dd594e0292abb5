package audit

import (
	"github.com/prometheus/client_golang/prometheus"

	"samband/internal/promreg"
)

// CommitMetrics registers with reg the metrics of the audit log's
// commits and returns what records one (Log.OnCommit):
//
//	samband_audit_commit_seconds       a commit: its frame written to the journal and synced
//	samband_audit_commit_wait_seconds  how long its first entry waited for it to begin
//	samband_audit_commit_entries       entries a commit made durable
//	samband_audit_commit_failures_total
//	samband_audit_unstored_entries     entries in the journal, not yet in the SQLite file, as the last commit left them
//
// The sync is what the disk costs every exchange; the entries a commit
// takes, what the commit delay buys; the unstored entries, how far the
// file is behind (a few entries, but while the file refuses them). Two
// logs on one registry share the metrics (promreg).
func CommitMetrics(reg prometheus.Registerer) func(Commit) {
	seconds := []float64{.0001, .00025, .0005, .001, .002, .003, .005, .0075, .01, .025, .05, .1, .25, 1}
	took := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "samband_audit_commit_seconds", Help: "Time of an audit log commit's transaction, the sync to disk included.", Buckets: seconds,
	})
	wait := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "samband_audit_commit_wait_seconds", Help: "How long a commit's first entry waited for the commit to begin (the commit before, and the commit delay).", Buckets: seconds,
	})
	entries := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "samband_audit_commit_entries", Help: "Entries an audit log commit made durable.", Buckets: prometheus.ExponentialBuckets(1, 2, 10),
	})
	failures := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "samband_audit_commit_failures_total", Help: "Audit log commits that failed; their entries' requests were refused.",
	})
	unstored := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "samband_audit_unstored_entries", Help: "Entries durable in the audit log's journal and not yet in its SQLite file, as the last commit left them.",
	})
	took, wait = promreg.Register(reg, took), promreg.Register(reg, wait)
	entries, failures = promreg.Register(reg, entries), promreg.Register(reg, failures)
	unstored = promreg.Register(reg, unstored)
	return func(c Commit) {
		unstored.Set(float64(c.Unstored))
		if c.Err != nil {
			failures.Inc()
			return
		}
		took.Observe(c.Took.Seconds())
		wait.Observe(c.Wait.Seconds())
		entries.Observe(float64(c.Entries))
	}
}
