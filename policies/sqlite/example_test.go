package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"samband/policies"
	"samband/policies/sqlite"
)

// A Norwegian heir certificate names an heir living in Finland; the
// registry answers that she may ask Norway's population register for the
// death record of the deceased, to settle the inheritance, until the
// mandate is revoked.
func Example() {
	dir, err := os.MkdirTemp("", "samband")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	reg, err := sqlite.Open(ctx, filepath.Join(dir, "samband.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer reg.Close()

	key := policies.SubjectKey("an example key of 32 bytes, no!!") // from policies.subject_key_file in real use
	subject := func(country, number string) policies.Subject {
		id, err := policies.ParseNationalID(country, number, time.Now())
		if err != nil {
			log.Fatal(err)
		}
		s, err := id.Subject(key)
		if err != nil {
			log.Fatal(err)
		}
		return s
	}
	deceased := subject("NO", "311245 90062") // synthetic numbers
	heir := subject("FI", "170852-234C")

	const deathRecords = "https://data.norge.no/dataservices/folkeregisteret-death-record"
	m, err := reg.GrantMandate(ctx, policies.Mandate{
		Grantor: deceased, GrantorDeceased: true, Representative: heir,
		Targets: []string{deathRecords}, Purposes: []string{"inheritance-settlement"},
		LifeEvents: []string{"death-and-inheritance"},
		Basis:      policies.BasisHeirCertificate, Evidence: "Oslo tingrett 26-123456SKI-OTIR/05", Issuer: "NO",
	}, policies.Note{Via: "example"})
	if err != nil {
		log.Fatal(err)
	}
	q := policies.MandateQuery{Representative: heir, Grantor: deceased, Target: deathRecords,
		Purpose: "inheritance-settlement", LifeEvent: "death-and-inheritance", At: time.Now()}
	g, ok, err := reg.Mandate(ctx, q)
	fmt.Println(ok, g.Basis, g.ID == m.ID, err)

	if _, err := reg.RevokeMandate(ctx, m.ID, policies.Note{Via: "example", Reason: "certificate replaced"}); err != nil {
		log.Fatal(err)
	}
	_, ok, err = reg.Mandate(ctx, q)
	fmt.Println(ok, err)
	ms, err := reg.Mandates(ctx, heir)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range ms[0].History {
		fmt.Printf("%s by %s (%q)\n", e.Kind, e.Via, e.Reason)
	}
	// Output:
	// true heir-certificate true <nil>
	// false <nil>
	// granted by example ("")
	// revoked by example ("certificate replaced")
}
