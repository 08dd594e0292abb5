package policies

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"samband/catalog/rdf"
)

// reader maps the graph of one document to policies.
type reader struct {
	name  string
	g     *graph
	opt   LoadOptions
	lim   Limits
	loc   locator
	place *placer
	tax   *taxonomy

	work int // statements and values visited in the whole document, against 2 × MaxTriples

	// The policy being read.
	uid         string
	rules       int
	constraints int
}

// fail returns a LoadError at path in the current policy. at, if not nil,
// is the term (an rdf.Term, or a string as written) to look for in the
// document for a line and column; else the policy's uid is.
func (rd *reader) fail(path string, err error, at any, format string, args ...any) *LoadError {
	e := &LoadError{Name: rd.name, Policy: rd.uid, Path: path, Msg: fmt.Sprintf(format, args...), Err: err}
	switch at := at.(type) {
	case rdf.IRI:
		e.Line, e.Column = rd.loc.find(written(at), at.String())
	case rdf.Term:
		e.Line, e.Column = rd.loc.find(written(at), "")
	case string:
		e.Line, e.Column = rd.loc.find(at, "")
	default:
		if rd.uid != "" {
			e.Line, e.Column = rd.loc.find(rd.uid, rd.uid)
		}
	}
	return e
}

// spend counts work against the document's budget.
func (rd *reader) spend(n int) error {
	rd.work += n
	if rd.work > 2*rd.lim.MaxTriples {
		return rd.fail("", ErrLimit, nil, "the document's policies reach their parts more than %d times", 2*rd.lim.MaxTriples)
	}
	return nil
}

// written returns a term as the document wrote it: an IRI (a relative
// reference given back as written), a literal's lexical form, a blank
// node's label.
func written(t rdf.Term) string {
	switch t := t.(type) {
	case rdf.IRI:
		s := t.String()
		if rel, ok := strings.CutPrefix(s, relBase); ok {
			return rel
		}
		return s
	case rdf.Literal:
		return t.String()
	case rdf.Blank:
		return "_:" + t.String()
	}
	return ""
}

// policies finds and reads every policy of the document.
func (rd *reader) policies() ([]*Policy, error) {
	var found []*gnode
	for _, n := range rd.g.order {
		if rd.isPolicy(n) {
			found = append(found, n)
		}
	}
	if len(found) == 0 {
		return nil, &LoadError{Name: rd.name, Msg: "the document holds no ODRL policy (no Set, Offer or Agreement, nothing with a permission, prohibition or obligation, no odrl:hasPolicy described here)", Err: ErrNoPolicy}
	}
	if len(found) > rd.lim.MaxPolicies {
		return nil, &LoadError{Name: rd.name, Msg: fmt.Sprintf("more than %d policies", rd.lim.MaxPolicies), Err: ErrLimit}
	}
	out := make([]*Policy, 0, len(found))
	uids := map[string]bool{}
	for i, n := range found {
		doc, err := rd.policy(n, i+1)
		if err != nil {
			return nil, err
		}
		if uids[doc.UID] {
			return nil, rd.fail("", ErrMalformed, n.term, "two policies of the document have the uid %s", doc.UID)
		}
		uids[doc.UID] = true
		p, err := rd.compile(doc)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// isPolicy reports whether a subject is a policy: typed as one, attached
// to something by odrl:hasPolicy, or holding rules.
func (rd *reader) isPolicy(n *gnode) bool {
	for _, t := range n.values(rdfType) {
		if name, _ := policyClass(t.String()); name != "" {
			return true // one Samband does not decide on is refused when read
		}
	}
	for _, in := range rd.g.incoming[n.key] {
		if in.pred == nsODRL+"hasPolicy" {
			return true
		}
	}
	return n.has(nsODRL+"permission") || n.has(nsODRL+"prohibition") || n.has(nsODRL+"obligation")
}

// policy reads one policy node; ordinal numbers the policies of the
// document, for a blank policy's uid.
func (rd *reader) policy(n *gnode, ordinal int) (*policyDoc, error) {
	rd.uid, rd.rules, rd.constraints = "", 0, 0
	doc := &policyDoc{Type: "Set"}
	// The uid: the node's IRI, else odrl:uid, else the IRI of the EDC
	// policy definition holding it, else the document's name and place.
	switch t := n.term.(type) {
	case rdf.IRI:
		doc.UID = written(t)
	default:
		for _, v := range n.values(nsODRL + "uid") {
			doc.UID = written(v)
		}
		if doc.UID == "" {
			for _, in := range rd.g.incoming[n.key] {
				if in.pred == edcPolicy {
					if iri, ok := in.subj.term.(rdf.IRI); ok {
						doc.UID = written(iri)
					}
				}
			}
		}
		if doc.UID == "" {
			doc.UID = rd.name + "#policy" + strconv.Itoa(ordinal)
		}
	}
	rd.uid = doc.UID
	if err := rd.spend(len(n.props)); err != nil {
		return nil, err
	}

	typed := false
	for _, t := range n.values(rdfType) {
		name, decides := policyClass(t.String())
		switch {
		case name == "":
			continue
		case !decides:
			return nil, rd.fail("", ErrUnsupported, t, "an ODRL %s is not a policy Samband decides on: give a Set, an Offer or an Agreement", name)
		case typed && name != doc.Type:
			return nil, rd.fail("", ErrMalformed, t, "the policy is typed both %s and %s", doc.Type, name)
		}
		doc.Type, typed = name, true
	}

	for _, p := range n.props {
		local, ok := strings.CutPrefix(p.pred, nsODRL)
		if !ok {
			continue
		}
		switch local {
		case "permission", "prohibition", "obligation", "target", "assigner", "assignee", "action", "conflict", "profile", "uid", "hasPolicy":
		case "inheritFrom":
			return nil, rd.fail("", ErrUnsupported, p.obj, "policy inheritance (odrl:inheritFrom) is not supported: give the policy whole")
		default:
			return nil, rd.fail(local, ErrUnsupported, nil, "odrl:%s is not a property of a policy Samband reads", local)
		}
	}

	var err error
	if doc.Profile, err = rd.names(n, "profile", "profile", false); err != nil {
		return nil, err
	}
	if doc.Target, err = rd.names(n, "target", "target", true); err != nil {
		return nil, err
	}
	if doc.Assigner, err = rd.names(n, "assigner", "assigner", true); err != nil {
		return nil, err
	}
	if doc.Assignee, err = rd.names(n, "assignee", "assignee", true); err != nil {
		return nil, err
	}
	for _, v := range n.values(nsODRL + "action") {
		a, err := rd.action(v, "action")
		if err != nil {
			return nil, err
		}
		doc.Action = append(doc.Action, written(v))
		doc.acts = append(doc.acts, a)
	}
	for _, v := range n.values(nsODRL + "conflict") {
		c, ok := v.(rdf.IRI)
		local, inODRL := strings.CutPrefix(c.String(), nsODRL)
		switch {
		case !ok || !inODRL:
			return nil, rd.fail("conflict", ErrUnknownTerm, v, "conflict %q is not an ODRL conflict term (perm, prohibit, invalid)", written(v))
		case local == "perm":
			return nil, rd.fail("conflict", ErrUnsupported, v, "conflict perm lets a permission win over a prohibition; Samband always lets the prohibition win (prohibit or invalid)")
		case local == "prohibit" || local == "invalid":
			doc.Conflict = c.String()
		default:
			return nil, rd.fail("conflict", ErrUnknownTerm, v, "conflict %q is not an ODRL conflict term (perm, prohibit, invalid)", written(v))
		}
	}
	for _, pred := range []string{owlVersionInfo, dcatVersion, dctModified} {
		if vs := n.values(pred); len(vs) > 0 && doc.Version == "" {
			doc.Version = written(vs[0])
		}
	}
	if doc.Version == "" {
		doc.Version = rd.opt.Version
	}
	for _, in := range rd.g.incoming[n.key] {
		if in.pred == nsODRL+"hasPolicy" {
			if iri, ok := in.subj.term.(rdf.IRI); ok {
				doc.implicit = append(doc.implicit, written(iri))
			}
		}
	}
	doc.implicit = sortedUnique(doc.implicit)

	for i, v := range n.values(nsODRL + "permission") {
		r, err := rd.rule(v, fmt.Sprintf("permission[%d]", i), true)
		if err != nil {
			return nil, err
		}
		doc.Permission = append(doc.Permission, r)
	}
	for i, v := range n.values(nsODRL + "prohibition") {
		r, err := rd.rule(v, fmt.Sprintf("prohibition[%d]", i), false)
		if err != nil {
			return nil, err
		}
		doc.Prohibition = append(doc.Prohibition, r)
	}
	for i, v := range n.values(nsODRL + "obligation") {
		d, err := rd.duty(v, fmt.Sprintf("obligation[%d]", i), 0)
		if err != nil {
			return nil, err
		}
		doc.Obligation = append(doc.Obligation, d)
	}
	if len(doc.Permission)+len(doc.Prohibition)+len(doc.Obligation) == 0 {
		return nil, rd.fail("", ErrMalformed, nil, "the policy has no permission, prohibition or obligation")
	}
	for _, r := range slices.Concat(doc.Permission, doc.Prohibition) {
		if len(r.acts) == 0 && len(doc.acts) == 0 {
			return nil, rd.fail(r.path, ErrMalformed, nil, "a rule has an action, of its own or of its policy")
		}
	}
	if doc.Type == "Agreement" {
		for _, r := range slices.Concat(doc.Permission, doc.Prohibition) {
			if len(r.Assignee) == 0 && len(doc.Assignee) == 0 {
				return nil, rd.fail(r.path, ErrMalformed, nil, "an Agreement names its assignee, on the policy or on every rule")
			}
		}
	}
	return doc, nil
}

// names reads the values of a property that names things (targets,
// parties, profiles): IRIs, or with literals too, plain strings.
func (rd *reader) names(n *gnode, local, path string, literals bool) ([]string, error) {
	var out []string
	for _, v := range n.values(nsODRL + local) {
		switch v := v.(type) {
		case rdf.IRI:
			out = append(out, written(v))
		case rdf.Literal:
			if !literals {
				return nil, rd.fail(path, ErrMalformed, v, "%s must be an IRI, not the string %q", local, v.String())
			}
			out = append(out, v.String())
		default:
			return nil, rd.fail(path, ErrUnsupported, nil, "%s must name its value by IRI or string; a described node (a party or asset collection with refinements) is not supported", local)
		}
	}
	return sortedUnique(out), nil
}

// nodeOf returns the node a rule, duty or constraint value names.
func (rd *reader) nodeOf(v rdf.Object, path, what string) (*gnode, error) {
	switch v.(type) {
	case rdf.IRI, rdf.Blank:
	default:
		return nil, rd.fail(path, ErrMalformed, v, "a %s must be a node, not the string %q", what, written(v))
	}
	n := rd.g.node(v)
	if n == nil {
		return nil, rd.fail(path, ErrMalformed, v, "the %s %s is not described in this document", what, written(v))
	}
	if err := rd.spend(1 + len(n.props)); err != nil {
		return nil, err
	}
	return n, nil
}

// rule reads a permission (perm) or a prohibition.
func (rd *reader) rule(v rdf.Object, path string, perm bool) (*ruleDoc, error) {
	rd.rules++
	if rd.rules > rd.lim.MaxRules {
		return nil, rd.fail(path, ErrLimit, nil, "more than %d rules and duties in one policy", rd.lim.MaxRules)
	}
	n, err := rd.nodeOf(v, path, "rule")
	if err != nil {
		return nil, err
	}
	r := &ruleDoc{path: path}
	for _, p := range n.props {
		local, ok := strings.CutPrefix(p.pred, nsODRL)
		if !ok {
			continue
		}
		switch local {
		case "action", "target", "assignee", "assigner", "constraint", "uid":
		case "duty":
			if !perm {
				return nil, rd.fail(path+".duty", ErrMalformed, nil, "a prohibition has no duty (a remedy, perhaps)")
			}
		case "remedy":
			if perm {
				return nil, rd.fail(path+".remedy", ErrMalformed, nil, "a permission has no remedy (a duty, perhaps)")
			}
		case "refinement":
			return nil, rd.fail(path+".refinement", ErrUnsupported, nil, "refinements are not supported")
		default:
			return nil, rd.fail(path+"."+local, ErrUnsupported, nil, "odrl:%s is not a property of a rule Samband reads", local)
		}
	}
	for _, u := range n.values(nsODRL + "uid") {
		r.UID = written(u)
	}
	if iri, ok := n.term.(rdf.IRI); ok && r.UID == "" {
		r.UID = written(iri)
	}
	for _, a := range n.values(nsODRL + "action") {
		act, err := rd.action(a, path+".action")
		if err != nil {
			return nil, err
		}
		r.Action = append(r.Action, written(a))
		r.acts = append(r.acts, act)
	}
	if r.Target, err = rd.names(n, "target", path+".target", true); err != nil {
		return nil, err
	}
	if r.Assignee, err = rd.names(n, "assignee", path+".assignee", true); err != nil {
		return nil, err
	}
	if r.Assigner, err = rd.names(n, "assigner", path+".assigner", true); err != nil {
		return nil, err
	}
	for i, c := range n.values(nsODRL + "constraint") {
		cd, err := rd.constraint(c, fmt.Sprintf("%s.constraint[%d]", path, i), 0, true)
		if err != nil {
			return nil, err
		}
		r.Constraint = append(r.Constraint, cd)
	}
	for i, d := range n.values(nsODRL + "duty") {
		dd, err := rd.duty(d, fmt.Sprintf("%s.duty[%d]", path, i), 0)
		if err != nil {
			return nil, err
		}
		r.Duty = append(r.Duty, dd)
	}
	for i, d := range n.values(nsODRL + "remedy") {
		dd, err := rd.duty(d, fmt.Sprintf("%s.remedy[%d]", path, i), 0)
		if err != nil {
			return nil, err
		}
		r.Remedy = append(r.Remedy, dd)
	}
	return r, nil
}

// duty reads a duty, an obligation, a remedy or a consequence. Its
// constraints are read and checked but not evaluated: a duty is recorded
// in a decision, it does not decide.
func (rd *reader) duty(v rdf.Object, path string, depth int) (*dutyDoc, error) {
	rd.rules++
	if rd.rules > rd.lim.MaxRules {
		return nil, rd.fail(path, ErrLimit, nil, "more than %d rules and duties in one policy", rd.lim.MaxRules)
	}
	if depth > rd.lim.MaxDepth {
		return nil, rd.fail(path, ErrLimit, nil, "consequences nested deeper than %d", rd.lim.MaxDepth)
	}
	n, err := rd.nodeOf(v, path, "duty")
	if err != nil {
		return nil, err
	}
	d := &dutyDoc{path: path}
	for _, p := range n.props {
		local, ok := strings.CutPrefix(p.pred, nsODRL)
		if !ok {
			continue
		}
		switch {
		case local == "action", local == "target", local == "constraint", local == "uid", local == "consequence":
		case wordIndex(partyFunctions, local, false) >= 0:
			if _, isLit := p.obj.(rdf.Literal); !isLit {
				if _, isIRI := p.obj.(rdf.IRI); !isIRI {
					return nil, rd.fail(path+"."+local, ErrUnsupported, nil, "%s must name its party by IRI or string", local)
				}
			}
			if d.Parties == nil {
				d.Parties = map[string][]string{}
			}
			d.Parties[local] = append(d.Parties[local], written(p.obj))
		case local == "refinement":
			return nil, rd.fail(path+".refinement", ErrUnsupported, nil, "refinements are not supported")
		default:
			return nil, rd.fail(path+"."+local, ErrUnsupported, nil, "odrl:%s is not a property of a duty Samband reads", local)
		}
	}
	for k, v := range d.Parties {
		d.Parties[k] = sortedUnique(v)
	}
	for _, u := range n.values(nsODRL + "uid") {
		d.UID = written(u)
	}
	if iri, ok := n.term.(rdf.IRI); ok && d.UID == "" {
		d.UID = written(iri)
	}
	for _, a := range n.values(nsODRL + "action") {
		act, err := rd.action(a, path+".action")
		if err != nil {
			return nil, err
		}
		d.Action = append(d.Action, written(a))
		d.acts = append(d.acts, act)
	}
	if len(d.acts) != 1 {
		return nil, rd.fail(path, ErrMalformed, nil, "a duty has one action, not %d", len(d.acts))
	}
	if d.Target, err = rd.names(n, "target", path+".target", true); err != nil {
		return nil, err
	}
	for i, c := range n.values(nsODRL + "constraint") {
		cd, err := rd.constraint(c, fmt.Sprintf("%s.constraint[%d]", path, i), 0, false)
		if err != nil {
			return nil, err
		}
		d.Constraint = append(d.Constraint, cd)
	}
	for i, c := range n.values(nsODRL + "consequence") {
		cd, err := rd.duty(c, fmt.Sprintf("%s.consequence[%d]", path, i), depth+1)
		if err != nil {
			return nil, err
		}
		d.Consequence = append(d.Consequence, cd)
	}
	return d, nil
}

// constraint reads an atomic or logical constraint. evaluated says whether
// Samband will evaluate it (a permission's or prohibition's) or only record
// it (a duty's): only an evaluated constraint must use an operand Samband
// evaluates.
func (rd *reader) constraint(v rdf.Object, path string, depth int, evaluated bool) (*constraintDoc, error) {
	rd.constraints++
	if rd.constraints > rd.lim.MaxConstraints {
		return nil, rd.fail(path, ErrLimit, nil, "more than %d constraints in one policy", rd.lim.MaxConstraints)
	}
	if depth > rd.lim.MaxDepth {
		return nil, rd.fail(path, ErrLimit, nil, "logical constraints nested deeper than %d", rd.lim.MaxDepth)
	}
	n, err := rd.nodeOf(v, path, "constraint")
	if err != nil {
		return nil, err
	}
	c := &constraintDoc{path: path}
	var logics []string
	for _, p := range n.props {
		local, ok := strings.CutPrefix(p.pred, nsODRL)
		if !ok {
			if p.pred == rdfFirst {
				return nil, rd.fail(path, ErrMalformed, nil, "a constraint is a node, not a list")
			}
			continue
		}
		switch local {
		case "leftOperand", "operator", "rightOperand", "dataType", "uid":
		case "and", "or", "xone", "andSequence":
			if !slices.Contains(logics, local) {
				logics = append(logics, local)
			}
		case "rightOperandReference":
			return nil, rd.fail(path+".rightOperandReference", ErrUnsupported, nil, "rightOperandReference is not supported: give the right operand itself")
		case "unit", "status":
			return nil, rd.fail(path+"."+local, ErrUnsupported, nil, "odrl:%s is not supported on the operands Samband evaluates", local)
		default:
			return nil, rd.fail(path+"."+local, ErrUnsupported, nil, "odrl:%s is not a property of a constraint Samband reads", local)
		}
	}
	for _, u := range n.values(nsODRL + "uid") {
		c.UID = written(u)
	}
	if iri, ok := n.term.(rdf.IRI); ok && c.UID == "" {
		c.UID = written(iri)
	}
	atomic := n.has(nsODRL+"leftOperand") || n.has(nsODRL+"operator") || n.has(nsODRL+"rightOperand")
	switch {
	case atomic && len(logics) > 0:
		return nil, rd.fail(path, ErrMalformed, nil, "a constraint is atomic (leftOperand, operator, rightOperand) or logical (%s), not both", logics[0])
	case len(logics) > 1:
		return nil, rd.fail(path, ErrMalformed, nil, "a logical constraint has one operand, not %s and %s", logics[0], logics[1])
	case len(logics) == 1:
		return rd.logical(n, c, logics[0], depth, evaluated)
	}
	return rd.atomic(n, c, evaluated)
}

// logical reads the operands of a logical constraint: several values, or
// one RDF list.
func (rd *reader) logical(n *gnode, c *constraintDoc, local string, depth int, evaluated bool) (*constraintDoc, error) {
	switch local {
	case "and":
		c.logic = logicAnd
	case "or":
		c.logic = logicOr
	case "xone":
		c.logic = logicXone
	case "andSequence":
		c.logic = logicAndSequence
	}
	items, err := rd.items(n.values(nsODRL+local), c.path+"."+local)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, rd.fail(c.path+"."+local, ErrMalformed, nil, "%s has no constraints", local)
	}
	var kids []*constraintDoc
	for i, it := range items {
		k, err := rd.constraint(it, fmt.Sprintf("%s.%s[%d]", c.path, local, i), depth+1, evaluated)
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	switch c.logic {
	case logicAnd:
		c.And = kids
	case logicOr:
		c.Or = kids
	case logicXone:
		c.Xone = kids
	case logicAndSequence:
		c.AndSequence = kids
	}
	return c, nil
}

// items returns the members of a multi-valued property: its values, or
// when it has one value that is an RDF list, the list's members.
func (rd *reader) items(vs []rdf.Object, path string) ([]rdf.Object, error) {
	if len(vs) != 1 {
		if len(vs) > rd.lim.MaxValues {
			return nil, rd.fail(path, ErrLimit, nil, "more than %d values", rd.lim.MaxValues)
		}
		return vs, rd.spend(len(vs))
	}
	if iri, ok := vs[0].(rdf.IRI); ok && iri.String() == rdfNil {
		return nil, nil
	}
	head := rd.g.node(vs[0])
	if head == nil || !head.has(rdfFirst) {
		return vs, rd.spend(1)
	}
	var out []rdf.Object
	seen := map[string]bool{}
	for cell := head; ; {
		if seen[cell.key] {
			return nil, rd.fail(path, ErrMalformed, nil, "the list loops back on itself")
		}
		seen[cell.key] = true
		first, nf := cell.one(rdfFirst)
		rest, nr := cell.one(rdfRest)
		if nf != 1 || nr != 1 {
			return nil, rd.fail(path, ErrMalformed, nil, "a list cell has one rdf:first and one rdf:rest")
		}
		out = append(out, first)
		if len(out) > rd.lim.MaxValues {
			return nil, rd.fail(path, ErrLimit, nil, "a list of more than %d items", rd.lim.MaxValues)
		}
		if err := rd.spend(1); err != nil {
			return nil, err
		}
		if iri, ok := rest.(rdf.IRI); ok && iri.String() == rdfNil {
			return out, nil
		}
		cell = rd.g.node(rest)
		if cell == nil {
			return nil, rd.fail(path, ErrMalformed, nil, "a list that does not end in rdf:nil")
		}
	}
}

// atomic reads leftOperand, operator and rightOperand.
func (rd *reader) atomic(n *gnode, c *constraintDoc, evaluated bool) (*constraintDoc, error) {
	lefts, ops := n.values(nsODRL+"leftOperand"), n.values(nsODRL+"operator")
	if len(lefts) != 1 {
		if len(lefts) == 0 {
			return nil, rd.fail(c.path, ErrMalformed, nil, "the constraint has no leftOperand")
		}
		return nil, rd.fail(c.path+".leftOperand", ErrMalformed, lefts[1], "the constraint has %d left operands, not one", len(lefts))
	}
	if len(ops) != 1 {
		if len(ops) == 0 {
			return nil, rd.fail(c.path, ErrMalformed, lefts[0], "the constraint on %s has no operator", written(lefts[0]))
		}
		return nil, rd.fail(c.path+".operator", ErrMalformed, ops[1], "the constraint has %d operators, not one", len(ops))
	}
	var err error
	if c.opd, err = rd.operand(lefts[0], c.path+".leftOperand"); err != nil {
		return nil, err
	}
	if c.op, err = rd.operator(ops[0], c.path+".operator"); err != nil {
		return nil, err
	}
	c.LeftOperand, c.Operator = written(lefts[0]), written(ops[0])
	if c.opd == opdODRL && evaluated {
		return nil, rd.fail(c.path+".leftOperand", ErrUnsupported, lefts[0], "Samband does not evaluate the ODRL left operand %s: a permission or prohibition may use purpose, spatial, recipient, dateTime and the Samband profile's operands (PROFILE.md)", c.LeftOperand)
	}
	for _, dt := range n.values(nsODRL + "dataType") {
		c.DataType = written(dt)
	}
	items, err := rd.items(n.values(nsODRL+"rightOperand"), c.path+".rightOperand")
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, rd.fail(c.path, ErrMalformed, lefts[0], "the constraint on %s has no rightOperand", c.LeftOperand)
	}
	for _, it := range items {
		switch it := it.(type) {
		case rdf.IRI:
			c.RightOperand = append(c.RightOperand, value{IRI: written(it)})
		case rdf.Literal:
			v := value{Lexical: it.String(), Lang: it.Lang()}
			if dt := it.DataType.String(); dt != nsXSD+"string" && dt != nsRDF+"langString" {
				v.Datatype = dt
			}
			c.RightOperand = append(c.RightOperand, v)
		default:
			return nil, rd.fail(c.path+".rightOperand", ErrUnsupported, nil, "a right operand is an IRI or a literal, not a described node")
		}
	}
	slices.SortFunc(c.RightOperand, compareValues)
	c.RightOperand = slices.CompactFunc(c.RightOperand, func(a, b value) bool { return compareValues(a, b) == 0 })
	return c, nil
}

// Kinds of term resolve looks up.
type termKind uint8

const (
	kindAction termKind = iota
	kindOperand
	kindOperator
)

func (k termKind) String() string {
	switch k {
	case kindAction:
		return "action"
	case kindOperand:
		return "left operand"
	}
	return "operator"
}

var errNotKnown = errors.New("not known")

// resolve returns the code of an action, operand or operator as the
// document gives it: an IRI of ODRL, of Samband's profile or (actions) of
// Creative Commons; a bare name (a relative reference, a plain string) of
// one of those; or a term LoadOptions.Aliases maps to one of those.
func (rd *reader) resolve(kind termKind, t rdf.Object) (uint8, error) {
	var s string
	bare := false
	switch t := t.(type) {
	case rdf.IRI:
		s = t.String()
		if rel, ok := strings.CutPrefix(s, relBase); ok {
			s, bare = rel, true
		}
	case rdf.Literal:
		s, bare = t.String(), true
	default:
		return 0, fmt.Errorf("a %s is named by IRI or name; a described node (with refinements, say) is not supported", kind)
	}
	if a, ok := rd.opt.Aliases[s]; ok {
		switch {
		case strings.HasPrefix(a, "odrl:"):
			a = nsODRL + a[len("odrl:"):]
		case strings.HasPrefix(a, "cc:"):
			a = nsCC + a[len("cc:"):]
		case strings.HasPrefix(a, "samband:"):
			a = Profile + a[len("samband:"):]
		}
		code, ok := known(kind, a, !strings.Contains(a, ":"))
		if !ok {
			return 0, fmt.Errorf("LoadOptions.Aliases maps %q to %q, which is no ODRL or Samband %s", s, a, kind)
		}
		return code, nil
	}
	if code, ok := known(kind, s, bare); ok {
		return code, nil
	}
	return 0, errNotKnown
}

// known looks a term up: an IRI in its namespace, or a bare name (any case)
// among ODRL's, then Creative Commons' (actions) or the profile's (operands).
func known(kind termKind, s string, bare bool) (uint8, bool) {
	odrl, cc, prof := s, s, s
	if !bare {
		var inODRL, inCC, inProfile bool
		odrl, inODRL = strings.CutPrefix(s, nsODRL)
		cc, inCC = strings.CutPrefix(s, nsCC)
		prof, inProfile = strings.CutPrefix(s, Profile)
		if !inODRL {
			odrl = ""
		}
		if !inCC {
			cc = ""
		}
		if !inProfile {
			prof = ""
		}
	}
	switch kind {
	case kindAction:
		if a, ok := actionByLocal(odrl, bare); ok && odrl != "" {
			return uint8(a), true
		}
		if a, ok := ccActionByLocal(cc, bare); ok && cc != "" {
			return uint8(a), true
		}
	case kindOperand:
		if o, ok := operandByODRL(odrl, bare); ok && odrl != "" {
			return uint8(o), true
		}
		if o, ok := operandByProfile(prof, bare); ok && prof != "" {
			return uint8(o), true
		}
	case kindOperator:
		if o, ok := operatorByLocal(odrl, bare); ok && odrl != "" {
			return uint8(o), true
		}
	}
	return 0, false
}

func (rd *reader) action(t rdf.Object, path string) (action, error) {
	code, err := rd.resolve(kindAction, t)
	if err != nil {
		return actNone, rd.termError(kindAction, t, path, err)
	}
	return action(code), nil
}

func (rd *reader) operand(t rdf.Object, path string) (operand, error) {
	code, err := rd.resolve(kindOperand, t)
	if err != nil {
		return opdNone, rd.termError(kindOperand, t, path, err)
	}
	return operand(code), nil
}

func (rd *reader) operator(t rdf.Object, path string) (operator, error) {
	code, err := rd.resolve(kindOperator, t)
	if err != nil {
		return opNone, rd.termError(kindOperator, t, path, err)
	}
	o := operator(code)
	if o == opHasPart {
		return opNone, rd.fail(path, ErrUnsupported, t, "Samband does not evaluate the operator hasPart")
	}
	return o, nil
}

func (rd *reader) termError(kind termKind, t rdf.Object, path string, err error) error {
	if err != errNotKnown {
		return rd.fail(path, ErrUnknownTerm, t, "%v", err)
	}
	w := written(t)
	hint := ""
	if iri, ok := t.(rdf.IRI); ok && !strings.HasPrefix(iri.String(), relBase) {
		switch {
		case strings.HasPrefix(w, nsODRL):
			hint = ": ODRL 2.2 has no such " + kind.String()
		case strings.HasPrefix(w, Profile):
			hint = ": Samband's profile has no such " + kind.String() + " (PROFILE.md)"
		}
	} else {
		hint = ": not a name ODRL 2.2 or Samband's profile gives (the document's @context does not define it, or LoadOptions.Aliases could map it)"
	}
	return rd.fail(path, ErrUnknownTerm, t, "unknown %s %q%s", kind, w, hint)
}
