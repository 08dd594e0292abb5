package exchange

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the exchange's Prometheus metrics.
type Metrics struct {
	requests       *prometheus.CounterVec
	decisions      *prometheus.CounterVec
	latency        *prometheus.HistogramVec
	upstreamErrors *prometheus.CounterVec
}

// NewMetrics makes the exchange's metrics and registers them with reg
// (none when reg is nil):
//
//	samband_exchange_requests_total{role, outcome}   role: provider, consumer, refused; outcome: ok or the problem
//	samband_exchange_decisions_total{effect, reason} reason: permission, prohibition, constraint, no-policy;
//	                                                  outbound-permission ... for the outbound policy's
//	samband_exchange_duration_seconds{role}          time from the request's arrival to its answer
//	samband_exchange_upstream_errors_total{kind}     services and peer gateways that failed
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "samband_exchange_requests_total",
			Help: "Exchange requests answered, by the gateway's role and the outcome (ok, or the problem type's name).",
		}, []string{"role", "outcome"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "samband_exchange_decisions_total",
			Help: "Policy decisions on exchange requests, by effect and what decided.",
		}, []string{"effect", "reason"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "samband_exchange_duration_seconds",
			Help:    "Time from an exchange request's arrival to its answer, by the gateway's role.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"role"}),
		upstreamErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "samband_exchange_upstream_errors_total",
			Help: "Services and peer gateways that failed to answer or answered wrongly, by kind.",
		}, []string{"kind"}),
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.decisions, m.latency, m.upstreamErrors)
	}
	return m
}
