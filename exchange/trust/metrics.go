package trust

import (
	"github.com/prometheus/client_golang/prometheus"

	"samband/internal/promreg"
)

// metrics are the registry's Prometheus metrics. With no registerer they
// are kept but not exported.
type metrics struct {
	fetches *prometheus.CounterVec // party, result
	fetched *prometheus.GaugeVec   // party
	keys    *prometheus.GaugeVec   // party
	missing *prometheus.GaugeVec   // party
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "samband", Subsystem: "trust", Name: "jwks_fetches_total",
			Help: "Fetches of parties' JWK sets, by party and result (ok; refused: the set failed the checks and the previous keys stay; failed: no set was read).",
		}, []string{"party", "result"}),
		fetched: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "samband", Subsystem: "trust", Name: "jwks_last_success_timestamp_seconds",
			Help: "When a party's JWK set was last fetched and accepted, in seconds since 1970.",
		}, []string{"party"}),
		keys: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "samband", Subsystem: "trust", Name: "keys",
			Help: "Keys in a party's current JWK set.",
		}, []string{"party"}),
		missing: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "samband", Subsystem: "trust", Name: "keys_missing",
			Help: "1 while a party's JWK set has never been fetched (first_fetch background), so its requests are refused; else 0.",
		}, []string{"party"}),
	}
	if reg != nil {
		m.fetches = promreg.Register(reg, m.fetches)
		m.fetched = promreg.Register(reg, m.fetched)
		m.keys = promreg.Register(reg, m.keys)
		m.missing = promreg.Register(reg, m.missing)
	}
	return m
}
