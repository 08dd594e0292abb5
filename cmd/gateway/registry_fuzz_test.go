package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"samband/catalog/lifeevent"
	"samband/policies"
)

// validatingRegistry is a registry that keeps nothing: it validates what it
// is given, as the real one does first.
type validatingRegistry struct{}

func (validatingRegistry) GrantConsent(_ context.Context, c policies.Consent, _ policies.Note) (policies.Consent, error) {
	c.ID = "fuzz"
	return c, c.Validate()
}

func (validatingRegistry) RescindConsent(context.Context, string, policies.Note) (policies.Consent, error) {
	return policies.Consent{}, policies.ErrUnknownConsent
}

func (validatingRegistry) ConsentByID(context.Context, string) (policies.Consent, error) {
	return policies.Consent{}, policies.ErrUnknownConsent
}

func (validatingRegistry) Consents(context.Context, policies.Subject) ([]policies.Consent, error) {
	return nil, nil
}

func (validatingRegistry) GrantMandate(_ context.Context, m policies.Mandate, _ policies.Note) (policies.Mandate, error) {
	m.ID = "fuzz"
	return m, m.Validate()
}

func (validatingRegistry) RevokeMandate(context.Context, string, policies.Note) (policies.Mandate, error) {
	return policies.Mandate{}, policies.ErrUnknownMandate
}

func (validatingRegistry) MandateByID(context.Context, string) (policies.Mandate, error) {
	return policies.Mandate{}, policies.ErrUnknownMandate
}

func (validatingRegistry) Mandates(context.Context, policies.Subject) ([]policies.Mandate, error) {
	return nil, nil
}

// FuzzRegistryRequests: no body makes the consent and mandate routes panic
// or fail with 500; every refusal is a 4xx problem.
func FuzzRegistryRequests(f *testing.F) {
	s := newServer(nil, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	s.rules = lifeevent.Default()
	s.registry = &registryAPI{reg: validatingRegistry{}, key: apiTestKey}
	h := s.routes(prometheus.NewRegistry())
	routes := []string{"/api/v1/consents", "/api/v1/consents/query", "/api/v1/consents/x/rescind",
		"/api/v1/mandates", "/api/v1/mandates/query", "/api/v1/mandates/x/revoke"}
	for i, body := range []string{
		`{"subject": {"country": "NO", "national_id": "15038510190"}, "recipient": "r", "purposes": ["p"], "targets": ["*"], "until": "2099-01-01"}`,
		`{"country": "SE", "national_id": "750623-1237"}`,
		`{"reason": "withdrawn"}`,
		`{"grantor": {"country": "NO", "national_id": "31124590062"}, "grantor_deceased": true, "representative": {"country": "FI", "national_id": "170852-234C"}, "targets": ["t"], "purposes": ["p"], "life_events": ["death-and-inheritance"], "basis": "heir-certificate", "evidence": "e", "issuer": "NO"}`,
		`{"country": "FI", "national_id": "170852-234C", "role": "representative"}`,
		``,
	} {
		f.Add(uint8(i), body)
	}
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		path := routes[int(route)%len(routes)]
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
		switch code := rec.Code; {
		case code == 200 || code == 201:
		case code >= 400 && code < 500 && rec.Header().Get("Content-Type") == "application/problem+json":
		default:
			t.Fatalf("POST %s %q = %d %s", path, body, code, rec.Body)
		}
	})
}
