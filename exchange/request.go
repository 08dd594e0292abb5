package exchange

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws/jwsbb"

	"samband/internal/ed25519x"
)

// The headers of an exchange request and its answer.
const (
	// HeaderRequestID is the request's id: a UUID (RFC 9562, any version)
	// in lower-case canonical form 8-4-4-4-12.
	HeaderRequestID = "Samband-Request-Id"
	// HeaderRequester is the party asking: "COUNTRY/ORGANISATION", such as
	// "FI/0245437-2".
	HeaderRequester = "Samband-Requester"
	// HeaderAudience is the party ID of the gateway addressed.
	HeaderAudience = "Samband-Audience"
	// HeaderPurpose is the purpose of the exchange: an absolute http,
	// https or urn IRI.
	HeaderPurpose = "Samband-Purpose"
	// HeaderLegalBasis is the legal basis the requester claims: an IRI.
	HeaderLegalBasis = "Samband-Legal-Basis"
	// HeaderSubject is the data subject, optional: an ISO 3166-1 alpha-2
	// country followed by the national identity number, as X-Road writes a
	// user id ("NO01017012345", "FI131052-308T").
	HeaderSubject = "Samband-Subject"
	// HeaderRepresentative is who acts for the data subject, optional, in
	// the same form as the subject.
	HeaderRepresentative = "Samband-Representative"
	// HeaderMandate is the id of the mandate in the registry under which
	// the representative acts, optional.
	HeaderMandate = "Samband-Mandate"
	// HeaderExplicitRequest says whether the data subject explicitly asked
	// for the exchange: "true" or "false"; absent is false.
	HeaderExplicitRequest = "Samband-Explicit-Request"
	// HeaderLifeEvent is the life-event concept the exchange is part of,
	// optional ("death-inheritance").
	HeaderLifeEvent = "Samband-Life-Event"
	// HeaderIssue is the case reference, optional.
	HeaderIssue = "Samband-Issue"
	// HeaderTime is when the request was made: RFC 3339 in UTC to the
	// whole second, "2026-11-22T10:00:00Z".
	HeaderTime = "Samband-Time"
	// HeaderSignature is the compact JWS with detached payload (RFC 7515
	// appendix F) over the request's canonical form.
	HeaderSignature = "Samband-Signature"
	// HeaderReceipt is the provider gateway's receipt on the answer: a
	// compact JWS.
	HeaderReceipt = "Samband-Receipt"
	// HeaderCountersignature is the consumer gateway's countersignature of
	// the receipt on the answer: a compact JWS.
	HeaderCountersignature = "Samband-Countersignature"
	// HeaderContentDigest is the body's digest (RFC 9530); Samband writes
	// sha-256 and reads sha-256 and sha-512.
	HeaderContentDigest = "Content-Digest"

	// HeaderXRoadClient is the X-Road REST client header,
	// INSTANCE/MEMBERCLASS/MEMBERCODE[/SUBSYSTEM], read as the requester
	// INSTANCE/MEMBERCODE; the instance must be an ISO country code.
	HeaderXRoadClient = "X-Road-Client"
	// HeaderXRoadID is the X-Road request id, read as the request id.
	HeaderXRoadID = "X-Road-Id"
	// HeaderXRoadUserID is the end user whose action caused the request,
	// read into Request.UserID: logged and signed.
	HeaderXRoadUserID = "X-Road-UserId"
	// HeaderXRoadIssue is the X-Road case reference, read as the issue.
	HeaderXRoadIssue = "X-Road-Issue"
	// HeaderXRoadRequestHash is set on an answer to an X-Road client: the
	// standard base64 of the SHA-512 of the request's canonical form.
	HeaderXRoadRequestHash = "X-Road-Request-Hash"
)

// PathPrefix is where every exchange request target starts.
const PathPrefix = "/exchange/v1/"

// Request is an exchange request as it is signed: who asks whom for what,
// why, on whose behalf and when. ReadRequest fills it from an HTTP request
// and NewRequest turns it into one.
type Request struct {
	Method string // the HTTP method, an upper-case token
	// Target is the request target as received: the escaped path and, if
	// any, "?" and the raw query, such as
	// "/exchange/v1/NO/974760673/death-records/v1/deaths?id=1".
	Target          string
	Audience        string // the party ID of the gateway addressed
	ID              string // the request id, a lower-case UUID
	Requester       string // the party ID of the party asking
	Purpose         string // an IRI
	LegalBasis      string // an IRI
	Subject         string // the data subject as given ("NO01017012345"), "" if none
	Representative  string // who acts for the subject, same form, "" if none
	Mandate         string // the mandate's id, "" if none
	ExplicitRequest bool
	LifeEvent       string // the life-event concept id, "" if none
	Issue           string // the case reference, "" if none
	UserID          string // the end user (X-Road-UserId), "" if none
	Time            time.Time
	// ContentDigest is the Content-Digest header value as sent; "" only
	// for a bodiless request, whose canonical form then carries the digest
	// of the empty body.
	ContentDigest string

	// Country, Organisation and Service are the target's first three
	// segments after PathPrefix.
	Country, Organisation, Service string
	// Path is the rest of the target's escaped path after the service,
	// starting with "/"; "/" when there is none.
	Path string
	// RawQuery is the target's query without the "?", escaped as received.
	RawQuery string
}

// canonicalPrefix is the first line of every canonical form.
const canonicalPrefix = "samband-request/1\n"

// Canonical returns the bytes that are signed: "samband-request/1\n"
// followed by a line "name: value\n" for each of these fields, in this
// order: method, target, audience, request-id, requester, purpose,
// legal-basis, subject, representative, mandate, explicit-request ("true"
// or "false"), life-event, issue, user-id, time (RFC 3339, UTC, "Z"),
// content-digest. Absent optional fields are written with an empty value;
// a bodiless request's content-digest is that of the empty body. The
// values of a Request that ReadRequest returned, or that Sign accepts,
// never hold a control character, so each field is exactly one line.
func (r *Request) Canonical() []byte {
	digest := r.ContentDigest
	if digest == "" {
		digest = emptyDigest
	}
	explicit := "false"
	if r.ExplicitRequest {
		explicit = "true"
	}
	fields := [...]struct{ name, value string }{
		{"method", r.Method},
		{"target", r.Target},
		{"audience", r.Audience},
		{"request-id", r.ID},
		{"requester", r.Requester},
		{"purpose", r.Purpose},
		{"legal-basis", r.LegalBasis},
		{"subject", r.Subject},
		{"representative", r.Representative},
		{"mandate", r.Mandate},
		{"explicit-request", explicit},
		{"life-event", r.LifeEvent},
		{"issue", r.Issue},
		{"user-id", r.UserID},
		{"time", ""},
		{"content-digest", digest},
	}
	n := len(canonicalPrefix) + len(time.RFC3339)
	for _, f := range fields {
		n += len(f.name) + len(f.value) + 3
	}
	b := make([]byte, 0, n)
	b = append(b, canonicalPrefix...)
	for _, f := range fields {
		b = append(b, f.name...)
		b = append(b, ": "...)
		if f.name == "time" {
			b = r.Time.UTC().AppendFormat(b, time.RFC3339)
		} else {
			b = append(b, f.value...)
		}
		b = append(b, '\n')
	}
	return b
}

// Hash returns the SHA-256 of r's canonical form: the request hash a
// receipt binds.
func (r *Request) Hash() [32]byte {
	return sha256.Sum256(r.Canonical())
}

// XRoadRequestHash returns the value of the X-Road-Request-Hash answer
// header: the standard base64 of the SHA-512 of r's canonical form.
func (r *Request) XRoadRequestHash() string {
	sum := sha512.Sum512(r.Canonical())
	return base64.StdEncoding.EncodeToString(sum[:])
}

// SetHeaders writes r's fields onto h by their Samband names, the user id
// as X-Road-UserId, and the Content-Digest when r has one; it does not
// write the signature. An optional field r leaves empty is deleted from h,
// as are the X-Road headers whose fields the Samband headers carry, so
// that a forwarding gateway that copied the incoming headers sends no
// stale or conflicting value.
func (r *Request) SetHeaders(h http.Header) {
	set := func(name, v string) {
		if v == "" {
			h.Del(name)
			return
		}
		h.Set(name, v)
	}
	set(HeaderRequestID, r.ID)
	set(HeaderRequester, r.Requester)
	set(HeaderAudience, r.Audience)
	set(HeaderPurpose, r.Purpose)
	set(HeaderLegalBasis, r.LegalBasis)
	set(HeaderSubject, r.Subject)
	set(HeaderRepresentative, r.Representative)
	set(HeaderMandate, r.Mandate)
	if r.ExplicitRequest {
		h.Set(HeaderExplicitRequest, "true")
	} else {
		h.Set(HeaderExplicitRequest, "false")
	}
	set(HeaderLifeEvent, r.LifeEvent)
	set(HeaderIssue, r.Issue)
	set(HeaderXRoadUserID, r.UserID)
	set(HeaderTime, r.Time.UTC().Format(time.RFC3339))
	set(HeaderContentDigest, r.ContentDigest)
	h.Del(HeaderXRoadClient)
	h.Del(HeaderXRoadID)
	h.Del(HeaderXRoadIssue)
}

// NewRequest builds the outgoing HTTP request for r against base
// (scheme://host[:port], http or https, no path). It sets r.Target from
// Country, Organisation, Service, Path ("" for none) and RawQuery, and
// r.ContentDigest to the SHA-256 digest of body ("" when body is empty),
// checks r as Sign would, and writes every header but the signature. The
// request's target is r.Target byte for byte.
func NewRequest(ctx context.Context, base string, r *Request, body []byte) (*http.Request, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil || u.Opaque != "" {
		return nil, fmt.Errorf("exchange request: base %q is not scheme://host[:port]", base)
	}
	if r.Path != "" && r.Path[0] != '/' {
		return nil, fmt.Errorf("%w: Path %q does not start with /", ErrPath, r.Path)
	}
	target := PathPrefix + r.Country + "/" + r.Organisation + "/" + r.Service + r.Path
	if r.RawQuery != "" {
		target += "?" + r.RawQuery
	}
	t, err := parseTarget(target, maxTargetCeiling)
	if err != nil {
		return nil, err
	}
	r.Target = target
	r.Country, r.Organisation, r.Service, r.Path, r.RawQuery = t.country, t.organisation, t.service, t.path, t.rawQuery
	r.ContentDigest = ""
	if len(body) > 0 {
		r.ContentDigest = ContentDigest(body)
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	var rd io.Reader
	if len(body) > 0 {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, u.Scheme+"://"+u.Host+"/", rd)
	if err != nil {
		return nil, fmt.Errorf("exchange request: %w", err)
	}
	// The escaped path goes out exactly as signed: as RawPath where the URL
	// keeps it so, else as Opaque, which the client writes as it is.
	path, _, _ := strings.Cut(target, "?")
	unescaped, err := url.PathUnescape(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPath, err)
	}
	req.URL.Path, req.URL.RawPath, req.URL.RawQuery = unescaped, path, t.rawQuery
	if req.URL.EscapedPath() != path {
		req.URL.Path, req.URL.RawPath, req.URL.Opaque = "", "", path
	}
	r.SetHeaders(req.Header)
	return req, nil
}

// Limits bounds what ReadRequest reads; a zero field takes its default.
// MaxHeaderValue and MaxTarget are capped at 64 KiB.
type Limits struct {
	MaxBody        int64 // the body, default 8 MiB
	MaxHeaderValue int   // each header value, default 2048 bytes
	MaxTarget      int   // the request target, default 4096 bytes
}

// The defaults of Limits, and the ceilings of targets and fields.
const (
	DefaultMaxBody        = 8 << 20 // Limits.MaxBody when zero
	DefaultMaxHeaderValue = 2048    // Limits.MaxHeaderValue when zero
	DefaultMaxTarget      = 4096    // Limits.MaxTarget when zero
	maxTargetCeiling      = 1 << 16
	maxFieldCeiling       = 1 << 16
)

func (l Limits) withDefaults() Limits {
	if l.MaxBody <= 0 {
		l.MaxBody = DefaultMaxBody
	}
	if l.MaxHeaderValue <= 0 {
		l.MaxHeaderValue = DefaultMaxHeaderValue
	}
	if l.MaxTarget <= 0 {
		l.MaxTarget = DefaultMaxTarget
	}
	if l.MaxTarget > maxTargetCeiling {
		l.MaxTarget = maxTargetCeiling
	}
	if l.MaxHeaderValue > maxFieldCeiling {
		l.MaxHeaderValue = maxFieldCeiling
	}
	return l
}

// The headers ReadRequest reads, by their canonical keys in http.Header.
var (
	keyRequestID       = textproto.CanonicalMIMEHeaderKey(HeaderRequestID)
	keyRequester       = textproto.CanonicalMIMEHeaderKey(HeaderRequester)
	keyAudience        = textproto.CanonicalMIMEHeaderKey(HeaderAudience)
	keyPurpose         = textproto.CanonicalMIMEHeaderKey(HeaderPurpose)
	keyLegalBasis      = textproto.CanonicalMIMEHeaderKey(HeaderLegalBasis)
	keySubject         = textproto.CanonicalMIMEHeaderKey(HeaderSubject)
	keyRepresentative  = textproto.CanonicalMIMEHeaderKey(HeaderRepresentative)
	keyMandate         = textproto.CanonicalMIMEHeaderKey(HeaderMandate)
	keyExplicitRequest = textproto.CanonicalMIMEHeaderKey(HeaderExplicitRequest)
	keyLifeEvent       = textproto.CanonicalMIMEHeaderKey(HeaderLifeEvent)
	keyIssue           = textproto.CanonicalMIMEHeaderKey(HeaderIssue)
	keyTime            = textproto.CanonicalMIMEHeaderKey(HeaderTime)
	keySignature       = textproto.CanonicalMIMEHeaderKey(HeaderSignature)
	keyContentDigest   = textproto.CanonicalMIMEHeaderKey(HeaderContentDigest)
	keyXRoadClient     = textproto.CanonicalMIMEHeaderKey(HeaderXRoadClient)
	keyXRoadID         = textproto.CanonicalMIMEHeaderKey(HeaderXRoadID)
	keyXRoadUserID     = textproto.CanonicalMIMEHeaderKey(HeaderXRoadUserID)
	keyXRoadIssue      = textproto.CanonicalMIMEHeaderKey(HeaderXRoadIssue)
)

// headerNames pairs the canonical keys with the names errors give.
var headerNames = []struct{ key, name string }{
	{keyRequestID, HeaderRequestID}, {keyRequester, HeaderRequester}, {keyAudience, HeaderAudience},
	{keyPurpose, HeaderPurpose}, {keyLegalBasis, HeaderLegalBasis}, {keySubject, HeaderSubject},
	{keyRepresentative, HeaderRepresentative}, {keyMandate, HeaderMandate},
	{keyExplicitRequest, HeaderExplicitRequest}, {keyLifeEvent, HeaderLifeEvent}, {keyIssue, HeaderIssue},
	{keyTime, HeaderTime}, {keySignature, HeaderSignature}, {keyContentDigest, HeaderContentDigest},
	{keyXRoadClient, HeaderXRoadClient}, {keyXRoadID, HeaderXRoadID}, {keyXRoadUserID, HeaderXRoadUserID},
	{keyXRoadIssue, HeaderXRoadIssue},
}

// ReadRequest reads an exchange request on the server side: the headers
// (Samband-* or their X-Road alternatives), the target (r.RequestURI, by
// the path rules below), the body, and the signature, which it returns
// without verifying it (Verify does).
//
// Any of these headers given more than once, or a field given both by its
// Samband header and its X-Road header with different values, is
// ErrDuplicateHeader. A header value longer than MaxHeaderValue, holding a
// control character or not of its field's form is ErrMalformed; a missing
// request id, requester, audience, purpose, legal basis or time is
// ErrMalformed, a missing signature ErrMissingSignature. A body longer
// than MaxBody is ErrBodyTooLarge, found from Content-Length before
// reading or after reading MaxBody+1 bytes at most. The Content-Digest
// must match the body, and a request with a body must have one
// (ErrDigest).
//
// The path rules (ErrPath): the target starts with "/exchange/v1/", then
// the country (two upper-case letters), the organisation
// ([A-Za-z0-9._-]{1,64}, not "." or ".."), the service
// ([a-z0-9][a-z0-9._-]{0,63}) and the rest of the path, if any. The target
// holds only the characters RFC 3986 allows in a path and query, no
// fragment, and every "%" starts a valid escape. The rest of the path may
// not hold "." or ".." segments (nor such a segment followed by ";..."),
// empty segments ("//"; a final "/" is allowed), a backslash, an escaped
// "/", "\", "." or NUL (%2F, %5C, %2E, %00 in either case) or an escaped
// control character; the query may not hold %00. The escaped target is
// what is signed and forwarded, unchanged.
func ReadRequest(r *http.Request, lim Limits) (*Request, []byte, string, error) {
	lim = lim.withDefaults()
	h := r.Header
	for _, hn := range headerNames {
		vs := h[hn.key]
		if len(vs) > 1 {
			return nil, nil, "", fmt.Errorf("%w: %s given %d times", ErrDuplicateHeader, hn.name, len(vs))
		}
		if len(vs) == 1 && len(vs[0]) > lim.MaxHeaderValue {
			return nil, nil, "", fmt.Errorf("%w: %s longer than %d bytes", ErrMalformed, hn.name, lim.MaxHeaderValue)
		}
	}
	get := func(key string) string {
		if vs := h[key]; len(vs) == 1 {
			return vs[0]
		}
		return ""
	}
	req := &Request{Method: r.Method}
	if !validMethod(req.Method) {
		return nil, nil, "", fmt.Errorf("%w: method is not an upper-case token", ErrMalformed)
	}
	if len(r.RequestURI) > lim.MaxTarget {
		return nil, nil, "", fmt.Errorf("%w: target longer than %d bytes", ErrPath, lim.MaxTarget)
	}
	t, err := parseTarget(r.RequestURI, lim.MaxTarget)
	if err != nil {
		return nil, nil, "", err
	}
	req.Target = r.RequestURI
	req.Country, req.Organisation, req.Service, req.Path, req.RawQuery = t.country, t.organisation, t.service, t.path, t.rawQuery

	if req.ID, err = either(HeaderRequestID, get(keyRequestID), HeaderXRoadID, get(keyXRoadID)); err != nil {
		return nil, nil, "", err
	}
	var xrClient string
	if c := get(keyXRoadClient); c != "" {
		if xrClient, err = xroadRequester(c); err != nil {
			return nil, nil, "", err
		}
	}
	if req.Requester, err = either(HeaderRequester, get(keyRequester), HeaderXRoadClient, xrClient); err != nil {
		return nil, nil, "", err
	}
	if req.Issue, err = either(HeaderIssue, get(keyIssue), HeaderXRoadIssue, get(keyXRoadIssue)); err != nil {
		return nil, nil, "", err
	}
	req.Audience = get(keyAudience)
	req.Purpose = get(keyPurpose)
	req.LegalBasis = get(keyLegalBasis)
	req.Subject = get(keySubject)
	req.Representative = get(keyRepresentative)
	req.Mandate = get(keyMandate)
	req.LifeEvent = get(keyLifeEvent)
	req.UserID = get(keyXRoadUserID)
	req.ContentDigest = get(keyContentDigest)
	switch get(keyExplicitRequest) {
	case "", "false":
	case "true":
		req.ExplicitRequest = true
	default:
		return nil, nil, "", fmt.Errorf("%w: %s is neither true nor false", ErrMalformed, HeaderExplicitRequest)
	}
	ts := get(keyTime)
	if ts == "" {
		return nil, nil, "", fmt.Errorf("%w: %s missing", ErrMalformed, HeaderTime)
	}
	if req.Time, err = parseTime(ts); err != nil {
		return nil, nil, "", err
	}
	for _, f := range [...]struct{ name, v string }{
		{HeaderRequestID + " (or " + HeaderXRoadID + ")", req.ID},
		{HeaderRequester + " (or " + HeaderXRoadClient + ")", req.Requester},
		{HeaderAudience, req.Audience},
		{HeaderPurpose, req.Purpose},
		{HeaderLegalBasis, req.LegalBasis},
	} {
		if f.v == "" {
			return nil, nil, "", fmt.Errorf("%w: %s missing", ErrMalformed, f.name)
		}
	}
	if err := req.validate(); err != nil {
		return nil, nil, "", err
	}
	sig := get(keySignature)
	if sig == "" {
		return nil, nil, "", fmt.Errorf("%w: no %s header", ErrMissingSignature, HeaderSignature)
	}

	if r.ContentLength > lim.MaxBody {
		return nil, nil, "", fmt.Errorf("%w: Content-Length %d over %d bytes", ErrBodyTooLarge, r.ContentLength, lim.MaxBody)
	}
	body, err := readBody(r.Body, r.ContentLength, lim.MaxBody)
	if err != nil {
		return nil, nil, "", err
	}
	if req.ContentDigest == "" {
		if len(body) > 0 {
			return nil, nil, "", fmt.Errorf("%w: a body without a %s header", ErrDigest, HeaderContentDigest)
		}
	} else if err := CheckContentDigest(req.ContentDigest, body); err != nil {
		return nil, nil, "", err
	}
	return req, body, sig, nil
}

// either returns the value of a field that may come by its Samband header
// or its X-Road header; both with different values is ErrDuplicateHeader.
func either(name, v, xname, xv string) (string, error) {
	if v != "" && xv != "" && v != xv {
		return "", fmt.Errorf("%w: %s and %s differ", ErrDuplicateHeader, name, xname)
	}
	if v == "" {
		return xv, nil
	}
	return v, nil
}

// xroadRequester maps an X-Road client id,
// INSTANCE/MEMBERCLASS/MEMBERCODE[/SUBSYSTEM], to the party ID
// INSTANCE/MEMBERCODE.
func xroadRequester(c string) (string, error) {
	parts := strings.Split(c, "/")
	if len(parts) != 3 && len(parts) != 4 {
		return "", fmt.Errorf("%w: %s is not INSTANCE/MEMBERCLASS/MEMBERCODE[/SUBSYSTEM]", ErrMalformed, HeaderXRoadClient)
	}
	if !isCountry(parts[0]) {
		return "", fmt.Errorf("%w: %s instance is not an ISO country code", ErrMalformed, HeaderXRoadClient)
	}
	for _, p := range parts[1:] {
		if !validOrganisation(p) {
			return "", fmt.Errorf("%w: %s has a part not of [A-Za-z0-9._-]{1,64}", ErrMalformed, HeaderXRoadClient)
		}
	}
	return parts[0] + "/" + parts[2], nil
}

// readBody reads at most max bytes of body; more is ErrBodyTooLarge. A
// body of known length (at most max, checked before) is read into a
// buffer of that length, and must end there.
func readBody(body io.Reader, length, max int64) ([]byte, error) {
	if body == nil || body == http.NoBody || length == 0 {
		return nil, nil
	}
	if length > 0 {
		buf := make([]byte, length)
		if _, err := io.ReadFull(body, buf); err != nil {
			return nil, fmt.Errorf("%w: reading the body of %d bytes: %v", ErrMalformed, length, err)
		}
		var one [1]byte
		if n, _ := body.Read(one[:]); n > 0 {
			return nil, fmt.Errorf("%w: body longer than its Content-Length %d", ErrMalformed, length)
		}
		return buf, nil
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(body, max+1))
	if err != nil {
		return nil, fmt.Errorf("%w: reading the body: %v", ErrMalformed, err)
	}
	if n > max {
		return nil, fmt.Errorf("%w: over %d bytes", ErrBodyTooLarge, max)
	}
	if n == 0 {
		return nil, nil
	}
	return buf.Bytes(), nil
}

// parseTime reads HeaderTime: RFC 3339, UTC ("Z"), whole seconds.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil || len(s) != len("2006-01-02T15:04:05Z") || s[len(s)-1] != 'Z' || t.Format(time.RFC3339) != s {
		return time.Time{}, fmt.Errorf("%w: %s is not RFC 3339 UTC to the second (2026-11-22T10:00:00Z)", ErrMalformed, HeaderTime)
	}
	return t, nil
}

// validate checks every field of r as ReadRequest would have, and that the
// target's parts agree with Target.
func (r *Request) validate() error {
	if !validMethod(r.Method) {
		return fmt.Errorf("%w: method is not an upper-case token", ErrMalformed)
	}
	t, err := parseTarget(r.Target, maxTargetCeiling)
	if err != nil {
		return err
	}
	if t.country != r.Country || t.organisation != r.Organisation || t.service != r.Service || t.path != r.Path || t.rawQuery != r.RawQuery {
		return fmt.Errorf("%w: country, organisation, service, path or query differ from the target", ErrPath)
	}
	if r.Time.IsZero() || r.Time.Nanosecond() != 0 || r.Time.Year() > 9999 || r.Time.Year() < 1 {
		return fmt.Errorf("%w: time must be set, to the whole second", ErrMalformed)
	}
	if r.ContentDigest != "" && !validText(r.ContentDigest) {
		return fmt.Errorf("%w: %s holds control characters", ErrMalformed, HeaderContentDigest)
	}
	return r.validateFields()
}

// validateFields checks the header fields of r.
func (r *Request) validateFields() error {
	switch {
	case !validUUID(r.ID):
		return fmt.Errorf("%w: request id is not a lower-case UUID", ErrMalformed)
	case !ValidPartyID(r.Requester):
		return fmt.Errorf("%w: requester is not a party ID COUNTRY/ORGANISATION", ErrMalformed)
	case !ValidPartyID(r.Audience):
		return fmt.Errorf("%w: %s is not a party ID COUNTRY/ORGANISATION", ErrMalformed, HeaderAudience)
	case !validIRI(r.Purpose):
		return fmt.Errorf("%w: %s is not an absolute http, https or urn IRI", ErrMalformed, HeaderPurpose)
	case !validIRI(r.LegalBasis):
		return fmt.Errorf("%w: %s is not an absolute http, https or urn IRI", ErrMalformed, HeaderLegalBasis)
	case r.Subject != "" && !validPerson(r.Subject):
		return fmt.Errorf("%w: %s is not a country code and a national id (NO01017012345)", ErrMalformed, HeaderSubject)
	case r.Representative != "" && !validPerson(r.Representative):
		return fmt.Errorf("%w: %s is not a country code and a national id (NO01017012345)", ErrMalformed, HeaderRepresentative)
	}
	for _, f := range [...]struct{ name, v string }{
		{HeaderMandate, r.Mandate},
		{HeaderLifeEvent, r.LifeEvent},
		{HeaderIssue, r.Issue},
		{HeaderXRoadUserID, r.UserID},
	} {
		if f.v != "" && !validText(f.v) {
			return fmt.Errorf("%w: %s holds control characters, invalid UTF-8 or surrounding spaces", ErrMalformed, f.name)
		}
	}
	return nil
}

// validMethod reports whether m is an upper-case token: a letter, then up
// to 31 letters, digits, "-" or "_".
func validMethod(m string) bool {
	if m == "" || len(m) > 32 || m[0] < 'A' || m[0] > 'Z' {
		return false
	}
	for i := 1; i < len(m); i++ {
		c := m[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// validUUID reports whether s is a UUID in lower-case canonical form.
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// isCountry reports whether s is two upper-case ASCII letters.
func isCountry(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

// validOrganisation reports whether s matches [A-Za-z0-9._-]{1,64} and is
// not "." or "..".
func validOrganisation(s string) bool {
	if s == "" || len(s) > 64 || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// validService reports whether s matches [a-z0-9][a-z0-9._-]{0,63}.
func validService(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || i > 0 && (c == '.' || c == '_' || c == '-')) {
			return false
		}
	}
	return true
}

// ValidPartyID reports whether s is a party ID: an ISO 3166-1 alpha-2
// country (two upper-case letters), "/", and the organisation
// ([A-Za-z0-9._-]{1,64}, not "." or ".."), such as "FI/0245437-2".
func ValidPartyID(s string) bool {
	return len(s) > 3 && s[2] == '/' && isCountry(s[:2]) && validOrganisation(s[3:])
}

// validPerson reports whether s is a country (two upper-case letters)
// followed by 1 to 64 letters, digits, "+" or "-".
func validPerson(s string) bool {
	if len(s) < 3 || len(s) > 66 || !isCountry(s[:2]) {
		return false
	}
	for i := 2; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '-') {
			return false
		}
	}
	return true
}

// validText reports whether s is valid UTF-8 of printable characters
// (unicode.IsPrint: no control, format or line-separator characters)
// without leading or trailing spaces, at most maxFieldCeiling bytes.
func validText(s string) bool {
	if s == "" || len(s) > maxFieldCeiling || s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || !unicode.IsPrint(r) {
			return false
		}
		i += n
	}
	return true
}

// validIRI reports whether s is an absolute IRI with the scheme http or
// https and a host, or urn with a namespace and a name: printable, without
// spaces or the characters <>"{}|\^`, every "%" a valid escape, at most
// one "#".
func validIRI(s string) bool {
	if !validText(s) || strings.Count(s, "#") > 1 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '<', '>', '"', '{', '}', '|', '\\', '^', '`':
			return false
		case '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
		}
	}
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok {
		return false
	}
	switch strings.ToLower(scheme) {
	case "http", "https":
		auth, ok := strings.CutPrefix(rest, "//")
		if !ok {
			return false
		}
		if i := strings.IndexAny(auth, "/?#"); i >= 0 {
			auth = auth[:i]
		}
		return auth != "" && !strings.Contains(auth, "@")
	case "urn":
		nid, nss, ok := strings.Cut(rest, ":")
		if !ok || nss == "" || nid == "" || len(nid) > 32 {
			return false
		}
		for i := 0; i < len(nid); i++ {
			c := nid[i]
			if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || i > 0 && c == '-') {
				return false
			}
		}
		return true
	}
	return false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// target is a request target taken apart.
type target struct {
	country, organisation, service, path, rawQuery string
}

// parseTarget applies the path rules of ReadRequest to s.
func parseTarget(s string, maxLen int) (target, error) {
	var t target
	if len(s) > maxLen {
		return t, fmt.Errorf("%w: target longer than %d bytes", ErrPath, maxLen)
	}
	rest, ok := strings.CutPrefix(s, PathPrefix)
	if !ok {
		return t, fmt.Errorf("%w: target does not start with %s", ErrPath, PathPrefix)
	}
	p, q, hasQuery := strings.Cut(rest, "?")
	if err := checkTargetChars(p, false); err != nil {
		return t, err
	}
	if hasQuery {
		if err := checkTargetChars(q, true); err != nil {
			return t, err
		}
		t.rawQuery = q
	}
	var sok bool
	t.country, p, _ = strings.Cut(p, "/")
	t.organisation, p, _ = strings.Cut(p, "/")
	t.service, p, sok = strings.Cut(p, "/")
	switch {
	case !isCountry(t.country):
		return t, fmt.Errorf("%w: country is not two upper-case letters", ErrPath)
	case !validOrganisation(t.organisation):
		return t, fmt.Errorf("%w: organisation is not [A-Za-z0-9._-]{1,64}", ErrPath)
	case !validService(t.service):
		return t, fmt.Errorf("%w: service is not [a-z0-9][a-z0-9._-]{0,63}", ErrPath)
	}
	t.path = "/"
	if sok {
		t.path = "/" + p
		segs := strings.Split(p, "/")
		for i, seg := range segs {
			if seg == "" && i < len(segs)-1 {
				return t, fmt.Errorf("%w: empty path segment", ErrPath)
			}
			name, _, _ := strings.Cut(seg, ";")
			if name == "." || name == ".." {
				return t, fmt.Errorf("%w: dot segment in the path", ErrPath)
			}
		}
		if len(segs) == 1 && segs[0] == "" {
			t.path = "/"
		}
	}
	return t, nil
}

// checkTargetChars checks that s holds only what RFC 3986 allows in a
// path (pchar and "/"), or in a query (also "?"), that every "%" starts a
// valid escape, and that no escape is forbidden: in a path %2F, %5C, %2E,
// NUL or a control character; in a query NUL.
func checkTargetChars(s string, query bool) error {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-' || c == '.' || c == '_' || c == '~' || c == '/' || c == ':' || c == '@':
		case c == '!' || c == '$' || c == '&' || c == '\'' || c == '(' || c == ')' || c == '*' || c == '+' || c == ',' || c == ';' || c == '=':
		case c == '?' && query:
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return fmt.Errorf("%w: invalid escape in the target", ErrPath)
			}
			d := unhex(s[i+1])<<4 | unhex(s[i+2])
			if d == 0 {
				return fmt.Errorf("%w: escaped NUL in the target", ErrPath)
			}
			if !query && (d == '/' || d == '\\' || d == '.' || d < 0x20 || d == 0x7f) {
				return fmt.Errorf("%w: escaped /, \\, . or control character in the path", ErrPath)
			}
			i += 2
		case c == '\\':
			return fmt.Errorf("%w: backslash in the target", ErrPath)
		case c < 0x20 || c == 0x7f:
			return fmt.Errorf("%w: control character in the target", ErrPath)
		default:
			return fmt.Errorf("%w: character %q not allowed in the target", ErrPath, c)
		}
	}
	return nil
}

// CheckTime checks a request's time t against the clock now: earlier than
// now-window is ErrStale, later than now+skew is ErrFuture.
func CheckTime(t, now time.Time, window, skew time.Duration) error {
	if t.Before(now.Add(-window)) {
		return fmt.Errorf("%w: %s is more than %s before %s", ErrStale, t.UTC().Format(time.RFC3339), window, now.UTC().Format(time.RFC3339))
	}
	if t.After(now.Add(skew)) {
		return fmt.Errorf("%w: %s is more than %s after %s", ErrFuture, t.UTC().Format(time.RFC3339), skew, now.UTC().Format(time.RFC3339))
	}
	return nil
}

// Signed is what a verified signature says: who signed, with which key and
// which algorithm.
type Signed struct {
	Signer string // the "iss" of the protected header, a party ID
	KeyID  string // the "kid"
	Alg    jwa.SignatureAlgorithm
}

// KeyFunc returns the public key of signer with kid, valid at the time of
// the message it is asked for. Its errors reach the caller of Verify,
// ReadReceipt and ReadCountersignature wrapped, so that errors.Is finds
// the KeyFunc's own sentinels.
type KeyFunc func(ctx context.Context, signer, kid string) (jwk.Key, error)

// The "typ" of each kind of Samband JWS.
const (
	TypeRequest          = "samband-request+jws"
	TypeReceipt          = "samband-receipt+jws"
	TypeCountersignature = "samband-countersignature+jws"
)

// Bounds of the signatures Verify reads.
const (
	maxProtected  = 2048 // the protected header, base64url
	maxKeyID      = 256
	maxRequestJWS = 4096
)

// Sign returns the signature of r for its Samband-Signature header: a
// compact JWS with detached payload (RFC 7515 appendix F) over
// r.Canonical(), whose protected header is {"alg", "kid", "typ":
// "samband-request+jws", "iss": signer}. key is a private JWK with a
// "kid": an OKP Ed25519 key (alg EdDSA) or an EC P-256 key (alg ES256);
// any other key is an error, as is a Request that ReadRequest would
// refuse or a signer that is not a party ID. Sign checks and prepares the
// key at every call (for Ed25519, that its public half belongs to its
// private half: half the cost of a signature); a gateway that signs
// often prepares it once with NewSigningKey.
func Sign(r *Request, signer string, key jwk.Key) (string, error) {
	if err := r.validate(); err != nil {
		return "", err
	}
	k, err := NewSigningKey(key)
	if err != nil {
		return "", err
	}
	return k.SignRequest(r, signer)
}

// Verify checks sig, the Samband-Signature of r, and returns who signed.
//
// sig must be one compact JWS with detached payload; the JSON
// serialization, and with it more than one signature, is refused, as is
// an attached payload (ErrSignature). Its protected header, at most 2048
// bytes and a JSON object without duplicate members, must name "alg"
// EdDSA or ES256 (anything else, "none", HMAC and RSA included, is
// ErrAlgorithm), "typ" samband-request+jws, an "iss" that is a party ID
// and a "kid"; a "crit" or "b64" member is refused (ErrSignature). The key
// comes from keys(ctx, iss, kid) only: a "jwk", "jku", "x5u" or "x5c" the
// message brings is ignored. The key must be of the algorithm's type,
// OKP Ed25519 for EdDSA and EC P-256 for ES256, and its "alg" and "use",
// if set, must agree; otherwise it is ErrAlgorithm (key confusion). Then
// the signature is verified over r.Canonical() with jwx's JWS building
// blocks (jwsbb.Verify).
//
// The signer need not be r.Requester: a gateway that forwards a request
// signs it as itself. The caller decides whom it trusts for what.
func Verify(ctx context.Context, r *Request, sig string, keys KeyFunc) (Signed, error) {
	if sig == "" {
		return Signed{}, fmt.Errorf("%w: empty signature", ErrMissingSignature)
	}
	if len(sig) > maxRequestJWS {
		return Signed{}, fmt.Errorf("%w: signature longer than %d bytes", ErrSignature, maxRequestJWS)
	}
	if err := r.validate(); err != nil {
		return Signed{}, err
	}
	h64, payload, s64, err := splitCompact(sig)
	if err != nil {
		return Signed{}, err
	}
	if payload != "" {
		return Signed{}, fmt.Errorf("%w: the payload is attached; a detached payload is expected", ErrSignature)
	}
	hdr, err := parseProtected(h64, TypeRequest)
	if err != nil {
		return Signed{}, err
	}
	if !ValidPartyID(hdr.Iss) {
		return Signed{}, fmt.Errorf("%w: protected header has no iss that is a party ID", ErrSignature)
	}
	canonical := r.Canonical()
	input := make([]byte, 0, len(h64)+1+base64.RawURLEncoding.EncodedLen(len(canonical)))
	input = append(input, h64...)
	input = append(input, '.')
	input = base64.RawURLEncoding.AppendEncode(input, canonical)
	if err := verifySignature(ctx, keys, hdr, input, s64); err != nil {
		return Signed{}, err
	}
	return Signed{Signer: hdr.Iss, KeyID: hdr.Kid, Alg: hdr.alg}, nil
}

// protectedHeader is a Samband JWS protected header; it marshals in this
// order.
type protectedHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Typ string `json:"typ"`
	Iss string `json:"iss,omitempty"`

	alg jwa.SignatureAlgorithm
}

// splitCompact splits a compact JWS into its three parts.
func splitCompact(s string) (hdr, payload, sig string, err error) {
	if strings.HasPrefix(strings.TrimLeft(s, " \t\r\n"), "{") {
		return "", "", "", fmt.Errorf("%w: JSON serialization refused; one compact JWS is expected", ErrSignature)
	}
	hdr, rest, ok1 := strings.Cut(s, ".")
	payload, sig, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.Contains(sig, ".") {
		return "", "", "", fmt.Errorf("%w: not a compact JWS of three parts", ErrSignature)
	}
	return hdr, payload, sig, nil
}

// parseProtected decodes and checks a protected header of the kind typ.
func parseProtected(h64, typ string) (protectedHeader, error) {
	var h protectedHeader
	if len(h64) > maxProtected {
		return h, fmt.Errorf("%w: protected header longer than %d bytes", ErrSignature, maxProtected)
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(h64)
	if err != nil {
		return h, fmt.Errorf("%w: protected header is not base64url", ErrSignature)
	}
	var hasAlg, hasTyp bool
	err = decodeObject(raw, func(key string, v []byte) error {
		var err error
		switch key {
		case "alg":
			h.Alg, err = jsonString(v)
			hasAlg = true
		case "kid":
			h.Kid, err = jsonString(v)
		case "typ":
			h.Typ, err = jsonString(v)
			hasTyp = true
		case "iss":
			h.Iss, err = jsonString(v)
		case "crit":
			return fmt.Errorf("crit is not accepted")
		case "b64":
			return fmt.Errorf("b64 is not accepted")
		}
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		return nil
	})
	if err != nil {
		return h, fmt.Errorf("%w: protected header: %v", ErrSignature, err)
	}
	switch {
	case !hasAlg:
		return h, fmt.Errorf("%w: protected header has no alg", ErrAlgorithm)
	case h.Alg == "EdDSA":
		h.alg = jwa.EdDSA()
	case h.Alg == "ES256":
		h.alg = jwa.ES256()
	default:
		return h, fmt.Errorf("%w: alg %.32q; EdDSA or ES256 is required", ErrAlgorithm, h.Alg)
	}
	if !hasTyp || !strings.EqualFold(strings.TrimPrefix(strings.ToLower(h.Typ), "application/"), typ) {
		return h, fmt.Errorf("%w: typ is not %s", ErrSignature, typ)
	}
	if h.Kid == "" || len(h.Kid) > maxKeyID || !validText(h.Kid) {
		return h, fmt.Errorf("%w: protected header has no valid kid", ErrSignature)
	}
	return h, nil
}

// verifySignature looks up the key of hdr's iss and kid, checks it belongs
// to hdr's algorithm, and verifies the base64url signature s64 over input.
func verifySignature(ctx context.Context, keys KeyFunc, hdr protectedHeader, input []byte, s64 string) error {
	if len(s64) > 2*base64.RawURLEncoding.EncodedLen(64) {
		return fmt.Errorf("%w: signature too long", ErrSignature)
	}
	sig, err := base64.RawURLEncoding.Strict().DecodeString(s64)
	if err != nil {
		return fmt.Errorf("%w: signature is not base64url", ErrSignature)
	}
	key, err := keys(ctx, hdr.Iss, hdr.Kid)
	if err != nil {
		return fmt.Errorf("key %.64q of %s: %w", hdr.Kid, hdr.Iss, err)
	}
	pub, err := publicKeyFor(hdr.alg, key)
	if err != nil {
		return err
	}
	if len(sig) != 64 {
		return fmt.Errorf("%w: a %s signature is 64 bytes, not %d", ErrSignature, hdr.Alg, len(sig))
	}
	ok := false
	if edPub, isEd := pub.(ed25519.PublicKey); isEd {
		ok = ed25519x.Verify(edPub, input, sig) // crypto/ed25519's rules, faster
	} else {
		ok = jwsbb.Verify(pub, hdr.Alg, input, sig) == nil
	}
	if !ok {
		return fmt.Errorf("%w: %s signature of %s (key %.64q) does not verify", ErrSignature, hdr.Alg, hdr.Iss, hdr.Kid)
	}
	return nil
}

// publicKeyFor returns the raw public key of key if it is a key of alg:
// Ed25519 for EdDSA, P-256 for ES256, with no "alg" or "use" that says
// otherwise.
func publicKeyFor(alg jwa.SignatureAlgorithm, key jwk.Key) (any, error) {
	if key == nil {
		return nil, fmt.Errorf("%w: no key", ErrSignature)
	}
	if a, ok := key.Algorithm(); ok && a.String() != alg.String() {
		return nil, fmt.Errorf("%w: the key is for %.32q, the signature says %s", ErrAlgorithm, a.String(), alg)
	}
	if use, ok := key.KeyUsage(); ok && use != "sig" {
		return nil, fmt.Errorf("%w: the key's use is %.32q, not sig", ErrAlgorithm, use)
	}
	var raw any
	if err := jwk.Export(key, &raw); err != nil {
		return nil, fmt.Errorf("%w: unusable key: %v", ErrAlgorithm, err)
	}
	switch alg.String() {
	case "EdDSA":
		switch k := raw.(type) {
		case ed25519.PublicKey:
			if len(k) == ed25519.PublicKeySize {
				return k, nil
			}
		case ed25519.PrivateKey:
			if len(k) == ed25519.PrivateKeySize {
				return k.Public(), nil
			}
		}
	case "ES256":
		switch k := raw.(type) {
		case *ecdsa.PublicKey:
			if k.Curve == elliptic.P256() {
				return k, nil
			}
		case *ecdsa.PrivateKey:
			if k.Curve == elliptic.P256() {
				return &k.PublicKey, nil
			}
		}
	}
	return nil, fmt.Errorf("%w: a key of type %s (%T) cannot verify %s", ErrAlgorithm, key.KeyType(), raw, alg)
}

// GenerateKey makes a private signing JWK for alg (EdDSA: Ed25519; ES256:
// P-256) with kid and "use": "sig", as NewSigningKey takes it and as
// `gateway keys generate` writes it.
func GenerateKey(alg, kid string) (jwk.Key, error) {
	var raw any
	var err error
	switch alg {
	case "EdDSA":
		_, raw, err = ed25519.GenerateKey(rand.Reader)
	case "ES256":
		raw, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		return nil, fmt.Errorf("%w: cannot make a key for %q: EdDSA or ES256", ErrAlgorithm, alg)
	}
	if err != nil {
		return nil, err
	}
	k, err := jwk.Import(raw)
	if err != nil {
		return nil, err
	}
	if err := k.Set(jwk.KeyIDKey, kid); err != nil {
		return nil, err
	}
	if err := k.Set(jwk.KeyUsageKey, "sig"); err != nil {
		return nil, err
	}
	return k, nil
}

// SigningKey is a private key checked and prepared once for signing
// requests, receipts and countersignatures, which Sign, SignReceipt and
// Countersign otherwise do at every call. It is safe for concurrent use.
type SigningKey struct {
	alg jwa.SignatureAlgorithm
	kid string
	raw any
	// The protected headers of receipts and countersignatures, base64url.
	receiptHdr, counterHdr []byte
}

// NewSigningKey checks that key is a private JWK with a "kid" (printable,
// at most 256 bytes) and is an OKP Ed25519 key (signing EdDSA) or an EC
// P-256 key (signing ES256), with no "alg" that says otherwise, and
// prepares it for signing.
func NewSigningKey(key jwk.Key) (*SigningKey, error) {
	if key == nil {
		return nil, fmt.Errorf("%w: no signing key", ErrAlgorithm)
	}
	kid, _ := key.KeyID()
	if kid == "" || len(kid) > maxKeyID || !validText(kid) {
		return nil, fmt.Errorf("%w: the signing key has no valid kid", ErrAlgorithm)
	}
	var raw any
	if err := jwk.Export(key, &raw); err != nil {
		return nil, fmt.Errorf("%w: unusable signing key: %v", ErrAlgorithm, err)
	}
	k := &SigningKey{kid: kid}
	switch r := raw.(type) {
	case ed25519.PrivateKey:
		if len(r) != ed25519.PrivateKeySize {
			return nil, fmt.Errorf("%w: Ed25519 private key of %d bytes", ErrAlgorithm, len(r))
		}
		k.alg, k.raw = jwa.EdDSA(), r
	case *ecdsa.PrivateKey:
		if r.Curve != elliptic.P256() {
			return nil, fmt.Errorf("%w: EC key not on P-256", ErrAlgorithm)
		}
		k.alg, k.raw = jwa.ES256(), r
	default:
		return nil, fmt.Errorf("%w: signing needs a private Ed25519 or P-256 key, not %T", ErrAlgorithm, raw)
	}
	if a, ok := key.Algorithm(); ok && a.String() != k.alg.String() {
		return nil, fmt.Errorf("%w: the key is for %.32q, not %s", ErrAlgorithm, a.String(), k.alg)
	}
	var err error
	if k.receiptHdr, err = k.header(TypeReceipt, ""); err != nil {
		return nil, err
	}
	if k.counterHdr, err = k.header(TypeCountersignature, ""); err != nil {
		return nil, err
	}
	return k, nil
}

// Algorithm returns the algorithm the key signs with: EdDSA or ES256.
func (k *SigningKey) Algorithm() jwa.SignatureAlgorithm { return k.alg }

// KeyID returns the key's "kid".
func (k *SigningKey) KeyID() string { return k.kid }

// SignRequest signs r as Sign does.
func (k *SigningKey) SignRequest(r *Request, signer string) (string, error) {
	if err := r.validate(); err != nil {
		return "", err
	}
	if !ValidPartyID(signer) {
		return "", fmt.Errorf("%w: signer is not a party ID COUNTRY/ORGANISATION", ErrMalformed)
	}
	h64, err := k.header(TypeRequest, signer)
	if err != nil {
		return "", err
	}
	return k.sign(h64, r.Canonical(), true)
}

// header returns the base64url of the protected header {"alg", "kid",
// "typ", "iss"}, without "iss" when iss is empty.
func (k *SigningKey) header(typ, iss string) ([]byte, error) {
	hdr, err := json.Marshal(protectedHeader{Alg: k.alg.String(), Kid: k.kid, Typ: typ, Iss: iss})
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", typ, err)
	}
	return base64.RawURLEncoding.AppendEncode(nil, hdr), nil
}

// sign returns the compact JWS of the encoded protected header h64 and
// payload, leaving the payload out when detached.
func (k *SigningKey) sign(h64, payload []byte, detached bool) (string, error) {
	enc := base64.RawURLEncoding
	input := make([]byte, 0, len(h64)+1+enc.EncodedLen(len(payload))+1+enc.EncodedLen(64))
	input = append(input, h64...)
	input = append(input, '.')
	hl := len(input)
	input = enc.AppendEncode(input, payload)
	var sig []byte
	if ed, ok := k.raw.(ed25519.PrivateKey); ok {
		sig = ed25519x.Sign(ed, input) // crypto/ed25519's signature, faster
	} else {
		var err error
		if sig, err = jwsbb.Sign(k.raw, k.alg.String(), input, nil); err != nil {
			return "", fmt.Errorf("sign: %w", err)
		}
	}
	if detached {
		input = input[:hl]
	}
	input = append(input, '.')
	input = enc.AppendEncode(input, sig)
	return string(input), nil
}

// decodeObject reads data as one JSON object without duplicate member
// names (compared exactly, after unescaping) and calls f with each member's
// name and the bytes of its value.
func decodeObject(data []byte, f func(key string, v []byte) error) error {
	if !json.Valid(data) {
		return fmt.Errorf("not JSON")
	}
	// Valid JSON from here on: the scanning below need not check syntax.
	i := skipWS(data, 0)
	if data[i] != '{' {
		return fmt.Errorf("not a JSON object")
	}
	i++
	var seenBuf [16]string
	seen := seenBuf[:0]
	for {
		i = skipWS(data, i)
		switch data[i] {
		case '}':
			return nil
		case ',':
			i = skipWS(data, i+1)
		}
		end := stringEnd(data, i)
		key, err := unquote(data[i:end])
		if err != nil {
			return err
		}
		for _, k := range seen {
			if k == key {
				return fmt.Errorf("member %.32q given twice", key)
			}
		}
		seen = append(seen, key)
		i = skipWS(data, end) + 1 // ':'
		i = skipWS(data, i)
		vend := valueEnd(data, i)
		if err := f(key, data[i:vend]); err != nil {
			return err
		}
		i = vend
	}
}

func skipWS(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index after the valid JSON string at data[i].
func stringEnd(data []byte, i int) int {
	for j := i + 1; ; j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
}

// valueEnd returns the index after the valid JSON value at data[i].
func valueEnd(data []byte, i int) int {
	switch data[i] {
	case '"':
		return stringEnd(data, i)
	case '{', '[':
		depth := 0
		for j := i; ; j++ {
			switch data[j] {
			case '"':
				j = stringEnd(data, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
	}
	j := i
	for j < len(data) && !strings.ContainsRune(",}] \t\r\n", rune(data[j])) {
		j++
	}
	return j
}

// unquote decodes the valid JSON string b. Invalid UTF-8 and escaped
// surrogates (\ud800 to \udfff, which other decoders read differently
// when unpaired) are errors.
func unquote(b []byte) (string, error) {
	inner := b[1 : len(b)-1]
	if !utf8.Valid(inner) {
		return "", fmt.Errorf("invalid UTF-8 in a string")
	}
	esc := bytes.IndexByte(inner, '\\')
	if esc < 0 {
		return string(inner), nil
	}
	for i := esc; i < len(inner); i++ {
		if inner[i] != '\\' {
			continue
		}
		i++
		if inner[i] == 'u' && (inner[i+1] == 'd' || inner[i+1] == 'D') && strings.IndexByte("89abcdefABCDEF", inner[i+2]) >= 0 {
			return "", fmt.Errorf("escaped surrogate in a string")
		}
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return "", err
	}
	return s, nil
}

// jsonString decodes a JSON string value; any other value is an error.
func jsonString(v []byte) (string, error) {
	if len(v) == 0 || v[0] != '"' {
		return "", fmt.Errorf("not a string")
	}
	return unquote(v)
}

// jsonInt decodes a JSON integer (digits, an optional minus sign, no
// fraction or exponent) that fits in an int64.
func jsonInt(v []byte) (int64, error) {
	s := string(v)
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || len(digits) > 1 && digits[0] == '0' {
		return 0, fmt.Errorf("not an integer")
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, fmt.Errorf("not an integer")
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("not an int64")
	}
	return n, nil
}
