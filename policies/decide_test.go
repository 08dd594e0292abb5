package policies

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeFacts is a consent and mandate registry in two maps.
type fakeFacts struct {
	consents map[string]Grant // subject "|" purpose
	mandates map[string]Grant // representative "|" grantor
	err      error
	asked    int
}

func (f *fakeFacts) Consent(_ context.Context, q ConsentQuery) (Grant, bool, error) {
	f.asked++
	if f.err != nil {
		return Grant{}, false, f.err
	}
	g, ok := f.consents[string(q.Subject)+"|"+q.Purpose]
	return g, ok, nil
}

func (f *fakeFacts) Mandate(_ context.Context, q MandateQuery) (Grant, bool, error) {
	f.asked++
	if f.err != nil {
		return Grant{}, false, f.err
	}
	g, ok := f.mandates[string(q.Representative)+"|"+string(q.Grantor)]
	return g, ok, nil
}

var _ Facts = (*fakeFacts)(nil)

var (
	june = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	base = Request{
		Action: "use", Target: "urn:test:dataset", Purpose: "research", RecipientOrg: "org:991",
		RecipientClasses: []string{"public-authority"}, RecipientCountry: "NO", Time: june,
	}
	// registry is the registry.ttl policy's target, and a request the
	// policy's first permission permits.
	registryTarget = "https://data.example.no/dataset/folkeregister"
	registryReq    = Request{
		Action: "use", Target: registryTarget, Purpose: "inheritance", RecipientOrg: "org:974760673",
		RecipientClasses: []string{"public-authority", "municipality"}, RecipientCountry: "SE", Time: june,
	}
	ola, kari = Subject("subject-ola"), Subject("subject-kari")
	registry  = &fakeFacts{
		consents: map[string]Grant{string(ola) + "|research": {ID: "consent-1"}},
		mandates: map[string]Grant{string(kari) + "|" + string(ola): {ID: "mandate-7", Basis: "heir-certificate"}},
	}
)

func with(r Request, change func(*Request)) Request {
	change(&r)
	return r
}

// decideCase is one decision: a policy (a Turtle or JSON-LD document, or a
// file of testdata), a request, what Facts hold, and what must come out.
type decideCase struct {
	name       string
	doc        string // a document, or "file:" and a file of testdata
	opt        LoadOptions
	req        Request
	facts      Facts
	want       Effect
	rule       string // "permission[0]", "prohibition[1]"; "" for none
	constraint string // the failing constraint's path, on a deny
	reason     string // a part of the reason
}

func atom(left, op, right string) string { return atomPolicy(left, op, right) }

func TestDecide(t *testing.T) {
	broader := LoadOptions{Broader: map[string][]string{
		"medical-research": {"research"}, "research": {"urn:purpose:public-task"},
		"public-authority": {"state"},
	}}
	dsp := LoadOptions{Places: map[string][]string{"http://example.org/EU": {"EU"}}}
	dspAgreement := LoadOptions{Aliases: dspAliases}
	agreementReq := Request{Action: "use", Target: "urn:uuid:3dd1add4-4d2d-569e-d634-8394a8836d23",
		RecipientOrg: "http://example.com/Consumer", Time: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)}
	logic := func(op, a, b string) string {
		return ttlPrefixes + `<urn:test:p> odrl:permission [ odrl:action odrl:use ; odrl:constraint [ odrl:` + op + ` ( ` + a + " " + b + ` ) ] ] .`
	}
	purposeIs := func(p string) string {
		return `[ odrl:leftOperand odrl:purpose ; odrl:operator odrl:eq ; odrl:rightOperand "` + p + `" ]`
	}
	countryIs := func(c string) string {
		return `[ odrl:leftOperand odrl:spatial ; odrl:operator odrl:eq ; odrl:rightOperand "` + c + `" ]`
	}
	permitUseProhibitMarketing := ttlPrefixes + `<urn:test:p> odrl:permission [ odrl:action odrl:use ] ;
  odrl:prohibition [ odrl:action odrl:use ; odrl:constraint [ odrl:leftOperand odrl:purpose ; odrl:operator odrl:eq ; odrl:rightOperand "marketing" ] ] .`

	tests := []decideCase{
		// purpose, every operator
		{name: "purpose eq", doc: atom("odrl:purpose", "odrl:eq", `"research"`), req: base, want: Permit, rule: "permission[0]"},
		{name: "purpose eq other", doc: atom("odrl:purpose", "odrl:eq", `"research"`), req: with(base, func(r *Request) { r.Purpose = "marketing" }),
			want: Deny, rule: "permission[0]", constraint: "permission[0].constraint[0]", reason: "requires that the purpose is research, but the request's purpose is marketing"},
		{name: "purpose missing", doc: atom("odrl:purpose", "odrl:eq", `"research"`), req: with(base, func(r *Request) { r.Purpose = "" }),
			want: Deny, constraint: "permission[0].constraint[0]", reason: "cannot be checked: the request gives no purpose"},
		{name: "purpose neq", doc: atom("odrl:purpose", "odrl:neq", `"marketing"`), req: base, want: Permit},
		{name: "purpose neq same", doc: atom("odrl:purpose", "odrl:neq", `"research"`), req: base, want: Deny},
		{name: "purpose isAnyOf", doc: atom("odrl:purpose", "odrl:isAnyOf", `"statistics", "research"`), req: base, want: Permit},
		{name: "purpose isAnyOf list", doc: atom("odrl:purpose", "odrl:isAnyOf", `( "statistics" "research" )`), req: base, want: Permit},
		{name: "purpose isAnyOf none", doc: atom("odrl:purpose", "odrl:isAnyOf", `"statistics", "archiving"`), req: base, want: Deny,
			reason: "the purpose is one of archiving, statistics"},
		{name: "purpose isNoneOf", doc: atom("odrl:purpose", "odrl:isNoneOf", `"marketing", "profiling"`), req: base, want: Permit},
		{name: "purpose isNoneOf hit", doc: atom("odrl:purpose", "odrl:isNoneOf", `"marketing", "research"`), req: base, want: Deny},
		{name: "purpose isA narrower", doc: atom("odrl:purpose", "odrl:isA", `"research"`), opt: broader,
			req: with(base, func(r *Request) { r.Purpose = "medical-research" }), want: Permit},
		{name: "purpose isA itself", doc: atom("odrl:purpose", "odrl:isA", `"research"`), opt: broader, req: base, want: Permit},
		{name: "purpose isA other", doc: atom("odrl:purpose", "odrl:isA", `"research"`), opt: broader,
			req: with(base, func(r *Request) { r.Purpose = "statistics" }), want: Deny},
		{name: "purpose isPartOf two levels", doc: atom("odrl:purpose", "odrl:isPartOf", `<urn:purpose:public-task>`), opt: broader,
			req: with(base, func(r *Request) { r.Purpose = "medical-research" }), want: Permit},

		// spatial
		{name: "spatial eq", doc: atom("odrl:spatial", "odrl:eq", `"NO"`), req: base, want: Permit},
		{name: "spatial eq lower case", doc: atom("odrl:spatial", "odrl:eq", `"NO"`), req: with(base, func(r *Request) { r.RecipientCountry = "no" }), want: Permit},
		{name: "spatial eq other", doc: atom("odrl:spatial", "odrl:eq", `"NO"`), req: with(base, func(r *Request) { r.RecipientCountry = "SE" }),
			want: Deny, reason: "the recipient's country is SE"},
		{name: "spatial neq", doc: atom("odrl:spatial", "odrl:neq", `"SE"`), req: base, want: Permit},
		{name: "spatial isPartOf EEA", doc: atom("odrl:spatial", "odrl:isPartOf", `"EEA"`), req: with(base, func(r *Request) { r.RecipientCountry = "IS" }), want: Permit},
		{name: "spatial isPartOf EEA outside", doc: atom("odrl:spatial", "odrl:isPartOf", `"EEA"`), req: with(base, func(r *Request) { r.RecipientCountry = "US" }), want: Deny},
		{name: "spatial isA Nordic", doc: atom("odrl:spatial", "odrl:isA", `"Nordic"`), req: with(base, func(r *Request) { r.RecipientCountry = "FI" }), want: Permit},
		{name: "spatial isAnyOf", doc: atom("odrl:spatial", "odrl:isAnyOf", `"SE", "DK"`), req: with(base, func(r *Request) { r.RecipientCountry = "DK" }), want: Permit},
		{name: "spatial isAnyOf outside", doc: atom("odrl:spatial", "odrl:isAnyOf", `"SE", "DK"`), req: base, want: Deny},
		{name: "spatial isNoneOf", doc: atom("odrl:spatial", "odrl:isNoneOf", `"EU"`), req: base, want: Permit},
		{name: "spatial isNoneOf inside", doc: atom("odrl:spatial", "odrl:isNoneOf", `"EU"`), req: with(base, func(r *Request) { r.RecipientCountry = "SE" }), want: Deny},
		{name: "spatial EU country authority IRI", doc: atom("odrl:spatial", "odrl:eq", `<http://publications.europa.eu/resource/authority/country/NOR>`), req: base, want: Permit},
		{name: "spatial EL is GR", doc: atom("odrl:spatial", "odrl:eq", `"GR"`), req: with(base, func(r *Request) { r.RecipientCountry = "EL" }), want: Permit},
		{name: "spatial missing", doc: atom("odrl:spatial", "odrl:eq", `"NO"`), req: with(base, func(r *Request) { r.RecipientCountry = "" }),
			want: Deny, reason: "the request gives no recipient country"},
		{name: "spatial not a code", doc: atom("odrl:spatial", "odrl:eq", `"NO"`), req: with(base, func(r *Request) { r.RecipientCountry = "Norway" }),
			want: Deny, reason: `recipient country "Norway" is no country code`},

		// recipient and recipient classes
		{name: "recipient eq", doc: atom("odrl:recipient", "odrl:eq", `"org:991"`), req: base, want: Permit},
		{name: "recipient eq other", doc: atom("odrl:recipient", "odrl:eq", `"org:992"`), req: base, want: Deny, reason: "the recipient is org:991"},
		{name: "recipient neq", doc: atom("odrl:recipient", "odrl:neq", `"org:992"`), req: base, want: Permit},
		{name: "recipient isAnyOf", doc: atom("odrl:recipient", "odrl:isAnyOf", `"org:992", "org:991"`), req: base, want: Permit},
		{name: "recipient isNoneOf", doc: atom("odrl:recipient", "odrl:isNoneOf", `"org:666"`), req: base, want: Permit},
		{name: "recipient missing", doc: atom("odrl:recipient", "odrl:eq", `"org:991"`), req: with(base, func(r *Request) { r.RecipientOrg = "" }), want: Deny,
			reason: "the request gives no recipient"},
		{name: "recipient isA", doc: atom("odrl:recipient", "odrl:isA", `"public-authority"`), req: base, want: Permit},
		{name: "recipient isA other", doc: atom("odrl:recipient", "odrl:isA", `"public-authority"`), req: with(base, func(r *Request) { r.RecipientClasses = []string{"company"} }),
			want: Deny, reason: "the recipient's classes are company"},
		{name: "recipient isA no classes", doc: atom("odrl:recipient", "odrl:isA", `"public-authority"`), req: with(base, func(r *Request) { r.RecipientClasses = nil }),
			want: Deny, reason: "the request gives no class of the recipient"},
		{name: "recipient isPartOf", doc: atom("odrl:recipient", "odrl:isPartOf", `"state"`), opt: broader, req: base, want: Permit},
		{name: "recipientClass eq", doc: atom("sb:recipientClass", "odrl:eq", `"public-authority"`), req: base, want: Permit},
		{name: "recipientClass neq", doc: atom("sb:recipientClass", "odrl:neq", `"company"`), req: base, want: Permit},
		{name: "recipientClass isAllOf", doc: atom("sb:recipientClass", "odrl:isAllOf", `"public-authority", "municipality"`),
			req: with(base, func(r *Request) { r.RecipientClasses = []string{"municipality", "school-owner", "public-authority"} }), want: Permit},
		{name: "recipientClass isAllOf one short", doc: atom("sb:recipientClass", "odrl:isAllOf", `"public-authority", "municipality"`), req: base, want: Deny},
		{name: "recipientClass isNoneOf", doc: atom("sb:recipientClass", "odrl:isNoneOf", `"company", "bank"`), req: base, want: Permit},

		// dateTime
		{name: "dateTime lt", doc: atom("odrl:dateTime", "odrl:lt", `"2026-01-01T00:00:00Z"^^xsd:dateTime`), req: base, want: Permit},
		{name: "dateTime lt passed", doc: atom("odrl:dateTime", "odrl:lt", `"2025-01-01T00:00:00Z"^^xsd:dateTime`), req: base, want: Deny,
			reason: "the time is before 2025-01-01T00:00:00Z, but the time is 2025-06-01T12:00:00Z"},
		{name: "dateTime lteq date covers the day", doc: atom("odrl:dateTime", "odrl:lteq", `"2025-06-01"^^xsd:date`), req: base, want: Permit},
		{name: "dateTime lt date", doc: atom("odrl:dateTime", "odrl:lt", `"2025-06-01"^^xsd:date`), req: base, want: Deny},
		{name: "dateTime gt date", doc: atom("odrl:dateTime", "odrl:gt", `"2025-05-31"`), req: base, want: Permit},
		{name: "dateTime gt same date", doc: atom("odrl:dateTime", "odrl:gt", `"2025-06-01"`), req: base, want: Deny},
		{name: "dateTime gteq instant", doc: atom("odrl:dateTime", "odrl:gteq", `"2025-06-01T12:00:00Z"`), req: base, want: Permit},
		{name: "dateTime eq date", doc: atom("odrl:dateTime", "odrl:eq", `"2025-06-01"`), req: base, want: Permit},
		{name: "dateTime neq date", doc: atom("odrl:dateTime", "odrl:neq", `"2025-06-01"`), req: base, want: Deny},
		{name: "dateTime with offset", doc: atom("odrl:dateTime", "odrl:lt", `"2025-06-01T14:00:00+02:00"`), req: base, want: Deny},
		{name: "dateTime without seconds", doc: atom("odrl:dateTime", "odrl:lteq", `"2025-06-01T12:00Z"`), req: base, want: Permit},
		{name: "time window", doc: ttlPrefixes + `<urn:test:p> odrl:permission [ odrl:action odrl:use ; odrl:constraint
		    [ odrl:leftOperand odrl:dateTime ; odrl:operator odrl:gteq ; odrl:rightOperand "2025-01-01" ] ,
		    [ odrl:leftOperand odrl:dateTime ; odrl:operator odrl:lt ; odrl:rightOperand "2025-07-01" ] ] .`,
			req: base, want: Permit},
		{name: "time window closed", doc: ttlPrefixes + `<urn:test:p> odrl:permission [ odrl:action odrl:use ; odrl:constraint
		    [ odrl:leftOperand odrl:dateTime ; odrl:operator odrl:gteq ; odrl:rightOperand "2025-01-01" ] ,
		    [ odrl:leftOperand odrl:dateTime ; odrl:operator odrl:lt ; odrl:rightOperand "2025-06-01" ] ] .`,
			req: base, want: Deny, constraint: "permission[0].constraint[1]"},

		// the profile
		{name: "legalBasis eq", doc: atom("sb:legalBasis", "odrl:eq", `<http://data.europa.eu/eli/reg/2016/679/oj>`),
			req: with(base, func(r *Request) { r.LegalBasis = "http://data.europa.eu/eli/reg/2016/679/oj" }), want: Permit},
		{name: "legalBasis missing", doc: atom("sb:legalBasis", "odrl:eq", `<http://data.europa.eu/eli/reg/2016/679/oj>`), req: base,
			want: Deny, reason: "the request gives no legal basis"},
		{name: "lifeEvent isAnyOf", doc: atom("sb:lifeEvent", "odrl:isAnyOf", `"death-and-inheritance", "new-in-country"`),
			req: with(base, func(r *Request) { r.LifeEvent = "death-and-inheritance" }), want: Permit},
		{name: "explicitRequest", doc: atom("sb:explicitRequest", "odrl:eq", "true"), req: with(base, func(r *Request) { r.ExplicitRequest = true }), want: Permit},
		{name: "explicitRequest not given", doc: atom("sb:explicitRequest", "odrl:eq", "true"), req: base, want: Deny,
			reason: "the data subject did not explicitly ask for it"},
		{name: "explicitRequest neq", doc: atom("sb:explicitRequest", "odrl:neq", `"true"`), req: base, want: Permit},
		{name: "consent held", doc: atom("sb:dataSubjectConsent", "odrl:eq", "true"), req: with(base, func(r *Request) { r.Subject = ola }),
			facts: registry, want: Permit},
		{name: "consent for another purpose", doc: atom("sb:dataSubjectConsent", "odrl:eq", "true"),
			req: with(base, func(r *Request) { r.Subject, r.Purpose = ola, "statistics" }), facts: registry, want: Deny,
			reason: "the consent registry holds no consent of the data subject that covers this use"},
		{name: "consent of nobody", doc: atom("sb:dataSubjectConsent", "odrl:eq", "true"), req: base, facts: registry, want: Deny,
			reason: "the request names no data subject"},
		{name: "consent registry down", doc: atom("sb:dataSubjectConsent", "odrl:eq", "true"), req: with(base, func(r *Request) { r.Subject = ola }),
			facts: &fakeFacts{err: errors.New("connection refused")}, want: Deny, reason: "the consent registry gave no answer: connection refused"},
		{name: "consent without registry", doc: atom("sb:dataSubjectConsent", "odrl:eq", "true"), req: with(base, func(r *Request) { r.Subject = ola }),
			want: Deny, reason: "no consent registry"},
		{name: "mandate not needed", doc: atom("sb:mandate", "odrl:eq", "true"), req: with(base, func(r *Request) { r.Subject = ola }), facts: registry, want: Permit},
		{name: "mandate held", doc: atom("sb:mandate", "odrl:eq", "true"), req: with(base, func(r *Request) { r.Subject, r.Representative = ola, kari }),
			facts: registry, want: Permit},
		{name: "mandate missing", doc: atom("sb:mandate", "odrl:eq", "true"), req: with(base, func(r *Request) { r.Subject, r.Representative = kari, ola }),
			facts: registry, want: Deny, reason: "the registry holds no mandate of the data subject for the representative"},
		{name: "a representative needs a mandate whatever the policy", doc: atom("odrl:purpose", "odrl:eq", `"research"`),
			req: with(base, func(r *Request) { r.Subject, r.Representative = kari, ola }), facts: registry, want: Deny,
			reason: "representative who holds no mandate"},
		{name: "a representative with a mandate, policy silent on mandates", doc: atom("odrl:purpose", "odrl:eq", `"research"`),
			req: with(base, func(r *Request) { r.Subject, r.Representative = ola, kari }), facts: registry, want: Permit},
		{name: "a representative, no registry", doc: atom("odrl:purpose", "odrl:eq", `"research"`),
			req: with(base, func(r *Request) { r.Subject, r.Representative = ola, kari }), want: Deny, reason: "cannot be checked"},

		// and, or, xone, andSequence
		{name: "and", doc: logic("and", purposeIs("research"), countryIs("NO")), req: base, want: Permit},
		{name: "and fails on its second", doc: logic("and", purposeIs("research"), countryIs("SE")), req: base, want: Deny,
			constraint: "permission[0].constraint[0].and[1]", reason: "the recipient's country is in SE, but the recipient's country is NO"},
		{name: "or", doc: logic("or", purposeIs("statistics"), countryIs("NO")), req: base, want: Permit},
		{name: "or none", doc: logic("or", purposeIs("statistics"), countryIs("SE")), req: base, want: Deny,
			constraint: "permission[0].constraint[0]", reason: "none of them holds"},
		{name: "xone one", doc: logic("xone", purposeIs("statistics"), countryIs("NO")), req: base, want: Permit},
		{name: "xone both", doc: logic("xone", purposeIs("research"), countryIs("NO")), req: base, want: Deny, reason: "not exactly one of them holds"},
		{name: "xone none", doc: logic("xone", purposeIs("statistics"), countryIs("SE")), req: base, want: Deny},
		{name: "andSequence", doc: logic("andSequence", purposeIs("research"), countryIs("NO")), req: base, want: Permit},
		{name: "andSequence fails", doc: logic("andSequence", purposeIs("statistics"), countryIs("NO")), req: base, want: Deny},

		// rules, targets, parties
		{name: "prohibition beats permission", doc: permitUseProhibitMarketing, req: with(base, func(r *Request) { r.Purpose = "marketing" }),
			want: Deny, rule: "prohibition[0]", reason: "prohibition[0] of policy urn:test:p forbids use when the purpose is marketing"},
		{name: "prohibition that does not hold", doc: permitUseProhibitMarketing, req: base, want: Permit, rule: "permission[0]"},
		{name: "prohibition that cannot be checked", doc: permitUseProhibitMarketing, req: with(base, func(r *Request) { r.Purpose = "" }),
			want: Deny, rule: "prohibition[0]", reason: "what cannot be checked counts against the request"},
		{name: "no permission", doc: ttlPrefixes + `<urn:test:p> odrl:prohibition [ odrl:action odrl:distribute ] .`, req: base,
			want: Deny, reason: "no permission of the 1 policy weighed covers use of urn:test:dataset by org:991"},
		{name: "read is a kind of use", doc: ttlPrefixes + `<urn:test:p> odrl:permission [ odrl:action odrl:use ] .`,
			req: with(base, func(r *Request) { r.Action = "read" }), want: Permit},
		{name: "use is not a kind of read", doc: ttlPrefixes + `<urn:test:p> odrl:permission [ odrl:action odrl:read ] .`, req: base, want: Deny},
		{name: "prohibited distribute does not touch read", doc: ttlPrefixes + `<urn:test:p> odrl:permission [ odrl:action odrl:use ] ; odrl:prohibition [ odrl:action odrl:distribute ] .`,
			req: with(base, func(r *Request) { r.Action = "read" }), want: Permit},
		{name: "prohibited distribute", doc: ttlPrefixes + `<urn:test:p> odrl:permission [ odrl:action odrl:use ] ; odrl:prohibition [ odrl:action odrl:distribute ] .`,
			req: with(base, func(r *Request) { r.Action = "http://www.w3.org/ns/odrl/2/distribute" }), want: Deny, rule: "prohibition[0]"},
		{name: "unknown request action", doc: ttlPrefixes + `<urn:test:p> odrl:permission [ odrl:action odrl:use ] .`,
			req: with(base, func(r *Request) { r.Action = "teleport" }), want: Deny, reason: `the request's action "teleport" is no ODRL action`},
		{name: "other target", doc: ttlPrefixes + `<urn:test:p> odrl:target <urn:test:other> ; odrl:permission [ odrl:action odrl:use ] .`, req: base, want: Deny},
		{name: "target of the rule", doc: ttlPrefixes + `<urn:test:p> odrl:permission [ odrl:target <urn:test:dataset> ; odrl:action odrl:use ] .`, req: base, want: Permit},
		{name: "no target in the request", doc: ttlPrefixes + `<urn:test:p> odrl:target <urn:test:dataset> ; odrl:permission [ odrl:action odrl:use ] .`,
			req: with(base, func(r *Request) { r.Target = "" }), want: Deny},
		{name: "prohibition on a target the request does not name", doc: ttlPrefixes + `<urn:test:p> odrl:permission [ odrl:action odrl:use ] ; odrl:prohibition [ odrl:target <urn:test:dataset> ; odrl:action odrl:use ] .`,
			req: with(base, func(r *Request) { r.Target = "" }), want: Deny, rule: "prohibition[0]"},
		{name: "assignee", doc: ttlPrefixes + `<urn:test:p> a odrl:Agreement ; odrl:assigner <org:1> ; odrl:assignee "org:991" ; odrl:permission [ odrl:action odrl:use ] .`, req: base, want: Permit},
		{name: "not the assignee", doc: ttlPrefixes + `<urn:test:p> a odrl:Agreement ; odrl:assigner <org:1> ; odrl:assignee "org:992" ; odrl:permission [ odrl:action odrl:use ] .`, req: base, want: Deny},
		{name: "assignee by class", doc: ttlPrefixes + `<urn:test:p> odrl:permission [ odrl:assignee "public-authority" ; odrl:action odrl:use ] .`, req: base, want: Permit},

		// the reference examples
		{name: "EDC location eq eu, in the EU", doc: "file:edc_create_policy_location_eu.json", opt: LoadOptions{Aliases: map[string]string{"location": "spatial"}},
			req: with(base, func(r *Request) { r.RecipientCountry = "SE" }), want: Permit, rule: "permission[0]"},
		{name: "EDC location eq eu, in Norway", doc: "file:edc_create_policy_location_eu.json", opt: LoadOptions{Aliases: map[string]string{"location": "spatial"}},
			req: base, want: Deny, constraint: "permission[0].constraint[0]", reason: "the recipient's country is in eu, but the recipient's country is NO"},
		{name: "DSP offer, in the EU", doc: "file:dsp_catalog.json", opt: dsp,
			req:  with(base, func(r *Request) { r.Target, r.RecipientCountry = "urn:uuid:3dd1add8-4d2d-569e-d634-8394a8836a88", "DE" }),
			want: Permit, reason: "duties: cc:Attribution"},
		{name: "DSP offer, outside the EU", doc: "file:dsp_catalog.json", opt: dsp,
			req: with(base, func(r *Request) { r.Target = "urn:uuid:3dd1add8-4d2d-569e-d634-8394a8836a88" }), want: Deny},
		{name: "DSP offer, another dataset", doc: "file:dsp_catalog.json", opt: dsp,
			req: with(base, func(r *Request) { r.RecipientCountry = "DE" }), want: Deny},
		{name: "DSP agreement, within its time", doc: "file:dsp_contract_agreement_message_full.json", opt: dspAgreement,
			req: with(agreementReq, func(r *Request) { r.Time = time.Date(2023, 12, 31, 5, 0, 0, 0, time.UTC) }), want: Permit, rule: "permission[0]"},
		{name: "DSP agreement, and", doc: "file:dsp_contract_agreement_message_full.json", opt: dspAgreement,
			req: with(agreementReq, func(r *Request) { r.RecipientClasses = []string{"gold", "silver"} }), want: Permit, rule: "permission[1]"},
		{name: "DSP agreement, or", doc: "file:dsp_contract_agreement_message_full.json", opt: dspAgreement,
			req: with(agreementReq, func(r *Request) { r.RecipientClasses = []string{"silver"} }), want: Permit, rule: "permission[2]"},
		{name: "DSP agreement, nested or of and", doc: "file:dsp_contract_agreement_message_full.json", opt: dspAgreement,
			req: with(agreementReq, func(r *Request) { r.RecipientClasses = []string{"value1", "value2"} }), want: Permit, rule: "permission[6]"},
		{name: "DSP agreement, nothing holds", doc: "file:dsp_contract_agreement_message_full.json", opt: dspAgreement,
			req: with(agreementReq, func(r *Request) { r.RecipientClasses = []string{"bronze"} }), want: Deny, rule: "permission[0]",
			constraint: "permission[0].constraint[0]", reason: "requires that the time is at or before 2023-12-31T06:00Z, but the time is 2024-03-01T00:00:00Z"},
		{name: "DSP agreement, another consumer", doc: "file:dsp_contract_agreement_message_full.json", opt: dspAgreement,
			req: with(agreementReq, func(r *Request) { r.RecipientOrg, r.RecipientClasses = "http://example.com/Other", []string{"gold"} }), want: Deny},

		// the register's policy
		{name: "register: an authority for inheritance", doc: "file:registry.ttl", req: registryReq, want: Permit, rule: "permission[0]",
			reason: "duties: delete"},
		{name: "register: outside the EEA", doc: "file:registry.ttl", req: with(registryReq, func(r *Request) { r.RecipientCountry = "GB" }),
			want: Deny, rule: "permission[0]", constraint: "permission[0].constraint[1]"},
		{name: "register: after 2030", doc: "file:registry.ttl", req: with(registryReq, func(r *Request) { r.Time = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }),
			want: Deny, constraint: "permission[0].constraint[3]"},
		{name: "register: a commercial recipient", doc: "file:registry.ttl", req: with(registryReq, func(r *Request) { r.RecipientClasses = []string{"public-authority", "commercial"} }),
			want: Deny, rule: "prohibition[0]"},
		{name: "register: recipient classes unknown", doc: "file:registry.ttl", req: with(registryReq, func(r *Request) { r.RecipientClasses = nil }),
			want: Deny, rule: "prohibition[0]", reason: "the request gives no class of the recipient"},
		{name: "register: passing it on", doc: "file:registry.ttl", req: with(registryReq, func(r *Request) { r.Action = "distribute" }),
			want: Deny, rule: "prohibition[1]"},
		{name: "register: the heir's explicit request", doc: "file:registry.ttl", facts: registry,
			req: with(registryReq, func(r *Request) {
				r.Action, r.Purpose, r.ExplicitRequest, r.Subject, r.Representative = "read", "", true, ola, kari
			}),
			want: Permit, rule: "permission[1]"},
		{name: "register: a representative without a mandate", doc: "file:registry.ttl", facts: registry,
			req: with(registryReq, func(r *Request) {
				r.Action, r.Purpose, r.ExplicitRequest, r.Subject, r.Representative = "read", "", true, kari, ola
			}),
			want: Deny, rule: "permission[1]"},
		{name: "register: research with consent", doc: "file:registry.ttl", facts: registry,
			req: with(registryReq, func(r *Request) { r.Purpose, r.Subject = "research", ola }), want: Permit, rule: "permission[2]"},
		{name: "register: research without consent", doc: "file:registry.ttl", facts: registry,
			req: with(registryReq, func(r *Request) { r.Purpose, r.Subject = "research", kari }), want: Deny},
	}
	policies := map[string]*Policy{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := tc.doc + "\x00" + optKey(tc.opt)
			p := policies[key]
			if p == nil {
				if file, ok := strings.CutPrefix(tc.doc, "file:"); ok {
					ps := loadFile(t, file, tc.opt)
					p = ps[0]
				} else {
					p = loadString(t, "x.ttl", tc.doc, tc.opt)
				}
				policies[key] = p
			}
			d := p.Decide(context.Background(), &tc.req, tc.facts)
			if d.Effect != tc.want {
				t.Fatalf("Decide = %s (%s), want %s", d.Effect, d.Reason, tc.want)
			}
			if tc.rule != "" {
				if got := d.Rule.Kind + "[" + itoa(d.Rule.Index) + "]"; got != tc.rule {
					t.Errorf("Decide rule = %s (%s), want %s", got, d.Reason, tc.rule)
				}
			}
			if tc.constraint != "" && d.Rule.Constraint != tc.constraint {
				t.Errorf("Decide constraint = %q (%s), want %q", d.Rule.Constraint, d.Reason, tc.constraint)
			}
			if !strings.Contains(d.Reason, tc.reason) {
				t.Errorf("Decide reason = %q, want it to contain %q", d.Reason, tc.reason)
			}
			if d.Effect == Permit && (d.Policy.Hash != p.Hash() || d.Policy.UID != p.UID()) {
				t.Errorf("Decide policy = %+v, want %s %s", d.Policy, p.UID(), p.Hash())
			}
		})
	}
}

func optKey(o LoadOptions) string {
	b, _ := json.Marshal([]any{o.Aliases, o.Places, o.Broader})
	return string(b)
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func TestDecisionFacts(t *testing.T) {
	p := loadFile(t, "registry.ttl", LoadOptions{})[0]
	req := with(registryReq, func(r *Request) { r.Purpose, r.Subject = "research", ola })
	facts := &fakeFacts{consents: registry.consents}
	d := p.Decide(context.Background(), &req, facts)
	if !d.Permitted() {
		t.Fatalf("Decide = %s: %s", d.Effect, d.Reason)
	}
	want := UsedFacts{
		Action: "use", Target: registryTarget, Purpose: "research", Recipient: "org:974760673",
		RecipientClasses: []string{"public-authority", "municipality"}, Country: "SE", Time: june, Subject: ola,
		Consent: Lookup{Asked: true, Found: true, Grant: Grant{ID: "consent-1"}},
	}
	if !reflect.DeepEqual(d.Facts, want) {
		t.Errorf("Decide facts = %+v,\nwant %+v", d.Facts, want)
	}
	if facts.asked != 1 {
		t.Errorf("Facts asked %d times, want 1", facts.asked)
	}

	// The first permission decides without asking Facts.
	facts.asked = 0
	d = p.Decide(context.Background(), &registryReq, facts)
	if !d.Permitted() || facts.asked != 0 || d.Facts.Consent.Asked {
		t.Errorf("Decide = %s, asked Facts %d times; want a permit without asking", d.Effect, facts.asked)
	}
	if len(d.Obligations) != 1 || d.Obligations[0].Action != nsODRL+"delete" || d.Obligations[0].When[0] != "elapsedTime eq P30D" {
		t.Errorf("Decide obligations = %+v, want delete when elapsedTime eq P30D", d.Obligations)
	}
	if d.Rule.UID != "https://data.example.no/policy/folkeregister#authorities" {
		t.Errorf("Decide rule uid = %q", d.Rule.UID)
	}
	if d.Policy.Version != "3" || d.Policy.Source != "registry.ttl" {
		t.Errorf("Decide policy = %+v", d.Policy)
	}
}

func TestDecisionJSON(t *testing.T) {
	p := loadFile(t, "registry.ttl", LoadOptions{})[0]
	req := with(registryReq, func(r *Request) { r.RecipientCountry = "US" })
	d := p.Decide(context.Background(), &req, nil)
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back Decision
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, d) {
		t.Errorf("JSON round trip:\n got %+v\nwant %+v", back, d)
	}
	for _, want := range []string{
		`"effect":"deny"`,
		`"reason":"no permission holds: permission[0] of policy https://data.example.no/policy/folkeregister requires that the recipient's country is in EEA, but the recipient's country is US"`,
		`"policy":{"uid":"https://data.example.no/policy/folkeregister","hash":"sha256:`,
		`"rule":{"kind":"permission","index":0,"uid":"https://data.example.no/policy/folkeregister#authorities","constraint":"permission[0].constraint[1]","condition":"the recipient's country is in EEA"}`,
		`"country":"US"`,
		`"time":"2025-06-01T12:00:00Z"`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("decision JSON %s\nlacks %s", b, want)
		}
	}
	// The consent constraint of permission[2] comes after its purpose, which
	// fails first: the registry is not asked.
	if strings.Contains(string(b), `"consent"`) || strings.Contains(string(b), `"obligations"`) {
		t.Errorf("decision JSON %s has a consent lookup or obligations it should not", b)
	}
}

func TestSet(t *testing.T) {
	def := loadString(t, "default.ttl", ttlPrefixes+`<urn:gateway:default> odrl:prohibition [ odrl:action odrl:use ;
	  odrl:constraint [ odrl:leftOperand odrl:spatial ; odrl:operator odrl:isNoneOf ; odrl:rightOperand "EEA" ] ] .`, LoadOptions{})
	ds := loadString(t, "ds.ttl", ttlPrefixes+`<urn:test:dataset> odrl:hasPolicy <urn:test:p> .
	  <urn:test:p> a odrl:Offer ; odrl:permission [ odrl:action odrl:use ; odrl:constraint [ odrl:leftOperand odrl:purpose ; odrl:operator odrl:eq ; odrl:rightOperand "research" ] ] .`, LoadOptions{})
	lib, err := NewLibrary([]*Policy{def}, []*Policy{ds})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	s := lib.For("urn:test:dataset")
	if got := len(s.Policies()); got != 2 {
		t.Fatalf("For = %d policies, want the default and the dataset's", got)
	}
	if d := s.Decide(ctx, &base, nil); !d.Permitted() || d.Policy.UID != "urn:test:p" || len(d.Considered) != 2 {
		t.Errorf("Decide = %s by %s weighing %d: %s", d.Effect, d.Policy.UID, len(d.Considered), d.Reason)
	}
	us := with(base, func(r *Request) { r.RecipientCountry = "US" })
	if d := s.Decide(ctx, &us, nil); d.Permitted() || d.Policy.UID != "urn:gateway:default" || d.Rule.Kind != "prohibition" {
		t.Errorf("Decide = %s by %s %s, want the default's prohibition to deny", d.Effect, d.Policy.UID, d.Rule.Kind)
	}

	// Another dataset: only the default, which permits nothing.
	other := with(base, func(r *Request) { r.Target = "urn:test:other" })
	if d := lib.For("urn:test:other").Decide(ctx, &other, nil); d.Permitted() || !strings.Contains(d.Reason, "no permission") {
		t.Errorf("Decide = %s: %s", d.Effect, d.Reason)
	}
	// A policy the catalogue names but the library lacks.
	if d := lib.For("urn:test:dataset", "urn:test:p", "urn:test:gone").Decide(ctx, &base, nil); d.Permitted() || !strings.Contains(d.Reason, "policy urn:test:gone, which the catalogue names for this target, is not loaded") {
		t.Errorf("Decide = %s: %s", d.Effect, d.Reason)
	}
	// Nothing at all.
	if d := (*Set)(nil).Decide(ctx, &base, nil); d.Permitted() {
		t.Errorf("a nil set permits: %s", d.Reason)
	}
	if d := (*Policy)(nil).Decide(ctx, &base, nil); d.Permitted() {
		t.Errorf("a nil policy permits: %s", d.Reason)
	}
	if d := lib.For("urn:test:dataset").Decide(ctx, nil, nil); d.Permitted() || d.Reason != "no request to decide" {
		t.Errorf("a nil request: %s %s", d.Effect, d.Reason)
	}
	// No policy at all.
	if d := NewSet().Decide(ctx, &base, nil); d.Permitted() || d.Reason != "no policy governs this target, and Samband denies by default" {
		t.Errorf("Decide = %s: %s", d.Effect, d.Reason)
	}
	// One uid, two policies.
	clash := loadString(t, "clash.ttl", ttlPrefixes+`<urn:test:p> odrl:permission [ odrl:action odrl:read ] .`, LoadOptions{})
	if _, err := NewLibrary(nil, []*Policy{ds, clash}); err == nil || !strings.Contains(err.Error(), "two policies have the uid urn:test:p") {
		t.Errorf("NewLibrary = %v, want a clash of uids", err)
	}
	// The same policy twice is kept once.
	again := loadString(t, "again.ttl", ttlPrefixes+`<urn:test:dataset> odrl:hasPolicy <urn:test:p> .
	  <urn:test:p> a odrl:Offer ; odrl:permission [ odrl:action odrl:use ; odrl:constraint [ odrl:leftOperand odrl:purpose ; odrl:operator odrl:eq ; odrl:rightOperand "research" ] ] .`, LoadOptions{})
	lib, err = NewLibrary(nil, []*Policy{ds, again})
	if err != nil || len(lib.For("urn:test:dataset").Policies()) != 1 {
		t.Errorf("NewLibrary of one policy twice = %v", err)
	}
}

func TestPermitAllocatesNothing(t *testing.T) {
	p := loadFile(t, "registry.ttl", LoadOptions{})[0]
	set := NewSet(p)
	ctx := context.Background()
	req := registryReq
	var d Decision
	allocs := testing.AllocsPerRun(1000, func() {
		d = set.Decide(ctx, &req, nil)
	})
	if !d.Permitted() {
		t.Fatalf("Decide = %s: %s", d.Effect, d.Reason)
	}
	if allocs != 0 {
		t.Errorf("a permit allocates %v times, want 0", allocs)
	}
}

// TestLibraryCatalogue reads the policies a DCAT catalogue attaches to a
// dataset, a distribution and a data service, and finds each by its target.
func TestLibraryCatalogue(t *testing.T) {
	const catalogue = `
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix odrl: <http://www.w3.org/ns/odrl/2/> .

<https://data.example.fi/dataset/1> a dcat:Dataset ;
    odrl:hasPolicy <https://data.example.fi/policy/open> ;
    dcat:distribution <https://data.example.fi/distribution/1> .
<https://data.example.fi/distribution/1> a dcat:Distribution ;
    odrl:hasPolicy [ a odrl:Offer ; odrl:permission [ odrl:action odrl:read ] ] ;
    dcat:accessService <https://data.example.fi/service/1> .
<https://data.example.fi/service/1> a dcat:DataService ;
    odrl:hasPolicy [ a odrl:Offer ; odrl:permission [ odrl:action odrl:use ;
        odrl:constraint [ odrl:leftOperand odrl:spatial ; odrl:operator odrl:eq ; odrl:rightOperand "FI" ] ] ] .
<https://data.example.fi/policy/open> a odrl:Set ; odrl:permission [ odrl:action odrl:use ] .
`
	ps, err := Load(strings.NewReader(catalogue), "catalogue.ttl", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 3 {
		t.Fatalf("Load = %d policies, want 3", len(ps))
	}
	lib, err := NewLibrary(nil, ps)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tests := []struct {
		target, action, country string
		want                    Effect
		uid                     string
	}{
		{"https://data.example.fi/dataset/1", "use", "NO", Permit, "https://data.example.fi/policy/open"},
		{"https://data.example.fi/distribution/1", "read", "NO", Permit, "catalogue.ttl#policy1"},
		{"https://data.example.fi/distribution/1", "use", "NO", Deny, ""},
		{"https://data.example.fi/service/1", "use", "FI", Permit, "catalogue.ttl#policy2"},
		{"https://data.example.fi/service/1", "use", "SE", Deny, "catalogue.ttl#policy2"},
		{"https://data.example.fi/dataset/2", "use", "FI", Deny, ""},
	}
	for _, tc := range tests {
		req := Request{Action: tc.action, Target: tc.target, RecipientOrg: "org:1", RecipientCountry: tc.country, Time: june}
		d := lib.For(tc.target).Decide(ctx, &req, nil)
		if d.Effect != tc.want || d.Policy.UID != tc.uid {
			t.Errorf("For(%s).Decide(%s from %s) = %s by %q (%s), want %s by %q", tc.target, tc.action, tc.country, d.Effect, d.Policy.UID, d.Reason, tc.want, tc.uid)
		}
	}
}

// TestConcurrentDecide decides by one policy from many goroutines; run
// with -race, it checks that a Policy is safe for concurrent use.
func TestConcurrentDecide(t *testing.T) {
	p := loadFile(t, "registry.ttl", LoadOptions{})[0]
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				req := registryReq
				if (i+j)%2 == 0 {
					req.RecipientCountry = "US"
				}
				if d := p.Decide(context.Background(), &req, nil); d.Permitted() == (req.RecipientCountry == "US") {
					t.Errorf("Decide from %s = %s", req.RecipientCountry, d.Effect)
				}
			}
		}()
	}
	wg.Wait()
}
