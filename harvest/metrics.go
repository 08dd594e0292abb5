package harvest

import (
	"github.com/prometheus/client_golang/prometheus"

	"samband/catalog"
	"samband/internal/promreg"
)

// metrics are the harvester's Prometheus metrics. With no registerer they
// are kept but not exported.
type metrics struct {
	runs        *prometheus.CounterVec   // source, status
	records     *prometheus.CounterVec   // source, outcome
	pages       *prometheus.CounterVec   // source
	bytesRead   *prometheus.CounterVec   // source
	duration    *prometheus.HistogramVec // source
	lastSuccess *prometheus.GaugeVec     // source
	inProgress  *prometheus.GaugeVec     // source
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "samband", Subsystem: "harvest", Name: "runs_total",
			Help: "Harvest runs finished, by source and status (complete, partial, failed).",
		}, []string{"source", "status"}),
		records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "samband", Subsystem: "harvest", Name: "records_total",
			Help: "Records harvested, by source and outcome (added, updated, unchanged, merged, conflict, rejected, duplicate, withdrawn).",
		}, []string{"source", "outcome"}),
		pages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "samband", Subsystem: "harvest", Name: "pages_total",
			Help: "Pages read whole, by source.",
		}, []string{"source"}),
		bytesRead: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "samband", Subsystem: "harvest", Name: "bytes_total",
			Help: "Bytes of pages read, by source.",
		}, []string{"source"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "samband", Subsystem: "harvest", Name: "run_duration_seconds",
			Help:    "Duration of harvest runs, by source.",
			Buckets: []float64{0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600},
		}, []string{"source"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "samband", Subsystem: "harvest", Name: "last_success_timestamp_seconds",
			Help: "Unix time of the end of the last complete run, by source.",
		}, []string{"source"}),
		inProgress: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "samband", Subsystem: "harvest", Name: "running",
			Help: "Runs in progress, by source.",
		}, []string{"source"}),
	}
	if reg != nil {
		m.runs = promreg.Register(reg, m.runs)
		m.records = promreg.Register(reg, m.records)
		m.pages = promreg.Register(reg, m.pages)
		m.bytesRead = promreg.Register(reg, m.bytesRead)
		m.duration = promreg.Register(reg, m.duration)
		m.lastSuccess = promreg.Register(reg, m.lastSuccess)
		m.inProgress = promreg.Register(reg, m.inProgress)
	}
	return m
}

func (m *metrics) record(source, outcome string) { m.records.WithLabelValues(source, outcome).Inc() }

func (m *metrics) recordN(source, outcome string, n int) {
	m.records.WithLabelValues(source, outcome).Add(float64(n))
}

func (m *metrics) page(source string) { m.pages.WithLabelValues(source).Inc() }

func (m *metrics) bytes(source string, n int64) { m.bytesRead.WithLabelValues(source).Add(float64(n)) }

func (m *metrics) running(source string, d float64) { m.inProgress.WithLabelValues(source).Add(d) }

func (m *metrics) finished(source string, rep catalog.Report) {
	m.runs.WithLabelValues(source, rep.Status).Inc()
	m.duration.WithLabelValues(source).Observe(float64(rep.DurationMS) / 1000)
	if rep.Withdrawn > 0 {
		m.recordN(source, "withdrawn", rep.Withdrawn)
	}
	if rep.Status == catalog.StatusComplete {
		m.lastSuccess.WithLabelValues(source).Set(float64(rep.Finished.UnixNano()) / 1e9)
	}
}
