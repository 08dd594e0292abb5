package exchange

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"samband/policies"
)

// OutboundPolicy is a consumer gateway's own say over what its
// authorities may ask of other countries: which requester may ask which
// country or service, for which purpose, under which legal basis. It is
// decided before a request leaves for the peer gateway; the provider's
// policies still decide after it.
//
// It is ODRL, read and decided by the policies package as the provider's
// policies are, since its model fits an outbound decision without
// stretching: the rule's target is the foreign service, named as the
// exchange names it ("NO/974760673/death-records"), or its whole country
// ("NO"); the assignee is the local requester's party ID
// ("FI/0246246-0") or one of its recipient classes; the constraints are
// on purpose, legalBasis, lifeEvent, explicitRequest, recipientClass and
// dateTime. A request for a service is a request for its country too:
// permitted by a rule for the service or for the country, denied by a
// prohibition of either, and denied when nothing permits it.
//
// The outbound decision is about who asks what for which reason; the
// data subject's consent and a representative's mandate are the
// provider's to check, where the registry that holds them is. So the
// decision is asked without a subject or representative: a constraint on
// consent never holds here, and one on a mandate always does.
//
// An OutboundPolicy is immutable and safe for concurrent use.
type OutboundPolicy struct {
	set *policies.Set
}

// NewOutboundPolicy returns the outbound policy made of ps. It needs one
// policy at least: a gateway that restricts nothing configures none. Two
// policies with one uid are an error, as in a policies.Library.
func NewOutboundPolicy(ps ...*policies.Policy) (*OutboundPolicy, error) {
	seen := make(map[string]bool, len(ps))
	var kept []*policies.Policy
	for _, p := range ps {
		if p == nil {
			continue
		}
		if seen[p.UID()] {
			return nil, fmt.Errorf("exchange: outbound policy: two policies have the uid %s", p.UID())
		}
		seen[p.UID()] = true
		kept = append(kept, p)
	}
	if len(kept) == 0 {
		return nil, errors.New("exchange: outbound policy: the document holds no ODRL policy (a Set, Offer or Agreement with permissions or prohibitions)")
	}
	return &OutboundPolicy{set: policies.NewSet(kept...)}, nil
}

// LoadOutboundPolicy reads the outbound policy of one document of ODRL
// policies (Turtle, JSON-LD, RDF/XML or N-Triples) named name. Relative
// IRIs are kept as written, so <NO> names Norway as "NO" does.
func LoadOutboundPolicy(r io.Reader, name string) (*OutboundPolicy, error) {
	ps, err := policies.Load(r, name, policies.LoadOptions{})
	if err != nil {
		return nil, fmt.Errorf("exchange: outbound policy: %w", err)
	}
	return NewOutboundPolicy(ps...)
}

// Policies returns the policies the outbound policy is made of.
func (o *OutboundPolicy) Policies() []*policies.Policy { return o.set.Policies() }

// Decide decides req, a request of a local authority (req.RecipientOrg
// its party ID) for service, "COUNTRY/ORGANISATION/NAME" of another
// country. req.Target is set by Decide: to the service, then to its
// country. A prohibition for either denies; otherwise a permission for
// either permits; otherwise the request is denied, and the decision that
// came nearer to a permit (one a rule applied to) says why.
func (o *OutboundPolicy) Decide(ctx context.Context, service string, req policies.Request) policies.Decision {
	country, _, _ := strings.Cut(service, "/")
	req.Target = service
	bySvc := o.set.Decide(ctx, &req, nil)
	if prohibited(bySvc) {
		return bySvc
	}
	req.Target = country
	byCountry := o.set.Decide(ctx, &req, nil)
	switch {
	case prohibited(byCountry):
		return byCountry
	case bySvc.Permitted():
		return bySvc
	case byCountry.Permitted():
		return byCountry
	case bySvc.Policy.UID == "" && byCountry.Policy.UID != "":
		return byCountry
	}
	return bySvc
}

// prohibited reports whether d is a deny by a prohibition.
func prohibited(d policies.Decision) bool {
	return !d.Permitted() && d.Rule.Kind == "prohibition"
}

// outbound decides x, a request for another country's service, by the
// gateway's outbound policy. It returns the rule that decided, for the
// log; a deny is an error of ErrOutboundDenied that carries the rule to
// the audit entry.
func (b *Broker) outbound(ctx context.Context, x *exchange, now time.Time) (string, error) {
	req := x.req
	dec := b.o.Outbound.Decide(ctx, x.service, policies.Request{
		Action: "use", Purpose: req.Purpose, LegalBasis: req.LegalBasis,
		RecipientOrg: req.Requester, RecipientClasses: b.classes(req.Requester), RecipientCountry: b.o.Self.Country,
		Time: now, LifeEvent: req.LifeEvent, ExplicitRequest: req.ExplicitRequest,
	})
	b.m.decisions.WithLabelValues(string(dec.Effect), "outbound-"+decisionReason(dec)).Inc()
	rule := "outbound " + ruleOf(dec)
	if dec.Permitted() {
		return rule, nil
	}
	return rule, &refusal{
		err:  fmt.Errorf("%w: %s's outbound policy denies %s's request for %s by %s: %s", ErrOutboundDenied, b.o.Self.ID, req.Requester, x.service, rule, dec.Reason),
		rule: rule,
	}
}

// refusal is a refusal decided by a rule: fail writes the rule to the
// audit entry in place of the problem's type.
type refusal struct {
	err  error
	rule string
}

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }
