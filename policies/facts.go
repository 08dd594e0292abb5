package policies

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// Subject is a data subject as Samband keeps them: the keyed hash
// (HMAC-SHA-256, hex) of their country and national identity number. The
// number itself is never stored.
type Subject string

// SubjectKey is the secret that keys Subject hashes; every gateway that
// must recognise the same person uses the same key. At least 32 bytes.
type SubjectKey []byte

// ErrWeakKey is returned for a SubjectKey shorter than 32 bytes.
var ErrWeakKey = errors.New("subject key shorter than 32 bytes")

// Subject returns the Subject of a national identity number issued by a
// country (ISO 3166-1 alpha-2): "NO" and "12345678901". Spaces and dashes
// in the number are ignored; the country is case-insensitive.
func (k SubjectKey) Subject(country, nationalID string) (Subject, error) {
	if len(k) < 32 {
		return "", ErrWeakKey
	}
	id := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, nationalID)
	if id == "" {
		return "", errors.New("empty national identity number")
	}
	m := hmac.New(sha256.New, k)
	m.Write([]byte(strings.ToUpper(strings.TrimSpace(country))))
	m.Write([]byte{0})
	m.Write([]byte(id))
	return Subject(hex.EncodeToString(m.Sum(nil))), nil
}

// ConsentQuery asks whether a data subject consents to a recipient using
// their data for a purpose, on a target (a dataset's or data service's IRI
// or catalogue id), at a time.
type ConsentQuery struct {
	Subject   Subject
	Recipient string // the organisation asking: its identifier (an organisation number, an IRI)
	// RecipientClasses are the classes the recipient belongs to
	// ("public-authority", "municipality", ...); a consent given to a class
	// covers its members.
	RecipientClasses []string
	Purpose          string // a purpose IRI or code
	Target           string
	At               time.Time
}

// MandateQuery asks whether a representative may act for a grantor (a
// living person, or the estate of a deceased one) on a target, for a
// purpose, at a time.
type MandateQuery struct {
	Representative Subject
	Grantor        Subject
	Target         string
	Purpose        string
	LifeEvent      string // a life-event id (catalog/lifeevent), "" when none
	At             time.Time
}

// Grant is what Facts found: the consent or mandate that holds, and how it
// was established, for the decision to log.
type Grant struct {
	ID    string `json:"id"`
	Basis string `json:"basis,omitempty"` // a mandate's establishment ("heir-certificate", ...)
	// Until is when it stops holding (expiry); zero when open-ended.
	Until time.Time `json:"until,omitempty"`
}

// Facts answers the questions a decision asks beyond the request. Answers
// must reflect every grant, rescission and revocation that returned
// before the question: no cache may outlive a rescission.
type Facts interface {
	// Consent returns the consent that holds for q, if one does.
	Consent(ctx context.Context, q ConsentQuery) (Grant, bool, error)
	// Mandate returns the mandate that holds for q, if one does.
	Mandate(ctx context.Context, q MandateQuery) (Grant, bool, error)
}
