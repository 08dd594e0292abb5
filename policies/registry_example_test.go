package policies_test

import (
	"fmt"
	"time"

	"samband/policies"
)

func ExampleParseNationalID() {
	now := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	key := policies.SubjectKey("an example key of 32 bytes, no!!")
	a, _ := policies.ParseNationalID("SE", "750623-1237", now) // synthetic
	b, _ := policies.ParseNationalID("se", "19750623 1237", now)
	sa, _ := a.Subject(key)
	sb, _ := b.Subject(key)
	fmt.Println(a, sa == sb, len(sa))
	_, err := policies.ParseNationalID("NO", "15038510191", now)
	fmt.Println(err)
	// Output:
	// SE national identity number (hidden) true 64
	// invalid national identity number: NO: the check digits do not match
}

func ExampleConsent_Holds() {
	granted := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	c := policies.Consent{
		Subject:        "3f9a0c5b7e1d2a4f6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a2b4c6d8e0f2a",
		RecipientClass: "municipality",
		Purposes:       []string{"housing-benefit"},
		Targets:        []string{"*"},
		From:           granted,
		Until:          granted.AddDate(1, 0, 0),
	}
	q := policies.ConsentQuery{Subject: c.Subject, Recipient: "0192:964338531",
		RecipientClasses: []string{"public-authority", "municipality"},
		Purpose:          "housing-benefit", Target: "https://data.norge.no/datasets/income", At: granted.AddDate(0, 6, 0)}
	fmt.Println(c.Validate(), c.Holds(q))
	q.At = c.Until // Until is exclusive
	fmt.Println(c.Holds(q))
	c.Targets = nil // "for nothing" or "for all"? Neither: say "*"
	fmt.Println(c.Validate())
	// Output:
	// <nil> true
	// false
	// invalid consent: targets: at least one is required, or "*" alone for all
}
