package policies_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"samband/policies"
)

func Example() {
	const policy = `
@prefix odrl: <http://www.w3.org/ns/odrl/2/> .
@prefix sb:   <urn:samband:odrl:> .

<https://data.example.no/policy/tax> a odrl:Set ;
    odrl:target <https://data.example.no/dataset/tax-assessment> ;
    odrl:permission [
        odrl:action odrl:use ;
        odrl:constraint
            [ odrl:leftOperand odrl:spatial ; odrl:operator odrl:isPartOf ; odrl:rightOperand "EEA" ] ,
            [ odrl:leftOperand sb:legalBasis ; odrl:operator odrl:eq ;
              odrl:rightOperand <http://data.europa.eu/eli/reg/2016/679/art_6/par_1/pnt_e/oj> ]
    ] ;
    odrl:prohibition [ odrl:action odrl:distribute ] .
`
	ps, err := policies.Load(strings.NewReader(policy), "tax.ttl", policies.LoadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	set := policies.NewSet(ps...)
	req := policies.Request{
		Action:           "use",
		Target:           "https://data.example.no/dataset/tax-assessment",
		LegalBasis:       "http://data.europa.eu/eli/reg/2016/679/art_6/par_1/pnt_e/oj",
		RecipientOrg:     "0192:974760673",
		RecipientCountry: "SE",
		Time:             time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC),
	}
	d := set.Decide(context.Background(), &req, nil)
	fmt.Println(d.Effect, d.Rule.Kind, d.Rule.Index)

	req.RecipientCountry = "US"
	d = set.Decide(context.Background(), &req, nil)
	fmt.Println(d.Effect+":", d.Reason)
	// Output:
	// permit permission 0
	// deny: no permission holds: permission[0] of policy https://data.example.no/policy/tax requires that the recipient's country is in EEA, but the recipient's country is US
}

func ExampleLoad_error() {
	const policy = `{
  "@context": "http://www.w3.org/ns/odrl.jsonld",
  "uid": "https://data.example.no/policy/1",
  "permission": [{
    "action": "use",
    "constraint": [{"leftOperand": "partner", "operator": "eq", "rightOperand": "gold"}]
  }]
}`
	_, err := policies.Load(strings.NewReader(policy), "policy.json", policies.LoadOptions{})
	fmt.Println(err)
	// Output:
	// policy.json:6:36: policy https://data.example.no/policy/1: permission[0].constraint[0].leftOperand: unknown left operand "partner": not a name ODRL 2.2 or Samband's profile gives (the document's @context does not define it, or LoadOptions.Aliases could map it)
}
