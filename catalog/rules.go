package catalog

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"samband/catalog/rdf"
)

// Rule checks. The DCAT-AP 3.0.1 SHACL shapes (shapes.ttl: mandatory
// properties and cardinalities; shapes_recommended.ttl: recommended
// properties; mdr-vocabularies.shape.ttl: controlled vocabularies) and the
// shapes of the national profiles say what a record must and should have.
// CheckRules runs the constraints of those shapes that can be decided on one
// record as rules: each names the shape it comes from and stands for one of
// its constraints, and a record gets one RuleResult for each value (or each
// missing or extra value) that breaks it. A SHACL engine validates a whole
// document at once, against every shape; CheckRules looks at one record and the
// nodes of its description (distributions, agents, periods of time,
// checksums, ...), so that every record carries its results and a harvest
// can count them. TestRulesAgreeWithSHACL holds the rules to a real SHACL
// engine on the corpus; docs/decisions.md says why both exist.

// Severities of rule results, those of SHACL: sh:Violation for what a
// profile makes mandatory (or forbids), sh:Warning for what it recommends,
// sh:Info for what it only points out.
const (
	SeverityViolation = "violation"
	SeverityWarning   = "warning"
	SeverityInfo      = "info"
)

// RuleChecksCut is the rule of the one result CheckRules adds when a record
// breaks rules more than MaxRuleResults times: the results beyond are not
// listed.
const RuleChecksCut = "samband:checks-cut"

// MaxRuleResults is how many results CheckRules lists for one record.
const MaxRuleResults = 1000

// RuleResult is one breach of a rule by a record: a value the rule refuses,
// or a value missing or one too many.
type RuleResult struct {
	Rule     string `json:"rule"`     // Rule.ID: "dcat-ap:dataset-description-min"
	Severity string `json:"severity"` // SeverityViolation, SeverityWarning or SeverityInfo
	Path     string `json:"path"`     // the property (sh:path) IRI
	// Focus is the node the result is about: the record's IRI, or that of
	// a distribution, an agent ... of its description; a node without IRI
	// (a blank node) as "_:" and its label in the record's original, which
	// is a signature of its content.
	Focus string `json:"focus"`
	// Via is how the record reaches Focus: properties separated by "/"
	// ("dcat:distribution", "dcat:distribution/spdx:checksum"); "" when
	// Focus is the record.
	Via     string `json:"via,omitempty"`
	Value   string `json:"value,omitempty"` // the value refused, as N-Triples
	Message string `json:"message"`
}

// Rule is one constraint of a SHACL shape that CheckRules runs on records.
type Rule struct {
	ID      string `json:"id"`                // profile prefix, class, property, constraint: "dcat-ap:distribution-accessurl-min"
	Profile string `json:"profile"`           // "DCAT-AP 3.0.1", "DCAT-AP-NO 2.2", "DCAT-AP-DK 2.0.2"
	Country string `json:"country,omitempty"` // a national rule checks only records from sources of this country (ISO 3166-1 alpha-2)
	// Class is the class of the nodes the rule checks (sh:targetClass), or
	// ObjectsOf the property whose objects it checks (sh:targetObjectsOf).
	Class      string `json:"class,omitempty"`
	ObjectsOf  string `json:"objects_of,omitempty"`
	Path       string `json:"path"`
	Severity   string `json:"severity"`
	Shape      string `json:"shape"`      // IRI of the node shape in the profile's SHACL file
	Constraint string `json:"constraint"` // the constraint as the shape writes it: "sh:minCount 1"

	c    constraint
	noun string // names the nodes of ObjectsOf: "standard"
}

// Rules returns every rule CheckRules runs, DCAT-AP's first, then those of the
// national profiles.
func Rules() []Rule {
	return slices.Clone(ruleTable().all)
}

// CheckRules runs the rules on d and returns what breaks them, the record's
// own first, then those of the nodes of its description in the order the
// record reaches them; at most MaxRuleResults (and then one more, of rule
// RuleChecksCut). National rules apply when one of d's sources has their
// country. CheckRules does no I/O, does not change d and never panics.
//
// CheckRules reads the record's description as its source gave it: the
// original N-Triples of the first of d.Sources that describes d.IRI. The
// mapping into Dataset keeps values but not always how they were written
// (a literal where an IRI belongs, a date without its datatype, a second
// dct:issued, the type of a contact point ...), and that is what many rules
// look at.
// A record without such an original (one from a CKAN source, whose
// original is the package's JSON, or one made in code) is checked on its
// DCAT-AP description as the feed writes it (Dataset.Triples). A record
// whose IRI is no IRI has neither, and gets no results.
func CheckRules(d Dataset) []RuleResult {
	g := recordGraph(d)
	if g == nil {
		return nil
	}
	countries := map[string]bool{}
	for _, s := range d.Sources {
		if s.Country != "" {
			countries[strings.ToUpper(s.Country)] = true
		}
	}
	t := ruleTable()
	var results []RuleResult
	full := false
	emit := func(r RuleResult) {
		if len(results) < MaxRuleResults {
			results = append(results, r)
			return
		}
		full = true
	}

	root := gterm{kind: termIRI, v: d.IRI}
	type visit struct {
		node gterm
		via  string
	}
	queue := []visit{{root, ""}}
	seen := map[string]bool{root.v: true}
	targeted := map[string]bool{} // rule index and focus of sh:targetObjectsOf rules already run
	for i := 0; i < len(queue) && !full; i++ {
		v := queue[i]
		classes := g.types(v.node)
		if i == 0 {
			if c := kindClass(d.Kind); !slices.Contains(classes, c) {
				classes = append(classes, c)
			}
		}
		for _, c := range classes {
			for _, ri := range t.byClass[c] {
				r := &t.all[ri]
				if r.Country == "" || countries[r.Country] {
					r.check(g, v.node, v.via, emit)
				}
			}
		}
		for _, e := range g.out[v.node.v] {
			if e.p == rdfType {
				continue
			}
			for _, ri := range t.byObjectsOf[e.p] {
				r := &t.all[ri]
				k := strconv.Itoa(ri) + " " + e.o.key()
				if targeted[k] || (r.Country != "" && !countries[r.Country]) {
					continue
				}
				targeted[k] = true
				r.check(g, e.o, joinVia(v.via, e.p), emit)
			}
			if e.o.kind == 'L' || seen[e.o.v] || len(g.out[e.o.v]) == 0 {
				continue
			}
			seen[e.o.v] = true
			queue = append(queue, visit{e.o, joinVia(v.via, e.p)})
		}
	}
	if full {
		results = append(results, RuleResult{
			Rule: RuleChecksCut, Severity: SeverityInfo, Focus: d.IRI,
			Message: "The record breaks rules more than " + strconv.Itoa(MaxRuleResults) + " times; the results beyond are not listed.",
		})
	}
	return results
}

// kindClass returns the class IRI of a record kind.
func kindClass(kind string) string {
	switch kind {
	case KindDatasetSeries:
		return nsDCAT + "DatasetSeries"
	case KindDataService:
		return nsDCAT + "DataService"
	}
	return nsDCAT + "Dataset"
}

func joinVia(via, p string) string {
	if via == "" {
		return shortName(p)
	}
	return via + "/" + shortName(p)
}

// Kinds of constraint.
type op uint8

const (
	opMin      op = iota + 1 // sh:minCount
	opMax                    // sh:maxCount
	opKind                   // sh:nodeKind
	opDatatype               // sh:datatype, or a choice of them
	opVocab                  // sh:node of a vocabulary restriction: skos:inScheme one of the schemes
	opPattern                // sh:pattern
	opClass                  // sh:class, or a choice of them
)

// Node kinds of sh:nodeKind.
const (
	kindIRI          = "IRI"
	kindLiteral      = "Literal"
	kindBlankNodeIRI = "BlankNodeOrIRI"
)

// constraint is what a rule checks.
type constraint struct {
	op       op
	n        int            // opMin, opMax
	kind     string         // opKind
	types    []string       // opDatatype: datatypes; opClass: classes (any of)
	schemes  []string       // opVocab: concept schemes (any of)
	pattern  *regexp.Regexp // opVocab: an alternative to the schemes; opPattern: the pattern
	iri      bool           // opVocab: the value must be an IRI too (sh:nodeKind sh:IRI beside sh:node)
	agent    bool           // opVocab: the value's dct:type must be a publisher type too (:Publisher_ShapeCV)
	noun     string         // opVocab, opPattern: what the values must be, for messages
	text     string         // Rule.Constraint
	suffix   string         // the end of the rule id
	compType []string       // the SHACL constraint components a result of the rule stands for
}

// check runs r on focus, reached by via, and emits what breaks it.
func (r *Rule) check(g *ruleGraph, focus gterm, via string, emit func(RuleResult)) {
	var edges []gedge
	if focus.kind != 'L' {
		edges = g.out[focus.v]
	}
	res := func(v *gterm, msg string) {
		out := RuleResult{Rule: r.ID, Severity: r.Severity, Path: r.Path, Focus: focus.focus(), Via: via, Message: msg}
		if v != nil {
			out.Value = v.nt()
		}
		emit(out)
	}
	c := &r.c
	if c.op == opMin || c.op == opMax {
		n := 0
		for i := range edges {
			if edges[i].p == r.Path {
				n++
			}
		}
		switch {
		case c.op == opMin && n < c.n:
			what := "a"
			if c.n > 1 {
				what = "at least " + strconv.Itoa(c.n) + " values of"
			}
			res(nil, capitalise(r.subject())+" "+r.modal()+" have "+what+" "+shortName(r.Path)+".")
		case c.op == opMax && n > c.n:
			what := "one"
			if c.n != 1 {
				what = strconv.Itoa(c.n)
			}
			res(nil, capitalise(r.subject())+" "+r.modal()+" have at most "+what+" "+shortName(r.Path)+"; it has "+strconv.Itoa(n)+".")
		}
		return
	}
	for i := range edges {
		if edges[i].p != r.Path {
			continue
		}
		v := &edges[i].o
		if ok, why := r.accepts(g, v); !ok {
			res(v, shortName(r.Path)+" of "+r.subject()+" "+r.modal()+" be "+r.wants()+"; got "+v.show()+why+".")
		}
	}
}

// accepts reports whether value v passes r (not for counts), and if not,
// what more to say of v than what it is (", of type xsd:string").
func (r *Rule) accepts(g *ruleGraph, v *gterm) (bool, string) {
	c := &r.c
	switch c.op {
	case opKind:
		switch c.kind {
		case kindIRI:
			return v.kind == termIRI, ""
		case kindLiteral:
			return v.kind == 'L', ""
		}
		return v.kind != 'L', ""
	case opDatatype:
		if v.kind != 'L' {
			return false, ""
		}
		if !slices.Contains(c.types, datatypeOf(*v)) {
			return false, " of type " + shortName(datatypeOf(*v))
		}
		return validLexical(v.dt, v.v), " of type " + shortName(v.dt) + ", which is no valid " + shortName(v.dt)
	case opVocab:
		if c.iri && v.kind != termIRI {
			return false, ""
		}
		if !inSchemes(g, *v, c.schemes) && (c.pattern == nil || v.kind == termBlank || !c.pattern.MatchString(v.v)) {
			return false, ""
		}
		if c.agent {
			for _, t := range g.objects(*v, nsDCT+"type") {
				if t.kind != termIRI || !inSchemes(g, t, []string{schemePublisherType}) {
					return false, ", of dct:type " + strings.TrimPrefix(t.show(), "the IRI ") + ", which is no ADMS publisher type"
				}
			}
		}
		return true, ""
	case opPattern:
		return v.kind != termBlank && c.pattern.MatchString(v.v), ""
	case opClass:
		for _, t := range g.types(*v) {
			if slices.Contains(c.types, t) {
				return true, ""
			}
		}
		return false, ", not typed so"
	}
	return true, ""
}

func datatypeOf(t gterm) string {
	if t.dt == "" {
		return xsdStringIRI
	}
	return t.dt
}

// subject names the nodes r checks: "a dataset", "a distribution".
func (r *Rule) subject() string {
	if r.ObjectsOf != "" {
		return article(r.noun) + " (an object of " + shortName(r.ObjectsOf) + ")"
	}
	return article(classNoun(r.Class))
}

func (r *Rule) modal() string {
	if r.Severity == SeverityViolation {
		return "must"
	}
	return "should"
}

// wants says what r wants a value to be.
func (r *Rule) wants() string {
	c := &r.c
	switch c.op {
	case opKind:
		return kindWanted(c.kind)
	case opDatatype:
		names := make([]string, len(c.types))
		for i, t := range c.types {
			names[i] = shortName(t)
		}
		return "typed " + orList(names)
	case opClass:
		names := make([]string, len(c.types))
		for i, t := range c.types {
			names[i] = shortName(t)
		}
		return article(orList(names))
	}
	return c.noun
}

func kindNoun(k byte) string {
	switch k {
	case termIRI:
		return "an IRI"
	case termBlank:
		return "a blank node"
	}
	return "a literal"
}

func kindWanted(k string) string {
	switch k {
	case kindIRI:
		return "an IRI"
	case kindLiteral:
		return "a literal"
	}
	return "an IRI or a blank node"
}

func orList(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}

func article(noun string) string {
	if noun == "" {
		return noun
	}
	switch noun[0] {
	case 'a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U':
		return "an " + noun
	}
	return "a " + noun
}

func capitalise(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// classNoun names a class in English.
func classNoun(class string) string {
	switch class {
	case nsDCAT + "Dataset":
		return "dataset"
	case nsDCAT + "DatasetSeries":
		return "dataset series"
	case nsDCAT + "DataService":
		return "data service"
	case nsDCAT + "Distribution":
		return "distribution"
	case nsFOAF + "Agent":
		return "agent"
	case nsSKOS + "Concept":
		return "concept"
	case nsSPDX + "Checksum":
		return "checksum"
	case nsDCT + "PeriodOfTime":
		return "period of time"
	case nsDCT + "Location":
		return "location"
	case nsDCT + "LicenseDocument":
		return "licence document"
	case nsADMS + "Identifier":
		return "identifier"
	case nsDCAT + "Relationship":
		return "relationship"
	}
	return shortName(class)
}

// ruleSlug names a class in rule ids.
func ruleSlug(class string) string {
	return strings.ReplaceAll(classNoun(class), " ", "-")
}

// shortName writes an IRI with the prefix of its namespace (dct:title),
// or whole.
func shortName(iri string) string {
	for _, ns := range [...]struct{ ns, p string }{
		{nsDCT, "dct:"}, {nsDCAT, "dcat:"}, {nsDCATAP, "dcatap:"}, {nsFOAF, "foaf:"}, {nsVCard, "vcard:"},
		{nsADMS, "adms:"}, {nsSKOS, "skos:"}, {nsOWL, "owl:"}, {nsODRL, "odrl:"}, {nsSPDX, "spdx:"},
		{nsPROV, "prov:"}, {nsTime, "time:"}, {nsRDFS, "rdfs:"}, {nsRDF, "rdf:"}, {rdf.NSXSD, "xsd:"},
		{nsLocn, "locn:"}, {nsDQV, "dqv:"},
	} {
		if rest, ok := strings.CutPrefix(iri, ns.ns); ok && rest != "" && !strings.ContainsAny(rest, "/#") {
			return ns.p + rest
		}
	}
	return "<" + iri + ">"
}

// Namespaces of the rules only.
const (
	nsLocn = "http://www.w3.org/ns/locn#"
	nsDQV  = "http://www.w3.org/ns/dqv#"
)

// rules is the rule table with its indexes.
type rules struct {
	all         []Rule
	byClass     map[string][]int
	byObjectsOf map[string][]int
}

var ruleTable = sync.OnceValue(func() *rules {
	t := &rules{byClass: map[string][]int{}, byObjectsOf: map[string][]int{}}
	t.all = append(dcatAPRules(), nationalRules()...)
	for i, r := range t.all {
		if r.Class != "" {
			t.byClass[r.Class] = append(t.byClass[r.Class], i)
		}
		if r.ObjectsOf != "" {
			t.byObjectsOf[r.ObjectsOf] = append(t.byObjectsOf[r.ObjectsOf], i)
		}
	}
	return t
})

// ruleSet builds the rules of one profile, one node shape at a time.
type ruleSet struct {
	prefix, profile, country string
	shape, class, objectsOf  string
	slug, noun               string
	rules                    []Rule
}

// node starts the rules of a node shape that targets a class.
func (s *ruleSet) node(shape, class string) {
	s.shape, s.class, s.objectsOf, s.slug = shape, class, "", ruleSlug(class)
}

// objectsOfShape starts the rules of a node shape that targets the
// objects of a property; noun names those in messages and rule ids.
func (s *ruleSet) objectsOfShape(shape, property, noun string) {
	s.shape, s.class, s.objectsOf, s.noun = shape, "", property, noun
	s.slug = strings.ReplaceAll(noun, " ", "-")
}

// prop adds a rule for each constraint of a property shape.
func (s *ruleSet) prop(path, severity string, cs ...constraint) {
	for _, c := range cs {
		s.rules = append(s.rules, Rule{
			ID:         s.prefix + ":" + s.slug + "-" + localName(path) + "-" + c.suffix,
			Profile:    s.profile,
			Country:    s.country,
			Class:      s.class,
			ObjectsOf:  s.objectsOf,
			Path:       path,
			Severity:   severity,
			Shape:      s.shape,
			Constraint: c.text,
			c:          c,
			noun:       s.noun,
		})
	}
}

// localName names a property in rule ids: its local name in lower case;
// adms:identifier, which DCAT-AP calls other identifier, as
// "otheridentifier" (dct:identifier is "identifier").
func localName(iri string) string {
	if iri == nsADMS+"identifier" {
		return "otheridentifier"
	}
	if i := strings.LastIndexAny(iri, "#/"); i >= 0 {
		iri = iri[i+1:]
	}
	return strings.ToLower(iri)
}

// Constraints, as the shapes write them.

func minCount(n int) constraint {
	return constraint{op: opMin, n: n, text: "sh:minCount " + strconv.Itoa(n), suffix: "min", compType: []string{"MinCount"}}
}

// recommended is sh:minCount 1 of shapes_recommended.ttl.
func recommended() constraint {
	c := minCount(1)
	c.suffix = "recommended"
	return c
}

func maxCount(n int) constraint {
	return constraint{op: opMax, n: n, text: "sh:maxCount " + strconv.Itoa(n), suffix: "max", compType: []string{"MaxCount"}}
}

func nodeKind(k string) constraint {
	return constraint{op: opKind, kind: k, text: "sh:nodeKind sh:" + k, suffix: "kind", compType: []string{"NodeKind"}}
}

func datatype(dt string) constraint {
	return constraint{op: opDatatype, types: []string{dt}, text: "sh:datatype " + shortName(dt), suffix: "datatype", compType: []string{"Datatype"}}
}

// dateTypes are the datatypes of DCAT-AP's :DateOrDateTimeDataType_Shape.
var dateTypes = []string{rdf.NSXSD + "date", rdf.NSXSD + "dateTime", rdf.NSXSD + "gYear", rdf.NSXSD + "gYearMonth"}

// dateNode is sh:node :DateOrDateTimeDataType_Shape.
func dateNode() constraint {
	return constraint{op: opDatatype, types: dateTypes, text: "sh:node :DateOrDateTimeDataType_Shape", suffix: "date", compType: []string{"Node"}}
}

// dateShape is the same written as sh:shape, which is not SHACL: shapes.ttl
// does so for dct:issued and dct:modified of a dataset and the bounds of a
// period of time. The rule checks what the shape means; a SHACL engine
// checks nothing.
func dateShape() constraint {
	c := dateNode()
	c.text = "sh:shape :DateOrDateTimeDataType_Shape (sh:node meant)"
	c.compType = nil
	return c
}

// dateOr is sh:or ( [ sh:datatype xsd:date ] [ sh:datatype xsd:dateTime ] ).
func dateOr() constraint {
	return constraint{op: opDatatype, types: dateTypes[:2], text: "sh:or (xsd:date, xsd:dateTime)", suffix: "date", compType: []string{"Or"}}
}

// vocabIRI is the pair of DCAT-AP's mdr-vocabularies.shape.ttl:
// sh:nodeKind sh:IRI and sh:node of a restriction to concepts of schemes
// (or, with a pattern, to IRIs that match it).
func vocabIRI(noun, restriction string, schemes ...string) constraint {
	return constraint{op: opVocab, schemes: schemes, iri: true, noun: noun,
		text: "sh:nodeKind sh:IRI; sh:node :" + restriction + inSchemesText(schemes), suffix: "vocabulary", compType: []string{"NodeKind", "Node"}}
}

// vocab is sh:node of a restriction to concepts of schemes, without
// sh:nodeKind.
func conceptOf(noun, restriction string, schemes ...string) constraint {
	return constraint{op: opVocab, schemes: schemes, noun: noun,
		text: "sh:node :" + restriction + inSchemesText(schemes), suffix: "vocabulary", compType: []string{"Node"}}
}

// inSchemesText names the schemes of a restriction in Rule.Constraint.
func inSchemesText(schemes []string) string {
	if len(schemes) == 0 {
		return ""
	}
	return " (skos:inScheme " + strings.Join(schemes, " | ") + ")"
}

// pattern is sh:pattern, with sh:flags "i" when fold.
func pattern(re string, fold bool, noun string) constraint {
	text := "sh:pattern \"" + re + "\""
	expr := re
	if fold {
		text += "; sh:flags \"i\""
		expr = "(?i)" + re
	}
	return constraint{op: opPattern, pattern: regexp.MustCompile(expr), noun: noun, text: text, suffix: "pattern", compType: []string{"Pattern"}}
}

// class is sh:class, or with several classes sh:or of sh:class.
func class(classes ...string) constraint {
	names := make([]string, len(classes))
	for i, c := range classes {
		names[i] = "sh:class " + shortName(c)
	}
	comp := "Class"
	text := names[0]
	if len(classes) > 1 {
		comp = "Or"
		text = "sh:or (" + strings.Join(names, ", ") + ")"
	}
	return constraint{op: opClass, types: classes, text: text, suffix: "class", compType: []string{comp}}
}
