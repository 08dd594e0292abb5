package exchange

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// Receipt is what the provider-side gateway signs on every answer,
// permit or deny: which request (by its hash) got which answer (by its
// digest), what was decided and by which rule, and where the decision
// sits in the gateway's audit log.
type Receipt struct {
	Issuer         string `json:"iss"`             // the provider-side gateway's party ID
	RequestID      string `json:"request_id"`      // the request's id
	RequestHash    string `json:"request_hash"`    // base64url (no padding) of the SHA-256 of the canonical request
	Requester      string `json:"requester"`       // the requester's party ID
	Service        string `json:"service"`         // COUNTRY/ORGANISATION/SERVICE: "NO/974760673/death-records"
	ResponseDigest string `json:"response_digest"` // the Content-Digest value of the response body
	Status         int    `json:"status"`          // the HTTP status of the answer
	Decision       string `json:"decision"`        // "permit" or "deny"
	Rule           string `json:"rule,omitempty"`  // the rule that decided
	PolicyHash     string `json:"policy_hash,omitempty"`
	Time           int64  `json:"iat"`        // when it was signed, Unix seconds
	LogIndex       int64  `json:"log_index"`  // the decision's index in the audit log
	Checkpoint     string `json:"checkpoint"` // the audit log's signed checkpoint (note text) covering LogIndex
}

// Countersignature is what the consumer-side gateway signs on receiving a
// receipt: that it holds this receipt (by its hash) and recorded it in its
// own audit log.
type Countersignature struct {
	Issuer      string `json:"iss"`          // the consumer-side gateway's party ID
	ReceiptHash string `json:"receipt_hash"` // base64url (no padding) of the SHA-256 of the receipt's compact JWS
	RequestID   string `json:"request_id"`
	Time        int64  `json:"iat"`        // Unix seconds
	LogIndex    int64  `json:"log_index"`  // the index in the countersigner's audit log
	Checkpoint  string `json:"checkpoint"` // the countersigner's audit checkpoint covering LogIndex
}

// Bounds of receipts and countersignatures.
const (
	// MaxReceiptSize bounds the compact JWS of a receipt or
	// countersignature that ReadReceipt and ReadCountersignature read.
	MaxReceiptSize = 16 << 10
	maxClaimText   = 4096 // rule, policy hash, response digest
	maxCheckpoint  = 8192
)

// HashText returns r.Hash() as a receipt carries it: base64url without
// padding.
func (r *Request) HashText() string {
	h := r.Hash()
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// ReceiptHash returns the hash of a receipt's compact JWS as a
// countersignature binds it: base64url (no padding) of its SHA-256.
func ReceiptHash(receipt string) string {
	h := sha256.Sum256([]byte(receipt))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// Binding returns the SHA-256 of the receipt's claims but LogIndex and
// Checkpoint: the receipt hash recorded in the audit entry before the
// entry's index is known. The claims are encoded as JSON in the canonical
// form of RFC 8785 (JCS): one object with the members decision, iat, iss,
// policy_hash, request_hash, request_id, requester, response_digest,
// rule, service and status, in that (sorted) order, each always present
// (rule and policy_hash as "" when empty), no white space, integers in
// decimal, strings with only '"', '\\' and the control characters
// escaped (\b \t \n \f \r, otherwise \u00xx in lower-case hex) and
// invalid UTF-8 bytes written as \ufffd.
func (r *Receipt) Binding() [32]byte {
	b := make([]byte, 0, 512)
	b = append(b, `{"decision":`...)
	b = appendJCSString(b, r.Decision)
	b = append(b, `,"iat":`...)
	b = strconv.AppendInt(b, r.Time, 10)
	b = append(b, `,"iss":`...)
	b = appendJCSString(b, r.Issuer)
	b = append(b, `,"policy_hash":`...)
	b = appendJCSString(b, r.PolicyHash)
	b = append(b, `,"request_hash":`...)
	b = appendJCSString(b, r.RequestHash)
	b = append(b, `,"request_id":`...)
	b = appendJCSString(b, r.RequestID)
	b = append(b, `,"requester":`...)
	b = appendJCSString(b, r.Requester)
	b = append(b, `,"response_digest":`...)
	b = appendJCSString(b, r.ResponseDigest)
	b = append(b, `,"rule":`...)
	b = appendJCSString(b, r.Rule)
	b = append(b, `,"service":`...)
	b = appendJCSString(b, r.Service)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(r.Status), 10)
	b = append(b, '}')
	return sha256.Sum256(b)
}

// appendJCSString appends s as a JSON string in the form of RFC 8785.
func appendJCSString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, s[i:i+n]...)
			}
			i += n
			continue
		}
		switch c {
		case '"':
			b = append(b, `\"`...)
		case '\\':
			b = append(b, `\\`...)
		case '\b':
			b = append(b, `\b`...)
		case '\t':
			b = append(b, `\t`...)
		case '\n':
			b = append(b, `\n`...)
		case '\f':
			b = append(b, `\f`...)
		case '\r':
			b = append(b, `\r`...)
		default:
			if c < 0x20 {
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			} else {
				b = append(b, c)
			}
		}
		i++
	}
	return append(b, '"')
}

// SignReceipt returns the receipt as a compact JWS with the JSON claims
// as its payload and the protected header {"alg", "kid", "typ":
// "samband-receipt+jws"}. key is as for Sign. A receipt ReadReceipt would
// refuse is not signed (ErrMalformed).
func SignReceipt(r *Receipt, key jwk.Key) (string, error) {
	sk, err := signingKeyOf(key)
	if err != nil {
		return "", err
	}
	return sk.signReceipt(r)
}

// signReceipt is SignReceipt with a key signingKeyOf checked.
func (sk signingKey) signReceipt(r *Receipt) (string, error) {
	if err := r.check(); err != nil {
		return "", err
	}
	return sk.signClaims(r, TypeReceipt)
}

// Countersign returns the countersignature as a compact JWS with the JSON
// claims as its payload and the protected header {"alg", "kid", "typ":
// "samband-countersignature+jws"}. key is as for Sign.
func Countersign(c *Countersignature, key jwk.Key) (string, error) {
	sk, err := signingKeyOf(key)
	if err != nil {
		return "", err
	}
	return sk.countersign(c)
}

// countersign is Countersign with a key signingKeyOf checked.
func (sk signingKey) countersign(c *Countersignature) (string, error) {
	if err := c.check(); err != nil {
		return "", err
	}
	return sk.signClaims(c, TypeCountersignature)
}

// signClaims signs the JSON of claims under typ.
func (sk signingKey) signClaims(claims any, typ string) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("sign %s: %w", typ, err)
	}
	hdr, err := json.Marshal(protectedHeader{Alg: sk.alg.String(), Kid: sk.kid, Typ: typ})
	if err != nil {
		return "", fmt.Errorf("sign %s: %w", typ, err)
	}
	return sk.sign(hdr, payload, false)
}

// ReadReceipt reads and verifies a receipt and returns its claims. The
// compact JWS may be at most MaxReceiptSize bytes; its protected header is
// held to the rules of Verify with typ samband-receipt+jws; the key is
// keys(ctx, iss, kid) with the iss of the claims. The claims must be one
// JSON object without duplicate members, every claim but rule and
// policy_hash present and of its form: party IDs, a UUID request id, a
// 32-byte request hash, a service COUNTRY/ORGANISATION/SERVICE, status
// 100 to 599, decision permit or deny, iat above 0, log_index 0 or more
// and a checkpoint (ErrMalformed otherwise).
func ReadReceipt(ctx context.Context, compact string, keys KeyFunc) (*Receipt, error) {
	r := new(Receipt)
	err := readClaims(ctx, compact, TypeReceipt, keys, func(payload []byte) (string, error) {
		if err := r.unmarshal(payload); err != nil {
			return "", err
		}
		return r.Issuer, nil
	})
	if err != nil {
		return nil, err
	}
	if err := r.check(); err != nil {
		return nil, err
	}
	return r, nil
}

// ReadCountersignature reads and verifies the countersignature of receipt
// (its compact JWS) as ReadReceipt reads a receipt, with typ
// samband-countersignature+jws, and checks that it binds this receipt: a
// countersignature of another receipt is ErrSignature.
func ReadCountersignature(ctx context.Context, compact, receipt string, keys KeyFunc) (*Countersignature, error) {
	c := new(Countersignature)
	err := readClaims(ctx, compact, TypeCountersignature, keys, func(payload []byte) (string, error) {
		if err := c.unmarshal(payload); err != nil {
			return "", err
		}
		return c.Issuer, nil
	})
	if err != nil {
		return nil, err
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	if c.ReceiptHash != ReceiptHash(receipt) {
		return nil, fmt.Errorf("%w: the countersignature of %s binds another receipt", ErrSignature, c.Issuer)
	}
	return c, nil
}

// readClaims splits and checks a compact JWS with an attached payload of
// kind typ, decodes its payload with decode (which returns the issuer),
// and verifies it with the issuer's key.
func readClaims(ctx context.Context, compact, typ string, keys KeyFunc, decode func([]byte) (string, error)) error {
	if compact == "" {
		return fmt.Errorf("%w: empty %s", ErrMalformed, typ)
	}
	if len(compact) > MaxReceiptSize {
		return fmt.Errorf("%w: %s longer than %d bytes", ErrMalformed, typ, MaxReceiptSize)
	}
	h64, p64, s64, err := splitCompact(compact)
	if err != nil {
		return err
	}
	if p64 == "" {
		return fmt.Errorf("%w: %s without a payload", ErrSignature, typ)
	}
	hdr, err := parseProtected(h64, typ)
	if err != nil {
		return err
	}
	payload, err := base64.RawURLEncoding.Strict().DecodeString(p64)
	if err != nil {
		return fmt.Errorf("%w: %s payload is not base64url", ErrMalformed, typ)
	}
	iss, err := decode(payload)
	if err != nil {
		return fmt.Errorf("%w: %s claims: %v", ErrMalformed, typ, err)
	}
	if !ValidPartyID(iss) {
		return fmt.Errorf("%w: %s iss is not a party ID", ErrMalformed, typ)
	}
	if hdr.Iss != "" && hdr.Iss != iss {
		return fmt.Errorf("%w: %s protected header and claims name different issuers", ErrSignature, typ)
	}
	hdr.Iss = iss
	return verifySignature(ctx, keys, hdr, []byte(compact[:len(h64)+1+len(p64)]), s64)
}

// unmarshal reads the claims of a receipt, by their exact names; unknown
// claims are ignored.
func (r *Receipt) unmarshal(payload []byte) error {
	hasIndex := false
	err := decodeObject(payload, func(k string, v json.RawMessage) error {
		var err error
		var n int64
		switch k {
		case "iss":
			r.Issuer, err = jsonString(v)
		case "request_id":
			r.RequestID, err = jsonString(v)
		case "request_hash":
			r.RequestHash, err = jsonString(v)
		case "requester":
			r.Requester, err = jsonString(v)
		case "service":
			r.Service, err = jsonString(v)
		case "response_digest":
			r.ResponseDigest, err = jsonString(v)
		case "status":
			if n, err = jsonInt(v); err == nil {
				if n < 0 || n > 999 {
					err = fmt.Errorf("out of range")
				}
				r.Status = int(n)
			}
		case "decision":
			r.Decision, err = jsonString(v)
		case "rule":
			r.Rule, err = jsonString(v)
		case "policy_hash":
			r.PolicyHash, err = jsonString(v)
		case "iat":
			r.Time, err = jsonInt(v)
		case "log_index":
			r.LogIndex, err = jsonInt(v)
			hasIndex = true
		case "checkpoint":
			r.Checkpoint, err = jsonString(v)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		return nil
	})
	if err == nil && !hasIndex {
		err = fmt.Errorf("log_index missing")
	}
	return err
}

// check reports whether every claim of r is present and of its form.
func (r *Receipt) check() error {
	var what string
	switch {
	case !ValidPartyID(r.Issuer):
		what = "iss is not a party ID"
	case !validUUID(r.RequestID):
		what = "request_id is not a lower-case UUID"
	case !validHashText(r.RequestHash):
		what = "request_hash is not the base64url of 32 bytes"
	case !ValidPartyID(r.Requester):
		what = "requester is not a party ID"
	case !validServiceID(r.Service):
		what = "service is not COUNTRY/ORGANISATION/SERVICE"
	case len(r.ResponseDigest) > maxClaimText || !validText(r.ResponseDigest):
		what = "response_digest missing or not text"
	case r.Status < 100 || r.Status > 599:
		what = "status is not 100 to 599"
	case r.Decision != "permit" && r.Decision != "deny":
		what = "decision is neither permit nor deny"
	case r.Rule != "" && (len(r.Rule) > maxClaimText || !validText(r.Rule)):
		what = "rule is not text"
	case r.PolicyHash != "" && (len(r.PolicyHash) > maxClaimText || !validText(r.PolicyHash)):
		what = "policy_hash is not text"
	case r.Time <= 0:
		what = "iat is not after 1970"
	case r.LogIndex < 0:
		what = "log_index is negative"
	case !validCheckpoint(r.Checkpoint):
		what = "checkpoint missing or not UTF-8 text"
	default:
		return nil
	}
	return fmt.Errorf("%w: receipt: %s", ErrMalformed, what)
}

// unmarshal reads the claims of a countersignature, by their exact names;
// unknown claims are ignored.
func (c *Countersignature) unmarshal(payload []byte) error {
	hasIndex := false
	err := decodeObject(payload, func(k string, v json.RawMessage) error {
		var err error
		switch k {
		case "iss":
			c.Issuer, err = jsonString(v)
		case "receipt_hash":
			c.ReceiptHash, err = jsonString(v)
		case "request_id":
			c.RequestID, err = jsonString(v)
		case "iat":
			c.Time, err = jsonInt(v)
		case "log_index":
			c.LogIndex, err = jsonInt(v)
			hasIndex = true
		case "checkpoint":
			c.Checkpoint, err = jsonString(v)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		return nil
	})
	if err == nil && !hasIndex {
		err = fmt.Errorf("log_index missing")
	}
	return err
}

// check reports whether every claim of c is present and of its form.
func (c *Countersignature) check() error {
	var what string
	switch {
	case !ValidPartyID(c.Issuer):
		what = "iss is not a party ID"
	case !validHashText(c.ReceiptHash):
		what = "receipt_hash is not the base64url of 32 bytes"
	case !validUUID(c.RequestID):
		what = "request_id is not a lower-case UUID"
	case c.Time <= 0:
		what = "iat is not after 1970"
	case c.LogIndex < 0:
		what = "log_index is negative"
	case !validCheckpoint(c.Checkpoint):
		what = "checkpoint missing or not UTF-8 text"
	default:
		return nil
	}
	return fmt.Errorf("%w: countersignature: %s", ErrMalformed, what)
}

// validHashText reports whether s is the base64url, without padding, of
// 32 bytes.
func validHashText(s string) bool {
	if len(s) != 43 {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil && len(b) == 32
}

// validServiceID reports whether s is COUNTRY/ORGANISATION/SERVICE by the
// path rules.
func validServiceID(s string) bool {
	country, rest, ok := strings.Cut(s, "/")
	if !ok {
		return false
	}
	org, svc, ok := strings.Cut(rest, "/")
	return ok && isCountry(country) && validOrganisation(org) && validService(svc)
}

// validCheckpoint reports whether s can be a signed note: non-empty UTF-8
// of at most maxCheckpoint bytes, without NUL.
func validCheckpoint(s string) bool {
	return s != "" && len(s) <= maxCheckpoint && utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
