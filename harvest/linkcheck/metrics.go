package linkcheck

import (
	"github.com/prometheus/client_golang/prometheus"

	"samband/internal/promreg"
)

// metrics are the link checker's Prometheus metrics. With no registerer
// they are kept but not exported.
type metrics struct {
	checks   *prometheus.CounterVec // result
	duration prometheus.Histogram
	due      prometheus.Gauge
	passes   *prometheus.CounterVec // status
	rescored prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "samband", Subsystem: "linkcheck", Name: "checks_total",
			Help: "URLs checked, by result (answered, http_error, redirects, timeout, network_error, refused, invalid, throttled).",
		}, []string{"result"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "samband", Subsystem: "linkcheck", Name: "check_duration_seconds",
			Help:    "Duration of one URL's check, redirects and the GET fallback included, rate-limit waits too.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
		}),
		due: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "samband", Subsystem: "linkcheck", Name: "urls_due",
			Help: "URLs the current pass found due and has not checked yet; after a pass, those it left for the next.",
		}),
		passes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "samband", Subsystem: "linkcheck", Name: "passes_total",
			Help: "Link-check passes finished, by status (complete, failed, cancelled).",
		}, []string{"status"}),
		rescored: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "samband", Subsystem: "linkcheck", Name: "records_rescored_total",
			Help: "Records whose quality score the link checker rewrote.",
		}),
	}
	if reg != nil {
		m.checks = promreg.Register(reg, m.checks)
		m.duration = promreg.Register(reg, m.duration)
		m.due = promreg.Register(reg, m.due)
		m.passes = promreg.Register(reg, m.passes)
		m.rescored = promreg.Register(reg, m.rescored)
	}
	return m
}
