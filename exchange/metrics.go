package exchange

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the exchange's Prometheus metrics.
type Metrics struct {
	requests       *prometheus.CounterVec
	decisions      *prometheus.CounterVec
	latency        *prometheus.HistogramVec
	stages         *prometheus.HistogramVec
	upstreamErrors *prometheus.CounterVec
	// stageBy holds the stage histograms of the roles an answered request
	// has, looked up once rather than at every observation.
	stageBy map[string]*[nStages]prometheus.Observer
}

// NewMetrics makes the exchange's metrics and registers them with reg
// (none when reg is nil):
//
//	samband_exchange_requests_total{role, outcome}   role: provider, consumer, refused; outcome: ok or the problem
//	samband_exchange_decisions_total{effect, reason} reason: permission, prohibition, constraint, no-policy;
//	                                                  outbound-permission ... for the outbound policy's
//	samband_exchange_duration_seconds{role}          time from the request's arrival to its answer
//	samband_exchange_stage_seconds{role, stage}      where that time went, for answered requests: checks
//	                                                  (reading, signature, time, replay, requester), decide,
//	                                                  upstream (the service or the peer gateway), audit (the
//	                                                  durable append, commit wait included), receipt (signing
//	                                                  it; at a consumer gateway, checking the peer's and
//	                                                  countersigning)
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
		stages: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "samband_exchange_stage_seconds",
			Help:    "Time an answered exchange request spent in each stage of the gateway: checks, decide, upstream, audit, receipt.",
			Buckets: []float64{.00005, .0001, .00025, .0005, .001, .002, .003, .005, .0075, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"role", "stage"}),
		upstreamErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "samband_exchange_upstream_errors_total",
			Help: "Services and peer gateways that failed to answer or answered wrongly, by kind.",
		}, []string{"kind"}),
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.decisions, m.latency, m.stages, m.upstreamErrors)
	}
	m.stageBy = map[string]*[nStages]prometheus.Observer{"provider": m.stagesOf("provider"), "consumer": m.stagesOf("consumer")}
	return m
}

// stagesOf returns role's stage histograms.
func (m *Metrics) stagesOf(role string) *[nStages]prometheus.Observer {
	var obs [nStages]prometheus.Observer
	for s := range nStages {
		obs[s] = m.stages.WithLabelValues(role, stageNames[s])
	}
	return &obs
}

// A stage is a part of the gateway's work on a request, timed apart
// (samband_exchange_stage_seconds): where an exchange's time goes, the
// service's or the disk's or the gateway's own.
type stage int

const (
	stageChecks   stage = iota // reading, signature, time, replay, requester
	stageDecide                // the policy decision (a consumer's: the outbound policy's)
	stageUpstream              // the service, or the peer gateway
	stageAudit                 // the durable append
	stageReceipt               // signing the receipt; a consumer's: checking the peer's and countersigning
	nStages
)

var stageNames = [nStages]string{"checks", "decide", "upstream", "audit", "receipt"}

// stageClock times the stages of one request.
type stageClock struct {
	mark    time.Time // when the stage under way began
	spent   [nStages]time.Duration
	reached [nStages]bool
}

// done ends stage s, which began at the last mark, and starts the next.
func (c *stageClock) done(s stage) {
	now := time.Now()
	c.spent[s] += now.Sub(c.mark)
	c.reached[s] = true
	c.mark = now
}

// skip starts the next stage now: the time since the last mark is no
// stage's (a stage not taken).
func (c *stageClock) skip() { c.mark = time.Now() }

// observe records the stages reached under role.
func (m *Metrics) observe(role string, c *stageClock) {
	obs, ok := m.stageBy[role]
	if !ok {
		obs = m.stagesOf(role)
	}
	for s := range nStages {
		if c.reached[s] {
			obs[s].Observe(c.spent[s].Seconds())
		}
	}
}
