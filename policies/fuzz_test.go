package policies

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"
)

// fuzzLoad loads a fuzzed document and, when it loads, decides requests by
// every policy: no input may panic, loading twice must give the same
// policies, and every decision must be a permit or a deny that marshals.
func fuzzLoad(t *testing.T, data []byte, name string) {
	opt := LoadOptions{
		Aliases: map[string]string{"partner": "recipientClass", "location": "spatial", "report": "inform"},
		Places:  map[string][]string{"http://example.org/EU": {"EU"}},
		Limits:  Limits{MaxBytes: 64 << 10},
	}
	ps, err := Load(bytes.NewReader(data), name, opt)
	if err != nil {
		if _, ok := err.(*LoadError); !ok {
			t.Fatalf("Load = %T %v, want a *LoadError", err, err)
		}
		return
	}
	again, err := Load(bytes.NewReader(data), name, opt)
	if err != nil || len(again) != len(ps) {
		t.Fatalf("Load again = %d policies, %v; first %d", len(again), err, len(ps))
	}
	facts := &fakeFacts{consents: map[string]Grant{"s|research": {ID: "c"}}, mandates: map[string]Grant{"r|s": {ID: "m"}}}
	reqs := []Request{
		{},
		{Action: "read", Target: "urn:uuid:3dd1add8-4d2d-569e-d634-8394a8836a88", Purpose: "research", RecipientOrg: "http://example.com/Consumer",
			RecipientClasses: []string{"gold", "public-authority"}, RecipientCountry: "SE", Time: time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC),
			Subject: "s", Representative: "r", ExplicitRequest: true, LegalBasis: "x", LifeEvent: "y"},
	}
	for i, p := range ps {
		if p.Hash() != again[i].Hash() || p.UID() != again[i].UID() {
			t.Fatalf("policy %d loads as %s %s, then %s %s", i, p.UID(), p.Hash(), again[i].UID(), again[i].Hash())
		}
		if _, err := p.MarshalJSON(); err != nil {
			t.Fatal(err)
		}
		for _, r := range reqs {
			for _, f := range []Facts{nil, facts} {
				d := p.Decide(context.Background(), &r, f)
				if d.Effect != Permit && d.Effect != Deny || d.Reason == "" {
					t.Fatalf("Decide = %q %q", d.Effect, d.Reason)
				}
				if _, err := json.Marshal(d); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

func addSeeds(f *testing.F, files ...string) {
	for _, name := range files {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func FuzzLoadJSONLD(f *testing.F) {
	addSeeds(f, "dsp_catalog.json", "dsp_contract_agreement_message_full.json", "edc_create_policy_location_eu.json",
		"edc_contract_request.json", "registry.jsonld")
	f.Add([]byte(`{"uid": "urn:x", "permission": [{"action": "use", "constraint": [{"xone": [{"leftOperand": "purpose", "operator": "eq", "rightOperand": "a"}]}]}]}`))
	f.Add([]byte(`{"@context": "http://www.w3.org/ns/odrl.jsonld", "permission": {"action": "read", "constraint": {"leftOperand": "dateTime", "operator": "lt", "rightOperand": "2025-01-01"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzLoad(t, data, "fuzz.jsonld")
	})
}

func FuzzLoadTurtle(f *testing.F) {
	addSeeds(f, "registry.ttl")
	f.Add([]byte(atomPolicy("odrl:spatial", "odrl:isAnyOf", `( "NO" "SE" "EEA" )`)))
	f.Add([]byte(atomPolicy("sb:mandate", "odrl:eq", "true")))
	f.Add([]byte(ttlPrefixes + `<urn:p> odrl:permission [ odrl:action odrl:use ; odrl:constraint [ odrl:or ( [ odrl:leftOperand odrl:purpose ; odrl:operator odrl:eq ; odrl:rightOperand "a" ] [ odrl:leftOperand sb:dataSubjectConsent ; odrl:operator odrl:eq ; odrl:rightOperand true ] ) ] ] ; odrl:prohibition [ odrl:action odrl:distribute ] .`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzLoad(t, data, "fuzz.ttl")
	})
}
