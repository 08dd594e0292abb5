package policies

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func subjectOf(t testing.TB, country, number string) Subject {
	t.Helper()
	id, err := ParseNationalID(country, number, testNow)
	if err != nil {
		t.Fatal(err)
	}
	s, err := id.Subject(SubjectKey(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validConsent(t testing.TB) Consent {
	return Consent{
		Subject:   subjectOf(t, "NO", "15038510190"),
		Recipient: "0192:974760673",
		Purposes:  []string{"inheritance-settlement"},
		Targets:   []string{"https://data.norge.no/dataservices/death-record"},
		From:      testNow,
		Until:     testNow.AddDate(1, 0, 0),
	}
}

func validMandate(t testing.TB) Mandate {
	return Mandate{
		Grantor:         subjectOf(t, "NO", "15038510190"),
		GrantorDeceased: true,
		Representative:  subjectOf(t, "FI", "170852-234C"),
		Targets:         []string{"https://data.norge.no/dataservices/death-record"},
		Purposes:        []string{"inheritance-settlement"},
		LifeEvents:      []string{"death-and-inheritance"},
		From:            testNow,
		Basis:           BasisHeirCertificate,
		Evidence:        "Oslo tingrett 26-123456SKI-OTIR/05",
		Issuer:          "NO",
	}
}

func TestConsentValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(c *Consent)
		want   string // "" for valid
	}{
		{"valid", func(c *Consent) {}, ""},
		{"class", func(c *Consent) { c.Recipient, c.RecipientClass = "", "public-authority" }, ""},
		{"wildcards", func(c *Consent) { c.Purposes, c.Targets = []string{"*"}, []string{"*"} }, ""},
		{"no subject", func(c *Consent) { c.Subject = "" }, "subject: required"},
		{"a number for a subject", func(c *Consent) { c.Subject = "15038510190" }, "not a Subject"},
		{"no recipient", func(c *Consent) { c.Recipient = "" }, "one is required"},
		{"both recipients", func(c *Consent) { c.RecipientClass = "municipality" }, "not both"},
		{"no purposes", func(c *Consent) { c.Purposes = nil }, `purposes: at least one is required, or "*" alone`},
		{"empty targets", func(c *Consent) { c.Targets = []string{} }, `targets: at least one`},
		{"wildcard and more", func(c *Consent) { c.Targets = []string{"*", "x"} }, "must be alone"},
		{"empty target", func(c *Consent) { c.Targets = []string{"x", ""} }, "targets[1]: empty"},
		{"twice", func(c *Consent) { c.Purposes = []string{"a", "a"} }, `purposes[1]: "a" given twice`},
		{"control", func(c *Consent) { c.Purposes = []string{"a\x00"} }, "control character"},
		{"spaced", func(c *Consent) { c.Recipient = " 0192:974760673" }, "space around it"},
		{"long", func(c *Consent) { c.Reference = strings.Repeat("x", 3000) }, "longer than 2048"},
		{"too many", func(c *Consent) { c.Targets = make([]string, 101) }, "more than 100"},
		{"no from", func(c *Consent) { c.From = time.Time{} }, "from: required"},
		{"no until", func(c *Consent) { c.Until = time.Time{} }, "until: required: a consent is for a period"},
		{"until before from", func(c *Consent) { c.Until = c.From }, "until: must be after from"},
		{"far future", func(c *Consent) { c.Until = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC) }, "1900 to 2199"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := validConsent(t)
			tc.change(&c)
			err := c.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidConsent) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want ErrInvalidConsent with %q", err, tc.want)
			}
		})
	}
	// Every problem at once.
	err := Consent{}.Validate()
	for _, want := range []string{"subject", "recipient", "purposes", "targets", "from"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Consent{}.Validate() = %v, want it to name %s", err, want)
		}
	}
}

func TestMandateValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(m *Mandate)
		want   string
	}{
		{"estate", func(m *Mandate) {}, ""},
		{"court order for an estate", func(m *Mandate) { m.Basis = BasisCourtOrder }, ""},
		{"parent", func(m *Mandate) {
			m.GrantorDeceased, m.Basis, m.Until = false, BasisParentalResponsibility, testNow.AddDate(10, 0, 0)
		}, ""},
		{"power of attorney, open-ended", func(m *Mandate) {
			m.GrantorDeceased, m.Basis, m.LifeEvents = false, BasisGeneralPowerOfAttorney, []string{"*"}
		}, ""},
		{"heir certificate for the living", func(m *Mandate) { m.GrantorDeceased = false }, "set grantor_deceased"},
		{"power of attorney of the dead", func(m *Mandate) { m.Basis = BasisGeneralPowerOfAttorney }, "ends at the grantor's death"},
		{"guardian of the dead", func(m *Mandate) { m.Basis = BasisGuardianship }, "ends at the grantor's death"},
		{"parent without until", func(m *Mandate) {
			m.GrantorDeceased, m.Basis = false, BasisParentalResponsibility
		}, "until: required for parental responsibility"},
		{"no basis", func(m *Mandate) { m.Basis = "" }, "basis: required: one of heir-certificate, parental-responsibility"},
		{"unknown basis", func(m *Mandate) { m.Basis = "friendship" }, `basis: "friendship" is not one of`},
		{"no evidence", func(m *Mandate) { m.Evidence = "" }, "evidence: required"},
		{"issuer", func(m *Mandate) { m.Issuer = "Norway" }, "issuer"},
		{"self", func(m *Mandate) { m.Representative = m.Grantor }, "the same person as the grantor"},
		{"no life events", func(m *Mandate) { m.LifeEvents = nil }, "life_events: at least one"},
		{"no targets", func(m *Mandate) { m.Targets = nil }, "targets: at least one"},
		{"until before from", func(m *Mandate) { m.Until = m.From.Add(-time.Hour) }, "until: must be after from"},
		{"no representative", func(m *Mandate) { m.Representative = "" }, "representative: required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := validMandate(t)
			tc.change(&m)
			err := m.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidMandate) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want ErrInvalidMandate with %q", err, tc.want)
			}
		})
	}
}

func TestConsentHolds(t *testing.T) {
	c := validConsent(t)
	q := ConsentQuery{Subject: c.Subject, Recipient: c.Recipient, Purpose: c.Purposes[0], Target: c.Targets[0], At: testNow}
	rescinded := testNow.Add(time.Hour)
	cases := []struct {
		name   string
		change func(c *Consent, q *ConsentQuery)
		want   bool
	}{
		{"as granted", func(*Consent, *ConsentQuery) {}, true},
		{"from is inclusive", func(c *Consent, q *ConsentQuery) { q.At = c.From }, true},
		{"until is exclusive", func(c *Consent, q *ConsentQuery) { q.At = c.Until }, false},
		{"just before until", func(c *Consent, q *ConsentQuery) { q.At = c.Until.Add(-time.Nanosecond) }, true},
		{"before from", func(c *Consent, q *ConsentQuery) { q.At = c.From.Add(-time.Nanosecond) }, false},
		{"rescinded later: absolute", func(c *Consent, q *ConsentQuery) { c.Rescinded = &rescinded }, false},
		{"another subject", func(c *Consent, q *ConsentQuery) { q.Subject = subjectOf(t, "SE", "750623-1237") }, false},
		{"another recipient", func(c *Consent, q *ConsentQuery) { q.Recipient = "0192:123456785" }, false},
		{"another purpose", func(c *Consent, q *ConsentQuery) { q.Purpose = "marketing" }, false},
		{"another target", func(c *Consent, q *ConsentQuery) { q.Target = "https://data.norge.no/x" }, false},
		{"target differs in case", func(c *Consent, q *ConsentQuery) { q.Target = strings.ToUpper(q.Target) }, false},
		{"wildcard target", func(c *Consent, q *ConsentQuery) { c.Targets = []string{"*"}; q.Target = "anything" }, true},
		{"wildcard purpose", func(c *Consent, q *ConsentQuery) { c.Purposes = []string{"*"}; q.Purpose = "anything" }, true},
		{"class member", func(c *Consent, q *ConsentQuery) {
			c.Recipient, c.RecipientClass = "", "public-authority"
			q.RecipientClasses = []string{"municipality", "public-authority"}
		}, true},
		{"not a class member", func(c *Consent, q *ConsentQuery) {
			c.Recipient, c.RecipientClass = "", "public-authority"
			q.RecipientClasses = []string{"municipality"}
		}, false},
		{"a class consent, no recipient asked", func(c *Consent, q *ConsentQuery) {
			c.Recipient, c.RecipientClass = "", "public-authority"
			q.Recipient = ""
		}, false},
		{"empty question, wildcard consent", func(c *Consent, q *ConsentQuery) {
			c.Targets = []string{"*"}
			*q = ConsentQuery{Recipient: c.Recipient}
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, q := c, q
			tc.change(&c, &q)
			if got := c.Holds(q); got != tc.want {
				t.Fatalf("Holds(%+v) = %v, want %v", q, got, tc.want)
			}
		})
	}
}

func TestMandateHolds(t *testing.T) {
	m := validMandate(t)
	q := MandateQuery{Representative: m.Representative, Grantor: m.Grantor, Target: m.Targets[0], Purpose: m.Purposes[0],
		LifeEvent: "death-and-inheritance", At: testNow}
	revoked := testNow
	cases := []struct {
		name   string
		change func(m *Mandate, q *MandateQuery)
		want   bool
	}{
		{"estate", func(*Mandate, *MandateQuery) {}, true},
		{"open-ended, years later", func(m *Mandate, q *MandateQuery) { q.At = testNow.AddDate(30, 0, 0) }, true},
		{"expired", func(m *Mandate, q *MandateQuery) { m.Until = testNow.AddDate(1, 0, 0); q.At = m.Until }, false},
		{"revoked", func(m *Mandate, q *MandateQuery) { m.Revoked = &revoked }, false},
		{"another life event", func(m *Mandate, q *MandateQuery) { q.LifeEvent = "having-a-child" }, false},
		{"no life event asked", func(m *Mandate, q *MandateQuery) { q.LifeEvent = "" }, false},
		{"no life event asked, all covered", func(m *Mandate, q *MandateQuery) { q.LifeEvent, m.LifeEvents = "", []string{"*"} }, true},
		{"another target", func(m *Mandate, q *MandateQuery) { q.Target = "https://skatteetaten.no/tax-return" }, false},
		{"another purpose", func(m *Mandate, q *MandateQuery) { q.Purpose = "research" }, false},
		{"roles swapped", func(m *Mandate, q *MandateQuery) {
			q.Grantor, q.Representative = q.Representative, q.Grantor
		}, false},
		{"another grantor", func(m *Mandate, q *MandateQuery) { q.Grantor = subjectOf(t, "SE", "750623-1237") }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, q := m, q
			tc.change(&m, &q)
			if got := m.Holds(q); got != tc.want {
				t.Fatalf("Holds(%+v) = %v, want %v", q, got, tc.want)
			}
		})
	}
	if g := m.Grant(); g.Basis != "heir-certificate" || g.ID != m.ID || !g.Until.IsZero() {
		t.Errorf("Grant() = %+v", g)
	}
}

func TestCheckQueries(t *testing.T) {
	if err := CheckConsentQuery(ConsentQuery{}); err == nil || !strings.Contains(err.Error(), "subject, recipient, purpose, target") {
		t.Errorf("CheckConsentQuery({}) = %v", err)
	}
	if err := CheckMandateQuery(MandateQuery{Grantor: "x"}); err == nil || !strings.Contains(err.Error(), "representative, target, purpose") {
		t.Errorf("CheckMandateQuery = %v", err)
	}
	c := validConsent(t)
	if err := CheckConsentQuery(ConsentQuery{Subject: c.Subject, RecipientClasses: []string{"x"}, Purpose: "p", Target: "t"}); err != nil {
		t.Errorf("a question by class alone = %v", err)
	}
}
