package lifeevent_test

import (
	"fmt"
	"strings"

	"samband/catalog"
	"samband/catalog/lifeevent"
)

func ExampleRules_Classify() {
	rules := lifeevent.Default()
	d := catalog.Dataset{
		Title:    catalog.Text{"nb": {"Helt ledige etter fylke"}, "en": {"Unemployed persons by county"}},
		Keywords: catalog.Text{"nb": {"arbeidsledighet", "NAV"}},
		EUThemes: []string{"ECON"},
	}
	for _, m := range rules.Classify(d) {
		c, _ := rules.Concept(m.Concept)
		fmt.Println(m.Concept, m.How, c.Labels["nb"])
	}
	// Output:
	// job-loss keyword:unemploy* Miste og finne jobb
}

func ExampleLoad() {
	rules, err := lifeevent.Load(strings.NewReader(`
concepts:
  - id: retiring
    iri: https://gateway.example/life-events/retiring
    labels: {en: Retiring, fi: Eläkkeelle jääminen}
    terms:
      fi: [eläke*, eläkkee*]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	d := catalog.Dataset{Title: catalog.Text{"fi": {"Eläkkeensaajat kunnittain"}}}
	fmt.Println(rules.Classify(d))

	_, err = lifeevent.Load(strings.NewReader("concepts:\n  - id: retiring\n    iri: urn:x\n    labels: {en: Retiring}\n    themes: [PENSIONS]\n"))
	fmt.Println(err)
	// Output:
	// [{retiring keyword:eläkkee*}]
	// life-event rules: line 5: concept retiring: themes: "PENSIONS" is not an EU data-theme code (AGRI, ECON, EDUC, ENER, ENVI, GOVE, HEAL, INTR, JUST, OP_DATPRO, REGI, SOCI, TECH, TRAN)
}

func ExampleConcepts() {
	for _, c := range lifeevent.Concepts() {
		fmt.Printf("%-22s %s\n", c.ID, c.Labels["en"])
	}
	// Output:
	// having-a-child         Having a child
	// seriously-ill-child    Seriously ill child
	// job-loss               Losing and finding a job
	// new-in-country         New in the country
	// death-and-inheritance  Death and inheritance
	// voluntary-organisation Starting and running a voluntary organisation
	// starting-a-business    Starting and running a business
}
