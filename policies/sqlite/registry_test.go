package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	catsqlite "samband/catalog/sqlite"
	"samband/policies"
)

var testKey = policies.SubjectKey("test key, not for use anywhere!!")

// person returns the Subject of a synthetic national identity number.
func person(t testing.TB, country, number string) policies.Subject {
	t.Helper()
	id, err := policies.ParseNationalID(country, number, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := id.Subject(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func openTemp(t testing.TB) (*Registry, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "registry.db")
	r, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return r, path
}

// The death record service of Norway's population register, as a
// catalogue would name it (an illustrative IRI).
const deathRecords = "https://data.norge.no/dataservices/folkeregisteret-death-record"

func TestConsentLifecycle(t *testing.T) {
	ctx := context.Background()
	r, _ := openTemp(t)
	kari := person(t, "NO", "15038510190")
	c, err := r.GrantConsent(ctx, policies.Consent{
		Subject:   kari,
		Recipient: "0192:974760673",
		Purposes:  []string{"inheritance-settlement"},
		Targets:   []string{deathRecords},
		Until:     time.Now().AddDate(1, 0, 0),
		Reference: "urn:altinn:consent:0a7d59f8",
	}, policies.Note{Via: "api"})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.ID) != 16 || c.Granted.IsZero() || c.From.IsZero() || len(c.History) != 1 {
		t.Fatalf("granted %+v", c)
	}
	q := policies.ConsentQuery{Subject: kari, Recipient: "0192:974760673", Purpose: "inheritance-settlement", Target: deathRecords}
	g, ok, err := r.Consent(ctx, q)
	if err != nil || !ok || g.ID != c.ID || !g.Until.Equal(c.Until) || g.Basis != "" {
		t.Fatalf("Consent = %+v, %v, %v; want %s until %s", g, ok, err, c.ID, c.Until)
	}

	got, err := r.RescindConsent(ctx, c.ID, policies.Note{Via: "cli", Reason: "withdrawn by the data subject"})
	if err != nil {
		t.Fatal(err)
	}
	// The very next question sees the rescission.
	if g, ok, err := r.Consent(ctx, q); ok || err != nil {
		t.Fatalf("Consent after rescission = %+v, %v, %v; want none", g, ok, err)
	}
	if got.Rescinded == nil || len(got.History) != 2 || got.History[1].Kind != policies.EventRescinded ||
		got.History[1].Reason != "withdrawn by the data subject" || got.History[1].Via != "cli" || got.History[0].Via != "api" {
		t.Fatalf("rescinded consent = %+v", got)
	}
	if _, err := r.RescindConsent(ctx, c.ID, policies.Note{}); !errors.Is(err, policies.ErrRescinded) {
		t.Errorf("rescinding twice = %v, want ErrRescinded", err)
	}
	if _, err := r.RescindConsent(ctx, "nosuchconsent000", policies.Note{}); !errors.Is(err, policies.ErrUnknownConsent) {
		t.Errorf("rescinding an unknown id = %v, want ErrUnknownConsent", err)
	}
	if _, err := r.ConsentByID(ctx, "nosuchconsent000"); !errors.Is(err, policies.ErrUnknownConsent) {
		t.Errorf("ConsentByID(unknown) = %v", err)
	}

	// A new consent; the history keeps both, newest first.
	c2, err := r.GrantConsent(ctx, policies.Consent{Subject: kari, RecipientClass: "public-authority",
		Purposes: []string{"*"}, Targets: []string{"*"}, Until: time.Now().Add(time.Hour)}, policies.Note{Via: "api"})
	if err != nil {
		t.Fatal(err)
	}
	all, err := r.Consents(ctx, kari)
	if err != nil || len(all) != 2 || all[0].ID != c2.ID || all[1].ID != c.ID || all[1].Rescinded == nil ||
		len(all[1].History) != 2 || len(all[0].History) != 1 {
		t.Fatalf("Consents = %+v, %v", all, err)
	}
	if all[1].Reference != "urn:altinn:consent:0a7d59f8" || all[1].Purposes[0] != "inheritance-settlement" {
		t.Errorf("terms read back = %+v", all[1])
	}
	// The class consent answers a member of the class.
	q.Recipient, q.RecipientClasses = "0192:999999999", []string{"public-authority"}
	if g, ok, err := r.Consent(ctx, q); !ok || err != nil || g.ID != c2.ID {
		t.Errorf("Consent by class = %+v, %v, %v", g, ok, err)
	}
	if others, err := r.Consents(ctx, person(t, "SE", "750623-1237")); err != nil || len(others) != 0 {
		t.Errorf("another subject's consents = %+v, %v", others, err)
	}
}

// openPair opens two registries on one new file, as two processes would.
func openPair(t testing.TB) (a, b *Registry) {
	t.Helper()
	a, path := openTemp(t)
	b, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return a, b
}

// A rescission through one Registry is seen by the very next question to
// another on the same file, as when `gateway consent rescind` runs beside
// `gateway serve`.
func TestRescissionSeenAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	a, b := openPair(t)
	s := person(t, "SE", "750623-1237")
	q := policies.ConsentQuery{Subject: s, Recipient: "2021005448", Purpose: "p", Target: "t"}
	for i := 0; i < 20; i++ {
		c, err := a.GrantConsent(ctx, policies.Consent{Subject: s, Recipient: "2021005448", Purposes: []string{"p"},
			Targets: []string{"t"}, Until: time.Now().Add(time.Hour)}, policies.Note{})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok, err := b.Consent(ctx, q); !ok || err != nil {
			t.Fatalf("round %d: the other registry does not see the grant: %v", i, err)
		}
		if _, err := a.RescindConsent(ctx, c.ID, policies.Note{}); err != nil {
			t.Fatal(err)
		}
		if g, ok, err := b.Consent(ctx, q); ok || err != nil {
			t.Fatalf("round %d: the other registry still sees %+v after the rescission returned (%v)", i, g, err)
		}
	}
}

func TestConsentExpiry(t *testing.T) {
	ctx := context.Background()
	r, _ := openTemp(t)
	s := person(t, "DK", "010190-1234")
	from := time.Now().Truncate(time.Second)
	until := time.Now().Add(300 * time.Millisecond)
	c, err := r.GrantConsent(ctx, policies.Consent{Subject: s, Recipient: "DK-CVR:12345678", Purposes: []string{"p"},
		Targets: []string{"t"}, From: from, Until: until}, policies.Note{})
	if err != nil {
		t.Fatal(err)
	}
	q := policies.ConsentQuery{Subject: s, Recipient: "DK-CVR:12345678", Purpose: "p", Target: "t"}
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{from, true}, {from.Add(-time.Nanosecond), false}, {c.Until.Add(-time.Nanosecond), true}, {c.Until, false},
	} {
		q.At = tc.at
		if _, ok, err := r.Consent(ctx, q); ok != tc.want || err != nil {
			t.Errorf("Consent at %s = %v, %v; want %v", tc.at, ok, err, tc.want)
		}
	}
	// Asked at the present, once the present is past until.
	time.Sleep(time.Until(until) + 10*time.Millisecond)
	q.At = time.Time{}
	if _, ok, err := r.Consent(ctx, q); ok || err != nil {
		t.Errorf("Consent after it expired = %v, %v", ok, err)
	}
}

func TestGrantRefused(t *testing.T) {
	ctx := context.Background()
	r, _ := openTemp(t)
	s := person(t, "NO", "15038510190")
	for _, tc := range []struct {
		c    policies.Consent
		note policies.Note
		want string
	}{
		{policies.Consent{Subject: s, Recipient: "x", Purposes: []string{"p"}, Targets: nil, Until: time.Now().Add(time.Hour)},
			policies.Note{}, "targets: at least one"},
		{policies.Consent{Subject: s, Recipient: "x", Purposes: []string{"p"}, Targets: []string{"t"},
			From: time.Now().Add(-2 * time.Hour), Until: time.Now().Add(-time.Hour)}, policies.Note{}, "until: already past"},
		{policies.Consent{Subject: s, Recipient: "x", Purposes: []string{"p"}, Targets: []string{"t"}, Until: time.Now().Add(time.Hour)},
			policies.Note{Reason: "a\x1b[31m"}, "reason: holds a control character"},
	} {
		_, err := r.GrantConsent(ctx, tc.c, tc.note)
		if !errors.Is(err, policies.ErrInvalidConsent) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("GrantConsent = %v, want ErrInvalidConsent with %q", err, tc.want)
		}
	}
	if all, err := r.Consents(ctx, s); err != nil || len(all) != 0 {
		t.Errorf("refused grants left %+v, %v", all, err)
	}
	if _, err := r.GrantMandate(ctx, policies.Mandate{Grantor: s}, policies.Note{}); !errors.Is(err, policies.ErrInvalidMandate) {
		t.Errorf("GrantMandate of nothing = %v", err)
	}
	if _, _, err := r.Consent(ctx, policies.ConsentQuery{Subject: s}); err == nil {
		t.Error("an incomplete question was answered")
	}
}

// The cross-border death-and-inheritance case: a Norwegian probate court's
// heir certificate names an heir who lives in Finland; she asks Norway's
// population register for the death record of the deceased, to settle the
// inheritance.
func TestEstateMandate(t *testing.T) {
	ctx := context.Background()
	r, _ := openTemp(t)
	deceased := person(t, "NO", "31124590062")
	heir := person(t, "FI", "170852-234C")
	m, err := r.GrantMandate(ctx, policies.Mandate{
		Grantor:         deceased,
		GrantorDeceased: true,
		Representative:  heir,
		Targets:         []string{deathRecords},
		Purposes:        []string{"inheritance-settlement"},
		LifeEvents:      []string{"death-and-inheritance"},
		Basis:           policies.BasisHeirCertificate,
		Evidence:        "Oslo tingrett, skifteattest 26-123456SKI-OTIR/05",
		Issuer:          "NO",
	}, policies.Note{Via: "api", Reason: "heir certificate received from the probate court"})
	if err != nil {
		t.Fatal(err)
	}
	q := policies.MandateQuery{Representative: heir, Grantor: deceased, Target: deathRecords,
		Purpose: "inheritance-settlement", LifeEvent: "death-and-inheritance"}
	g, ok, err := r.Mandate(ctx, q)
	if err != nil || !ok || g.ID != m.ID || g.Basis != "heir-certificate" || !g.Until.IsZero() {
		t.Fatalf("Mandate = %+v, %v, %v; want %s under an heir certificate, open-ended", g, ok, err, m.ID)
	}
	// Out of scope, one way at a time.
	for name, change := range map[string]func(q *policies.MandateQuery){
		"another service":     func(q *policies.MandateQuery) { q.Target = "https://data.norge.no/dataservices/tax-assessment" },
		"another purpose":     func(q *policies.MandateQuery) { q.Purpose = "research" },
		"another life event":  func(q *policies.MandateQuery) { q.LifeEvent = "having-a-child" },
		"no life event given": func(q *policies.MandateQuery) { q.LifeEvent = "" },
		"roles swapped":       func(q *policies.MandateQuery) { q.Grantor, q.Representative = q.Representative, q.Grantor },
		"another heir":        func(q *policies.MandateQuery) { q.Representative = person(t, "SE", "750623-1237") },
		"before it was given": func(q *policies.MandateQuery) { q.At = m.From.Add(-time.Second) },
	} {
		q := q
		change(&q)
		if g, ok, err := r.Mandate(ctx, q); ok || err != nil {
			t.Errorf("%s: Mandate = %+v, %v, %v; want none", name, g, ok, err)
		}
	}
	// Both the heir and the estate find it among their mandates.
	for _, s := range []policies.Subject{deceased, heir} {
		ms, err := r.Mandates(ctx, s)
		if err != nil || len(ms) != 1 || ms[0].ID != m.ID || !ms[0].GrantorDeceased || ms[0].Issuer != "NO" ||
			ms[0].Evidence != m.Evidence || len(ms[0].History) != 1 || ms[0].History[0].Reason == "" {
			t.Fatalf("Mandates(%s) = %+v, %v", s[:8], ms, err)
		}
	}

	// Revoked (the certificate was replaced): at once.
	if _, err := r.RevokeMandate(ctx, m.ID, policies.Note{Via: "cli", Reason: "heir certificate revoked by the court"}); err != nil {
		t.Fatal(err)
	}
	if g, ok, err := r.Mandate(ctx, q); ok || err != nil {
		t.Fatalf("Mandate after revocation = %+v, %v, %v", g, ok, err)
	}
	if _, err := r.RevokeMandate(ctx, m.ID, policies.Note{}); !errors.Is(err, policies.ErrRevoked) {
		t.Errorf("revoking twice = %v, want ErrRevoked", err)
	}
	if _, err := r.RevokeMandate(ctx, "nosuchmandate000", policies.Note{}); !errors.Is(err, policies.ErrUnknownMandate) {
		t.Errorf("revoking an unknown id = %v", err)
	}
	got, err := r.MandateByID(ctx, m.ID)
	if err != nil || got.Revoked == nil || len(got.History) != 2 || got.History[1].Kind != policies.EventRevoked {
		t.Fatalf("MandateByID = %+v, %v", got, err)
	}
}

func TestMandateExpiry(t *testing.T) {
	ctx := context.Background()
	r, _ := openTemp(t)
	child, parent := person(t, "EE", "60301170184"), person(t, "EE", "38805122735")
	until := time.Now().Add(300 * time.Millisecond)
	m, err := r.GrantMandate(ctx, policies.Mandate{Grantor: child, Representative: parent, Targets: []string{"*"},
		Purposes: []string{"*"}, LifeEvents: []string{"*"}, Until: until, Basis: policies.BasisParentalResponsibility,
		Evidence: "rahvastikuregister: parental responsibility", Issuer: "EE"}, policies.Note{})
	if err != nil {
		t.Fatal(err)
	}
	q := policies.MandateQuery{Representative: parent, Grantor: child, Target: "https://eesti.ee/x", Purpose: "school"}
	if g, ok, err := r.Mandate(ctx, q); !ok || err != nil || !g.Until.Equal(m.Until) || g.Basis != "parental-responsibility" {
		t.Fatalf("Mandate = %+v, %v, %v", g, ok, err)
	}
	q.At = m.Until
	if _, ok, _ := r.Mandate(ctx, q); ok {
		t.Error("Mandate holds at its until")
	}
	time.Sleep(time.Until(until) + 10*time.Millisecond)
	q.At = time.Time{}
	if _, ok, err := r.Mandate(ctx, q); ok || err != nil {
		t.Errorf("Mandate after it expired = %v, %v", ok, err)
	}
}

// The history cannot be rewritten, not even by SQL on the file.
func TestHistoryAppendOnly(t *testing.T) {
	ctx := context.Background()
	r, path := openTemp(t)
	s := person(t, "IS", "1203892039")
	c, err := r.GrantConsent(ctx, policies.Consent{Subject: s, Recipient: "x", Purposes: []string{"p"}, Targets: []string{"t"},
		Until: time.Now().Add(time.Hour)}, policies.Note{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := r.GrantMandate(ctx, policies.Mandate{Grantor: s, Representative: person(t, "NO", "15038510190"),
		Targets: []string{"t"}, Purposes: []string{"p"}, LifeEvents: []string{"*"}, Basis: policies.BasisGeneralPowerOfAttorney,
		Evidence: "fullmakt 1", Issuer: "IS"}, policies.Note{})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, stmt := range []string{
		"DELETE FROM consents",
		"DELETE FROM consent_events",
		"UPDATE consent_events SET reason = 'x'",
		"UPDATE consents SET targets = '[\"*\"]'",
		"UPDATE consents SET rescinded = NULL",
		"DELETE FROM mandates",
		"DELETE FROM mandate_events",
		"UPDATE mandate_events SET at = 0",
		"UPDATE mandates SET valid_until = NULL",
		"UPDATE mandates SET basis = 'court-order'",
	} {
		if _, err := db.Exec(stmt); err == nil {
			t.Errorf("%s: allowed", stmt)
		}
	}
	// Rescinding is the one change, and only once.
	if _, err := db.Exec("UPDATE consents SET rescinded = 1 WHERE id = ?", c.ID); err != nil {
		t.Errorf("setting rescinded: %v", err)
	}
	if _, err := db.Exec("UPDATE consents SET rescinded = 2 WHERE id = ?", c.ID); err == nil {
		t.Error("rescinded twice")
	}
	if _, err := db.Exec("UPDATE mandates SET revoked = 1 WHERE id = ?", m.ID); err != nil {
		t.Errorf("setting revoked: %v", err)
	}
}

// The registry and the catalogue share one file, each with its own tables
// and its own migrations.
func TestSharesCatalogFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "samband.db")
	for round := 0; round < 2; round++ { // the second round opens existing schemas
		store, err := catsqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		cv, err := store.SchemaVersion(ctx)
		if err != nil || cv < 5 {
			t.Fatalf("catalogue schema = %d, %v", cv, err)
		}
		pv, err := r.SchemaVersion(ctx)
		if err != nil || pv != 1 {
			t.Fatalf("registry schema = %d, %v", pv, err)
		}
		s := person(t, "NO", "15038510190")
		if _, err := r.GrantConsent(ctx, policies.Consent{Subject: s, Recipient: "x", Purposes: []string{"p"},
			Targets: []string{"t"}, Until: time.Now().Add(time.Hour)}, policies.Note{}); err != nil {
			t.Fatal(err)
		}
		if all, err := r.Consents(ctx, s); err != nil || len(all) != round+1 {
			t.Fatalf("round %d: %d consents, %v", round, len(all), err)
		}
		if err := store.Close(); err != nil {
			t.Fatal(err)
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	r, path := openTemp(t)
	r.Close()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO policies_migrations (version, name, applied) VALUES (99, 'future.sql', 0)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(ctx, path); err == nil || !strings.Contains(err.Error(), "newer than this program knows") {
		t.Fatalf("Open of a newer schema = %v", err)
	}
}

func TestClosed(t *testing.T) {
	ctx := context.Background()
	r, _ := openTemp(t)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	s := person(t, "NO", "15038510190")
	if _, _, err := r.Consent(ctx, policies.ConsentQuery{Subject: s, Recipient: "x", Purpose: "p", Target: "t"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Consent after Close = %v", err)
	}
	if _, err := r.Consents(ctx, s); !errors.Is(err, ErrClosed) {
		t.Errorf("Consents after Close = %v", err)
	}
	if _, err := r.GrantMandate(ctx, policies.Mandate{}, policies.Note{}); err == nil {
		t.Error("GrantMandate after Close succeeded")
	}
	if _, err := Open(ctx, ""); err == nil {
		t.Error("Open(\"\") succeeded")
	}
}

// The SQL of Facts says what policies.Consent.Holds and
// policies.Mandate.Holds say, on random registries and questions.
func TestSQLAgreesWithHolds(t *testing.T) {
	ctx := context.Background()
	r, _ := openTemp(t)
	rng := rand.New(rand.NewPCG(1, 2))
	people := []policies.Subject{person(t, "NO", "15038510190"), person(t, "SE", "750623-1237"), person(t, "FI", "170852-234C")}
	pick := func(vals ...string) string { return vals[rng.IntN(len(vals))] }
	list := func(vals ...string) []string {
		if rng.IntN(4) == 0 {
			return []string{"*"}
		}
		var l []string
		for _, v := range vals {
			if rng.IntN(2) == 0 {
				l = append(l, v)
			}
		}
		if len(l) == 0 {
			l = []string{vals[0]}
		}
		return l
	}
	base := time.Now().Add(time.Hour).Truncate(time.Hour)
	var consents []policies.Consent
	var mandates []policies.Mandate
	for i := 0; i < 300; i++ {
		c := policies.Consent{Subject: people[rng.IntN(3)], Purposes: list("p1", "p2", "p3"), Targets: list("t1", "t2", "t3"),
			From: base.Add(time.Duration(rng.IntN(10)) * time.Hour)}
		c.Until = c.From.Add(time.Duration(1+rng.IntN(10)) * time.Hour)
		if rng.IntN(2) == 0 {
			c.Recipient = pick("org1", "org2")
		} else {
			c.RecipientClass = pick("class1", "class2")
		}
		c, err := r.GrantConsent(ctx, c, policies.Note{})
		if err != nil {
			t.Fatal(err)
		}
		if rng.IntN(5) == 0 {
			if c, err = r.RescindConsent(ctx, c.ID, policies.Note{}); err != nil {
				t.Fatal(err)
			}
		}
		consents = append(consents, c)

		g, rep := rng.IntN(3), rng.IntN(3)
		if g == rep {
			continue
		}
		m := policies.Mandate{Grantor: people[g], Representative: people[rep], Targets: list("t1", "t2", "t3"),
			Purposes: list("p1", "p2", "p3"), LifeEvents: list("e1", "e2"), From: base.Add(time.Duration(rng.IntN(10)) * time.Hour),
			Basis: policies.BasisGeneralPowerOfAttorney, Evidence: "e", Issuer: "NO"}
		if rng.IntN(2) == 0 {
			m.Until = m.From.Add(time.Duration(1+rng.IntN(10)) * time.Hour)
		}
		m, err = r.GrantMandate(ctx, m, policies.Note{})
		if err != nil {
			t.Fatal(err)
		}
		if rng.IntN(5) == 0 {
			if m, err = r.RevokeMandate(ctx, m.ID, policies.Note{}); err != nil {
				t.Fatal(err)
			}
		}
		mandates = append(mandates, m)
	}
	held := [2]int{}
	for i := 0; i < 2000; i++ {
		at := base.Add(time.Duration(rng.IntN(25)) * 30 * time.Minute)
		cq := policies.ConsentQuery{Subject: people[rng.IntN(3)], Recipient: pick("org1", "org2", "org3"),
			Purpose: pick("p1", "p2", "p3", "p4"), Target: pick("t1", "t2", "t3", "t4"), At: at}
		if rng.IntN(2) == 0 {
			cq.RecipientClasses = list("class1", "class2", "class3")
		}
		want := ""
		for _, c := range consents {
			if c.Holds(cq) && (want == "" || c.Granted.After(findConsent(consents, want).Granted)) {
				want = c.ID
			}
		}
		g, ok, err := r.Consent(ctx, cq)
		if err != nil || ok != (want != "") || g.ID != want {
			t.Fatalf("Consent(%+v) = %+v, %v, %v; Holds says %q", cq, g, ok, err, want)
		}
		if ok {
			held[0]++
		}
		mq := policies.MandateQuery{Representative: people[rng.IntN(3)], Grantor: people[rng.IntN(3)],
			Target: pick("t1", "t2", "t3", "t4"), Purpose: pick("p1", "p2", "p3"), LifeEvent: pick("", "e1", "e2", "e3"), At: at}
		n := 0
		for _, m := range mandates {
			if m.Holds(mq) {
				n++
			}
		}
		g, ok, err = r.Mandate(ctx, mq)
		if err != nil || ok != (n > 0) {
			t.Fatalf("Mandate(%+v) = %+v, %v, %v; Holds says %d hold", mq, g, ok, err, n)
		}
		if ok {
			held[1]++
			if m := findMandate(mandates, g.ID); !m.Holds(mq) {
				t.Fatalf("Mandate(%+v) = %s, which does not hold", mq, g.ID)
			}
		}
	}
	if held[0] < 50 || held[1] < 50 {
		t.Fatalf("too few questions answered yes to compare: %v", held)
	}
	t.Logf("%d consent and %d mandate questions held of 2000 each", held[0], held[1])
}

func findConsent(cs []policies.Consent, id string) policies.Consent {
	for _, c := range cs {
		if c.ID == id {
			return c
		}
	}
	return policies.Consent{}
}

func findMandate(ms []policies.Mandate, id string) policies.Mandate {
	for _, m := range ms {
		if m.ID == id {
			return m
		}
	}
	return policies.Mandate{}
}

// Facts' answers come from memory while the file is unchanged, and any
// commit to it, through this Registry or another on the same file, is seen
// by the very next question.
func TestFactsCache(t *testing.T) {
	ctx := context.Background()
	a, b := openPair(t)
	heir, deceased := person(t, "FI", "170852-234C"), person(t, "NO", "15038510190")
	grant := func(r *Registry) policies.Mandate {
		t.Helper()
		m, err := r.GrantMandate(ctx, policies.Mandate{Grantor: deceased, GrantorDeceased: true, Representative: heir,
			Targets: []string{"*"}, Purposes: []string{"*"}, LifeEvents: []string{"*"}, Until: time.Now().Add(time.Hour),
			Basis: policies.BasisHeirCertificate, Evidence: "skifteattest", Issuer: "NO"}, policies.Note{})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	q := policies.MandateQuery{Representative: heir, Grantor: deceased, Target: "t", Purpose: "p", LifeEvent: "death-and-inheritance"}
	holds := func(want bool, when string) {
		t.Helper()
		if _, ok, err := b.Mandate(ctx, q); ok != want || err != nil {
			t.Fatalf("%s: Mandate = %v, %v; want %v", when, ok, err, want)
		}
	}
	holds(false, "before any grant")
	m := grant(a)
	holds(true, "after a grant through the other registry")
	// Every reader connection has read the file once, and dropped the
	// cache then; from now on nothing is dropped until the file changes.
	for range versionReaders {
		holds(true, "asked again")
	}
	gen := b.cache.gen
	holds(true, "asked again")
	if b.cache.gen != gen || len(b.cache.mandates) != 1 {
		t.Fatalf("the question did not come from the cache: generation %d → %d, %d pairs kept", gen, b.cache.gen, len(b.cache.mandates))
	}
	if _, err := a.RevokeMandate(ctx, m.ID, policies.Note{}); err != nil {
		t.Fatal(err)
	}
	holds(false, "after a revocation through the other registry")
	m = grant(b)
	holds(true, "after a grant through this registry")
	if _, err := b.RevokeMandate(ctx, m.ID, policies.Note{}); err != nil {
		t.Fatal(err)
	}
	holds(false, "after a revocation through this registry")

	// A consent kept, then rescinded by SQL on the file itself.
	cq := policies.ConsentQuery{Subject: deceased, Recipient: "2021005448", Purpose: "p", Target: "t"}
	c, err := a.GrantConsent(ctx, policies.Consent{Subject: deceased, Recipient: "2021005448", Purposes: []string{"p"},
		Targets: []string{"t"}, Until: time.Now().Add(time.Hour)}, policies.Note{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := b.Consent(ctx, cq); !ok || err != nil {
		t.Fatalf("Consent = %v, %v", ok, err)
	}
	if _, err := a.wdb.ExecContext(ctx, `UPDATE consents SET rescinded = ? WHERE id = ?`, time.Now().UnixNano(), c.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := b.Consent(ctx, cq); ok || err != nil {
		t.Fatalf("Consent after the row was rescinded in the file = %v, %v", ok, err)
	}
}

// Questions asked at once, from many goroutines, while consents are
// granted and rescinded: none begun after a rescission returned is
// answered from before it.
func TestFactsCacheConcurrent(t *testing.T) {
	ctx := context.Background()
	a, b := openPair(t)
	s := person(t, "SE", "750623-1237")
	q := policies.ConsentQuery{Subject: s, Recipient: "2021005448", Purpose: "p", Target: "t"}
	var rescinded atomic.Int64 // the round whose consent was last rescinded
	stop := make(chan struct{})
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					errs <- nil
					return
				default:
				}
				before := rescinded.Load()
				g, ok, err := b.Consent(ctx, q)
				if err != nil {
					errs <- err
					return
				}
				if ok && g.ID == idOfRound(before) {
					errs <- fmt.Errorf("consent %s of round %d held after its rescission returned", g.ID, before)
					return
				}
			}
		})
	}
	for i := int64(1); i <= 40; i++ {
		c, err := a.GrantConsent(ctx, policies.Consent{Subject: s, Recipient: "2021005448", Purposes: []string{"p"},
			Targets: []string{"t"}, Until: time.Now().Add(time.Hour)}, policies.Note{})
		if err != nil {
			t.Fatal(err)
		}
		rounds.Store(i, c.ID)
		if _, err := a.RescindConsent(ctx, c.ID, policies.Note{}); err != nil {
			t.Fatal(err)
		}
		rescinded.Store(i)
	}
	close(stop)
	wg.Wait()
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

var rounds sync.Map // round → consent id, for TestFactsCacheConcurrent

func idOfRound(i int64) string {
	id, _ := rounds.Load(i)
	s, _ := id.(string)
	return s
}
