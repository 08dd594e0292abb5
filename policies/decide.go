package policies

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Request is one use of a record that a decision is asked about: who
// wants to do what with which target, why, where, and for whom.
type Request struct {
	// Action is an ODRL action: its name ("use", "read", "distribute") or
	// IRI. Empty is use.
	Action string
	// Target is the dataset, distribution or data service: its IRI, as the
	// policies' targets and the catalogue's odrl:hasPolicy name it.
	Target string
	// Purpose is the purpose of the use: a purpose IRI or code.
	Purpose string
	// LegalBasis is the legal basis the recipient claims: an IRI (an ELI,
	// say) or code.
	LegalBasis string
	// RecipientOrg identifies the organisation that receives the record:
	// an organisation number or IRI.
	RecipientOrg string
	// RecipientClasses are the classes the recipient belongs to
	// ("public-authority", "municipality" ...).
	RecipientClasses []string
	// RecipientCountry is the recipient's country, ISO 3166-1 alpha-2.
	RecipientCountry string
	// Time is when the use happens; zero is now.
	Time time.Time
	// Subject is the data subject the record is about; empty when it is
	// about no one person.
	Subject Subject
	// Representative is who acts for the data subject under a mandate (an
	// heir for the estate of a deceased, say); empty when the subject
	// acts for themself.
	Representative Subject
	// LifeEvent is the life event (catalog/lifeevent id) the exchange is
	// part of, "" when none.
	LifeEvent string
	// ExplicitRequest says the data subject explicitly asked for the
	// exchange (OOTS ExplicitRequestGiven).
	ExplicitRequest bool
}

// Effect is what a decision allows: Permit or Deny.
type Effect string

// The two effects.
const (
	Permit Effect = "permit"
	Deny   Effect = "deny"
)

// Decision is the answer to a Request, and why: a value the exchange logs
// as JSON, and a person can read. Its slices and maps are shared with the
// policies and the request, so that a permit costs no allocation: read
// them, do not change them.
type Decision struct {
	Effect Effect `json:"effect"`
	// Reason says in one English sentence why.
	Reason string `json:"reason"`
	// Policy is the policy whose rule decided; zero when none did (deny by
	// default).
	Policy PolicyRef `json:"policy,omitzero"`
	// Rule is the rule that decided: the permission that permits, the
	// prohibition that forbids, or, when no permission held, the first
	// permission that applied and the constraint of it that failed (one
	// the request fails, before one it leaves unchecked).
	Rule RuleRef `json:"rule,omitzero"`
	// Facts are what the decision read: the request's values and what the
	// consent and mandate registry answered.
	Facts UsedFacts `json:"facts"`
	// Obligations are the duties that come with a permit: the permission's
	// and its policy's. A duty does not decide; the recipient owes it.
	Obligations []Obligation `json:"obligations,omitempty"`
	// Considered lists every policy the decision weighed.
	Considered []PolicyRef `json:"considered,omitempty"`
}

// Permitted reports whether the decision permits.
func (d Decision) Permitted() bool { return d.Effect == Permit }

// PolicyRef identifies a policy as it was when it decided.
type PolicyRef struct {
	UID string `json:"uid"`
	// Hash is "sha256:" and the hex SHA-256 of the policy's canonical JSON
	// (Policy.MarshalJSON).
	Hash    string `json:"hash"`
	Version string `json:"version,omitempty"`
	Source  string `json:"source,omitempty"` // the name of the document it was read from
}

// RuleRef identifies a rule of a policy and, on a deny, the constraint that
// failed.
type RuleRef struct {
	Kind  string `json:"kind"`  // "permission" or "prohibition"
	Index int    `json:"index"` // among the policy's rules of that kind, from 0, in document order
	UID   string `json:"uid,omitempty"`
	// Constraint is the path of the constraint that failed, as
	// "permission[0].constraint[1].or[0]"; Condition says what it asks.
	Constraint string `json:"constraint,omitempty"`
	Condition  string `json:"condition,omitempty"`
}

// UsedFacts are the values a decision was taken on.
type UsedFacts struct {
	Action           string    `json:"action"`
	Target           string    `json:"target,omitempty"`
	Purpose          string    `json:"purpose,omitempty"`
	LegalBasis       string    `json:"legalBasis,omitempty"`
	Recipient        string    `json:"recipient,omitempty"`
	RecipientClasses []string  `json:"recipientClasses,omitempty"`
	Country          string    `json:"country,omitempty"`
	Time             time.Time `json:"time"`
	LifeEvent        string    `json:"lifeEvent,omitempty"`
	ExplicitRequest  bool      `json:"explicitRequest"`
	Subject          Subject   `json:"subject,omitempty"`
	Representative   Subject   `json:"representative,omitempty"`
	// Consent and Mandate are what Facts answered, when the decision asked.
	Consent Lookup `json:"consent,omitzero"`
	Mandate Lookup `json:"mandate,omitzero"`
}

// Lookup is one question a decision asked of Facts, and the answer.
type Lookup struct {
	Asked bool   `json:"asked"`
	Found bool   `json:"found"`
	Grant Grant  `json:"grant,omitzero"` // the consent or mandate that holds
	Error string `json:"error,omitempty"`
}

// Obligation is a duty that comes with a permit.
type Obligation struct {
	Action string `json:"action"` // the duty's action, an IRI
	UID    string `json:"uid,omitempty"`
	// Parties names who is involved, by function: "attributedParty",
	// "informedParty", "assignee" ...
	Parties map[string][]string `json:"parties,omitempty"`
	// When holds the duty's constraints as the policy writes them
	// ("dateTime lteq 2025-12-31"); Samband records them, the recipient
	// honours them.
	When []string `json:"when,omitempty"`
	// Consequence is what is owed if the duty is not fulfilled.
	Consequence []Obligation `json:"consequence,omitempty"`
}

// short names the duty's action: "attribute", "cc:Attribution".
func (o Obligation) short() string {
	if l, ok := strings.CutPrefix(o.Action, nsCC); ok {
		return "cc:" + l
	}
	return localName(o.Action)
}

// Policy is an ODRL policy, compiled. It is immutable and safe for
// concurrent use.
type Policy struct {
	ref          PolicyRef
	typ          string
	canonical    []byte
	explicit     []string // odrl:target
	targets      []string // odrl:target and the subjects of odrl:hasPolicy
	permissions  []crule
	prohibitions []crule
	obligations  []Obligation
	self         *Set
}

// UID returns the policy's uid: its IRI, odrl:uid, the EDC policy
// definition's id, or for an anonymous policy the document's name and
// "#policy" and its ordinal.
func (p *Policy) UID() string { return p.ref.UID }

// Type returns "Set", "Offer" or "Agreement".
func (p *Policy) Type() string { return p.typ }

// Hash returns "sha256:" and the hex SHA-256 of the canonical JSON.
func (p *Policy) Hash() string { return p.ref.Hash }

// Version returns the version the document gives (owl:versionInfo,
// dcat:version, dct:modified) or LoadOptions.Version.
func (p *Policy) Version() string { return p.ref.Version }

// Ref returns what identifies the policy in a decision.
func (p *Policy) Ref() PolicyRef { return p.ref }

// Targets returns what the policy governs: its odrl:target values and the
// datasets, distributions and services that name it by odrl:hasPolicy in
// the same document. Empty means whatever it is applied to.
func (p *Policy) Targets() []string { return slices.Clone(p.targets) }

// MarshalJSON returns the canonical JSON the hash is taken of: ODRL's JSON
// shape, every term a full IRI as written, sets sorted, rules in document
// order.
func (p *Policy) MarshalJSON() ([]byte, error) { return slices.Clone(p.canonical), nil }

// Decide decides a request by this policy alone: NewSet(p).Decide.
func (p *Policy) Decide(ctx context.Context, req *Request, facts Facts) Decision {
	if p == nil {
		return (*Set)(nil).Decide(ctx, req, facts)
	}
	return p.self.Decide(ctx, req, facts)
}

// Set is the policies that govern one target: the catalogue's (odrl:hasPolicy
// of the dataset, distribution or data service) and the gateway's defaults.
// It is immutable and safe for concurrent use.
type Set struct {
	policies []*Policy
	refs     []PolicyRef
	missing  []string
}

// NewSet returns the set of the given policies (nil ones left out).
func NewSet(policies ...*Policy) *Set {
	s := &Set{}
	for _, p := range policies {
		if p != nil {
			s.policies = append(s.policies, p)
			s.refs = append(s.refs, p.ref)
		}
	}
	return s
}

// Policies returns the policies of the set.
func (s *Set) Policies() []*Policy { return slices.Clone(s.policies) }

// Missing returns the uids of policies the set should hold but does not
// (Library.For): a set that misses one denies every request.
func (s *Set) Missing() []string { return slices.Clone(s.missing) }

// Decide decides a request. A prohibition that applies and holds denies,
// whatever any permission says; otherwise the first permission (policy by
// policy, in document order) that applies and holds permits; otherwise the
// request is denied. A rule applies when the request's action is the
// rule's or a kind of it (read is a kind of use), its target is the
// request's and its assignee the recipient. So a prohibition of distribute
// does not deny a request to read or to use: the request names the action
// the recipient will take, the narrowest that fits (distribute, when the
// recipient passes the record on).
//
// What the request leaves out, and what Facts cannot answer, counts
// against it: a constraint that cannot be checked makes a prohibition hold
// and a permission fail. Decide never returns a permit it has not
// established. facts may be nil when no policy asks for consent or a
// mandate.
func (s *Set) Decide(ctx context.Context, req *Request, facts Facts) Decision {
	if req == nil {
		return Decision{Effect: Deny, Reason: "no request to decide"}
	}
	if s == nil {
		s = &Set{}
	}
	e := eval{ctx: ctx, req: req, facts: facts, now: req.Time}
	if e.now.IsZero() {
		e.now = time.Now().UTC()
	}
	d := Decision{Effect: Deny, Considered: s.refs[:len(s.refs):len(s.refs)]}
	act, ok := parseRequestAction(req.Action)
	switch {
	case !ok:
		d.Reason = fmt.Sprintf("the request's action %q is no ODRL action", req.Action)
		e.fill(&d, req.Action)
		return d
	case len(s.missing) > 0:
		d.Reason = fmt.Sprintf("policy %s, which the catalogue names for this target, is not loaded, and Samband denies what it cannot check", s.missing[0])
		e.fill(&d, act.short())
		return d
	case len(s.policies) == 0:
		d.Reason = "no policy governs this target, and Samband denies by default"
		e.fill(&d, act.short())
		return d
	}
	for _, p := range s.policies {
		for i := range p.prohibitions {
			r := &p.prohibitions[i]
			if !e.applies(r, act, true) {
				continue
			}
			v := e.node(r.cond)
			if v == no {
				continue
			}
			d.Policy, d.Rule = p.ref, RuleRef{Kind: r.kind, Index: r.index, UID: r.uid}
			d.Reason = r.reason
			if v == unknown {
				b := e.blame(r.cond)
				d.Reason = r.reason + "; " + e.why(b, unknown) + ", and what cannot be checked counts against the request"
				d.Rule.Constraint, d.Rule.Condition = b.path, b.text
			}
			e.fill(&d, act.short())
			return d
		}
	}
	var failed *crule
	var failedTV tv
	for _, p := range s.policies {
		for i := range p.permissions {
			r := &p.permissions[i]
			if !e.applies(r, act, false) {
				continue
			}
			v := e.node(r.cond)
			if v == yes && e.req.Representative != "" && e.askMandate() != yes {
				// Whoever acts for someone else needs a mandate for this
				// use, whatever the policy says of mandates.
				d.Policy, d.Rule = p.ref, RuleRef{Kind: r.kind, Index: r.index, UID: r.uid}
				d.Reason = r.reason + ", but the request is made by a representative who holds no mandate of the data subject for it"
				if e.mandate.Error != "" {
					d.Reason = r.reason + ", but whether the representative holds a mandate cannot be checked: " + e.mandate.Error
				}
				e.fill(&d, act.short())
				return d
			}
			if v == yes {
				d.Effect, d.Reason = Permit, r.reason
				d.Policy, d.Rule = p.ref, RuleRef{Kind: r.kind, Index: r.index, UID: r.uid}
				d.Obligations = r.obligations[:len(r.obligations):len(r.obligations)]
				e.fill(&d, act.short())
				return d
			}
			// Report the first permission the request fails outright, else
			// the first it leaves unchecked: a near miss says more than a
			// question the request did not mean to answer.
			if failed == nil || failedTV == unknown && v == no {
				failed, failedTV = r, v
			}
		}
	}
	if failed == nil {
		d.Reason = fmt.Sprintf("no permission of the %d %s weighed covers %s of %s by %s, and Samband denies by default",
			len(s.policies), plural(len(s.policies), "policy", "policies"), act.short(), orNone(req.Target, "an unnamed target"), orNone(req.RecipientOrg, "an unnamed recipient"))
		e.fill(&d, act.short())
		return d
	}
	b := e.blame(failed.cond)
	d.Policy, d.Rule = failed.policy.ref, RuleRef{Kind: failed.kind, Index: failed.index, UID: failed.uid, Constraint: b.path, Condition: b.text}
	if failedTV == unknown {
		d.Reason = fmt.Sprintf("no permission holds: %s requires that %s, which cannot be checked: %s", failed.label, b.text, e.why(b, unknown))
	} else {
		d.Reason = fmt.Sprintf("no permission holds: %s requires that %s, but %s", failed.label, b.text, e.why(b, no))
	}
	e.fill(&d, act.short())
	return d
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

// tv is a truth value of three: what a request leaves out is unknown.
type tv uint8

const (
	no tv = iota
	yes
	unknown
)

func truth(b bool) tv {
	if b {
		return yes
	}
	return no
}

// not negates, leaving unknown unknown.
func (v tv) not() tv {
	switch v {
	case yes:
		return no
	case no:
		return yes
	}
	return unknown
}

// eval is the state of one decision. It lives on Decide's stack.
type eval struct {
	ctx     context.Context
	req     *Request
	facts   Facts
	now     time.Time
	consent Lookup
	mandate Lookup
	// The answers, once asked: every constraint on consent (or mandate) in
	// one decision asks the same question.
	consentTV, mandateTV     tv
	consentDone, mandateDone bool
}

// fill writes the facts the decision used.
func (e *eval) fill(d *Decision, act string) {
	r := e.req
	d.Facts = UsedFacts{
		Action:           act,
		Target:           r.Target,
		Purpose:          r.Purpose,
		LegalBasis:       r.LegalBasis,
		Recipient:        r.RecipientOrg,
		RecipientClasses: r.RecipientClasses,
		Country:          r.RecipientCountry,
		Time:             e.now,
		LifeEvent:        r.LifeEvent,
		ExplicitRequest:  r.ExplicitRequest,
		Subject:          r.Subject,
		Representative:   r.Representative,
		Consent:          e.consent,
		Mandate:          e.mandate,
	}
}

// applies reports whether a rule is about this request: the request's
// action is the rule's or a kind of it, the target is the rule's, the
// recipient its assignee. When the request leaves the target or the
// recipient out, a prohibition applies and a permission does not.
func (e *eval) applies(r *crule, act action, prohibition bool) bool {
	if r.acts&act.up() == 0 {
		return false
	}
	if len(r.targets) > 0 {
		if e.req.Target == "" {
			return prohibition
		}
		if !slices.Contains(r.targets, e.req.Target) {
			return false
		}
	}
	if len(r.assignees) > 0 {
		if e.req.RecipientOrg == "" && len(e.req.RecipientClasses) == 0 {
			return prohibition
		}
		if !slices.Contains(r.assignees, e.req.RecipientOrg) && !anyIn(e.req.RecipientClasses, r.assignees) {
			return false
		}
	}
	return true
}

func anyIn(have, want []string) bool {
	for _, h := range have {
		if slices.Contains(want, h) {
			return true
		}
	}
	return false
}

// node evaluates a constraint; nil holds.
func (e *eval) node(n *cnode) tv {
	if n == nil {
		return yes
	}
	switch n.kind {
	case cAnd:
		out := yes
		for _, k := range n.kids {
			switch e.node(k) {
			case no:
				return no
			case unknown:
				out = unknown
			}
		}
		return out
	case cOr:
		out := no
		for _, k := range n.kids {
			switch e.node(k) {
			case yes:
				return yes
			case unknown:
				out = unknown
			}
		}
		return out
	case cXone:
		held, unknowns := 0, 0
		for _, k := range n.kids {
			switch e.node(k) {
			case yes:
				held++
			case unknown:
				unknowns++
			}
		}
		switch {
		case held > 1:
			return no
		case unknowns > 0:
			return unknown
		}
		return truth(held == 1)
	}
	return e.atom(n)
}

func (e *eval) atom(n *cnode) tv {
	r := e.req
	switch n.opd {
	case opdPurpose:
		return termTV(n, r.Purpose)
	case opdLegalBasis:
		return termTV(n, r.LegalBasis)
	case opdLifeEvent:
		return termTV(n, r.LifeEvent)
	case opdRecipient:
		if n.op == opIsA || n.op == opIsPartOf {
			return classesTV(n, r.RecipientClasses)
		}
		return termTV(n, r.RecipientOrg)
	case opdRecipientClass:
		return classesTV(n, r.RecipientClasses)
	case opdSpatial:
		i, ok := countryIndex(r.RecipientCountry)
		if !ok {
			return unknown
		}
		in := n.where.has(i)
		if n.op == opNeq || n.op == opIsNoneOf {
			return truth(!in)
		}
		return truth(in)
	case opdDateTime:
		t := e.now
		switch n.op {
		case opEq:
			return truth(!t.Before(n.lo) && !t.After(n.hi))
		case opNeq:
			return truth(t.Before(n.lo) || t.After(n.hi))
		case opLt:
			return truth(t.Before(n.lo))
		case opLteq:
			return truth(!t.After(n.hi))
		case opGt:
			return truth(t.After(n.hi))
		case opGteq:
			return truth(!t.Before(n.lo))
		}
	case opdExplicitRequest:
		return flagTV(n, truth(r.ExplicitRequest))
	case opdConsent:
		return flagTV(n, e.askConsent())
	case opdMandate:
		return flagTV(n, e.askMandate())
	}
	return unknown
}

// flagTV compares a boolean operand with the constraint's true or false.
func flagTV(n *cnode, v tv) tv {
	if n.flag == (n.op == opEq) {
		return v
	}
	return v.not()
}

// termTV checks a single-valued operand; an empty value is unknown.
func termTV(n *cnode, v string) tv {
	if v == "" {
		return unknown
	}
	switch n.op {
	case opEq:
		return truth(v == n.str)
	case opNeq:
		return truth(v != n.str)
	case opIsNoneOf:
		_, in := n.set[v]
		return truth(!in)
	}
	_, in := n.set[v] // isAnyOf, isA, isPartOf
	return truth(in)
}

// classesTV checks the recipient's classes; none given is unknown.
func classesTV(n *cnode, classes []string) tv {
	if len(classes) == 0 {
		return unknown
	}
	switch n.op {
	case opEq:
		return truth(slices.Contains(classes, n.str))
	case opNeq:
		return truth(!slices.Contains(classes, n.str))
	case opIsAllOf:
		for _, c := range n.all {
			if !slices.Contains(classes, c) {
				return no
			}
		}
		return yes
	}
	in := false
	for _, c := range classes {
		if _, ok := n.set[c]; ok {
			in = true
			break
		}
	}
	if n.op == opIsNoneOf {
		return truth(!in)
	}
	return truth(in)
}

// askConsent asks Facts, once a decision, whether the data subject
// consents to this use.
func (e *eval) askConsent() tv {
	if e.consentDone {
		return e.consentTV
	}
	e.consentDone = true
	e.consent.Asked = true
	switch {
	case e.req.Subject == "":
		e.consent.Error = "the request names no data subject"
		e.consentTV = unknown
	case e.facts == nil:
		e.consent.Error = "no consent registry"
		e.consentTV = unknown
	default:
		r := e.req
		g, ok, err := e.facts.Consent(e.ctx, ConsentQuery{
			Subject: r.Subject, Recipient: r.RecipientOrg, RecipientClasses: r.RecipientClasses,
			Purpose: r.Purpose, Target: r.Target, At: e.now,
		})
		switch {
		case err != nil:
			e.consent.Error = err.Error()
			e.consentTV = unknown
		case ok:
			e.consent.Found, e.consent.Grant = true, g
			e.consentTV = yes
		default:
			e.consentTV = no
		}
	}
	return e.consentTV
}

// askMandate asks Facts, once a decision, whether the representative holds
// a mandate of the data subject for this use. Without a representative
// there is nothing to ask: the constraint holds.
func (e *eval) askMandate() tv {
	if e.mandateDone {
		return e.mandateTV
	}
	e.mandateDone = true
	r := e.req
	if r.Representative == "" {
		e.mandateTV = yes
		return yes
	}
	e.mandate.Asked = true
	switch {
	case r.Subject == "":
		e.mandate.Error = "the request names a representative but no data subject"
		e.mandateTV = unknown
	case e.facts == nil:
		e.mandate.Error = "no mandate registry"
		e.mandateTV = unknown
	default:
		g, ok, err := e.facts.Mandate(e.ctx, MandateQuery{
			Representative: r.Representative, Grantor: r.Subject, Target: r.Target,
			Purpose: r.Purpose, LifeEvent: r.LifeEvent, At: e.now,
		})
		switch {
		case err != nil:
			e.mandate.Error = err.Error()
			e.mandateTV = unknown
		case ok:
			e.mandate.Found, e.mandate.Grant = true, g
			e.mandateTV = yes
		default:
			e.mandateTV = no
		}
	}
	return e.mandateTV
}

// blame returns the innermost constraint that keeps n from holding.
func (e *eval) blame(n *cnode) *cnode {
	if n != nil && n.kind == cAnd {
		for _, k := range n.kids {
			if e.node(k) != yes {
				return e.blame(k)
			}
		}
	}
	return n
}

// why says what the request holds that a constraint does not accept (v no)
// or lacks for checking it (v unknown).
func (e *eval) why(n *cnode, v tv) string {
	r := e.req
	if n.kind != cAtom {
		if v == unknown {
			return "part of it cannot be checked"
		}
		if n.kind == cXone {
			return "not exactly one of them holds"
		}
		return "none of them holds"
	}
	missing := func(what string) string { return "the request gives no " + what }
	switch n.opd {
	case opdPurpose:
		if v == unknown {
			return missing("purpose")
		}
		return "the request's purpose is " + r.Purpose
	case opdLegalBasis:
		if v == unknown {
			return missing("legal basis")
		}
		return "the request's legal basis is " + r.LegalBasis
	case opdLifeEvent:
		if v == unknown {
			return missing("life event")
		}
		return "the request's life event is " + r.LifeEvent
	case opdRecipient, opdRecipientClass:
		if n.opd == opdRecipient && n.op != opIsA && n.op != opIsPartOf {
			if v == unknown {
				return missing("recipient")
			}
			return "the recipient is " + r.RecipientOrg
		}
		if v == unknown {
			return missing("class of the recipient")
		}
		return "the recipient's classes are " + strings.Join(r.RecipientClasses, ", ")
	case opdSpatial:
		if v == unknown {
			if r.RecipientCountry == "" {
				return missing("recipient country")
			}
			return fmt.Sprintf("the request's recipient country %q is no country code", r.RecipientCountry)
		}
		return "the recipient's country is " + strings.ToUpper(r.RecipientCountry)
	case opdDateTime:
		return "the time is " + e.now.Format(time.RFC3339)
	case opdExplicitRequest:
		if r.ExplicitRequest {
			return "the data subject explicitly asked for it"
		}
		return "the data subject did not explicitly ask for it"
	case opdConsent:
		switch {
		case v == unknown:
			return "the consent registry gave no answer: " + e.consent.Error
		case e.consent.Found:
			return "the data subject has consented (consent " + e.consent.Grant.ID + ")"
		}
		return "the consent registry holds no consent of the data subject that covers this use"
	case opdMandate:
		switch {
		case v == unknown:
			return "the mandate registry gave no answer: " + e.mandate.Error
		case r.Representative == "":
			return "nobody represents the data subject"
		case e.mandate.Found:
			return "the representative holds a mandate (" + e.mandate.Grant.ID + ")"
		}
		return "the registry holds no mandate of the data subject for the representative that covers this use"
	}
	return "it does not hold"
}
