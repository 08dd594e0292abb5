package exchange_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"samband/exchange"
	"samband/policies"
)

// outboundTTL is a Finnish gateway's outbound policy: Kela may ask any
// Norwegian service to settle an estate under the GDPR's public task,
// and Norway's tax statements to assess a benefit; municipalities may ask
// Sweden's population register for anything; nobody may ask Norway's
// criminal records.
const outboundTTL = `
@prefix odrl: <http://www.w3.org/ns/odrl/2/> .
@prefix sb:   <urn:samband:odrl:> .

<urn:samband:outbound:fi> a odrl:Set ;
    odrl:profile <urn:samband:odrl:> ;
    odrl:permission [
        odrl:target <NO> ;
        odrl:assignee "FI/0246246-0" ;
        odrl:action odrl:use ;
        odrl:constraint
            [ odrl:leftOperand odrl:purpose ; odrl:operator odrl:eq ; odrl:rightOperand <urn:samband:purpose:inheritance-settlement> ] ,
            [ odrl:leftOperand sb:legalBasis ; odrl:operator odrl:eq ;
              odrl:rightOperand <http://data.europa.eu/eli/reg/2016/679/art_6/par_1/pnt_e/oj> ]
    ] , [
        odrl:target "NO/974760673/tax-statements" ;
        odrl:assignee "FI/0246246-0" ;
        odrl:action odrl:use ;
        odrl:constraint [ odrl:leftOperand odrl:purpose ; odrl:operator odrl:eq ; odrl:rightOperand <urn:samband:purpose:benefit-assessment> ]
    ] , [
        odrl:target "SE/202100-5489/population" ;
        odrl:assignee "municipality" ;
        odrl:action odrl:use
    ] ;
    odrl:prohibition [
        odrl:target "NO/974760673/criminal-records" ;
        odrl:action odrl:use
    ] .
`

// TestOutboundPolicy: a rule for a service or for its whole country
// permits, a prohibition of either denies whatever permits, and what no
// rule permits is denied, each by the rule that says so.
func TestOutboundPolicy(t *testing.T) {
	p, err := exchange.LoadOutboundPolicy(strings.NewReader(outboundTTL), "outbound.ttl")
	if err != nil {
		t.Fatal(err)
	}
	kela := func(purpose string) policies.Request {
		return policies.Request{Action: "use", Purpose: purpose, LegalBasis: publicTask, RecipientOrg: fiAuthority,
			RecipientClasses: []string{"public-authority"}, RecipientCountry: "FI", Time: time.Now()}
	}
	municipality := policies.Request{Action: "use", Purpose: benefitPurpose, RecipientOrg: "FI/0201256-6",
		RecipientClasses: []string{"public-authority", "municipality"}, RecipientCountry: "FI"}
	for _, tc := range []struct {
		name, service string
		req           policies.Request
		effect        policies.Effect
		rule          string // policy uid, rule kind and index; "" for deny by default
	}{
		{"the country's rule", "NO/974760673/death-records", kela(estatePurpose), policies.Permit, "permission[0]"},
		{"the country's rule, another service", "NO/971526920/land-register", kela(estatePurpose), policies.Permit, "permission[0]"},
		{"the service's rule", "NO/974760673/tax-statements", kela(benefitPurpose), policies.Permit, "permission[1]"},
		{"the country's rule, another purpose", "NO/974760673/death-records", kela(benefitPurpose), policies.Deny, "permission[0]"},
		{"the service's prohibition over the country's permission", "NO/974760673/criminal-records", kela(estatePurpose), policies.Deny, "prohibition[0]"},
		{"a country no rule names", "DK/25052943/cpr", kela(estatePurpose), policies.Deny, ""},
		{"a recipient class", "SE/202100-5489/population", municipality, policies.Permit, "permission[2]"},
		{"a requester no rule names", "SE/202100-5489/population", kela(estatePurpose), policies.Deny, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := p.Decide(context.Background(), tc.service, tc.req)
			rule := ""
			if d.Policy.UID != "" {
				rule = fmt.Sprintf("%s[%d]", d.Rule.Kind, d.Rule.Index)
				if d.Policy.UID != "urn:samband:outbound:fi" {
					t.Errorf("policy %s", d.Policy.UID)
				}
			}
			if d.Effect != tc.effect || rule != tc.rule {
				t.Errorf("Decide(%s) = %s by %q (%s), want %s by %q", tc.service, d.Effect, rule, d.Reason, tc.effect, tc.rule)
			}
		})
	}
}

// TestLoadOutboundPolicyErrors: a document that holds no policy, or one
// Samband cannot decide on, or two policies under one uid, is refused
// with what is wrong.
func TestLoadOutboundPolicyErrors(t *testing.T) {
	const prefixes = "@prefix odrl: <http://www.w3.org/ns/odrl/2/> .\n"
	for _, tc := range []struct{ name, doc, want string }{
		{"empty", "", "outbound.ttl:1:1: not a document"},
		{"no policy", prefixes + `<urn:x> a <urn:y> .`, "holds no ODRL policy"},
		{"not Turtle", "odrl:permission [ ", "outbound.ttl"},
		{"unknown operand", prefixes + `<urn:p> a odrl:Set ; odrl:permission [ odrl:target "NO" ; odrl:action odrl:use ;
			odrl:constraint [ odrl:leftOperand odrl:shoeSize ; odrl:operator odrl:eq ; odrl:rightOperand 42 ] ] .`, "shoeSize"},
		{"one uid twice", prefixes + `<urn:p> a odrl:Set ; odrl:permission [ odrl:target "NO" ; odrl:action odrl:use ] .
			[] a odrl:Set ; odrl:uid <urn:p> ; odrl:permission [ odrl:target "SE" ; odrl:action odrl:use ] .`, "urn:p"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := exchange.LoadOutboundPolicy(strings.NewReader(tc.doc), "outbound.ttl")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadOutboundPolicy = %v, %v; want an error with %q", p, err, tc.want)
			}
		})
	}
}

// TestOutboundRelay: with an outbound policy, the Norwegian authority's
// request it permits goes through to the Finnish peer and back, logged
// with the outbound rule; the one it denies never reaches the peer, and
// both decisions are counted.
func TestOutboundRelay(t *testing.T) {
	keys := newKeyring(t)
	reg := prometheus.NewRegistry()
	f := newFixture(t, keys, withOutbound(t), func(o *exchange.Options) { o.Metrics = exchange.NewMetrics(reg) })
	f.startPeer(t, nil)

	r := f.pension()
	resp := f.do(t, f.signed(t, r, nil, noAuthority, keys.skatt))
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get(exchange.HeaderCountersignature) == "" {
		t.Fatalf("permitted request: %d %s", resp.StatusCode, body)
	}
	if n := f.peer.hits.Load(); n != 1 {
		t.Errorf("the peer was reached %d times, want once", n)
	}
	if _, ok := f.logs.find(t, map[string]any{"msg": "exchange", "role": "consumer", "effect": "permit", "request_id": r.ID,
		"outbound_rule": "outbound urn:samband:outbound:no permission[0]"}); !ok {
		t.Errorf("no record of the permit with its outbound rule; records: %v", f.logs.records(t))
	}

	denied := f.pension()
	denied.LegalBasis = "https://lovdata.no/lov/2005-06-17-62" // not the outbound rule's
	resp = f.do(t, f.signed(t, denied, nil, noAuthority, keys.skatt))
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "urn:samband:problem:outbound-denied") ||
		!strings.Contains(string(body), "legal basis") {
		t.Errorf("denied request: %d %s", resp.StatusCode, body)
	}
	if n := f.peer.hits.Load(); n != 1 {
		t.Errorf("the peer was reached %d times, want once (the permitted request alone)", n)
	}
	e := lastEntry(t, f)
	if e.Decision != "deny" || e.RequestID != denied.ID || e.Status != 403 ||
		!strings.HasPrefix(e.Rule, "outbound urn:samband:outbound:no permission[0] permission[0].constraint[") {
		t.Errorf("audit entry %+v, want the outbound deny", e)
	}

	for _, c := range []struct {
		metric string
		labels map[string]string
	}{
		{"samband_exchange_decisions_total", map[string]string{"effect": "permit", "reason": "outbound-permission"}},
		{"samband_exchange_decisions_total", map[string]string{"effect": "deny", "reason": "outbound-constraint"}},
		{"samband_exchange_requests_total", map[string]string{"role": "consumer", "outcome": "ok"}},
		{"samband_exchange_requests_total", map[string]string{"role": "consumer", "outcome": "outbound-denied"}},
	} {
		if got := counterValue(t, reg, c.metric, c.labels); got != 1 {
			t.Errorf("%s%v = %v, want 1", c.metric, c.labels, got)
		}
	}
}
