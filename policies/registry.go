package policies

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Consent is a data subject's consent that a recipient (one organisation, or
// every organisation of a class) may use their data for the purposes named,
// on the targets named, from From until Until. Its terms never change once
// granted: a different consent is a rescission and a new grant, and both
// stay in the history.
//
// A consent holds for a ConsentQuery when all of these are true:
//
//   - it is not rescinded (a rescission is absolute: a rescinded consent
//     holds for no question, whatever its At; the history says what held
//     when);
//   - its Subject is the query's;
//   - its Recipient is the query's Recipient, or its RecipientClass is one
//     of the query's RecipientClasses;
//   - its Purposes are "*" or include the query's Purpose, and its Targets
//     are "*" or include the query's Target (compared exactly: IRIs are
//     case-sensitive);
//   - From <= At < Until: From is inclusive, Until exclusive, so a consent
//     until midnight does not hold at midnight.
//
// Purposes and Targets may not be empty: an empty list would read as "for
// nothing" to one reader and "for everything" to another, so neither is
// allowed and "everything" is said with the wildcard "*", alone.
type Consent struct {
	ID      string  `json:"id"`
	Subject Subject `json:"subject"`
	// Recipient is the one organisation consented to, by its identifier
	// (an ISO 6523 organisation identifier such as "0192:974760673", or an
	// IRI). Exactly one of Recipient and RecipientClass is set.
	Recipient string `json:"recipient,omitempty"`
	// RecipientClass is a class of organisations consented to
	// ("public-authority", "municipality", ...): it covers every recipient
	// the question says belongs to it.
	RecipientClass string    `json:"recipient_class,omitempty"`
	Purposes       []string  `json:"purposes"`
	Targets        []string  `json:"targets"` // datasets' or data services' IRIs or catalogue ids
	From           time.Time `json:"from"`
	// Until ends the consent (exclusive); a consent is always for a period,
	// so it is required.
	Until time.Time `json:"until"`
	// Reference says where the consent was given, when it was given
	// elsewhere: an Altinn consent id, a form's number. Optional.
	Reference string     `json:"reference,omitempty"`
	Granted   time.Time  `json:"granted"`
	Rescinded *time.Time `json:"rescinded,omitempty"`
	// History is every grant and rescission, oldest first, as the registry
	// keeps them; ignored on grant.
	History []Event `json:"history,omitempty"`
}

// Mandate is a power of attorney: the Representative may act for the
// Grantor (a living person, or the estate of a deceased one when
// GrantorDeceased is set) on the targets, for the purposes and in the life
// events named, from From until Until, as Basis and Evidence establish.
// Its terms never change once granted; revoking it is recorded beside it.
//
// A mandate holds for a MandateQuery when all of these are true:
//
//   - it is not revoked (absolute, as for a consent's rescission);
//   - its Representative and Grantor are the query's;
//   - its Targets and Purposes are "*" or include the query's;
//   - its LifeEvents are "*", or include the query's LifeEvent; a query
//     that names no life event is covered only by "*";
//   - From <= At, and At < Until unless Until is zero (until revoked).
//
// Targets, Purposes and LifeEvents may not be empty; "*", alone, says all.
type Mandate struct {
	ID      string  `json:"id"`
	Grantor Subject `json:"grantor"`
	// GrantorDeceased says the Grantor has died and the mandate is to act
	// for their estate (an heir under an heir certificate, an administrator
	// under a court order).
	GrantorDeceased bool      `json:"grantor_deceased,omitempty"`
	Representative  Subject   `json:"representative"`
	Targets         []string  `json:"targets"`
	Purposes        []string  `json:"purposes"`
	LifeEvents      []string  `json:"life_events"` // life-event ids of catalog/lifeevent, or "*"
	From            time.Time `json:"from"`
	// Until ends the mandate (exclusive); zero: until revoked. Required for
	// parental responsibility, which ends when the child comes of age.
	Until time.Time    `json:"until,omitzero"`
	Basis MandateBasis `json:"basis"`
	// Evidence is the reference of the document that establishes the
	// mandate: the court's case number of an heir certificate, the
	// register entry of a guardianship, the power of attorney's number.
	Evidence string `json:"evidence"`
	// Issuer is the country (ISO 3166-1 alpha-2) whose authority issued the
	// evidence.
	Issuer  string     `json:"issuer"`
	Granted time.Time  `json:"granted"`
	Revoked *time.Time `json:"revoked,omitempty"`
	// History is every grant and revocation, oldest first; ignored on grant.
	History []Event `json:"history,omitempty"`
}

// MandateBasis is how a mandate was established.
type MandateBasis string

// The ways a mandate is established.
const (
	// BasisHeirCertificate: a probate court's (or the tax authority's)
	// certificate naming the heirs who take over the estate of a deceased
	// person (skifteattest, arvintodistus, bouppteckning). The grantor is
	// deceased.
	BasisHeirCertificate MandateBasis = "heir-certificate"
	// BasisParentalResponsibility: a parent or guardian of a minor child,
	// as the population register records it. The grantor (the child) is
	// living, and the mandate ends when the child comes of age: Until is
	// required.
	BasisParentalResponsibility MandateBasis = "parental-responsibility"
	// BasisGeneralPowerOfAttorney: a power of attorney the grantor signed.
	BasisGeneralPowerOfAttorney MandateBasis = "general-power-of-attorney"
	// BasisLastingPowerOfAttorney: a power of attorney that took effect
	// when the grantor could no longer look after their affairs, once
	// confirmed by the authority (fremtidsfullmakt, framtidsfullmakt,
	// edunvalvontavaltuutus).
	BasisLastingPowerOfAttorney MandateBasis = "lasting-power-of-attorney"
	// BasisGuardianship: a guardian an authority appointed for an adult.
	BasisGuardianship MandateBasis = "guardianship"
	// BasisCourtOrder: any other order of a court, such as an estate's
	// administrator in an official administration.
	BasisCourtOrder MandateBasis = "court-order"
)

// MandateBases lists every MandateBasis, in the order above.
func MandateBases() []MandateBasis {
	return []MandateBasis{BasisHeirCertificate, BasisParentalResponsibility, BasisGeneralPowerOfAttorney,
		BasisLastingPowerOfAttorney, BasisGuardianship, BasisCourtOrder}
}

// Event is one entry in the history of a consent or mandate.
type Event struct {
	Kind string    `json:"kind"` // EventGranted, EventRescinded or EventRevoked
	At   time.Time `json:"at"`
	// Via is the interface that recorded it: "api", "cli".
	Via    string `json:"via,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// The kinds of Event.
const (
	EventGranted   = "granted"
	EventRescinded = "rescinded" // a consent's
	EventRevoked   = "revoked"   // a mandate's
)

// Note is what the registry records beside a grant, rescission or
// revocation: the interface that made it and, optionally, why.
type Note struct {
	Via    string
	Reason string
}

// Wildcard, alone in a list of targets, purposes or life events, stands
// for all of them.
const Wildcard = "*"

// Errors of the consent and mandate registry.
var (
	ErrInvalidConsent = errors.New("invalid consent")
	ErrInvalidMandate = errors.New("invalid mandate")
	ErrUnknownConsent = errors.New("no such consent")
	ErrUnknownMandate = errors.New("no such mandate")
	ErrRescinded      = errors.New("consent already rescinded")
	ErrRevoked        = errors.New("mandate already revoked")
)

// Limits on what a consent or mandate may hold.
const (
	maxEntries = 100  // targets, purposes or life events
	maxText    = 2048 // one target, purpose, reference, reason ...
)

// Validate reports every way c is not a consent that may be granted, in
// one error wrapping ErrInvalidConsent. It does not look at ID, Granted,
// Rescinded or History, which the registry sets.
func (c Consent) Validate() error {
	var p problems
	p.subject("subject", c.Subject)
	switch {
	case c.Recipient == "" && c.RecipientClass == "":
		p.add("recipient or recipient_class: one is required")
	case c.Recipient != "" && c.RecipientClass != "":
		p.add("recipient and recipient_class: give one, not both (two consents for two)")
	case c.Recipient != "":
		p.text("recipient", c.Recipient, true)
	default:
		p.text("recipient_class", c.RecipientClass, true)
	}
	p.list("purposes", c.Purposes)
	p.list("targets", c.Targets)
	switch {
	case c.From.IsZero():
		p.add("from: required")
	case c.Until.IsZero():
		p.add("until: required: a consent is for a period")
	case !c.Until.After(c.From):
		p.add("until: must be after from")
	}
	p.when("from", c.From)
	p.when("until", c.Until)
	p.text("reference", c.Reference, false)
	return p.err(ErrInvalidConsent)
}

// Validate reports every way m is not a mandate that may be granted, in
// one error wrapping ErrInvalidMandate. It does not look at ID, Granted,
// Revoked or History, which the registry sets.
func (m Mandate) Validate() error {
	var p problems
	p.subject("grantor", m.Grantor)
	p.subject("representative", m.Representative)
	if m.Grantor != "" && m.Grantor == m.Representative {
		p.add("representative: the same person as the grantor")
	}
	p.list("targets", m.Targets)
	p.list("purposes", m.Purposes)
	p.list("life_events", m.LifeEvents)
	switch {
	case m.From.IsZero():
		p.add("from: required")
	case !m.Until.IsZero() && !m.Until.After(m.From):
		p.add("until: must be after from")
	}
	p.when("from", m.From)
	p.when("until", m.Until)
	switch m.Basis {
	case "":
		p.add("basis: required: one of " + basesList())
	case BasisHeirCertificate:
		if !m.GrantorDeceased {
			p.add("grantor_deceased: an heir certificate is for the estate of a deceased grantor; set grantor_deceased")
		}
	case BasisCourtOrder:
	case BasisParentalResponsibility:
		if m.Until.IsZero() {
			p.add("until: required for parental responsibility: the day the child comes of age")
		}
		fallthrough
	case BasisGeneralPowerOfAttorney, BasisLastingPowerOfAttorney, BasisGuardianship:
		if m.GrantorDeceased {
			p.add(fmt.Sprintf("basis: %s ends at the grantor's death; an estate is represented under an heir certificate or a court order", m.Basis))
		}
	default:
		p.add(fmt.Sprintf("basis: %q is not one of %s", m.Basis, basesList()))
	}
	if m.Evidence == "" {
		p.add("evidence: required: the reference of the document that establishes the mandate")
	} else {
		p.text("evidence", m.Evidence, true)
	}
	if !isCountry(m.Issuer) {
		p.add(fmt.Sprintf("issuer: %q is not an ISO 3166-1 alpha-2 country code such as NO", m.Issuer))
	}
	return p.err(ErrInvalidMandate)
}

// Holds reports whether c holds for q (see Consent for the rules). A query
// with no At is asked at the present.
func (c Consent) Holds(q ConsentQuery) bool {
	at := q.At
	if at.IsZero() {
		at = time.Now()
	}
	if c.Rescinded != nil || c.Subject != q.Subject || q.Subject == "" {
		return false
	}
	if !(c.Recipient != "" && c.Recipient == q.Recipient) &&
		!(c.RecipientClass != "" && slices.Contains(q.RecipientClasses, c.RecipientClass)) {
		return false
	}
	return covers(c.Purposes, q.Purpose) && covers(c.Targets, q.Target) &&
		!at.Before(c.From) && at.Before(c.Until)
}

// Holds reports whether m holds for q (see Mandate for the rules). A query
// with no At is asked at the present.
func (m Mandate) Holds(q MandateQuery) bool {
	at := q.At
	if at.IsZero() {
		at = time.Now()
	}
	if m.Revoked != nil || q.Grantor == "" || m.Grantor != q.Grantor || m.Representative != q.Representative {
		return false
	}
	return covers(m.Targets, q.Target) && covers(m.Purposes, q.Purpose) && covers(m.LifeEvents, q.LifeEvent) &&
		!at.Before(m.From) && (m.Until.IsZero() || at.Before(m.Until))
}

// Grant returns what Facts answers when c holds.
func (c Consent) Grant() Grant { return Grant{ID: c.ID, Until: c.Until} }

// Grant returns what Facts answers when m holds.
func (m Mandate) Grant() Grant { return Grant{ID: m.ID, Basis: string(m.Basis), Until: m.Until} }

// CheckConsentQuery reports a question that names no subject, recipient,
// purpose or target: no consent can answer it.
func CheckConsentQuery(q ConsentQuery) error {
	var missing []string
	if q.Subject == "" {
		missing = append(missing, "subject")
	}
	if q.Recipient == "" && len(q.RecipientClasses) == 0 {
		missing = append(missing, "recipient")
	}
	if q.Purpose == "" {
		missing = append(missing, "purpose")
	}
	if q.Target == "" {
		missing = append(missing, "target")
	}
	if len(missing) > 0 {
		return fmt.Errorf("consent query without %s", strings.Join(missing, ", "))
	}
	return nil
}

// CheckMandateQuery reports a question that names no representative,
// grantor, target or purpose: no mandate can answer it.
func CheckMandateQuery(q MandateQuery) error {
	var missing []string
	if q.Representative == "" {
		missing = append(missing, "representative")
	}
	if q.Grantor == "" {
		missing = append(missing, "grantor")
	}
	if q.Target == "" {
		missing = append(missing, "target")
	}
	if q.Purpose == "" {
		missing = append(missing, "purpose")
	}
	if len(missing) > 0 {
		return fmt.Errorf("mandate query without %s", strings.Join(missing, ", "))
	}
	return nil
}

// covers reports whether a list of a consent or mandate covers v.
func covers(list []string, v string) bool {
	if len(list) == 1 && list[0] == Wildcard {
		return true
	}
	return v != "" && slices.Contains(list, v)
}

// ValidSubject reports whether s has the form of a Subject: 64 lower-case
// hexadecimal digits.
func ValidSubject(s Subject) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func basesList() string {
	var b []string
	for _, x := range MandateBases() {
		b = append(b, string(x))
	}
	return strings.Join(b, ", ")
}

// problems collects what is wrong with a consent or mandate.
type problems []string

func (p *problems) add(s string) { *p = append(*p, s) }

func (p *problems) err(kind error) error {
	if len(*p) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", kind, strings.Join(*p, "; "))
}

func (p *problems) subject(field string, s Subject) {
	switch {
	case s == "":
		p.add(field + ": required")
	case !ValidSubject(s):
		p.add(field + ": not a Subject (64 hexadecimal digits of a keyed hash)")
	}
}

// when checks that a time, if given, lies in the years 1900 to 2199.
func (p *problems) when(field string, t time.Time) {
	if !t.IsZero() && (t.Year() < 1900 || t.Year() > 2199) {
		p.add(fmt.Sprintf("%s: %s is not in the years 1900 to 2199", field, t.Format(time.RFC3339)))
	}
}

// text checks one free-text value: not too long, no control characters,
// no space around it.
func (p *problems) text(field, s string, required bool) {
	switch {
	case s == "":
		if required {
			p.add(field + ": empty")
		}
	case len(s) > maxText:
		p.add(fmt.Sprintf("%s: longer than %d bytes", field, maxText))
	case strings.TrimSpace(s) != s:
		p.add(fmt.Sprintf("%s: %q has space around it", field, s))
	case strings.ContainsFunc(s, unicode.IsControl):
		p.add(field + ": holds a control character")
	}
}

// list checks a list of targets, purposes or life events: at least one,
// "*" alone or none, no entry empty or given twice.
func (p *problems) list(field string, l []string) {
	if len(l) == 0 {
		p.add(fmt.Sprintf("%s: at least one is required, or %q alone for all", field, Wildcard))
		return
	}
	if len(l) > maxEntries {
		p.add(fmt.Sprintf("%s: more than %d", field, maxEntries))
		return
	}
	if slices.Contains(l, Wildcard) && len(l) > 1 {
		p.add(fmt.Sprintf("%s: %q stands for all and must be alone", field, Wildcard))
		return
	}
	for i, v := range l {
		before := len(*p)
		p.text(fmt.Sprintf("%s[%d]", field, i), v, true)
		if len(*p) > before {
			continue
		}
		if slices.Contains(l[:i], v) {
			p.add(fmt.Sprintf("%s[%d]: %q given twice", field, i, v))
		}
	}
}

// ParseSubjectKey reads a SubjectKey written as text: at least 64
// hexadecimal digits (32 bytes), as `openssl rand -hex 32` writes them;
// space around them is ignored. Hexadecimal alone, since a string of hex
// digits is also valid base64 and would be read two ways.
func ParseSubjectKey(text []byte) (SubjectKey, error) {
	t := bytes.TrimSpace(text)
	k := make([]byte, hex.DecodedLen(len(t)))
	if _, err := hex.Decode(k, t); err != nil || len(t)%2 != 0 {
		return nil, errors.New("subject key: want hexadecimal digits only, as `openssl rand -hex 32` writes")
	}
	if len(k) < 32 {
		return nil, fmt.Errorf("subject key: %d bytes (%d hexadecimal digits): %w", len(k), len(t), ErrWeakKey)
	}
	return SubjectKey(k), nil
}

// NewSubjectKey returns a random SubjectKey of 32 bytes.
func NewSubjectKey() (SubjectKey, error) {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("subject key: %w", err)
	}
	return SubjectKey(k), nil
}
