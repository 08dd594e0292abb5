package policies

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"samband/catalog/rdf"
)

// loadFile loads a file of testdata.
func loadFile(t testing.TB, name string, opt LoadOptions) []*Policy {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ps, err := Load(f, name, opt)
	if err != nil {
		t.Fatalf("Load(%s) = %v", name, err)
	}
	return ps
}

// loadString loads one policy from a document in a string.
func loadString(t testing.TB, name, doc string, opt LoadOptions) *Policy {
	t.Helper()
	ps, err := Load(strings.NewReader(doc), name, opt)
	if err != nil {
		t.Fatalf("Load(%s) = %v", name, err)
	}
	if len(ps) != 1 {
		t.Fatalf("Load(%s) = %d policies, want 1", name, len(ps))
	}
	return ps[0]
}

const ttlPrefixes = `@prefix odrl: <http://www.w3.org/ns/odrl/2/> .
@prefix sb: <urn:samband:odrl:> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
`

// atomPolicy returns a Turtle policy that permits use under one constraint.
func atomPolicy(left, op, right string) string {
	return ttlPrefixes + fmt.Sprintf(`<urn:test:p> a odrl:Set ;
  odrl:permission [ odrl:action odrl:use ;
    odrl:constraint [ odrl:leftOperand %s ; odrl:operator %s ; odrl:rightOperand %s ] ] .
`, left, op, right)
}

func TestLoadReferenceExamples(t *testing.T) {
	tests := []struct {
		file       string
		opt        LoadOptions
		uid, typ   string
		targets    []string
		perms      int
		wantErr    error
		errContain string
	}{
		{file: "dsp_catalog.json", opt: LoadOptions{Places: map[string][]string{"http://example.org/EU": {"EU"}}},
			uid: "urn:uuid:3dd1add8-4d2d-569e-d634-8394a8836a88", typ: "Offer",
			targets: []string{"urn:uuid:3dd1add8-4d2d-569e-d634-8394a8836a88"}, perms: 1},
		{file: "dsp_catalog.json", wantErr: ErrMalformed, errContain: `dsp_catalog.json:30:35: policy urn:uuid:3dd1add8-4d2d-569e-d634-8394a8836a88: permission[0].constraint[0].rightOperand: "http://example.org/EU" is no place Samband knows`},
		{file: "dsp_contract_agreement_message_full.json", opt: LoadOptions{Aliases: dspAliases},
			uid: "urn:uuid:e8dc8655-44c2-46ef-b701-4cffdc2faa44", typ: "Agreement",
			targets: []string{"urn:uuid:3dd1add4-4d2d-569e-d634-8394a8836d23"}, perms: 7},
		{file: "dsp_contract_agreement_message_full.json", wantErr: ErrUnknownTerm,
			errContain: `dsp_contract_agreement_message_full.json:19:30: policy urn:uuid:e8dc8655-44c2-46ef-b701-4cffdc2faa44: permission[1].constraint[0].and[0].leftOperand: unknown left operand "partner"`},
		{file: "edc_create_policy_location_eu.json", opt: LoadOptions{Aliases: map[string]string{"location": "spatial"}},
			uid: "eu-policy", typ: "Set", perms: 1},
		{file: "edc_create_policy_location_eu.json", wantErr: ErrUnknownTerm,
			errContain: `edc_create_policy_location_eu.json:14:31: policy eu-policy: permission[0].constraint[0].leftOperand: unknown left operand "location"`},
		{file: "edc_contract_request.json", wantErr: ErrNoPolicy},
		{file: "registry.ttl", uid: "https://data.example.no/policy/folkeregister", typ: "Set",
			targets: []string{"https://data.example.no/dataset/folkeregister"}, perms: 3},
		{file: "registry.jsonld", uid: "https://data.example.no/policy/folkeregister", typ: "Set",
			targets: []string{"https://data.example.no/dataset/folkeregister"}, perms: 3},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			ps, err := Load(f, tc.file, tc.opt)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.Contains(fmt.Sprint(err), tc.errContain) {
					t.Fatalf("Load(%s) = %v, want %v containing %q", tc.file, err, tc.wantErr, tc.errContain)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load(%s) = %v", tc.file, err)
			}
			if len(ps) != 1 {
				t.Fatalf("Load(%s) = %d policies, want 1", tc.file, len(ps))
			}
			p := ps[0]
			if p.UID() != tc.uid || p.Type() != tc.typ || len(p.permissions) != tc.perms {
				t.Errorf("Load(%s) = %s %s with %d permissions, want %s %s with %d", tc.file, p.UID(), p.Type(), len(p.permissions), tc.uid, tc.typ, tc.perms)
			}
			if got := fmt.Sprint(p.Targets()); got != fmt.Sprint(tc.targets) {
				t.Errorf("Targets() = %s, want %s", got, fmt.Sprint(tc.targets))
			}
			if !strings.HasPrefix(p.Hash(), "sha256:") || len(p.Hash()) != len("sha256:")+64 {
				t.Errorf("Hash() = %q", p.Hash())
			}
		})
	}
}

// dspAliases reads the made-up terms of the DSP agreement example: its
// partner levels as recipient classes, its report duty as inform.
var dspAliases = map[string]string{
	"partner": "recipientClass", "constraint1": "recipientClass", "constraint2": "recipientClass",
	"report": "inform",
}

func TestTurtleAndJSONLDHashAlike(t *testing.T) {
	ttl := loadFile(t, "registry.ttl", LoadOptions{})[0]
	jsonld := loadFile(t, "registry.jsonld", LoadOptions{})[0]
	if ttl.Hash() != jsonld.Hash() {
		a, _ := ttl.MarshalJSON()
		b, _ := jsonld.MarshalJSON()
		t.Fatalf("hashes differ:\nturtle  %s\n%s\njson-ld %s\n%s", ttl.Hash(), a, jsonld.Hash(), b)
	}
	if ttl.Version() != "3" {
		t.Errorf("Version() = %q, want 3", ttl.Version())
	}
	// One changed value changes the hash.
	doc, _ := os.ReadFile("testdata/registry.ttl")
	changed := loadString(t, "changed.ttl", strings.Replace(string(doc), `"EEA"`, `"EU"`, 1), LoadOptions{})
	if changed.Hash() == ttl.Hash() {
		t.Errorf("a changed policy kept the hash %s", ttl.Hash())
	}
	// Aliases are the gateway's reading, not the policy's content.
	a := loadString(t, "a.ttl", atomPolicy(`"location"`, "odrl:eq", `"NO"`), LoadOptions{Aliases: map[string]string{"location": "spatial"}})
	b := loadString(t, "b.ttl", atomPolicy(`"location"`, "odrl:eq", `"NO"`), LoadOptions{Aliases: map[string]string{"location": "odrl:spatial"}})
	if a.Hash() != b.Hash() {
		t.Errorf("the hash depends on LoadOptions.Aliases")
	}
}

func TestLoadPlainODRLJSON(t *testing.T) {
	// ODRL's own JSON form, without @context; neq spelt as the published
	// context spells it (odrl:neg) reads as neq.
	doc := `{"uid": "urn:test:plain", "@type": "Agreement", "assigner": "urn:a", "assignee": "urn:b",
	  "permission": [{"target": "urn:asset", "action": "read",
	    "constraint": [{"leftOperand": "purpose", "operator": "http://www.w3.org/ns/odrl/2/neg", "rightOperand": "marketing"}]}]}`
	p := loadString(t, "plain.json", doc, LoadOptions{})
	if p.UID() != "urn:test:plain" || p.Type() != "Agreement" {
		t.Fatalf("Load = %s %s", p.UID(), p.Type())
	}
	if got := p.permissions[0].cond.op; got != opNeq {
		t.Errorf("operator = %v, want neq", got)
	}
}

func TestLoadErrors(t *testing.T) {
	big := strings.Repeat(" ", 200) + atomPolicy("odrl:purpose", "odrl:eq", `"x"`)
	deep := ttlPrefixes + "<urn:test:p> odrl:permission [ odrl:action odrl:use ; odrl:constraint " +
		strings.Repeat("[ odrl:and ", 20) + `[ odrl:leftOperand odrl:purpose ; odrl:operator odrl:eq ; odrl:rightOperand "x" ]` + strings.Repeat(" ]", 20) + " ] ."
	var manyRules strings.Builder
	manyRules.WriteString(ttlPrefixes + "<urn:test:p> odrl:permission ")
	for i := range 300 {
		if i > 0 {
			manyRules.WriteString(", ")
		}
		manyRules.WriteString("[ odrl:action odrl:use ]")
	}
	manyRules.WriteString(" .")
	values := make([]string, 2000)
	for i := range values {
		values[i] = fmt.Sprintf(`"p%d"`, i)
	}
	hugeList := atomPolicy("odrl:purpose", "odrl:isAnyOf", "( "+strings.Join(values, " ")+" )")
	var manyConstraints strings.Builder
	manyConstraints.WriteString(ttlPrefixes + "<urn:test:p> odrl:permission [ odrl:action odrl:use ; odrl:constraint ")
	for i := range 1100 {
		if i > 0 {
			manyConstraints.WriteString(", ")
		}
		fmt.Fprintf(&manyConstraints, `[ odrl:leftOperand odrl:purpose ; odrl:operator odrl:eq ; odrl:rightOperand "p%d" ]`, i)
	}
	manyConstraints.WriteString(" ] .")

	// Many policies that share one constraint with a long list: each
	// policy alone is within its limits, the document is not.
	var shared strings.Builder
	shared.WriteString(ttlPrefixes + `_:c odrl:leftOperand odrl:purpose ; odrl:operator odrl:isAnyOf ; odrl:rightOperand ( `)
	for i := range 1000 {
		fmt.Fprintf(&shared, `"p%d" `, i)
	}
	shared.WriteString(") .\n")
	for i := range 300 {
		fmt.Fprintf(&shared, "<urn:test:p%d> odrl:permission [ odrl:action odrl:use ; odrl:constraint _:c ] .\n", i)
	}

	tests := []struct {
		name, doc string
		opt       LoadOptions
		want      error
		contain   string
	}{
		{"shared parts", shared.String(), LoadOptions{}, ErrLimit, "the document's policies reach their parts more than 100000 times"},
		{"unknown operand", atomPolicy("odrl:colour", "odrl:eq", `"blue"`), LoadOptions{}, ErrUnknownTerm,
			`x.ttl:6:40: policy urn:test:p: permission[0].constraint[0].leftOperand: unknown left operand "http://www.w3.org/ns/odrl/2/colour": ODRL 2.2 has no such left operand`},
		{"unknown profile operand", atomPolicy("sb:colour", "odrl:eq", `"blue"`), LoadOptions{}, ErrUnknownTerm, "Samband's profile has no such left operand"},
		{"unknown operator", atomPolicy("odrl:purpose", "odrl:like", `"x"`), LoadOptions{}, ErrUnknownTerm, `:6:69: policy urn:test:p: permission[0].constraint[0].operator: unknown operator`},
		{"unknown action", ttlPrefixes + "<urn:test:p> odrl:permission [ odrl:action odrl:fly ] .", LoadOptions{}, ErrUnknownTerm, `:4:44: policy urn:test:p: permission[0].action: unknown action`},
		{"foreign action", ttlPrefixes + "<urn:test:p> odrl:permission [ odrl:action <https://example.org/fly> ] .", LoadOptions{}, ErrUnknownTerm, "unknown action"},
		{"alias to nothing", atomPolicy(`"location"`, "odrl:eq", `"NO"`), LoadOptions{Aliases: map[string]string{"location": "place"}}, ErrUnknownTerm, `maps "location" to "place"`},
		{"operand not evaluated", atomPolicy("odrl:count", "odrl:lteq", "10"), LoadOptions{}, ErrUnsupported, "does not evaluate the ODRL left operand"},
		{"hasPart", atomPolicy("odrl:purpose", "odrl:hasPart", `"x"`), LoadOptions{}, ErrUnsupported, "hasPart"},
		{"rightOperandReference", ttlPrefixes + `<urn:test:p> odrl:permission [ odrl:action odrl:use ; odrl:constraint [ odrl:leftOperand odrl:purpose ; odrl:operator odrl:eq ; odrl:rightOperandReference <urn:x> ] ] .`, LoadOptions{}, ErrUnsupported, "rightOperandReference"},
		{"refinement", ttlPrefixes + `<urn:test:p> odrl:permission [ odrl:action odrl:use ; odrl:refinement [ odrl:leftOperand odrl:purpose ] ] .`, LoadOptions{}, ErrUnsupported, "refinements"},
		{"unit", ttlPrefixes + `<urn:test:p> odrl:permission [ odrl:action odrl:use ; odrl:constraint [ odrl:leftOperand odrl:dateTime ; odrl:operator odrl:lt ; odrl:rightOperand "2030-01-01" ; odrl:unit <urn:u> ] ] .`, LoadOptions{}, ErrUnsupported, "odrl:unit"},
		{"ticket", ttlPrefixes + "<urn:test:p> a odrl:Ticket ; odrl:permission [ odrl:action odrl:use ] .", LoadOptions{}, ErrUnsupported, "an ODRL Ticket is not a policy Samband decides on"},
		{"inheritance", ttlPrefixes + "<urn:test:p> odrl:inheritFrom <urn:test:q> ; odrl:permission [ odrl:action odrl:use ] .", LoadOptions{}, ErrUnsupported, "inheritFrom"},
		{"conflict perm", ttlPrefixes + "<urn:test:p> odrl:conflict odrl:perm ; odrl:permission [ odrl:action odrl:use ] .", LoadOptions{}, ErrUnsupported, "conflict perm"},
		{"no action", ttlPrefixes + "<urn:test:p> odrl:permission [ odrl:target <urn:x> ] .", LoadOptions{}, ErrMalformed, "permission[0]: a rule has an action"},
		{"no operator", ttlPrefixes + `<urn:test:p> odrl:permission [ odrl:action odrl:use ; odrl:constraint [ odrl:leftOperand odrl:purpose ; odrl:rightOperand "x" ] ] .`, LoadOptions{}, ErrMalformed, "permission[0].constraint[0]: the constraint on http://www.w3.org/ns/odrl/2/purpose has no operator"},
		{"no right operand", ttlPrefixes + `<urn:test:p> odrl:permission [ odrl:action odrl:use ; odrl:constraint [ odrl:leftOperand odrl:purpose ; odrl:operator odrl:eq ] ] .`, LoadOptions{}, ErrMalformed, "has no rightOperand"},
		{"atomic and logical", ttlPrefixes + `<urn:test:p> odrl:permission [ odrl:action odrl:use ; odrl:constraint [ odrl:leftOperand odrl:purpose ; odrl:operator odrl:eq ; odrl:rightOperand "x" ; odrl:and [ odrl:leftOperand odrl:purpose ; odrl:operator odrl:eq ; odrl:rightOperand "y" ] ] ] .`, LoadOptions{}, ErrMalformed, "not both"},
		{"eq of two", atomPolicy("odrl:purpose", "odrl:eq", `"a", "b"`), LoadOptions{}, ErrMalformed, "purpose eq takes one right operand, not 2"},
		{"lt on purpose", atomPolicy("odrl:purpose", "odrl:lt", `"a"`), LoadOptions{}, ErrMalformed, "purpose does not take the operator lt"},
		{"isAllOf on spatial", atomPolicy("odrl:spatial", "odrl:isAllOf", `"NO"`), LoadOptions{}, ErrMalformed, "spatial does not take the operator isAllOf"},
		{"bad date", atomPolicy("odrl:dateTime", "odrl:lt", `"next tuesday"`), LoadOptions{}, ErrMalformed, `x.ttl:6:98: policy urn:test:p: permission[0].constraint[0].rightOperand: dateTime takes an xsd:dateTime or xsd:date, not "next tuesday"`},
		{"bad boolean", atomPolicy("sb:dataSubjectConsent", "odrl:eq", `"maybe"`), LoadOptions{}, ErrMalformed, `takes true or false, not "maybe"`},
		{"unknown place", atomPolicy("odrl:spatial", "odrl:eq", `"Atlantis"`), LoadOptions{}, ErrMalformed, `"Atlantis" is no place`},
		{"unknown country", atomPolicy("odrl:spatial", "odrl:eq", `"XX"`), LoadOptions{}, ErrMalformed, `"XX" is no place`},
		{"agreement without assignee", ttlPrefixes + "<urn:test:p> a odrl:Agreement ; odrl:permission [ odrl:action odrl:use ] .", LoadOptions{}, ErrMalformed, "an Agreement names its assignee"},
		{"party collection", ttlPrefixes + "<urn:test:p> odrl:assignee [ a odrl:PartyCollection ] ; odrl:permission [ odrl:action odrl:use ] .", LoadOptions{}, ErrUnsupported, "assignee must name its value by IRI or string"},
		{"undescribed constraint", ttlPrefixes + "<urn:test:p> odrl:permission [ odrl:action odrl:use ; odrl:constraint <urn:test:c> ] .", LoadOptions{}, ErrMalformed, "the constraint urn:test:c is not described in this document"},
		{"duty of prohibition", ttlPrefixes + "<urn:test:p> odrl:prohibition [ odrl:action odrl:use ; odrl:duty [ odrl:action odrl:inform ] ] .", LoadOptions{}, ErrMalformed, "a prohibition has no duty"},
		{"duty with two actions", ttlPrefixes + "<urn:test:p> odrl:obligation [ odrl:action odrl:inform, odrl:delete ] .", LoadOptions{}, ErrMalformed, "a duty has one action, not 2"},
		{"two uids", ttlPrefixes + "[] odrl:uid <urn:test:p> ; odrl:permission [ odrl:action odrl:use ] . [] odrl:uid <urn:test:p> ; odrl:permission [ odrl:action odrl:use ] .", LoadOptions{}, ErrMalformed, "two policies of the document have the uid urn:test:p"},
		{"list loop", ttlPrefixes + `<urn:test:p> odrl:permission [ odrl:action odrl:use ; odrl:constraint [ odrl:leftOperand odrl:purpose ; odrl:operator odrl:isAnyOf ; odrl:rightOperand _:l ] ] . _:l <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> "a" ; <http://www.w3.org/1999/02/22-rdf-syntax-ns#rest> _:l .`, LoadOptions{}, ErrMalformed, "the list loops back on itself"},
		{"constraint loop", ttlPrefixes + `<urn:test:p> odrl:permission [ odrl:action odrl:use ; odrl:constraint _:c ] . _:c odrl:and _:c .`, LoadOptions{}, ErrLimit, "nested deeper than 16"},
		{"deep nesting", deep, LoadOptions{}, ErrLimit, "logical constraints nested deeper than 16"},
		{"many rules", manyRules.String(), LoadOptions{}, ErrLimit, "more than 256 rules and duties in one policy"},
		{"huge list", hugeList, LoadOptions{}, ErrLimit, "a list of more than 1024 items"},
		{"many constraints", manyConstraints.String(), LoadOptions{}, ErrLimit, "more than 1024 constraints in one policy"},
		{"too many bytes", big, LoadOptions{Limits: Limits{MaxBytes: 100}}, ErrLimit, "document larger than 100 bytes"},
		{"too many statements", manyRules.String(), LoadOptions{Limits: Limits{MaxTriples: 100}}, ErrLimit, "more than 100 statements"},
		{"too many policies", ttlPrefixes + "<urn:a> odrl:permission [ odrl:action odrl:use ] . <urn:b> odrl:permission [ odrl:action odrl:use ] .", LoadOptions{Limits: Limits{MaxPolicies: 1}}, ErrLimit, "more than 1 policies"},
		{"deep JSON", strings.Repeat("[", 100) + strings.Repeat("]", 100), LoadOptions{}, ErrLimit, "x.ttl:1:65: JSON nested deeper than 64"},
		{"long JSON array", `{"uid": "urn:p", "permission": [` + strings.Repeat(`{"action": "use"},`, 3000) + `{"action": "use"}]}`, LoadOptions{}, ErrLimit, "a JSON document of more than 4096 values"},
		{"no policy", ttlPrefixes + "<urn:test:d> a <http://www.w3.org/ns/dcat#Dataset> .", LoadOptions{}, ErrNoPolicy, "no ODRL policy"},
		{"not RDF", "<!DOCTYPE html><html></html>", LoadOptions{}, ErrNoPolicy, "not a document in an RDF syntax"},
		{"syntax error", ttlPrefixes + "<urn:test:p> odrl:permission [ odrl:action odrl:use .", LoadOptions{}, nil, "x.ttl:4:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tc.doc), "x.ttl", tc.opt)
			if err == nil {
				t.Fatalf("Load = nil error, want %v", tc.want)
			}
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("Load = %T %v, want a *LoadError", err, err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("Load = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.contain) {
				t.Errorf("Load = %q, want it to contain %q", err, tc.contain)
			}
		})
	}
}

func TestLoadSyntaxErrorIsRDFError(t *testing.T) {
	_, err := Load(strings.NewReader(ttlPrefixes+"<urn:test:p> odrl:permission [ odrl:action odrl:use ."), "x.ttl", LoadOptions{})
	var re *rdf.Error
	if !errors.As(err, &re) || re.Line != 4 {
		t.Fatalf("Load = %v, want an *rdf.Error on line 4", err)
	}
}

func TestActionVocabulary(t *testing.T) {
	for a := actUse; a < actCount; a++ {
		iri := a.iri()
		got, ok := parseRequestAction(iri)
		if !ok || got != a {
			t.Errorf("parseRequestAction(%q) = %v, %v; want %v", iri, got, ok, a)
		}
		if a < actCCAttribution {
			if got, ok := parseRequestAction(a.short()); !ok || got != a {
				t.Errorf("parseRequestAction(%q) = %v, %v; want %v", a.short(), got, ok, a)
			}
		}
	}
	if actCount > 64 {
		t.Fatalf("%d actions do not fit an action mask", actCount)
	}
	if actRead.up()&actUse.bit() == 0 || actSell.up()&actTransfer.bit() == 0 || actTransfer.up()&actUse.bit() != 0 {
		t.Errorf("action hierarchy: read under use, sell under transfer, transfer not under use")
	}
}

// TestProfileExamples loads the examples of PROFILE.md, so that they cannot
// rot, and decides one request by each.
func TestProfileExamples(t *testing.T) {
	doc, err := os.ReadFile("PROFILE.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(string(doc), "```")
	n := 0
	for i := 1; i < len(blocks); i += 2 {
		lang, body, _ := strings.Cut(blocks[i], "\n")
		if lang != "turtle" && lang != "json" {
			continue
		}
		n++
		p := loadString(t, "PROFILE.md "+lang, body, LoadOptions{})
		if p.UID() == "" || len(p.permissions) == 0 {
			t.Errorf("PROFILE.md %s example: %s with %d permissions", lang, p.UID(), len(p.permissions))
		}
	}
	if n != 2 {
		t.Errorf("PROFILE.md has %d examples, want 2", n)
	}
}
