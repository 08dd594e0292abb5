package main

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"samband/catalog"
	"samband/catalog/lifeevent"
	"samband/catalog/sqlite"
	"samband/harvest"
	"samband/policies"
	polsqlite "samband/policies/sqlite"
)

// TestEvaluateCrossBorder decides real requests end to end: a catalogue
// harvested into SQLite (a Norwegian population register's death-record
// service and a health cohort), their policies set locally on the gateway,
// a real consent and mandate registry, and POST /api/v1/policies/evaluate.
// The case of the issue: a Finnish authority, for an heir holding a
// Norwegian heir certificate, asks Norway's population register for the
// death record of the deceased.
func TestEvaluateCrossBorder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "samband.db")
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	src, _ := filepath.Abs("testdata/policies/death-register.ttl")
	if rep, err := harvest.New(st, nil, nil, harvest.Options{}).Run(ctx, harvest.Config{Name: "no-register", Country: "NO", Kind: harvest.KindFile, URL: src}); err != nil || rep.Status != catalog.StatusComplete {
		t.Fatalf("harvest = %+v, %v", rep, err)
	}
	reg, err := polsqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	gp, err := loadGatewayPolicies(PoliciesConfig{Files: []string{"testdata/policies/estate.ttl"}})
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(st, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	s.rules = lifeevent.Default()
	s.registry = &registryAPI{reg: reg, key: apiTestKey}
	s.policies = gp
	srv := httptest.NewServer(s.routes(prometheus.NewRegistry()))
	defer srv.Close()

	const (
		service = "https://register.example.no/service/death-records"
		cohort  = "https://register.example.no/service/health-cohort"
		gdprE   = "http://data.europa.eu/eli/reg/2016/679/art_6/par_1/pnt_e/oj"
	)
	deceased := subjectFor(t, "NO", noDeceased)
	heir := subjectFor(t, "FI", fiHeir)
	now := time.Now().UTC()
	mandate, err := reg.GrantMandate(ctx, policies.Mandate{
		Grantor: deceased, GrantorDeceased: true, Representative: heir,
		Targets: []string{service}, Purposes: []string{"inheritance-settlement"}, LifeEvents: []string{"death-and-inheritance"},
		From: now.Add(-time.Hour), Until: now.Add(30 * 24 * time.Hour),
		Basis: policies.BasisHeirCertificate, Evidence: "skifteattest 21-123456TVA-OTIR/06", Issuer: "NO",
	}, policies.Note{Via: "test"})
	if err != nil {
		t.Fatal(err)
	}
	consent, err := reg.GrantConsent(ctx, policies.Consent{
		Subject: subjectFor(t, "SE", seSven), Recipient: "2021005489", Purposes: []string{"research"},
		Targets: []string{cohort}, From: now.Add(-time.Hour), Until: now.Add(24 * time.Hour),
	}, policies.Note{Via: "test"})
	if err != nil {
		t.Fatal(err)
	}

	// The Finnish authority's request for the heir; each case changes one thing.
	base := func() map[string]any {
		return map[string]any{
			"target": service, "action": "use", "purpose": "inheritance-settlement", "legal_basis": gdprE,
			"recipient":      map[string]any{"org": "0245437-2", "classes": []string{"public-authority"}, "country": "FI"},
			"subject":        map[string]string{"country": "NO", "national_id": noDeceased},
			"representative": map[string]string{"country": "FI", "national_id": fiHeir},
			"life_event":     "death-and-inheritance",
		}
	}
	research := func() map[string]any {
		return map[string]any{
			"target": cohort, "action": "use", "purpose": "research",
			"recipient": map[string]any{"org": "2021005489", "country": "SE"},
			"subject":   map[string]string{"country": "SE", "national_id": seSven},
		}
	}
	type tc struct {
		name   string
		req    map[string]any
		before func()
		effect policies.Effect
		why    string // in the reason, or the deciding policy
	}
	cases := []tc{
		{name: "heir's authority, with the heir certificate", req: base(), effect: policies.Permit},
		{name: "by catalogue id rather than IRI", req: with(base(), "target", catalog.IDFor(service)), effect: policies.Permit},
		{name: "recipient outside the EEA", req: with(base(), "recipient", map[string]any{"org": "x", "classes": []string{"public-authority"}, "country": "US"}), effect: policies.Deny},
		{name: "recipient not an authority", req: with(base(), "recipient", map[string]any{"org": "x", "classes": []string{"company"}, "country": "FI"}), effect: policies.Deny},
		{name: "another purpose", req: with(base(), "purpose", "marketing"), effect: policies.Deny},
		{name: "another legal basis", req: with(base(), "legal_basis", "http://data.europa.eu/eli/reg/2016/679/art_6/par_1/pnt_a/oj"), effect: policies.Deny},
		{name: "another life event", req: with(base(), "life_event", "having-a-child"), effect: policies.Deny},
		{name: "passing the record on is prohibited", req: with(base(), "action", "distribute"), effect: policies.Deny},
		{name: "a representative without a mandate", req: with(base(), "representative", map[string]string{"country": "NO", "national_id": noKari}), effect: policies.Deny},
		{name: "after the mandate expired", req: with(base(), "time", now.Add(31*24*time.Hour).Format(time.RFC3339)), effect: policies.Deny},
		{name: "a target the catalogue does not know", req: with(base(), "target", "https://register.example.no/service/unknown"), effect: policies.Deny},
		{name: "research with the subject's consent", req: research(), effect: policies.Permit},
		{name: "research by another organisation", req: with(research(), "recipient", map[string]any{"org": "999999999", "country": "SE"}), effect: policies.Deny},
		{name: "research after the consent expired", req: with(research(), "time", now.Add(48*time.Hour).Format(time.RFC3339)), effect: policies.Deny},
		{name: "research without a subject", req: without(research(), "subject"), effect: policies.Deny},
		{name: "research after the consent was rescinded", req: research(), effect: policies.Deny, before: func() {
			if _, err := reg.RescindConsent(ctx, consent.ID, policies.Note{Via: "test"}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "the heir after the mandate was revoked", req: base(), effect: policies.Deny, before: func() {
			if _, err := reg.RevokeMandate(ctx, mandate.ID, policies.Note{Via: "test"}); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, c := range cases {
		if c.before != nil {
			c.before()
		}
		var got evaluateResponse
		code, raw := post(t, srv.URL+"/api/v1/policies/evaluate", c.req, &got)
		if code != 200 {
			t.Fatalf("%s: %d %s", c.name, code, raw)
		}
		d := got.Decision
		if d.Effect != c.effect || d.Reason == "" {
			t.Errorf("%s: %s (%s), want %s", c.name, d.Effect, d.Reason, c.effect)
			continue
		}
		if strings.Contains(raw, noDeceased) || strings.Contains(raw, strings.ReplaceAll(fiHeir, "-", "")) || strings.Contains(raw, fiHeir) {
			t.Errorf("%s: the answer holds a national identity number", c.name)
		}
		if len(d.Facts.Subject) > 12 || len(d.Facts.Representative) > 12 {
			t.Errorf("%s: the answer holds whole subject hashes: %q %q", c.name, d.Facts.Subject, d.Facts.Representative)
		}
		if c.name == "heir's authority, with the heir certificate" {
			if d.Policy.UID != "https://register.example.no/policy/estate" || d.Policy.Hash == "" || got.Record != catalog.IDFor(service) ||
				!d.Facts.Mandate.Found || d.Facts.Mandate.Grant.ID != mandate.ID || d.Facts.Mandate.Grant.Basis != string(policies.BasisHeirCertificate) {
				t.Errorf("%s: decision %+v", c.name, got)
			}
		}
	}

	// What would a policy say: given inline, nothing stored is used.
	inline := `@prefix odrl: <http://www.w3.org/ns/odrl/2/> .
<https://gw.example/policy/open> a odrl:Set ; odrl:permission [ odrl:target <https://x.example/d> ; odrl:action odrl:use ] .`
	var got evaluateResponse
	if code, raw := post(t, srv.URL+"/api/v1/policies/evaluate", map[string]any{"target": "https://x.example/d", "policies": []string{inline}}, &got); code != 200 || got.Decision.Effect != policies.Permit {
		t.Errorf("inline policy: %d %s", code, raw)
	}
	for name, body := range map[string]any{
		"no target":         map[string]any{"action": "use"},
		"an unknown field":  map[string]any{"target": service, "frobnicate": true},
		"a policy refused":  map[string]any{"target": "x", "policies": []string{`@prefix odrl: <http://www.w3.org/ns/odrl/2/> . <p> a odrl:Set ; odrl:permission [ odrl:action odrl:teleport ] .`}},
		"a bad national id": with(base(), "subject", map[string]string{"country": "NO", "national_id": "15038510191"}),
	} {
		if code, raw := post(t, srv.URL+"/api/v1/policies/evaluate", body, nil); code != 400 || !strings.Contains(raw, "problem") && !strings.Contains(raw, "detail") {
			t.Errorf("%s: %d %s, want 400 problem+json", name, code, raw)
		}
	}
}

func with(m map[string]any, k string, v any) map[string]any {
	m[k] = v
	return m
}

func without(m map[string]any, k string) map[string]any {
	delete(m, k)
	return m
}

// TestEvaluateHarvestedPolicy: a source that describes its policy in the
// same document as the record; the gateway has no policy of its own, and
// decides by the harvested one.
func TestEvaluateHarvestedPolicy(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "samband.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	src, _ := filepath.Abs("testdata/policies/death-register-inline.ttl")
	if rep, err := harvest.New(st, nil, nil, harvest.Options{}).Run(ctx, harvest.Config{Name: "no-register", Country: "NO", Kind: harvest.KindFile, URL: src}); err != nil || rep.Status != catalog.StatusComplete {
		t.Fatalf("harvest = %+v, %v", rep, err)
	}
	s := newServer(st, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	srv := httptest.NewServer(s.routes(prometheus.NewRegistry()))
	defer srv.Close()
	req := map[string]any{
		"target": "https://register.example.no/service/death-records", "purpose": "inheritance-settlement",
		"legal_basis": "http://data.europa.eu/eli/reg/2016/679/art_6/par_1/pnt_e/oj", "life_event": "death-and-inheritance",
		"recipient": map[string]any{"org": "0245437-2", "classes": []string{"public-authority"}, "country": "FI"},
	}
	var got evaluateResponse
	if code, raw := post(t, srv.URL+"/api/v1/policies/evaluate", req, &got); code != 200 || got.Decision.Effect != policies.Permit ||
		got.Decision.Policy.UID != "https://register.example.no/policy/estate" || len(got.Named) != 1 {
		t.Fatalf("harvested policy: %d %s", code, raw)
	}
	req["recipient"] = map[string]any{"org": "x", "classes": []string{"public-authority"}, "country": "US"}
	if code, raw := post(t, srv.URL+"/api/v1/policies/evaluate", req, &got); code != 200 || got.Decision.Effect != policies.Deny {
		t.Errorf("outside the EEA: %d %s", code, raw)
	}
}
