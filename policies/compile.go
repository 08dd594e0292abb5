package policies

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// A policy is compiled into plain Go values that Decide walks: rules with
// an action mask, their targets and assignees, and a tree of checks (cnode)
// whose operands are already parsed: a string, a set, a country bit set,
// a time interval, a boolean. No RDF, no IRI parsing and no allocation
// happens at decision time.

// crule is a compiled permission or prohibition.
type crule struct {
	policy      *Policy
	kind        string // "permission" or "prohibition"
	index       int
	uid         string
	acts        uint64   // the rule's actions, or its policy's
	verbs       string   // the same, for people: "use", "read, print"
	targets     []string // the rule's, or its policy's (explicit and by attachment); nil: any
	assignees   []string // the rule's, or its policy's; nil: anyone
	cond        *cnode   // nil: no constraint
	obligations []Obligation
	label       string // "permission[0] of policy urn:x"
	reason      string // why it permits or forbids, when it does
}

// ckind is what a cnode checks.
type ckind uint8

const (
	cAtom ckind = iota
	cAnd
	cOr
	cXone
)

// cnode is one compiled constraint.
type cnode struct {
	kind  ckind
	kids  []*cnode
	opd   operand
	op    operator
	str   string              // eq and neq
	set   map[string]struct{} // isAnyOf, isNoneOf, isA, isPartOf (with the terms below)
	all   []string            // isAllOf
	where countrySet          // spatial
	lo    time.Time           // dateTime: the instant, or the first instant of a date
	hi    time.Time           // the same instant, or the last instant of a date
	flag  bool                // boolean operands
	path  string              // "permission[0].constraint[1].or[0]"
	text  string              // "the purpose is one of research, statistics"
}

// compile turns a policy as read into a Policy.
func (rd *reader) compile(doc *policyDoc) (*Policy, error) {
	canon, hash, err := doc.canonical()
	if err != nil {
		return nil, rd.fail("", ErrMalformed, nil, "canonical form: %v", err)
	}
	p := &Policy{
		ref:       PolicyRef{UID: doc.UID, Hash: hash, Version: doc.Version, Source: rd.name},
		typ:       doc.Type,
		canonical: canon,
		explicit:  doc.Target,
	}
	p.targets = sortedUnique(slices.Concat(doc.Target, doc.implicit))
	for _, o := range doc.Obligation {
		p.obligations = append(p.obligations, obligationOf(o))
	}
	for i, r := range doc.Permission {
		cr, err := rd.compileRule(p, doc, r, "permission", i)
		if err != nil {
			return nil, err
		}
		p.permissions = append(p.permissions, cr)
	}
	for i, r := range doc.Prohibition {
		cr, err := rd.compileRule(p, doc, r, "prohibition", i)
		if err != nil {
			return nil, err
		}
		p.prohibitions = append(p.prohibitions, cr)
	}
	p.self = NewSet(p)
	return p, nil
}

func (rd *reader) compileRule(p *Policy, doc *policyDoc, r *ruleDoc, kind string, index int) (crule, error) {
	cr := crule{policy: p, kind: kind, index: index, uid: r.UID}
	acts := r.acts
	if len(acts) == 0 {
		acts = doc.acts
	}
	var verbs []string
	for _, a := range acts {
		cr.acts |= a.bit()
		verbs = append(verbs, a.short())
	}
	cr.verbs = strings.Join(sortedUnique(verbs), ", ")
	cr.targets = r.Target
	if len(cr.targets) == 0 {
		cr.targets = p.targets
	}
	cr.assignees = r.Assignee
	if len(cr.assignees) == 0 {
		cr.assignees = doc.Assignee
	}
	var conds []*cnode
	for _, c := range r.Constraint {
		n, err := rd.compileConstraint(c)
		if err != nil {
			return crule{}, err
		}
		conds = append(conds, n)
	}
	switch len(conds) {
	case 0:
	case 1:
		cr.cond = conds[0]
	default:
		cr.cond = &cnode{kind: cAnd, kids: conds, path: r.path + ".constraint", text: joinTexts(conds, " and ")}
		cheapFirst(cr.cond.kids)
	}
	for _, d := range r.Duty {
		cr.obligations = append(cr.obligations, obligationOf(d))
	}
	if kind == "permission" {
		cr.obligations = append(cr.obligations, p.obligations...)
	}
	cr.label = fmt.Sprintf("%s of policy %s", r.path, p.ref.UID)
	var b strings.Builder
	if kind == "permission" {
		fmt.Fprintf(&b, "%s permits %s", cr.label, cr.verbs)
		if cr.cond != nil {
			fmt.Fprintf(&b, ", since %s", cr.cond.text)
		}
		if len(cr.obligations) > 0 {
			var duties []string
			for _, o := range cr.obligations {
				duties = append(duties, o.short())
			}
			fmt.Fprintf(&b, "; duties: %s", strings.Join(duties, ", "))
		}
	} else {
		fmt.Fprintf(&b, "%s forbids %s", cr.label, cr.verbs)
		if cr.cond != nil {
			fmt.Fprintf(&b, " when %s", cr.cond.text)
		}
	}
	cr.reason = b.String()
	return cr, nil
}

// cheapFirst orders the operands of an and or an or so that the checks
// of the request's own values come before those that ask Facts: the
// result is the same, and a consent or mandate registry is not asked
// when a check of the request already settles it. The text keeps the
// document's order; andSequence keeps its order.
func cheapFirst(ns []*cnode) {
	slices.SortStableFunc(ns, func(a, b *cnode) int { return asksFacts(a) - asksFacts(b) })
}

// asksFacts returns 1 when a constraint asks Facts, else 0.
func asksFacts(n *cnode) int {
	if n.kind == cAtom {
		if n.opd == opdConsent || n.opd == opdMandate {
			return 1
		}
		return 0
	}
	for _, k := range n.kids {
		if asksFacts(k) == 1 {
			return 1
		}
	}
	return 0
}

func joinTexts(ns []*cnode, sep string) string {
	var parts []string
	for _, n := range ns {
		t := n.text
		if n.kind != cAtom {
			t = "(" + t + ")"
		}
		parts = append(parts, t)
	}
	return strings.Join(parts, sep)
}

// Which operators each kind of operand takes.
func operatorsFor(o operand) []operator {
	switch o {
	case opdPurpose, opdLegalBasis, opdLifeEvent, opdRecipient:
		return []operator{opEq, opNeq, opIsAnyOf, opIsNoneOf, opIsA, opIsPartOf}
	case opdRecipientClass:
		return []operator{opEq, opNeq, opIsAnyOf, opIsNoneOf, opIsAllOf, opIsA, opIsPartOf}
	case opdSpatial:
		return []operator{opEq, opNeq, opIsA, opIsPartOf, opIsAnyOf, opIsNoneOf}
	case opdDateTime:
		return []operator{opEq, opNeq, opLt, opLteq, opGt, opGteq}
	case opdConsent, opdMandate, opdExplicitRequest:
		return []operator{opEq, opNeq}
	}
	return nil
}

// operandName returns the name people know an operand by.
func operandName(o operand) string {
	switch o {
	case opdPurpose:
		return "purpose"
	case opdSpatial:
		return "spatial"
	case opdRecipient:
		return "recipient"
	case opdDateTime:
		return "dateTime"
	case opdLegalBasis, opdConsent, opdMandate, opdExplicitRequest, opdLifeEvent, opdRecipientClass:
		return nthWord(profileOperandNames, int(o-opdLegalBasis))
	}
	return "an ODRL operand"
}

func (rd *reader) compileConstraint(c *constraintDoc) (*cnode, error) {
	if c.logic != logicNone {
		n := &cnode{path: c.path}
		for _, k := range c.kids() {
			kn, err := rd.compileConstraint(k)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, kn)
		}
		switch c.logic {
		case logicAnd:
			n.kind, n.text = cAnd, joinTexts(n.kids, " and ")
			cheapFirst(n.kids)
		case logicAndSequence:
			n.kind, n.text = cAnd, joinTexts(n.kids, " and then ")
		case logicOr:
			n.kind, n.text = cOr, joinTexts(n.kids, " or ")
			cheapFirst(n.kids)
		case logicXone:
			n.kind, n.text = cXone, "exactly one of "+joinTexts(n.kids, "; ")
		}
		return n, nil
	}
	n := &cnode{kind: cAtom, opd: c.opd, op: c.op, path: c.path}
	name := operandName(c.opd)
	if !slices.Contains(operatorsFor(c.opd), c.op) {
		var ops []string
		for _, o := range operatorsFor(c.opd) {
			ops = append(ops, o.String())
		}
		return nil, rd.fail(c.path+".operator", ErrMalformed, nil, "%s does not take the operator %s (it takes %s)", name, c.op, strings.Join(ops, ", "))
	}
	vals := make([]string, len(c.RightOperand))
	for i, v := range c.RightOperand {
		vals[i] = v.text()
	}
	multi := c.op == opIsAnyOf || c.op == opIsNoneOf || c.op == opIsAllOf
	if !multi && len(vals) != 1 {
		return nil, rd.fail(c.path+".rightOperand", ErrMalformed, nil, "%s %s takes one right operand, not %d (isAnyOf takes several)", name, c.op, len(vals))
	}
	if len(vals) > rd.lim.MaxValues {
		return nil, rd.fail(c.path+".rightOperand", ErrLimit, nil, "more than %d right operand values", rd.lim.MaxValues)
	}
	var err error
	switch c.opd {
	case opdPurpose, opdLegalBasis, opdLifeEvent, opdRecipient, opdRecipientClass:
		err = rd.compileTerms(n, vals)
	case opdSpatial:
		for _, v := range vals {
			set, perr := rd.place.place(v)
			if perr != nil {
				return nil, rd.fail(c.path+".rightOperand", ErrMalformed, v, "%v", perr)
			}
			n.where.union(set)
		}
	case opdDateTime:
		n.lo, n.hi, err = parseWhen(vals[0])
		if err != nil {
			return nil, rd.fail(c.path+".rightOperand", ErrMalformed, vals[0], "%v", err)
		}
	case opdConsent, opdMandate, opdExplicitRequest:
		switch strings.ToLower(strings.TrimSpace(vals[0])) {
		case "true", "1":
			n.flag = true
		case "false", "0":
		default:
			return nil, rd.fail(c.path+".rightOperand", ErrMalformed, vals[0], "%s takes true or false, not %q", name, vals[0])
		}
	}
	if err != nil {
		return nil, err
	}
	n.text = describe(n, vals)
	return n, nil
}

// compileTerms fills the operands of a constraint on terms.
func (rd *reader) compileTerms(n *cnode, vals []string) error {
	switch n.op {
	case opEq, opNeq:
		n.str = vals[0]
	case opIsAllOf:
		n.all = slices.Clone(vals)
	case opIsAnyOf, opIsNoneOf:
		n.set = make(map[string]struct{}, len(vals))
		for _, v := range vals {
			n.set[v] = struct{}{}
		}
	case opIsA, opIsPartOf:
		below, err := rd.tax.below(vals[0], rd.lim.MaxValues)
		if err != nil {
			return rd.fail(n.path+".rightOperand", ErrLimit, nil, "%v", err)
		}
		n.set = below
	}
	return nil
}

// parseWhen reads a dateTime right operand: an xsd:dateTime (seconds and
// zone may be left out; no zone is UTC) or an xsd:date, which stands for
// the whole day. It returns the first and last instant the value covers.
func parseWhen(s string) (lo, hi time.Time, err error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04Z07:00", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, t, nil
		}
	}
	for _, layout := range []string{"2006-01-02Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, t.AddDate(0, 0, 1).Add(-time.Nanosecond), nil
		}
	}
	return time.Time{}, time.Time{}, fmt.Errorf("dateTime takes an xsd:dateTime or xsd:date, not %q", s)
}

// taxonomy is LoadOptions.Broader turned around: what lies below a term.
type taxonomy struct {
	narrower map[string][]string
}

func newTaxonomy(broader map[string][]string) *taxonomy {
	t := &taxonomy{narrower: map[string][]string{}}
	for term, ups := range broader {
		for _, up := range ups {
			t.narrower[up] = append(t.narrower[up], term)
		}
	}
	return t
}

// below returns a term and every term below it, at most limit of them.
func (t *taxonomy) below(term string, limit int) (map[string]struct{}, error) {
	out := map[string]struct{}{term: {}}
	queue := []string{term}
	for len(queue) > 0 {
		next := queue[0]
		queue = queue[1:]
		for _, k := range t.narrower[next] {
			if _, seen := out[k]; seen {
				continue
			}
			out[k] = struct{}{}
			if len(out) > limit {
				return nil, fmt.Errorf("more than %d terms lie below %q in LoadOptions.Broader", limit, term)
			}
			queue = append(queue, k)
		}
	}
	return out, nil
}

// describe writes a constraint for people.
func describe(n *cnode, vals []string) string {
	list := strings.Join(vals, ", ")
	one := ""
	if len(vals) > 0 {
		one = vals[0]
	}
	var subject string
	switch n.opd {
	case opdPurpose:
		subject = "the purpose"
	case opdLegalBasis:
		subject = "the legal basis"
	case opdLifeEvent:
		subject = "the life event"
	case opdRecipient:
		subject = "the recipient"
	case opdRecipientClass:
		switch n.op {
		case opEq:
			return "the recipient is in the class " + one
		case opNeq:
			return "the recipient is not in the class " + one
		case opIsAnyOf:
			return "the recipient is in one of the classes " + list
		case opIsNoneOf:
			return "the recipient is in none of the classes " + list
		case opIsAllOf:
			return "the recipient is in all of the classes " + list
		case opIsA:
			return "the recipient is in " + one + " or a class below it"
		case opIsPartOf:
			return "the recipient is in a class that is part of " + one
		}
	case opdSpatial:
		switch n.op {
		case opNeq, opIsNoneOf:
			return "the recipient's country is not in " + list
		}
		return "the recipient's country is in " + list
	case opdDateTime:
		switch n.op {
		case opEq:
			return "the time is " + one
		case opNeq:
			return "the time is not " + one
		case opLt:
			return "the time is before " + one
		case opLteq:
			return "the time is at or before " + one
		case opGt:
			return "the time is after " + one
		case opGteq:
			return "the time is at or after " + one
		}
	case opdConsent:
		if n.flag == (n.op == opEq) {
			return "the data subject has consented"
		}
		return "the data subject has not consented"
	case opdMandate:
		if n.flag == (n.op == opEq) {
			return "whoever represents the data subject holds a mandate"
		}
		return "a representative acts without a mandate"
	case opdExplicitRequest:
		if n.flag == (n.op == opEq) {
			return "the data subject explicitly asked for the exchange"
		}
		return "the data subject did not explicitly ask for the exchange"
	}
	switch n.op {
	case opEq:
		return subject + " is " + one
	case opNeq:
		return subject + " is not " + one
	case opIsAnyOf:
		return subject + " is one of " + list
	case opIsNoneOf:
		return subject + " is none of " + list
	case opIsA:
		if n.opd == opdRecipient {
			return "the recipient is a " + one
		}
		return subject + " is " + one + " or a kind of it"
	case opIsPartOf:
		return subject + " is part of " + one
	}
	return subject + " " + n.op.String() + " " + list
}

// obligationOf turns a duty into what a decision reports.
func obligationOf(d *dutyDoc) Obligation {
	o := Obligation{Action: d.acts[0].iri(), UID: d.UID, Parties: d.Parties}
	for _, c := range d.Constraint {
		o.When = append(o.When, writtenConstraint(c))
	}
	for _, q := range d.Consequence {
		o.Consequence = append(o.Consequence, obligationOf(q))
	}
	return o
}

// writtenConstraint writes a recorded constraint as the policy gives it:
// "event gt use".
func writtenConstraint(c *constraintDoc) string {
	if c.logic != logicNone {
		var parts []string
		for _, k := range c.kids() {
			parts = append(parts, "("+writtenConstraint(k)+")")
		}
		return strings.Join(parts, " "+c.logic.String()+" ")
	}
	var vals []string
	for _, v := range c.RightOperand {
		vals = append(vals, v.text())
	}
	return localName(c.LeftOperand) + " " + c.op.String() + " " + strings.Join(vals, ", ")
}

// localName shortens an IRI of ODRL or of the profile to its local name.
func localName(s string) string {
	for _, ns := range []string{nsODRL, Profile} {
		if l, ok := strings.CutPrefix(s, ns); ok {
			return l
		}
	}
	return s
}
