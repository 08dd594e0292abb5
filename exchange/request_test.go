package exchange

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jws/jwsbb"
)

// Parties and times of the tests.
const (
	testRequester = "FI/0245437-2"
	testAudience  = "NO/991825827"
	testTarget    = "/exchange/v1/NO/974760673/death-records/v1/deaths?id=1"
	testID        = "0b6d2f4e-8c1a-4e6b-9a3d-5f2e7c9b1a40"
)

var testTime = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// testRequest returns a valid request with every field set.
func testRequest() *Request {
	return &Request{
		Method:          "POST",
		Target:          testTarget,
		Audience:        testAudience,
		ID:              testID,
		Requester:       testRequester,
		Purpose:         "https://w3id.org/dpv#LegalCompliance",
		LegalBasis:      "http://data.europa.eu/eli/reg/2012/650/oj",
		Subject:         "NO01017012345",
		Representative:  "FI131052-308T",
		Mandate:         "mandate-7",
		ExplicitRequest: true,
		LifeEvent:       "death-inheritance",
		Issue:           "case 2026/114",
		UserID:          "FI131052-308T",
		Time:            testTime,
		ContentDigest:   ContentDigest([]byte(`{"q":1}`)),
		Country:         "NO",
		Organisation:    "974760673",
		Service:         "death-records",
		Path:            "/v1/deaths",
		RawQuery:        "id=1",
	}
}

// testBody is the body testRequest's digest is of.
var testBody = []byte(`{"q":1}`)

// edKey returns an Ed25519 private JWK with kid, from a seed made of name
// so that its signatures are the same on every run.
func edKey(t testing.TB, name, kid string) jwk.Key {
	t.Helper()
	seed := sha256.Sum256([]byte(name))
	k, err := jwk.Import(ed25519.NewKeyFromSeed(seed[:]))
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Set(jwk.KeyIDKey, kid); err != nil {
		t.Fatal(err)
	}
	return k
}

// ecKey returns a new P-256 private JWK with kid.
func ecKey(t testing.TB, kid string) jwk.Key {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := jwk.Import(priv)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Set(jwk.KeyIDKey, kid); err != nil {
		t.Fatal(err)
	}
	return k
}

// publicOf returns the public JWK of a private one.
func publicOf(t testing.TB, k jwk.Key) jwk.Key {
	t.Helper()
	p, err := k.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// errNoKey is what keyring answers for a key it does not hold.
var errNoKey = errors.New("no such key")

// keyring is a KeyFunc over public keys by "signer kid".
type keyring map[string]jwk.Key

func (k keyring) keys(_ context.Context, signer, kid string) (jwk.Key, error) {
	if key, ok := k[signer+" "+kid]; ok {
		return key, nil
	}
	return nil, fmt.Errorf("%w: %s %s", errNoKey, signer, kid)
}

func sha256Sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

func b64std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// testHTTPRequest builds the server-side request a client would send for r
// and body, with the signature sig.
func testHTTPRequest(t testing.TB, r *Request, body []byte, sig string) *http.Request {
	t.Helper()
	req := httptest.NewRequest(r.Method, r.Target, bytes.NewReader(body))
	r.SetHeaders(req.Header)
	if sig != "" {
		req.Header.Set(HeaderSignature, sig)
	}
	return req
}

func TestCanonical(t *testing.T) {
	want := "samband-request/1\n" +
		"method: POST\n" +
		"target: /exchange/v1/NO/974760673/death-records/v1/deaths?id=1\n" +
		"audience: NO/991825827\n" +
		"request-id: 0b6d2f4e-8c1a-4e6b-9a3d-5f2e7c9b1a40\n" +
		"requester: FI/0245437-2\n" +
		"purpose: https://w3id.org/dpv#LegalCompliance\n" +
		"legal-basis: http://data.europa.eu/eli/reg/2012/650/oj\n" +
		"subject: NO01017012345\n" +
		"representative: FI131052-308T\n" +
		"mandate: mandate-7\n" +
		"explicit-request: true\n" +
		"life-event: death-inheritance\n" +
		"issue: case 2026/114\n" +
		"user-id: FI131052-308T\n" +
		"time: 2026-11-22T10:00:00Z\n" +
		"content-digest: sha-256=:" + b64std(sha256Sum(testBody)) + ":\n"
	if got := string(testRequest().Canonical()); got != want {
		t.Errorf("Canonical() =\n%s\nwant\n%s", got, want)
	}

	// A bodiless request with only the required fields: empty lines for
	// the rest, false, and the digest of the empty body.
	r := testRequest()
	r.Method, r.Subject, r.Representative, r.Mandate, r.LifeEvent, r.Issue, r.UserID = "GET", "", "", "", "", "", ""
	r.ExplicitRequest, r.ContentDigest = false, ""
	r.Time = time.Date(2026, 11, 22, 11, 0, 0, 0, time.FixedZone("CET", 3600))
	want = "samband-request/1\n" +
		"method: GET\n" +
		"target: /exchange/v1/NO/974760673/death-records/v1/deaths?id=1\n" +
		"audience: NO/991825827\n" +
		"request-id: 0b6d2f4e-8c1a-4e6b-9a3d-5f2e7c9b1a40\n" +
		"requester: FI/0245437-2\n" +
		"purpose: https://w3id.org/dpv#LegalCompliance\n" +
		"legal-basis: http://data.europa.eu/eli/reg/2012/650/oj\n" +
		"subject: \n" +
		"representative: \n" +
		"mandate: \n" +
		"explicit-request: false\n" +
		"life-event: \n" +
		"issue: \n" +
		"user-id: \n" +
		"time: 2026-11-22T10:00:00Z\n" +
		"content-digest: sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:\n"
	if got := string(r.Canonical()); got != want {
		t.Errorf("Canonical() of a bodiless request =\n%s\nwant\n%s", got, want)
	}
	if r.Hash() != sha256.Sum256([]byte(want)) {
		t.Errorf("Hash() is not the SHA-256 of Canonical()")
	}
	if got, want := r.HashText(), b64url(sha256Sum([]byte(want))); got != want {
		t.Errorf("HashText() = %s, want %s", got, want)
	}
}

func TestReadRequest(t *testing.T) {
	want := testRequest()
	req := testHTTPRequest(t, want, testBody, "sig")
	got, body, sig, err := ReadRequest(req, Limits{})
	if err != nil {
		t.Fatalf("ReadRequest: %v", err)
	}
	if *got != *want {
		t.Errorf("ReadRequest =\n%+v\nwant\n%+v", *got, *want)
	}
	if !bytes.Equal(body, testBody) || sig != "sig" {
		t.Errorf("ReadRequest body %q, signature %q; want %q, %q", body, sig, testBody, "sig")
	}
	if !bytes.Equal(got.Canonical(), want.Canonical()) {
		t.Errorf("canonical forms differ")
	}
}

func TestReadRequestXRoad(t *testing.T) {
	base := testRequest()
	tests := []struct {
		name    string
		headers map[string]string // set after SetHeaders; "" deletes
		want    func(*Request)
		err     error
	}{
		{
			name:    "X-Road-Client with a subsystem names the requester",
			headers: map[string]string{HeaderRequester: "", HeaderXRoadClient: "FI/GOV/0245437-2/SUB"},
			want:    func(r *Request) { r.Requester = "FI/0245437-2" },
		},
		{
			name:    "X-Road-Client without a subsystem",
			headers: map[string]string{HeaderRequester: "", HeaderXRoadClient: "EE/COM/12345678"},
			want:    func(r *Request) { r.Requester = "EE/12345678" },
		},
		{
			name:    "X-Road-Client agreeing with Samband-Requester",
			headers: map[string]string{HeaderXRoadClient: "FI/GOV/0245437-2/SUB"},
			want:    func(r *Request) {},
		},
		{
			name:    "X-Road-Client disagreeing with Samband-Requester",
			headers: map[string]string{HeaderXRoadClient: "FI/GOV/1234567-8"},
			err:     ErrDuplicateHeader,
		},
		{
			name:    "X-Road-Client of an instance that is no country",
			headers: map[string]string{HeaderRequester: "", HeaderXRoadClient: "FI-TEST/GOV/0245437-2"},
			err:     ErrMalformed,
		},
		{
			name:    "X-Road-Client of two parts",
			headers: map[string]string{HeaderRequester: "", HeaderXRoadClient: "FI/0245437-2"},
			err:     ErrMalformed,
		},
		{
			name:    "X-Road-Client with a bad member code",
			headers: map[string]string{HeaderRequester: "", HeaderXRoadClient: "FI/GOV/02 45"},
			err:     ErrMalformed,
		},
		{
			name:    "X-Road-Id alone",
			headers: map[string]string{HeaderRequestID: "", HeaderXRoadID: testID},
			want:    func(r *Request) {},
		},
		{
			name:    "X-Road-Id and Samband-Request-Id the same",
			headers: map[string]string{HeaderXRoadID: testID},
			want:    func(r *Request) {},
		},
		{
			name:    "X-Road-Id and Samband-Request-Id differ",
			headers: map[string]string{HeaderXRoadID: "1b6d2f4e-8c1a-4e6b-9a3d-5f2e7c9b1a40"},
			err:     ErrDuplicateHeader,
		},
		{
			name:    "X-Road-Issue alone",
			headers: map[string]string{HeaderIssue: "", HeaderXRoadIssue: "case 9"},
			want:    func(r *Request) { r.Issue = "case 9" },
		},
		{
			name:    "X-Road-Issue and Samband-Issue differ",
			headers: map[string]string{HeaderXRoadIssue: "case 9"},
			err:     ErrDuplicateHeader,
		},
		{
			name:    "no X-Road-UserId",
			headers: map[string]string{HeaderXRoadUserID: ""},
			want:    func(r *Request) { r.UserID = "" },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := testHTTPRequest(t, base, testBody, "sig")
			for k, v := range tc.headers {
				if v == "" {
					req.Header.Del(k)
				} else {
					req.Header.Set(k, v)
				}
			}
			got, _, _, err := ReadRequest(req, Limits{})
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("ReadRequest = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ReadRequest: %v", err)
			}
			want := testRequest()
			tc.want(want)
			if *got != *want {
				t.Errorf("ReadRequest =\n%+v\nwant\n%+v", *got, *want)
			}
		})
	}
}

func TestReadRequestRefusals(t *testing.T) {
	long := strings.Repeat("a", DefaultMaxHeaderValue)
	tests := []struct {
		name   string
		edit   func(req *http.Request)
		body   []byte // replaces testBody when not nil
		limits Limits
		err    error
	}{
		{"no signature", func(req *http.Request) { req.Header.Del(HeaderSignature) }, nil, Limits{}, ErrMissingSignature},
		{"signature twice", func(req *http.Request) { req.Header.Add(HeaderSignature, "sig2") }, nil, Limits{}, ErrDuplicateHeader},
		{"request id twice", func(req *http.Request) { req.Header.Add(HeaderRequestID, testID) }, nil, Limits{}, ErrDuplicateHeader},
		{"purpose twice", func(req *http.Request) { req.Header.Add(HeaderPurpose, "https://example.org/p") }, nil, Limits{}, ErrDuplicateHeader},
		{"Content-Digest twice", func(req *http.Request) { req.Header.Add(HeaderContentDigest, ContentDigest(testBody)) }, nil, Limits{}, ErrDuplicateHeader},
		{"X-Road-UserId twice", func(req *http.Request) { req.Header.Add(HeaderXRoadUserID, "x") }, nil, Limits{}, ErrDuplicateHeader},
		{"subject twice in other case", func(req *http.Request) {
			req.Header["Samband-Subject"] = append(req.Header["Samband-Subject"], "NO01017012345")
		}, nil, Limits{}, ErrDuplicateHeader},
		{"no request id", func(req *http.Request) { req.Header.Del(HeaderRequestID) }, nil, Limits{}, ErrMalformed},
		{"upper-case UUID", func(req *http.Request) { req.Header.Set(HeaderRequestID, strings.ToUpper(testID)) }, nil, Limits{}, ErrMalformed},
		{"UUID without dashes", func(req *http.Request) { req.Header.Set(HeaderRequestID, strings.ReplaceAll(testID, "-", "")) }, nil, Limits{}, ErrMalformed},
		{"UUID with braces", func(req *http.Request) { req.Header.Set(HeaderRequestID, "{"+testID+"}") }, nil, Limits{}, ErrMalformed},
		{"UUID not hex", func(req *http.Request) { req.Header.Set(HeaderRequestID, "0b6d2f4e-8c1a-4e6b-9a3d-5f2e7c9b1a4g") }, nil, Limits{}, ErrMalformed},
		{"no requester", func(req *http.Request) { req.Header.Del(HeaderRequester) }, nil, Limits{}, ErrMalformed},
		{"requester without a country", func(req *http.Request) { req.Header.Set(HeaderRequester, "0245437-2") }, nil, Limits{}, ErrMalformed},
		{"requester with a lower-case country", func(req *http.Request) { req.Header.Set(HeaderRequester, "fi/0245437-2") }, nil, Limits{}, ErrMalformed},
		{"requester ..", func(req *http.Request) { req.Header.Set(HeaderRequester, "FI/..") }, nil, Limits{}, ErrMalformed},
		{"no audience", func(req *http.Request) { req.Header.Del(HeaderAudience) }, nil, Limits{}, ErrMalformed},
		{"no purpose", func(req *http.Request) { req.Header.Del(HeaderPurpose) }, nil, Limits{}, ErrMalformed},
		{"purpose not an IRI", func(req *http.Request) { req.Header.Set(HeaderPurpose, "legal compliance") }, nil, Limits{}, ErrMalformed},
		{"purpose relative", func(req *http.Request) { req.Header.Set(HeaderPurpose, "/purposes/1") }, nil, Limits{}, ErrMalformed},
		{"purpose of another scheme", func(req *http.Request) { req.Header.Set(HeaderPurpose, "ftp://example.org/p") }, nil, Limits{}, ErrMalformed},
		{"purpose javascript", func(req *http.Request) { req.Header.Set(HeaderPurpose, "javascript:alert(1)") }, nil, Limits{}, ErrMalformed},
		{"purpose http without host", func(req *http.Request) { req.Header.Set(HeaderPurpose, "http:///p") }, nil, Limits{}, ErrMalformed},
		{"purpose with a space", func(req *http.Request) { req.Header.Set(HeaderPurpose, "https://example.org/a b") }, nil, Limits{}, ErrMalformed},
		{"purpose with a bad escape", func(req *http.Request) { req.Header.Set(HeaderPurpose, "https://example.org/%zz") }, nil, Limits{}, ErrMalformed},
		{"purpose urn without a name", func(req *http.Request) { req.Header.Set(HeaderPurpose, "urn:x") }, nil, Limits{}, ErrMalformed},
		{"legal basis not an IRI", func(req *http.Request) { req.Header.Set(HeaderLegalBasis, "EU 650/2012") }, nil, Limits{}, ErrMalformed},
		{"no legal basis", func(req *http.Request) { req.Header.Del(HeaderLegalBasis) }, nil, Limits{}, ErrMalformed},
		{"subject without a country", func(req *http.Request) { req.Header.Set(HeaderSubject, "01017012345") }, nil, Limits{}, ErrMalformed},
		{"subject with a space", func(req *http.Request) { req.Header.Set(HeaderSubject, "NO010170 12345") }, nil, Limits{}, ErrMalformed},
		{"representative of a bad form", func(req *http.Request) { req.Header.Set(HeaderRepresentative, "NO") }, nil, Limits{}, ErrMalformed},
		{"explicit request yes", func(req *http.Request) { req.Header.Set(HeaderExplicitRequest, "yes") }, nil, Limits{}, ErrMalformed},
		{"explicit request TRUE", func(req *http.Request) { req.Header.Set(HeaderExplicitRequest, "TRUE") }, nil, Limits{}, ErrMalformed},
		{"no time", func(req *http.Request) { req.Header.Del(HeaderTime) }, nil, Limits{}, ErrMalformed},
		{"time with fractions", func(req *http.Request) { req.Header.Set(HeaderTime, "2026-11-22T10:00:00.5Z") }, nil, Limits{}, ErrMalformed},
		{"time with an offset", func(req *http.Request) { req.Header.Set(HeaderTime, "2026-11-22T11:00:00+01:00") }, nil, Limits{}, ErrMalformed},
		{"time in lower case", func(req *http.Request) { req.Header.Set(HeaderTime, "2026-11-22t10:00:00z") }, nil, Limits{}, ErrMalformed},
		{"time not a date", func(req *http.Request) { req.Header.Set(HeaderTime, "2026-02-30T10:00:00Z") }, nil, Limits{}, ErrMalformed},
		{"time in Unix seconds", func(req *http.Request) { req.Header.Set(HeaderTime, "1795341600") }, nil, Limits{}, ErrMalformed},
		{"control character in the issue", func(req *http.Request) { req.Header[keyIssue] = []string{"case\x01"} }, nil, Limits{}, ErrMalformed},
		{"line feed in the mandate", func(req *http.Request) { req.Header[keyMandate] = []string{"m\nrequester: NO/1"} }, nil, Limits{}, ErrMalformed},
		{"DEL in the life event", func(req *http.Request) { req.Header[keyLifeEvent] = []string{"death\x7f"} }, nil, Limits{}, ErrMalformed},
		{"C1 control in the user id", func(req *http.Request) { req.Header[keyXRoadUserID] = []string{"user\u0085"} }, nil, Limits{}, ErrMalformed},
		{"line separator in the issue", func(req *http.Request) { req.Header[keyIssue] = []string{"a\u2028b"} }, nil, Limits{}, ErrMalformed},
		{"bidi override in the issue", func(req *http.Request) { req.Header[keyIssue] = []string{"a\u202eb"} }, nil, Limits{}, ErrMalformed},
		{"invalid UTF-8 in the mandate", func(req *http.Request) { req.Header[keyMandate] = []string{"m\xff"} }, nil, Limits{}, ErrMalformed},
		{"leading space in the issue", func(req *http.Request) { req.Header[keyIssue] = []string{" case"} }, nil, Limits{}, ErrMalformed},
		{"over-long issue", func(req *http.Request) { req.Header.Set(HeaderIssue, long+"b") }, nil, Limits{}, ErrMalformed},
		{"over-long signature", func(req *http.Request) { req.Header.Set(HeaderSignature, long+"b") }, nil, Limits{}, ErrMalformed},
		{"issue over a smaller limit", func(req *http.Request) { req.Header.Set(HeaderIssue, strings.Repeat("c", 65)) }, nil, Limits{MaxHeaderValue: 64}, ErrMalformed},
		{"method in lower case", func(req *http.Request) { req.Method = "post" }, nil, Limits{}, ErrMalformed},
		{"method with a space", func(req *http.Request) { req.Method = "PO ST" }, nil, Limits{}, ErrMalformed},
		{"body without a digest", func(req *http.Request) { req.Header.Del(HeaderContentDigest) }, nil, Limits{}, ErrDigest},
		{"digest of another body", func(req *http.Request) {}, []byte(`{"q":2}`), Limits{}, ErrDigest},
		{"malformed digest", func(req *http.Request) { req.Header.Set(HeaderContentDigest, "sha-256=abc") }, nil, Limits{}, ErrDigest},
		{"digest of an unknown algorithm only", func(req *http.Request) {
			req.Header.Set(HeaderContentDigest, "md5=:"+b64std(make([]byte, 16))+":")
		}, nil, Limits{}, ErrDigest},
		{"body over the limit", func(req *http.Request) {}, nil, Limits{MaxBody: 4}, ErrBodyTooLarge},
		{"target over the limit", func(req *http.Request) {}, nil, Limits{MaxTarget: 20}, ErrPath},
		{"target of another prefix", func(req *http.Request) { req.RequestURI = "/api/v1/datasets" }, nil, Limits{}, ErrPath},
		{"target in absolute form", func(req *http.Request) {
			req.RequestURI = "http://gateway.example.no/exchange/v1/NO/974760673/death-records/v1/deaths?id=1"
		}, nil, Limits{}, ErrPath},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := testBody
			if tc.body != nil {
				body = tc.body
			}
			req := testHTTPRequest(t, testRequest(), body, "sig")
			tc.edit(req)
			_, _, _, err := ReadRequest(req, tc.limits)
			if !errors.Is(err, tc.err) {
				t.Fatalf("ReadRequest = %v, want %v", err, tc.err)
			}
		})
	}
}

func TestReadRequestBodiless(t *testing.T) {
	r := testRequest()
	r.Method, r.ContentDigest = "GET", ""
	got, body, _, err := ReadRequest(testHTTPRequest(t, r, nil, "sig"), Limits{})
	if err != nil {
		t.Fatalf("ReadRequest: %v", err)
	}
	if body != nil || got.ContentDigest != "" {
		t.Errorf("ReadRequest body %q digest %q, want none", body, got.ContentDigest)
	}
	// The digest of the empty body sent in full signs the same canonical form.
	req := testHTTPRequest(t, r, nil, "sig")
	req.Header.Set(HeaderContentDigest, ContentDigest(nil))
	got2, _, _, err := ReadRequest(req, Limits{})
	if err != nil {
		t.Fatalf("ReadRequest with the empty body's digest: %v", err)
	}
	if !bytes.Equal(got.Canonical(), got2.Canonical()) {
		t.Errorf("canonical forms differ:\n%s\n%s", got.Canonical(), got2.Canonical())
	}
}

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestReadRequestBodyLimit(t *testing.T) {
	const limit = 1 << 10
	huge := bytes.Repeat([]byte("x"), 1<<20)

	// A Content-Length over the limit is refused before a byte is read.
	cr := &countingReader{r: bytes.NewReader(huge)}
	r := testRequest()
	r.ContentDigest = ContentDigest(huge)
	req := testHTTPRequest(t, r, nil, "sig")
	req.Body, req.ContentLength = io.NopCloser(cr), int64(len(huge))
	if _, _, _, err := ReadRequest(req, Limits{MaxBody: limit}); !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("ReadRequest = %v, want ErrBodyTooLarge", err)
	}
	if cr.n != 0 {
		t.Errorf("read %d bytes of a body whose Content-Length is over the limit", cr.n)
	}

	// A body of unknown length is read up to one byte past the limit.
	cr = &countingReader{r: bytes.NewReader(huge)}
	req = testHTTPRequest(t, r, nil, "sig")
	req.Body, req.ContentLength = io.NopCloser(cr), -1
	if _, _, _, err := ReadRequest(req, Limits{MaxBody: limit}); !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("ReadRequest = %v, want ErrBodyTooLarge", err)
	}
	if cr.n > limit+1 {
		t.Errorf("read %d bytes of a body of unknown length, limit %d", cr.n, limit)
	}

	// A body at the limit is read.
	body := huge[:limit]
	r.ContentDigest = ContentDigest(body)
	req = testHTTPRequest(t, r, body, "sig")
	req.ContentLength = -1
	if _, got, _, err := ReadRequest(req, Limits{MaxBody: limit}); err != nil || len(got) != limit {
		t.Fatalf("ReadRequest of a body at the limit = %d bytes, %v", len(got), err)
	}
}

func TestPathRules(t *testing.T) {
	tests := []struct {
		target string
		want   target // zero: ErrPath
	}{
		{"/exchange/v1/NO/974760673/death-records/v1/deaths?id=1", target{"NO", "974760673", "death-records", "/v1/deaths", "id=1"}},
		{"/exchange/v1/NO/974760673/death-records", target{"NO", "974760673", "death-records", "/", ""}},
		{"/exchange/v1/NO/974760673/death-records/", target{"NO", "974760673", "death-records", "/", ""}},
		{"/exchange/v1/NO/974760673/death-records/a/", target{"NO", "974760673", "death-records", "/a/", ""}},
		{"/exchange/v1/SE/Org_1.x-y/s.v_1-2/a%20b/c;v=1/@x:y~!$&'()*+,=", target{"SE", "Org_1.x-y", "s.v_1-2", "/a%20b/c;v=1/@x:y~!$&'()*+,=", ""}},
		{"/exchange/v1/NO/974760673/death-records/p?a=1&b=%2F..%2e/?x", target{"NO", "974760673", "death-records", "/p", "a=1&b=%2F..%2e/?x"}},
		{"/exchange/v1/NO/974760673/death-records/%C3%A6", target{"NO", "974760673", "death-records", "/%C3%A6", ""}},
		{"/exchange/v1/NO/974760673/death-records/...", target{"NO", "974760673", "death-records", "/...", ""}},
		{"/exchange/v1/NO/974760673/death-records/a..b", target{"NO", "974760673", "death-records", "/a..b", ""}},
		{"/exchange/v1/NO/" + strings.Repeat("o", 64) + "/" + strings.Repeat("s", 64), target{"NO", strings.Repeat("o", 64), strings.Repeat("s", 64), "/", ""}},

		{"/exchange/v2/NO/974760673/death-records", target{}},
		{"/Exchange/v1/NO/974760673/death-records", target{}},
		{"exchange/v1/NO/974760673/death-records", target{}},
		{"/exchange/v1/", target{}},
		{"/exchange/v1/NO", target{}},
		{"/exchange/v1/NO/974760673", target{}},
		{"/exchange/v1/NO/974760673/", target{}},
		{"/exchange/v1/no/974760673/death-records", target{}},
		{"/exchange/v1/NOR/974760673/death-records", target{}},
		{"/exchange/v1/N/974760673/death-records", target{}},
		{"/exchange/v1/NO/../death-records", target{}},
		{"/exchange/v1/NO/./death-records", target{}},
		{"/exchange/v1/NO/97 4/death-records", target{}},
		{"/exchange/v1/NO/%39/death-records", target{}},
		{"/exchange/v1/NO/" + strings.Repeat("o", 65) + "/s", target{}},
		{"/exchange/v1/NO/974760673/Death-records", target{}},
		{"/exchange/v1/NO/974760673/-death", target{}},
		{"/exchange/v1/NO/974760673/.death", target{}},
		{"/exchange/v1/NO/974760673/" + strings.Repeat("s", 65), target{}},
		{"/exchange/v1/NO/974760673/death-records/..", target{}},
		{"/exchange/v1/NO/974760673/death-records/../x", target{}},
		{"/exchange/v1/NO/974760673/death-records/a/./b", target{}},
		{"/exchange/v1/NO/974760673/death-records/a/.", target{}},
		{"/exchange/v1/NO/974760673/death-records/..;/x", target{}},
		{"/exchange/v1/NO/974760673/death-records/.;x", target{}},
		{"/exchange/v1/NO/974760673/death-records//x", target{}},
		{"/exchange/v1/NO/974760673/death-records/a//", target{}},
		{"/exchange/v1/NO/974760673/death-records/a\\b", target{}},
		{"/exchange/v1/NO/974760673/death-records/a%2fb", target{}},
		{"/exchange/v1/NO/974760673/death-records/a%2Fb", target{}},
		{"/exchange/v1/NO/974760673/death-records/a%5cb", target{}},
		{"/exchange/v1/NO/974760673/death-records/a%5Cb", target{}},
		{"/exchange/v1/NO/974760673/death-records/%2e%2e/x", target{}},
		{"/exchange/v1/NO/974760673/death-records/%2E", target{}},
		{"/exchange/v1/NO/974760673/death-records/a%00", target{}},
		{"/exchange/v1/NO/974760673/death-records/a%0a", target{}},
		{"/exchange/v1/NO/974760673/death-records/a%7F", target{}},
		{"/exchange/v1/NO/974760673/death-records/a%", target{}},
		{"/exchange/v1/NO/974760673/death-records/a%4", target{}},
		{"/exchange/v1/NO/974760673/death-records/a%zz", target{}},
		{"/exchange/v1/NO/974760673/death-records/a\x00", target{}},
		{"/exchange/v1/NO/974760673/death-records/a\tb", target{}},
		{"/exchange/v1/NO/974760673/death-records/a\x7f", target{}},
		{"/exchange/v1/NO/974760673/death-records/a b", target{}},
		{"/exchange/v1/NO/974760673/death-records/\xc3\xa6", target{}},
		{"/exchange/v1/NO/974760673/death-records/a<b>", target{}},
		{"/exchange/v1/NO/974760673/death-records/a#frag", target{}},
		{"/exchange/v1/NO/974760673/death-records/a?q=%00", target{}},
		{"/exchange/v1/NO/974760673/death-records/a?q=%g0", target{}},
		{"/exchange/v1/NO/974760673/death-records/a?q=a b", target{}},
		{"/exchange/v1/NO/974760673/death-records/a?q=\\", target{}},
		{"/exchange/v1/NO/974760673/death-records/a?q=#x", target{}},
	}
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			got, err := parseTarget(tc.target, DefaultMaxTarget)
			if tc.want == (target{}) {
				if !errors.Is(err, ErrPath) {
					t.Fatalf("parseTarget(%q) = %+v, %v; want ErrPath", tc.target, got, err)
				}
				// ReadRequest applies the same rules.
				r := testRequest()
				req := testHTTPRequest(t, r, testBody, "sig")
				req.RequestURI = tc.target
				if _, _, _, err := ReadRequest(req, Limits{}); !errors.Is(err, ErrPath) {
					t.Errorf("ReadRequest(%q) = %v, want ErrPath", tc.target, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("parseTarget(%q) = %+v, %v; want %+v", tc.target, got, err, tc.want)
			}
		})
	}
}

// TestNewRequestThroughServer sends requests built by NewRequest and
// signed by Sign to a real server that reads them with ReadRequest and
// verifies them: the target arrives byte for byte and both sides sign the
// same canonical form.
func TestNewRequestThroughServer(t *testing.T) {
	key := edKey(t, "consumer", "k1")
	keys := keyring{testRequester + " k1": publicOf(t, key)}
	type seen struct {
		canonical []byte
		body      []byte
		signed    Signed
		err       error
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r, body, sig, err := ReadRequest(req, Limits{})
		var s Signed
		if err == nil {
			s, err = Verify(req.Context(), r, sig, keys.keys)
		}
		var c []byte
		if r != nil {
			c = r.Canonical()
		}
		got <- seen{c, body, s, err}
	}))
	defer srv.Close()

	tests := []struct {
		name string
		edit func(*Request)
		body []byte
	}{
		{"POST with a body and a query", func(r *Request) {}, testBody},
		{"GET without a path or body", func(r *Request) { r.Method, r.Path, r.RawQuery = "GET", "", "" }, nil},
		{"escapes kept as written", func(r *Request) { r.Path, r.RawQuery = "/a%20b/%C3%A6/c;v=1/x:y@z", "q=%2F%2e&r=a+b" }, nil},
		{"trailing slash", func(r *Request) { r.Path = "/deaths/" }, []byte("x")},
		{"X-Road user id only", func(r *Request) { r.Subject, r.Representative, r.Mandate = "", "", "" }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := testRequest()
			r.Target, r.ContentDigest = "", ""
			tc.edit(r)
			req, err := NewRequest(context.Background(), srv.URL, r, tc.body)
			if err != nil {
				t.Fatalf("NewRequest: %v", err)
			}
			if req.URL.RequestURI() != r.Target || req.URL.String() != srv.URL+r.Target {
				t.Fatalf("request URI %q, URL %s; Target %q", req.URL.RequestURI(), req.URL, r.Target)
			}
			sig, err := Sign(r, testRequester, key)
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			req.Header.Set(HeaderSignature, sig)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			s := <-got
			if s.err != nil {
				t.Fatalf("server: %v", s.err)
			}
			if !bytes.Equal(s.canonical, r.Canonical()) {
				t.Errorf("server's canonical form\n%s\nclient's\n%s", s.canonical, r.Canonical())
			}
			if !bytes.Equal(s.body, tc.body) {
				t.Errorf("server read body %q, want %q", s.body, tc.body)
			}
			if s.signed.Signer != testRequester || s.signed.KeyID != "k1" || s.signed.Alg.String() != "EdDSA" {
				t.Errorf("Verify = %+v", s.signed)
			}
		})
	}
}

func TestNewRequestRefusals(t *testing.T) {
	tests := []struct {
		name string
		base string
		edit func(*Request)
		err  error // nil: any error
	}{
		{"base with a path", "https://gateway.example.no/x", func(r *Request) {}, nil},
		{"base without a scheme", "gateway.example.no", func(r *Request) {}, nil},
		{"base of another scheme", "ftp://gateway.example.no", func(r *Request) {}, nil},
		{"base with credentials", "https://u:p@gateway.example.no", func(r *Request) {}, nil},
		{"path without a slash", "https://gateway.example.no", func(r *Request) { r.Path = "v1" }, ErrPath},
		{"dot segment", "https://gateway.example.no", func(r *Request) { r.Path = "/../admin" }, ErrPath},
		{"bad service", "https://gateway.example.no", func(r *Request) { r.Service = "Death" }, ErrPath},
		{"line feed in the issue", "https://gateway.example.no", func(r *Request) { r.Issue = "a\nb" }, ErrMalformed},
		{"fractional time", "https://gateway.example.no", func(r *Request) { r.Time = testTime.Add(time.Millisecond) }, ErrMalformed},
		{"zero time", "https://gateway.example.no", func(r *Request) { r.Time = time.Time{} }, ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := testRequest()
			tc.edit(r)
			_, err := NewRequest(context.Background(), tc.base, r, nil)
			if err == nil || tc.err != nil && !errors.Is(err, tc.err) {
				t.Fatalf("NewRequest = %v, want %v", err, tc.err)
			}
		})
	}
}

func TestSetHeadersClearsStaleValues(t *testing.T) {
	h := http.Header{}
	h.Set(HeaderXRoadClient, "FI/GOV/1111111-1")
	h.Set(HeaderXRoadID, "x")
	h.Set(HeaderXRoadIssue, "old")
	h.Set(HeaderSubject, "NO01017012345")
	h.Set(HeaderContentDigest, "sha-256=:AAAA:")
	r := testRequest()
	r.Subject, r.ContentDigest, r.ExplicitRequest = "", "", false
	r.SetHeaders(h)
	for _, name := range []string{HeaderXRoadClient, HeaderXRoadID, HeaderXRoadIssue, HeaderSubject, HeaderContentDigest} {
		if v := h.Values(name); len(v) != 0 {
			t.Errorf("after SetHeaders %s = %q, want none", name, v)
		}
	}
	if got := h.Get(HeaderExplicitRequest); got != "false" {
		t.Errorf("%s = %q, want false", HeaderExplicitRequest, got)
	}
	if got := h.Get(HeaderXRoadUserID); got != r.UserID {
		t.Errorf("%s = %q, want %q", HeaderXRoadUserID, got, r.UserID)
	}
}

func TestCheckTime(t *testing.T) {
	now := testTime
	const window, skew = 5 * time.Minute, 30 * time.Second
	tests := []struct {
		t   time.Time
		err error
	}{
		{now, nil},
		{now.Add(-window), nil},
		{now.Add(-window - time.Second), ErrStale},
		{now.Add(skew), nil},
		{now.Add(skew + time.Second), ErrFuture},
		{time.Time{}, ErrStale},
	}
	for _, tc := range tests {
		if err := CheckTime(tc.t, now, window, skew); !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("CheckTime(%v) = %v, want %v", tc.t, err, tc.err)
		}
	}
}

func TestProblemOf(t *testing.T) {
	tests := []struct {
		err    error
		typ    string
		status int
	}{
		{ErrMalformed, "urn:samband:problem:malformed", 400},
		{ErrPath, "urn:samband:problem:path", 400},
		{ErrDigest, "urn:samband:problem:digest", 400},
		{ErrDuplicateHeader, "urn:samband:problem:duplicate-header", 400},
		{ErrMissingSignature, "urn:samband:problem:missing-signature", 401},
		{ErrSignature, "urn:samband:problem:signature", 401},
		{ErrAlgorithm, "urn:samband:problem:algorithm", 401},
		{ErrUnknownKey, "urn:samband:problem:unknown-key", 401},
		{ErrKeyExpired, "urn:samband:problem:key-expired", 401},
		{ErrKeyNotYetValid, "urn:samband:problem:key-not-yet-valid", 401},
		{ErrKeyRevoked, "urn:samband:problem:key-revoked", 401},
		{ErrStale, "urn:samband:problem:stale", 401},
		{ErrFuture, "urn:samband:problem:future", 401},
		{ErrReplay, "urn:samband:problem:replay", 409},
		{ErrBodyTooLarge, "urn:samband:problem:body-too-large", 413},
		{ErrUnknownRequester, "urn:samband:problem:unknown-requester", 403},
		{ErrWrongAudience, "urn:samband:problem:wrong-audience", 403},
		{ErrWrongCountry, "urn:samband:problem:wrong-country", 403},
		{ErrDenied, "urn:samband:problem:denied", 403},
		{ErrOutboundDenied, "urn:samband:problem:outbound-denied", 403},
		{ErrUnknownService, "urn:samband:problem:unknown-service", 404},
		{ErrMethod, "urn:samband:problem:method", 405},
		{ErrUpstream, "urn:samband:problem:upstream", 502},
		{ErrUpstreamAddress, "urn:samband:problem:upstream-address", 502},
		{ErrUpstreamRedirect, "urn:samband:problem:upstream-redirect", 502},
		{ErrAudit, "urn:samband:problem:audit", 503},
		{errors.New("disk on fire"), "urn:samband:problem:internal", 500},
		{nil, "urn:samband:problem:internal", 500},
		{fmt.Errorf("verify: %w", fmt.Errorf("key k1: %w", ErrKeyRevoked)), "urn:samband:problem:key-revoked", 401},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		p := ProblemOf(tc.err)
		if p.Type != tc.typ || p.Status != tc.status || p.Title == "" {
			t.Errorf("ProblemOf(%v) = %+v, want %s %d", tc.err, p, tc.typ, tc.status)
		}
		if seen[p.Type] && tc.err != nil && p.Type != "urn:samband:problem:internal" && !strings.HasPrefix(tc.err.Error(), "verify") {
			t.Errorf("problem type %s twice", p.Type)
		}
		seen[p.Type] = true
	}
	if len(problems) != len(tests)-3 {
		t.Errorf("%d problems mapped, %d tested", len(problems), len(tests)-3)
	}
}

// A request in the canonical form that is signed.
func ExampleRequest_Canonical() {
	r := &Request{
		Method:         "GET",
		Target:         "/exchange/v1/NO/974760673/death-records/v1/deaths?id=1",
		Audience:       "NO/991825827",
		ID:             "0b6d2f4e-8c1a-4e6b-9a3d-5f2e7c9b1a40",
		Requester:      "FI/0245437-2",
		Purpose:        "https://w3id.org/dpv#LegalCompliance",
		LegalBasis:     "http://data.europa.eu/eli/reg/2012/650/oj",
		Subject:        "NO01017012345",
		Representative: "SE197001011234",
		Mandate:        "3f1c9a2e",
		LifeEvent:      "death-inheritance",
		Issue:          "case 2026/114",
		UserID:         "SE197001011234",
		Time:           time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC),
	}
	fmt.Print(string(r.Canonical()))
	// Output:
	// samband-request/1
	// method: GET
	// target: /exchange/v1/NO/974760673/death-records/v1/deaths?id=1
	// audience: NO/991825827
	// request-id: 0b6d2f4e-8c1a-4e6b-9a3d-5f2e7c9b1a40
	// requester: FI/0245437-2
	// purpose: https://w3id.org/dpv#LegalCompliance
	// legal-basis: http://data.europa.eu/eli/reg/2012/650/oj
	// subject: NO01017012345
	// representative: SE197001011234
	// mandate: 3f1c9a2e
	// explicit-request: false
	// life-event: death-inheritance
	// issue: case 2026/114
	// user-id: SE197001011234
	// time: 2026-11-22T10:00:00Z
	// content-digest: sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:
}

func TestSignVerify(t *testing.T) {
	for _, tc := range []struct {
		alg string
		key jwk.Key
	}{
		{"EdDSA", edKey(t, "consumer", "k1")},
		{"ES256", ecKey(t, "k1")},
	} {
		t.Run(tc.alg, func(t *testing.T) {
			r := testRequest()
			sig, err := Sign(r, testRequester, tc.key)
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			h64, payload, _ := strings.Cut(sig, ".")
			if !strings.HasPrefix(payload, ".") {
				t.Errorf("Sign = %s, want a detached payload", sig)
			}
			hdr, _ := base64.RawURLEncoding.DecodeString(h64)
			want := `{"alg":"` + tc.alg + `","kid":"k1","typ":"samband-request+jws","iss":"FI/0245437-2"}`
			if string(hdr) != want {
				t.Errorf("protected header %s, want %s", hdr, want)
			}
			keys := keyring{testRequester + " k1": publicOf(t, tc.key)}
			s, err := Verify(context.Background(), r, sig, keys.keys)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if s.Signer != testRequester || s.KeyID != "k1" || s.Alg.String() != tc.alg {
				t.Errorf("Verify = %+v", s)
			}
			// A keyring that holds the private key verifies too.
			keys[testRequester+" k1"] = tc.key
			if _, err := Verify(context.Background(), r, sig, keys.keys); err != nil {
				t.Errorf("Verify with the private key: %v", err)
			}
		})
	}
}

// TestVerifyAlteredFields changes each field of the canonical form in turn:
// the signature no longer verifies.
func TestVerifyAlteredFields(t *testing.T) {
	key := edKey(t, "consumer", "k1")
	keys := keyring{testRequester + " k1": publicOf(t, key)}
	r := testRequest()
	sig, err := Sign(r, testRequester, key)
	if err != nil {
		t.Fatal(err)
	}
	retarget := func(r *Request, target string) {
		tg, err := parseTarget(target, DefaultMaxTarget)
		if err != nil {
			t.Fatal(err)
		}
		r.Target, r.Country, r.Organisation, r.Service, r.Path, r.RawQuery = target, tg.country, tg.organisation, tg.service, tg.path, tg.rawQuery
	}
	edits := map[string]func(*Request){
		"method":            func(r *Request) { r.Method = "PUT" },
		"target path":       func(r *Request) { retarget(r, "/exchange/v1/NO/974760673/death-records/v1/births?id=1") },
		"target query":      func(r *Request) { retarget(r, "/exchange/v1/NO/974760673/death-records/v1/deaths?id=2") },
		"target service":    func(r *Request) { retarget(r, "/exchange/v1/NO/974760673/tax-records/v1/deaths?id=1") },
		"target country":    func(r *Request) { retarget(r, "/exchange/v1/SE/974760673/death-records/v1/deaths?id=1") },
		"audience":          func(r *Request) { r.Audience = "SE/2021005489" },
		"request-id":        func(r *Request) { r.ID = "1b6d2f4e-8c1a-4e6b-9a3d-5f2e7c9b1a40" },
		"requester":         func(r *Request) { r.Requester = "FI/0245437-3" },
		"purpose":           func(r *Request) { r.Purpose = "https://w3id.org/dpv#Marketing" },
		"legal-basis":       func(r *Request) { r.LegalBasis = "http://data.europa.eu/eli/reg/2016/679/oj" },
		"subject":           func(r *Request) { r.Subject = "NO01017012346" },
		"no subject":        func(r *Request) { r.Subject = "" },
		"representative":    func(r *Request) { r.Representative = "" },
		"mandate":           func(r *Request) { r.Mandate = "mandate-8" },
		"explicit-request":  func(r *Request) { r.ExplicitRequest = false },
		"life-event":        func(r *Request) { r.LifeEvent = "birth" },
		"issue":             func(r *Request) { r.Issue = "case 2026/115" },
		"user-id":           func(r *Request) { r.UserID = "FI131052-308U" },
		"time":              func(r *Request) { r.Time = r.Time.Add(time.Second) },
		"content-digest":    func(r *Request) { r.ContentDigest = ContentDigest([]byte("other")) },
		"no content-digest": func(r *Request) { r.ContentDigest = "" },
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			r := testRequest()
			edit(r)
			if bytes.Equal(r.Canonical(), testRequest().Canonical()) {
				t.Fatalf("the edit leaves the canonical form as it was")
			}
			if _, err := Verify(context.Background(), r, sig, keys.keys); !errors.Is(err, ErrSignature) {
				t.Errorf("Verify = %v, want ErrSignature", err)
			}
		})
	}
	// Fields that do not agree with the target are refused before the signature.
	r = testRequest()
	r.Service = "tax-records"
	if _, err := Verify(context.Background(), r, sig, keys.keys); !errors.Is(err, ErrPath) {
		t.Errorf("Verify of a service other than the target's = %v, want ErrPath", err)
	}
}

// forge builds a compact JWS from a protected header, a payload (left out
// when detached) and a function that signs the signing input.
func forge(hdr string, payload []byte, detached bool, sign func(input []byte) []byte) string {
	input := b64url([]byte(hdr)) + "." + b64url(payload)
	sig := b64url(sign([]byte(input)))
	if detached {
		return b64url([]byte(hdr)) + ".." + sig
	}
	return input + "." + sig
}

// rawSigner returns a function that signs with jwx's building blocks.
func rawSigner(t testing.TB, alg string, key any) func([]byte) []byte {
	return func(input []byte) []byte {
		sig, err := jwsbb.Sign(key, alg, input, nil)
		if err != nil {
			t.Fatalf("jwsbb.Sign %s: %v", alg, err)
		}
		return sig
	}
}

func rawKey(t testing.TB, k jwk.Key) any {
	t.Helper()
	var raw any
	if err := jwk.Export(k, &raw); err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestVerifyRefusals(t *testing.T) {
	ctx := context.Background()
	ed := edKey(t, "consumer", "k1")
	ec := ecKey(t, "k2")
	attacker := edKey(t, "attacker", "k1")
	edPub, ecPub := publicOf(t, ed), publicOf(t, ec)
	edRaw, ecRaw := rawKey(t, ed), rawKey(t, ec)
	edPubBytes := []byte(rawKey(t, edPub).(ed25519.PublicKey))
	rsaPriv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaPub, _ := jwk.Import(&rsaPriv.PublicKey)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p384Pub, _ := jwk.Import(&p384.PublicKey)
	x25519, _ := ecdh.X25519().GenerateKey(rand.Reader)
	x25519Pub, err := jwk.Import(x25519.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	octKey, _ := jwk.Import(edPubBytes)
	withField := func(k jwk.Key, name string, v any) jwk.Key {
		c, err := k.Clone()
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Set(name, v); err != nil {
			t.Fatal(err)
		}
		return c
	}
	attackerPubJSON, _ := json.Marshal(publicOf(t, attacker))

	r := testRequest()
	canonical := r.Canonical()
	hdr := func(alg, kid string) string {
		return `{"alg":"` + alg + `","kid":"` + kid + `","typ":"samband-request+jws","iss":"FI/0245437-2"}`
	}
	hmac256 := func(key []byte) func([]byte) []byte {
		return func(input []byte) []byte {
			m := hmac.New(sha256.New, key)
			m.Write(input)
			return m.Sum(nil)
		}
	}
	none := func([]byte) []byte { return nil }
	good := forge(hdr("EdDSA", "k1"), canonical, true, rawSigner(t, "EdDSA", edRaw))
	goodH64, _, _ := strings.Cut(good, ".")
	goodSig := good[strings.LastIndexByte(good, '.')+1:]

	twoSigs, err := jws.Sign(canonical, jws.WithJSON(),
		jws.WithKey(jwa.EdDSA(), ed, jws.WithProtectedHeaders(mustHeaders(t, map[string]any{"typ": TypeRequest, "iss": testRequester, "kid": "k1"}))),
		jws.WithKey(jwa.ES256(), ec, jws.WithProtectedHeaders(mustHeaders(t, map[string]any{"typ": TypeRequest, "iss": testRequester, "kid": "k2"}))))
	if err != nil {
		t.Fatal(err)
	}
	oneJSON, err := jws.Sign(nil, jws.WithJSON(), jws.WithDetachedPayload(canonical),
		jws.WithKey(jwa.EdDSA(), ed, jws.WithProtectedHeaders(mustHeaders(t, map[string]any{"typ": TypeRequest, "iss": testRequester, "kid": "k1"}))))
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		jws  string
		keys keyring // nil: ed as k1 and ec as k2
		err  error
	}{
		{"empty", "", nil, ErrMissingSignature},
		{"alg none", forge(`{"alg":"none","kid":"k1","typ":"samband-request+jws","iss":"FI/0245437-2"}`, canonical, true, none), nil, ErrAlgorithm},
		{"alg none with a signature", forge(hdr("none", "k1"), canonical, true, rawSigner(t, "EdDSA", edRaw)), nil, ErrAlgorithm},
		{"alg None", forge(hdr("None", "k1"), canonical, true, none), nil, ErrAlgorithm},
		{"no alg", forge(`{"kid":"k1","typ":"samband-request+jws","iss":"FI/0245437-2"}`, canonical, true, rawSigner(t, "EdDSA", edRaw)), nil, ErrAlgorithm},
		{"alg not a string", forge(`{"alg":1,"kid":"k1","typ":"samband-request+jws","iss":"FI/0245437-2"}`, canonical, true, none), nil, ErrSignature},
		{"HS256 keyed with the public key bytes", forge(hdr("HS256", "k1"), canonical, true, hmac256(edPubBytes)), nil, ErrAlgorithm},
		{"HS256 with an oct key in the keyring", forge(hdr("HS256", "k1"), canonical, true, hmac256(edPubBytes)), keyring{testRequester + " k1": octKey}, ErrAlgorithm},
		{"HS512", forge(hdr("HS512", "k1"), canonical, true, hmac256(edPubBytes)), nil, ErrAlgorithm},
		{"RS256", forge(hdr("RS256", "k3"), canonical, true, rawSigner(t, "RS256", rsaPriv)), keyring{testRequester + " k3": rsaPub}, ErrAlgorithm},
		{"PS256", forge(hdr("PS256", "k3"), canonical, true, rawSigner(t, "PS256", rsaPriv)), keyring{testRequester + " k3": rsaPub}, ErrAlgorithm},
		{"ES384", forge(hdr("ES384", "k4"), canonical, true, rawSigner(t, "ES384", p384)), keyring{testRequester + " k4": p384Pub}, ErrAlgorithm},
		{"Ed25519 by its RFC 9864 name", forge(hdr("Ed25519", "k1"), canonical, true, rawSigner(t, "EdDSA", edRaw)), nil, ErrAlgorithm},
		{"ES256 header, Ed25519 key", forge(hdr("ES256", "k1"), canonical, true, rawSigner(t, "ES256", ecRaw)), nil, ErrAlgorithm},
		{"EdDSA header, P-256 key", forge(hdr("EdDSA", "k2"), canonical, true, rawSigner(t, "EdDSA", edRaw)), nil, ErrAlgorithm},
		{"ES256 header, P-384 key", forge(hdr("ES256", "k4"), canonical, true, rawSigner(t, "ES256", p384)), keyring{testRequester + " k4": p384Pub}, ErrAlgorithm},
		{"EdDSA header, X25519 key", forge(hdr("EdDSA", "k5"), canonical, true, rawSigner(t, "EdDSA", edRaw)), keyring{testRequester + " k5": x25519Pub}, ErrAlgorithm},
		{"EdDSA header, RSA key", forge(hdr("EdDSA", "k3"), canonical, true, rawSigner(t, "EdDSA", edRaw)), keyring{testRequester + " k3": rsaPub}, ErrAlgorithm},
		{"key whose alg is ES256", good, keyring{testRequester + " k1": withField(edPub, jwk.AlgorithmKey, jwa.ES256())}, ErrAlgorithm},
		{"key whose use is enc", good, keyring{testRequester + " k1": withField(edPub, jwk.KeyUsageKey, "enc")}, ErrAlgorithm},
		{"key whose use is sig", good, keyring{testRequester + " k1": withField(edPub, jwk.KeyUsageKey, "sig")}, nil},
		{"unknown kid", forge(hdr("EdDSA", "k9"), canonical, true, rawSigner(t, "EdDSA", edRaw)), nil, errNoKey},
		{"unknown signer", forge(`{"alg":"EdDSA","kid":"k1","typ":"samband-request+jws","iss":"SE/2021005489"}`, canonical, true, rawSigner(t, "EdDSA", edRaw)), nil, errNoKey},
		{"crit", forge(`{"alg":"EdDSA","kid":"k1","typ":"samband-request+jws","iss":"FI/0245437-2","crit":["exp"],"exp":1}`, canonical, true, rawSigner(t, "EdDSA", edRaw)), nil, ErrSignature},
		{"b64 false", forge(`{"alg":"EdDSA","kid":"k1","typ":"samband-request+jws","iss":"FI/0245437-2","b64":false,"crit":["b64"]}`, canonical, true, rawSigner(t, "EdDSA", edRaw)), nil, ErrSignature},
		{"no typ", forge(`{"alg":"EdDSA","kid":"k1","iss":"FI/0245437-2"}`, canonical, true, rawSigner(t, "EdDSA", edRaw)), nil, ErrSignature},
		{"typ of a receipt", forge(`{"alg":"EdDSA","kid":"k1","typ":"samband-receipt+jws","iss":"FI/0245437-2"}`, canonical, true, rawSigner(t, "EdDSA", edRaw)), nil, ErrSignature},
		{"typ JWT", forge(`{"alg":"EdDSA","kid":"k1","typ":"JWT","iss":"FI/0245437-2"}`, canonical, true, rawSigner(t, "EdDSA", edRaw)), nil, ErrSignature},
		{"typ with a media type prefix", forge(`{"alg":"EdDSA","kid":"k1","typ":"application/samband-request+jws","iss":"FI/0245437-2"}`, canonical, true, rawSigner(t, "EdDSA", edRaw)), nil, nil},
		{"no kid", forge(`{"alg":"EdDSA","typ":"samband-request+jws","iss":"FI/0245437-2"}`, canonical, true, rawSigner(t, "EdDSA", edRaw)), nil, ErrSignature},
		{"empty kid", forge(hdr("EdDSA", ""), canonical, true, rawSigner(t, "EdDSA", edRaw)), nil, ErrSignature},
		{"no iss", forge(`{"alg":"EdDSA","kid":"k1","typ":"samband-request+jws"}`, canonical, true, rawSigner(t, "EdDSA", edRaw)), nil, ErrSignature},
		{"iss not a party ID", forge(`{"alg":"EdDSA","kid":"k1","typ":"samband-request+jws","iss":"https://gw.example.fi"}`, canonical, true, rawSigner(t, "EdDSA", edRaw)), nil, ErrSignature},
		{"alg given twice", forge(`{"alg":"EdDSA","kid":"k1","typ":"samband-request+jws","iss":"FI/0245437-2","alg":"HS256"}`, canonical, true, rawSigner(t, "EdDSA", edRaw)), nil, ErrSignature},
		{"alg given twice, once escaped", forge(`{"alg":"EdDSA","kid":"k1","typ":"samband-request+jws","iss":"FI/0245437-2","\u0061lg":"EdDSA"}`, canonical, true, rawSigner(t, "EdDSA", edRaw)), nil, ErrSignature},
		{"ALG in upper case is another member", forge(`{"alg":"EdDSA","ALG":"none","kid":"k1","typ":"samband-request+jws","iss":"FI/0245437-2"}`, canonical, true, rawSigner(t, "EdDSA", edRaw)), nil, nil},
		{"header a JSON array", forge(`["EdDSA"]`, canonical, true, rawSigner(t, "EdDSA", edRaw)), nil, ErrSignature},
		{"header with data after it", forge(hdr("EdDSA", "k1")+`{}`, canonical, true, rawSigner(t, "EdDSA", edRaw)), nil, ErrSignature},
		{"header not JSON", forge(`{"alg":"EdDSA",`, canonical, true, rawSigner(t, "EdDSA", edRaw)), nil, ErrSignature},
		{"header not base64url", "e30+.." + goodSig, nil, ErrSignature},
		{"header with padding", goodH64 + "=.." + goodSig, nil, ErrSignature},
		{"two signatures in JSON", string(twoSigs), nil, ErrSignature},
		{"one signature in JSON", string(oneJSON), nil, ErrSignature},
		{"attached payload", forge(hdr("EdDSA", "k1"), canonical, false, rawSigner(t, "EdDSA", edRaw)), nil, ErrSignature},
		{"two parts", goodH64 + "." + goodSig, nil, ErrSignature},
		{"four parts", good + ".x", nil, ErrSignature},
		{"signature truncated", good[:len(good)-4], nil, ErrSignature},
		{"signature not base64url", good[:len(good)-1] + "+", nil, ErrSignature},
		{"signature of another request", forge(hdr("EdDSA", "k1"), append(canonical, 'x'), true, rawSigner(t, "EdDSA", edRaw)), nil, ErrSignature},
		{"signature by another key", forge(hdr("EdDSA", "k1"), canonical, true, rawSigner(t, "EdDSA", rawKey(t, attacker))), nil, ErrSignature},
		{"embedded jwk of the signing key", forge(`{"alg":"EdDSA","kid":"k1","typ":"samband-request+jws","iss":"FI/0245437-2","jwk":`+string(attackerPubJSON)+`}`, canonical, true, rawSigner(t, "EdDSA", rawKey(t, attacker))), nil, ErrSignature},
		{"jku and x5u of the signer's server", forge(`{"alg":"EdDSA","kid":"k1","typ":"samband-request+jws","iss":"FI/0245437-2","jku":"http://127.0.0.1:1/jwks","x5u":"http://127.0.0.1:1/x5u"}`, canonical, true, rawSigner(t, "EdDSA", rawKey(t, attacker))), nil, ErrSignature},
		{"jku ignored when the registered key signs", forge(`{"alg":"EdDSA","kid":"k1","typ":"samband-request+jws","iss":"FI/0245437-2","jku":"http://127.0.0.1:1/jwks"}`, canonical, true, rawSigner(t, "EdDSA", edRaw)), nil, nil},
		{"over-long", good + strings.Repeat("A", maxRequestJWS), nil, ErrSignature},
		{"over-long header", forge(`{"alg":"EdDSA","kid":"k1","typ":"samband-request+jws","iss":"FI/0245437-2","x":"`+strings.Repeat("x", maxProtected)+`"}`, canonical, true, rawSigner(t, "EdDSA", edRaw)), nil, ErrSignature},
		{"the good one", good, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			keys := tc.keys
			if keys == nil {
				keys = keyring{testRequester + " k1": edPub, testRequester + " k2": ecPub}
			}
			_, err := Verify(ctx, r, tc.jws, keys.keys)
			t.Logf("Verify: %v", err)
			if tc.err == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("Verify = %v, want %v", err, tc.err)
			}
		})
	}
}

func mustHeaders(t testing.TB, fields map[string]any) jws.Headers {
	t.Helper()
	h := jws.NewHeaders()
	for k, v := range fields {
		if err := h.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

func TestSignRefusals(t *testing.T) {
	ed := edKey(t, "consumer", "k1")
	noKid, _ := ed.Clone()
	_ = noKid.Remove(jwk.KeyIDKey)
	rsaPriv, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsaKey, _ := jwk.Import(rsaPriv)
	_ = rsaKey.Set(jwk.KeyIDKey, "r")
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p384Key, _ := jwk.Import(p384)
	_ = p384Key.Set(jwk.KeyIDKey, "p")
	oct, _ := jwk.Import([]byte("a shared secret of thirty-two by"))
	_ = oct.Set(jwk.KeyIDKey, "o")
	forES, _ := ed.Clone()
	_ = forES.Set(jwk.AlgorithmKey, jwa.ES256())
	tests := []struct {
		name   string
		r      func(*Request)
		signer string
		key    jwk.Key
	}{
		{"public key", func(*Request) {}, testRequester, publicOf(t, ed)},
		{"no kid", func(*Request) {}, testRequester, noKid},
		{"RSA key", func(*Request) {}, testRequester, rsaKey},
		{"P-384 key", func(*Request) {}, testRequester, p384Key},
		{"oct key", func(*Request) {}, testRequester, oct},
		{"key for ES256", func(*Request) {}, testRequester, forES},
		{"no key", func(*Request) {}, testRequester, nil},
		{"signer not a party ID", func(*Request) {}, "gateway.example.fi", ed},
		{"line feed in a field", func(r *Request) { r.UserID = "a\nrequester: NO/1" }, testRequester, ed},
		{"field differing from the target", func(r *Request) { r.Organisation = "1" }, testRequester, ed},
		{"no target", func(r *Request) { r.Target = "" }, testRequester, ed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := testRequest()
			tc.r(r)
			if sig, err := Sign(r, tc.signer, tc.key); err == nil {
				t.Fatalf("Sign = %s, want an error", sig)
			}
		})
	}
}

// vectors are the wire format's test vectors, for other implementations:
// a request, its canonical form and Ed25519 signature, and a receipt, its
// binding and JWS, all from a key made from a fixed seed.
type vectors struct {
	Note       string   `json:"note"`
	Seed       string   `json:"ed25519_seed_hex"`
	PublicJWK  jwk.Key  `json:"public_jwk"`
	Signer     string   `json:"signer"`
	Request    *Request `json:"request"`
	Body       string   `json:"body"`
	Canonical  string   `json:"canonical"`
	Hash       string   `json:"request_hash"`
	Signature  string   `json:"signature"`
	Receipt    *Receipt `json:"receipt"`
	Binding    string   `json:"binding_hex"`
	ReceiptJWS string   `json:"receipt_jws"`
}

// TestVectors checks the canonical form, the signatures and the receipt
// binding against testdata/vectors.json; SAMBAND_UPDATE_VECTORS=1 writes
// them anew.
func TestVectors(t *testing.T) {
	seed := sha256.Sum256([]byte("consumer"))
	key := edKey(t, "consumer", "k1")
	r := testRequest()
	sig, err := Sign(r, testRequester, key)
	if err != nil {
		t.Fatal(err)
	}
	rc := testReceipt()
	rjws, err := SignReceipt(rc, key)
	if err != nil {
		t.Fatal(err)
	}
	b := rc.Binding()
	got := vectors{
		Note:       "Samband exchange wire format test vectors: the signature is the compact JWS with detached payload over canonical; binding_hex is Receipt.Binding; Ed25519 signatures are deterministic, so every field must come out the same.",
		Seed:       hex.EncodeToString(seed[:]),
		PublicJWK:  publicOf(t, key),
		Signer:     testRequester,
		Request:    r,
		Body:       string(testBody),
		Canonical:  string(r.Canonical()),
		Hash:       r.HashText(),
		Signature:  sig,
		Receipt:    rc,
		Binding:    hex.EncodeToString(b[:]),
		ReceiptJWS: rjws,
	}
	out, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, '\n')
	path := filepath.Join("testdata", "vectors.json")
	if os.Getenv("SAMBAND_UPDATE_VECTORS") == "1" {
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (SAMBAND_UPDATE_VECTORS=1 writes it)", err)
	}
	if !bytes.Equal(out, want) {
		t.Errorf("the vectors differ from %s:\n%s", path, out)
	}
	// The stored signature verifies with the stored key.
	var stored struct {
		PublicJWK json.RawMessage `json:"public_jwk"`
		Signature string          `json:"signature"`
		Canonical string          `json:"canonical"`
	}
	if err := json.Unmarshal(want, &stored); err != nil {
		t.Fatal(err)
	}
	pub, err := jwk.ParseKey(stored.PublicJWK)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Canonical != string(r.Canonical()) {
		t.Errorf("stored canonical form differs")
	}
	if _, err := Verify(context.Background(), r, stored.Signature, keyring{testRequester + " k1": pub}.keys); err != nil {
		t.Errorf("Verify of the stored signature: %v", err)
	}
}

func TestReadRequestDigestWithTab(t *testing.T) {
	// White space a Content-Digest may hold by RFC 8941 but the canonical
	// form may not.
	req := testHTTPRequest(t, testRequest(), testBody, "sig")
	req.Header[keyContentDigest] = []string{ContentDigest(testBody) + ",\tmd5=:AA==:"}
	if _, _, _, err := ReadRequest(req, Limits{}); !errors.Is(err, ErrMalformed) {
		t.Errorf("ReadRequest of a Content-Digest with a tab = %v, want ErrMalformed", err)
	}
}

// A client signs a request; the gateway verifies it with the key its trust
// registry holds for the signer.
func ExampleVerify() {
	seed := sha256.Sum256([]byte("example"))
	priv, _ := jwk.Import(ed25519.NewKeyFromSeed(seed[:]))
	priv.Set(jwk.KeyIDKey, "2026-1")
	pub, _ := priv.PublicKey()

	r := &Request{
		Method: "GET", Country: "NO", Organisation: "974760673", Service: "death-records", Path: "/v1/deaths",
		Audience: "NO/991825827", ID: "0b6d2f4e-8c1a-4e6b-9a3d-5f2e7c9b1a40", Requester: "FI/0245437-2",
		Purpose: "https://w3id.org/dpv#LegalCompliance", LegalBasis: "http://data.europa.eu/eli/reg/2012/650/oj",
		Time: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC),
	}
	req, err := NewRequest(context.Background(), "https://gateway.example.no", r, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	sig, err := Sign(r, "FI/0245437-2", priv)
	if err != nil {
		fmt.Println(err)
		return
	}
	req.Header.Set(HeaderSignature, sig)
	fmt.Println(req.Method, req.URL)

	keys := func(ctx context.Context, signer, kid string) (jwk.Key, error) {
		if signer == "FI/0245437-2" && kid == "2026-1" {
			return pub, nil
		}
		return nil, ErrUnknownKey
	}
	signed, err := Verify(context.Background(), r, sig, keys)
	fmt.Println(signed.Signer, signed.KeyID, signed.Alg, err)

	r.Purpose = "https://w3id.org/dpv#Marketing"
	_, err = Verify(context.Background(), r, sig, keys)
	fmt.Println(errors.Is(err, ErrSignature))
	// Output:
	// GET https://gateway.example.no/exchange/v1/NO/974760673/death-records/v1/deaths
	// FI/0245437-2 2026-1 EdDSA <nil>
	// true
}

func TestReadRequestBodyLength(t *testing.T) {
	for _, length := range []int64{int64(len(testBody)) + 3, int64(len(testBody)) - 2} {
		req := testHTTPRequest(t, testRequest(), testBody, "sig")
		req.ContentLength = length
		if _, _, _, err := ReadRequest(req, Limits{}); !errors.Is(err, ErrMalformed) {
			t.Errorf("ReadRequest of %d bytes with Content-Length %d = %v, want ErrMalformed", len(testBody), length, err)
		}
	}
}

// GenerateKey makes keys NewSigningKey takes, with kid and use, for the two
// algorithms, and no other.
func TestGenerateKey(t *testing.T) {
	for _, alg := range []string{"EdDSA", "ES256"} {
		k, err := GenerateKey(alg, "k-"+alg)
		if err != nil {
			t.Fatal(err)
		}
		sk, err := NewSigningKey(k)
		if err != nil || sk.Algorithm().String() != alg || sk.KeyID() != "k-"+alg {
			t.Fatalf("%s: NewSigningKey = %v, %v", alg, sk, err)
		}
		if use, _ := k.KeyUsage(); use != "sig" {
			t.Errorf("%s: use %q", alg, use)
		}
	}
	if _, err := GenerateKey("HS256", "k"); !errors.Is(err, ErrAlgorithm) {
		t.Errorf("GenerateKey(HS256) = %v", err)
	}
}
