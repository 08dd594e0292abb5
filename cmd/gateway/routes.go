package main

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes lists every route of the gateway's HTTP API in one place.
func (s *server) routes(reg *prometheus.Registry) http.Handler {
	mux := http.NewServeMux()
	s.patterns = nil
	handle := func(pattern string, h handlerFunc) {
		s.patterns = append(s.patterns, pattern)
		mux.Handle(pattern, s.instrument(pattern, h))
	}
	handle("GET /api/v1/datasets", s.listDatasets)
	handle("GET /api/v1/datasets/{id}", s.getDataset)
	handle("GET /api/v1/datasets/{id}/history", s.datasetHistory)
	handle("POST /api/v1/policies/evaluate", s.withToken(s.evaluatePolicies))
	handle("GET /api/v1/quality", s.quality)
	handle("GET /api/v1/coverage", s.coverage)
	handle("GET /api/v1/coverage/history", s.coverageHistory)
	handle("GET /api/v1/life-events", s.lifeEvents)
	handle("GET /api/v1/life-events/{id}", s.lifeEvent)
	handle("GET /api/v1/sources", s.listSources)
	handle("GET /api/v1/sources/{name}", s.getSource)
	handle("GET /api/v1/harvests/{id}", s.getHarvest)
	handle("POST /api/v1/consents", s.withToken(s.grantConsent))
	handle("POST /api/v1/consents/query", s.withToken(s.queryConsents))
	handle("GET /api/v1/consents/{id}", s.withToken(s.getConsent))
	handle("POST /api/v1/consents/{id}/rescind", s.withToken(s.rescindConsent))
	handle("POST /api/v1/mandates", s.withToken(s.grantMandate))
	handle("POST /api/v1/mandates/query", s.withToken(s.queryMandates))
	handle("GET /api/v1/mandates/{id}", s.withToken(s.getMandate))
	handle("POST /api/v1/mandates/{id}/revoke", s.withToken(s.revokeMandate))
	handle("GET /api/v1/exchange/keys", s.exchangeKeys)
	handle("GET /api/v1/exchange/parties", s.exchangeParties)
	handle("GET /api/v1/audit/checkpoint", s.getCheckpoint)
	handle("GET /api/v1/audit/proof/inclusion", s.inclusionProof)
	handle("GET /api/v1/audit/proof/consistency", s.consistencyProof)
	handle("GET /api/v1/me/accesses", s.meAccesses)
	handle("GET /api/v1/openapi.json", s.openAPI)
	handle("GET /catalog", s.catalogFeed)
	handle("GET /catalog/datasets/{id}", s.datasetFeed)
	handle("GET /catalog/records/{id}", s.datasetFeed)
	handle("GET /healthz", s.healthz)
	handle("GET /readyz", s.readyz)
	s.patterns = append(s.patterns, "GET /metrics")
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.Handle("/", s.instrument("/", s.notFound)) // not an API route: not in patterns
	return mux
}
