package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"golang.org/x/mod/sumdb/tlog"

	"samband/exchange/audit"
	"samband/internal/netguard"
	"samband/policies"
)

// testSigner is a provider's signing key in the tests. Tokens are signed
// here with the standard library, not with the library that verifies them.
type testSigner struct {
	kid string
	alg string
	rsa *rsa.PrivateKey
	ec  *ecdsa.PrivateKey
}

var (
	rsaKeysOnce sync.Once
	rsaKeys     [3]*rsa.PrivateKey // made once: 2048-bit keys take a while
)

func testRSA(t testing.TB, i int) *rsa.PrivateKey {
	t.Helper()
	rsaKeysOnce.Do(func() {
		for j := range rsaKeys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			rsaKeys[j] = k
		}
	})
	return rsaKeys[i]
}

func newRSASigner(t testing.TB, i int, kid string) testSigner {
	return testSigner{kid: kid, alg: "RS256", rsa: testRSA(t, i)}
}

func newECSigner(t testing.TB, kid string) testSigner {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return testSigner{kid: kid, alg: "ES256", ec: k}
}

// sign signs input with the key by its algorithm.
func (k testSigner) sign(t testing.TB, input []byte) []byte {
	t.Helper()
	h := sha256.Sum256(input)
	if k.rsa != nil {
		sig, err := rsa.SignPKCS1v15(rand.Reader, k.rsa, crypto.SHA256, h[:])
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	r, s, err := ecdsa.Sign(rand.Reader, k.ec, h[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return sig
}

// public returns the key's public JWK, with its kid.
func (k testSigner) public(t testing.TB) jwk.Key {
	t.Helper()
	var raw any
	if k.rsa != nil {
		raw = &k.rsa.PublicKey
	} else {
		raw = &k.ec.PublicKey
	}
	pk, err := jwk.Import(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := pk.Set(jwk.KeyIDKey, k.kid); err != nil {
		t.Fatal(err)
	}
	return pk
}

// jwks returns the JSON of a key set of keys' public keys.
func jwks(t testing.TB, keys ...testSigner) []byte {
	t.Helper()
	set := jwk.NewSet()
	for _, k := range keys {
		if err := set.AddKey(k.public(t)); err != nil {
			t.Fatal(err)
		}
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// rawToken builds a compact JWS of header and claims, signed by sign (nil:
// no signature).
func rawToken(t testing.TB, header, claims map[string]any, sign func([]byte) []byte) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	input := b64(h) + "." + b64(c)
	var sig []byte
	if sign != nil {
		sig = sign([]byte(input))
	}
	return input + "." + b64(sig)
}

// token is an ID token signed by k with the given claims.
func (k testSigner) token(t testing.TB, claims map[string]any) string {
	t.Helper()
	return rawToken(t, map[string]any{"alg": k.alg, "kid": k.kid, "typ": "JWT"}, claims, func(b []byte) []byte { return k.sign(t, b) })
}

const (
	idportenIssuer = "https://idporten.example.no"
	bankidIssuer   = "https://bankid.example.se"
	clientID       = "samband-gateway"
)

// idClaims are the claims of an ID token of issuer for number at now,
// valid for five minutes; edit changes them.
func idClaims(issuer, claim, number string, now time.Time, edit func(map[string]any)) map[string]any {
	c := map[string]any{"iss": issuer, "aud": []string{clientID, "other-client"}, "sub": "pairwise-7f3a",
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "auth_time": now.Unix(), claim: number}
	if edit != nil {
		edit(c)
	}
	return c
}

// citizenFixture is a gateway with a real audit log, two OpenID providers
// (one whose keys are served over HTTP, one whose keys are in a file) and
// a clock the test sets.
type citizenFixture struct {
	base     string
	audit    testAudit
	clock    atomic.Pointer[time.Time]
	idporten testSigner // RS256, keys at a URL
	bankid   testSigner // ES256, keys in a file
	fetches  atomic.Int32
	served   atomic.Pointer[[]byte] // the key set the URL answers
}

func (f *citizenFixture) now() time.Time { return *f.clock.Load() }

func (f *citizenFixture) setNow(t time.Time) { f.clock.Store(&t) }

// newCitizenFixture configures the providers and embargoes as a gateway's
// configuration file would.
func newCitizenFixture(t *testing.T) *citizenFixture {
	t.Helper()
	f := &citizenFixture{audit: openTestAudit(t), idporten: newRSASigner(t, 0, "rsa-1"), bankid: newECSigner(t, "ec-1")}
	set := jwks(t, f.idporten)
	f.served.Store(&set)
	keys := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.fetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write(*f.served.Load())
	}))
	t.Cleanup(keys.Close)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "bankid.jwks")
	if err := os.WriteFile(keyFile, jwks(t, f.bankid), 0o600); err != nil {
		t.Fatal(err)
	}
	yml := fmt.Sprintf(`db: %s
audit:
  embargo:
    - {purpose: criminal-investigation, for: 720h}
    - {legal_basis: "tax-audit §12", for: 48h}
citizen:
  providers:
    - name: idporten
      issuer: %s
      audience: %s
      jwks_url: %s/jwks.json
      country: "NO"
      allow_private: true
    - name: bankid-se
      issuer: %s
      audience: %s
      jwks_file: %s
      country: SE
      id_claim: personal_number
      algorithms: [ES256]
`, filepath.Join(dir, "samband.db"), idportenIssuer, clientID, keys.URL, bankidIssuer, clientID, keyFile)
	cfg, err := parseConfig([]byte(yml), "test.yaml", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	citizens, err := newCitizenAuth(t.Context(), cfg.Citizen, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	f.setNow(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	f.base, _ = auditTestServer(t, &f.audit, cfg.Audit.Embargo, func(s *server) {
		s.citizens = citizens
		s.now = f.now
	})
	return f
}

// accessesAnswer is the citizen's view as a client reads it.
type accessesAnswer struct {
	SubjectCountry string         `json:"subject_country"`
	Items          []accessView   `json:"items"`
	Checkpoint     checkpointView `json:"checkpoint"`
	NextBefore     *int64         `json:"next_before"`
}

// accesses asks the citizen's view with token; query is added to the URL.
func (f *citizenFixture) accesses(t *testing.T, token, query string) (accessesAnswer, int, string) {
	t.Helper()
	var a accessesAnswer
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	code, raw := auditGet(t, f.base+"/api/v1/me/accesses"+query, h, &a)
	return a, code, string(raw)
}

// check verifies an answer as a citizen's client would: the checkpoint's
// signature, and every item's proof against it; and that the leaf hashes
// are the log's own.
func (f *citizenFixture) check(t *testing.T, a accessesAnswer) {
	t.Helper()
	tree := openCheckpoint(t, a.Checkpoint, f.audit.vkey)
	for _, it := range a.Items {
		if it.Inclusion.Size != tree.N {
			t.Errorf("item %d: proof against size %d, the answer's checkpoint is %d", it.Index, it.Inclusion.Size, tree.N)
		}
		leaf := parseHash(t, it.LeafHash)
		if err := tlog.CheckRecord(parseProof(t, it.Inclusion.Proof), tree.N, tree.Hash, it.Index, leaf); err != nil {
			t.Errorf("item %d: the proof does not check: %v", it.Index, err)
		}
		e, err := f.audit.log.Entry(context.Background(), it.Index)
		if err != nil {
			t.Fatal(err)
		}
		if h, _ := e.Hash(); h != leaf || e.RequestID != it.RequestID || e.Purpose != it.Purpose || !e.Time.Equal(it.Time) {
			t.Errorf("item %d = %+v, the log's entry is %+v", it.Index, it, e)
		}
	}
}

type seen struct {
	index int64
	role  string
}

func items(a accessesAnswer) []seen {
	var out []seen
	for _, it := range a.Items {
		out = append(out, seen{it.Index, it.Role})
	}
	return out
}

func TestCitizenView(t *testing.T) {
	ctx := context.Background()
	f := newCitizenFixture(t)
	kari, sven, deceased := subjectFor(t, "NO", noKari), subjectFor(t, "SE", seSven), subjectFor(t, "NO", noDeceased)
	plan := []struct {
		subject, rep policies.Subject
		edit         func(*audit.Entry)
	}{
		{kari, "", func(e *audit.Entry) { e.LegalBasis = "tax-audit §12" }}, // 0: embargo of 48 h
		{sven, "", nil},       // 1
		{deceased, kari, nil}, // 2: kari acts for the deceased
		{kari, "", nil},       // 3
		{kari, "", func(e *audit.Entry) { e.Purpose = "criminal-investigation" }}, // 4: embargo of 30 days
		{sven, deceased, nil}, // 5
		{kari, kari, nil},     // 6: kari for herself
		{kari, "", func(e *audit.Entry) { e.Decision, e.Status = "deny", 403 }}, // 7
		{"", "", nil},       // 8: no one
		{deceased, "", nil}, // 9
	}
	for i, p := range plan {
		e := decision(i, p.subject, p.rep)
		if p.edit != nil {
			p.edit(&e)
		}
		if i < len(plan)-1 {
			if _, err := f.audit.log.Append(ctx, e); err != nil {
				t.Fatal(err)
			}
			continue
		}
		// The last with a sealed checkpoint, which the view then answers.
		if _, _, err := f.audit.log.AppendSealed(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	kariToken := func(now time.Time) string {
		return f.idporten.token(t, idClaims(idportenIssuer, "pid", noKari, now, nil))
	}

	// Kari, a day after: hers as subject and as representative, newest
	// first, without the two under embargo.
	a, code, raw := f.accesses(t, kariToken(f.now()), "")
	if code != 200 {
		t.Fatalf("GET /api/v1/me/accesses = %d %s", code, raw)
	}
	want := []seen{{7, "subject"}, {6, "subject"}, {3, "subject"}, {2, "representative"}}
	if got := items(a); !slices.Equal(got, want) || a.SubjectCountry != "NO" || a.NextBefore != nil {
		t.Fatalf("kari's accesses = %v (country %s, next %v), want %v", got, a.SubjectCountry, a.NextBefore, want)
	}
	f.check(t, a)
	if a.Checkpoint.Size != 10 || a.Items[0].Decision != "deny" || a.Items[0].Status != 403 {
		t.Errorf("checkpoint size %d, first item %+v", a.Checkpoint.Size, a.Items[0])
	}
	for _, leak := range []string{noKari, string(kari), string(deceased[:12]), "criminal-investigation", "tax-audit"} {
		if strings.Contains(raw, leak) {
			t.Errorf("the answer holds %q:\n%s", leak, raw)
		}
	}

	// Pages: the hidden entries are not counted, and the last page says
	// there is no more even though a hidden entry lies beyond it.
	var paged []seen
	before := ""
	for range 5 {
		a, code, raw := f.accesses(t, kariToken(f.now()), "?limit=2"+before)
		if code != 200 {
			t.Fatalf("page: %d %s", code, raw)
		}
		f.check(t, a)
		if len(a.Items) != 2 && a.NextBefore != nil {
			t.Errorf("a short page with a next page: %s", raw)
		}
		paged = append(paged, items(a)...)
		if a.NextBefore == nil {
			break
		}
		before = "&before=" + strconv.FormatInt(*a.NextBefore, 10)
	}
	if !slices.Equal(paged, want) {
		t.Errorf("kari's accesses by pages of 2 = %v, want %v", paged, want)
	}
	if a, _, _ := f.accesses(t, kariToken(f.now()), "?limit=3"); len(a.Items) != 3 || a.NextBefore == nil || *a.NextBefore != 3 {
		t.Errorf("a page of 3 = %v, next %v; want 3 items and next_before 3", items(a), a.NextBefore)
	}

	// Sven, signed in by the other provider (ES256, keys from a file, his
	// number in another claim), sees only his.
	svenToken := f.bankid.token(t, idClaims(bankidIssuer, "personal_number", "19750623-1237", f.now(), nil))
	a, code, raw = f.accesses(t, svenToken, "")
	if code != 200 {
		t.Fatalf("sven: %d %s", code, raw)
	}
	if got := items(a); !slices.Equal(got, []seen{{5, "subject"}, {1, "subject"}}) || a.SubjectCountry != "SE" {
		t.Errorf("sven's accesses = %v (%s)", got, a.SubjectCountry)
	}
	f.check(t, a)

	// Three days on, the tax audit's embargo has ended; thirty days on, the
	// investigation's.
	f.setNow(time.Date(2026, 11, 25, 12, 0, 1, 0, time.UTC))
	a, _, _ = f.accesses(t, kariToken(f.now()), "")
	want = []seen{{7, "subject"}, {6, "subject"}, {3, "subject"}, {2, "representative"}, {0, "subject"}}
	if got := items(a); !slices.Equal(got, want) {
		t.Errorf("kari's accesses after 3 days = %v, want %v", got, want)
	}
	f.check(t, a)
	f.setNow(time.Date(2026, 12, 22, 12, 3, 0, 0, time.UTC)) // 30 days after entry 4 less a minute
	if a, _, _ = f.accesses(t, kariToken(f.now()), ""); slices.Contains(items(a), seen{4, "subject"}) {
		t.Errorf("entry 4 shown before its embargo ends: %v", items(a))
	}
	f.setNow(time.Date(2026, 12, 22, 12, 4, 0, 0, time.UTC))
	a, _, _ = f.accesses(t, kariToken(f.now()), "")
	want = []seen{{7, "subject"}, {6, "subject"}, {4, "subject"}, {3, "subject"}, {2, "representative"}, {0, "subject"}}
	if got := items(a); !slices.Equal(got, want) {
		t.Errorf("kari's accesses after 30 days = %v, want %v", got, want)
	}
	f.check(t, a)

	// Bad parameters, once signed in.
	for _, q := range []string{"?limit=0", "?limit=101", "?limit=x", "?before=-1", "?before=x"} {
		req, _ := http.NewRequest("GET", f.base+"/api/v1/me/accesses"+q, nil)
		req.Header.Set("Authorization", "Bearer "+kariToken(f.now()))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("GET /api/v1/me/accesses%s = %d, want 400", q, resp.StatusCode)
		}
	}
}

// Every way an ID token can be wrong is refused with 401, the
// WWW-Authenticate header of RFC 6750 and a detail of its own.
func TestCitizenTokensRefused(t *testing.T) {
	f := newCitizenFixture(t)
	if _, err := f.audit.log.Append(context.Background(), decision(0, subjectFor(t, "NO", noKari), "")); err != nil {
		t.Fatal(err)
	}
	now := f.now()
	claims := func(edit func(map[string]any)) map[string]any {
		return idClaims(idportenIssuer, "pid", noKari, now, edit)
	}
	rs := f.idporten
	rsaDER, err := x509.MarshalPKIXPublicKey(&rs.rsa.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	hmacWith := func(secret []byte) func([]byte) []byte {
		return func(b []byte) []byte {
			m := hmac.New(sha256.New, secret)
			m.Write(b)
			return m.Sum(nil)
		}
	}
	signRS := func(b []byte) []byte { return rs.sign(t, b) }
	impostor := newRSASigner(t, 1, "rsa-1")    // another key under the provider's kid
	stranger := newRSASigner(t, 2, "rsa-9")    // a kid the provider does not have
	ecAsRSA := newECSigner(t, "rsa-1")         // ES256 under the RSA key's kid
	rsForBankID := newRSASigner(t, 0, "rsa-1") // RS256 to a provider that takes ES256 only
	rsForBankID.kid = f.bankid.kid             // ... under its key's kid
	tests := []struct {
		name   string
		token  string // "" for no Authorization header
		header string // the whole header instead of Bearer token
		detail string
	}{
		{"no token", "", "", "no ID token"},
		{"basic scheme", "", "Basic a2FyaTpzZWNyZXQ=", "Authorization scheme"},
		{"empty bearer", "", "Bearer ", "empty"},
		{"not a JWT", "eyJhbGciOiJSUzI1NiJ9", "", "not a JWT"},
		{"encrypted", "a.b.c.d.e", "", "encrypted"},
		{"header not base64", "!!.e30.c2ln", "", "header: not base64url"},
		{"claims not JSON", b64([]byte(`{"alg":"RS256"}`)) + "." + b64([]byte("[1,2")) + ".c2ln", "", "claims: not a JSON object"},
		{"no issuer", rs.token(t, claims(func(c map[string]any) { delete(c, "iss") })), "", "no issuer"},
		{"alg none", rawToken(t, map[string]any{"alg": "none", "kid": "rsa-1"}, claims(nil), nil), "", "alg none"},
		{"HS256 keyed with the public key", rawToken(t, map[string]any{"alg": "HS256", "kid": "rsa-1", "typ": "JWT"}, claims(nil), hmacWith(rsaDER)), "", "HMAC"},
		{"alg not allowed", rsForBankID.token(t, idClaims(bankidIssuer, "personal_number", "19750623-1237", now, nil)), "", "may use"},
		{"crit header", rawToken(t, map[string]any{"alg": "RS256", "kid": "rsa-1", "crit": []string{"exp"}, "exp": 1}, claims(nil), signRS), "", "critical"},
		{"access token", rawToken(t, map[string]any{"alg": "RS256", "kid": "rsa-1", "typ": "at+jwt"}, claims(nil), signRS), "", "not another kind of token"},
		{"no kid", rawToken(t, map[string]any{"alg": "RS256"}, claims(nil), signRS), "", "names no key"},
		{"unknown kid", stranger.token(t, claims(nil)), "", "unknown kid"},
		{"key confusion: ES256 with an RSA key", ecAsRSA.token(t, claims(nil)), "", "is an RSA key"},
		{"bad signature", impostor.token(t, claims(nil)), "", "signature does not verify"},
		{"wrong issuer", rs.token(t, idClaims("https://evil.example", "pid", noKari, now, nil)), "", "not an OpenID provider this gateway trusts"},
		{"wrong audience", rs.token(t, claims(func(c map[string]any) { c["aud"] = "someone-else" })), "", "audience"},
		{"expired", rs.token(t, claims(func(c map[string]any) {
			c["iat"], c["exp"] = now.Add(-10*time.Minute).Unix(), now.Add(-61*time.Second).Unix()
		})), "", "expired"},
		{"not yet valid", rs.token(t, claims(func(c map[string]any) { c["nbf"] = now.Add(2 * time.Minute).Unix() })), "", "not valid yet"},
		{"issued in the future", rs.token(t, claims(func(c map[string]any) { c["iat"] = now.Add(2 * time.Minute).Unix() })), "", "issued in the future"},
		{"no exp", rs.token(t, claims(func(c map[string]any) { delete(c, "exp") })), "", "required claim"},
		{"no pid", rs.token(t, claims(func(c map[string]any) { delete(c, "pid") })), "", "no pid claim"},
		{"pid not a number of the country", rs.token(t, claims(func(c map[string]any) { c["pid"] = "15038510191" })), "", "claim pid: invalid national identity number"},
	}
	details := map[string]string{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", f.base+"/api/v1/me/accesses", nil)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.header != "":
				req.Header.Set("Authorization", tc.header)
			case tc.token != "":
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var p problem
			if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 401 || p.Status != 401 || resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("status %d (%s), want 401 problem+json: %+v", resp.StatusCode, resp.Header.Get("Content-Type"), p)
			}
			if !strings.Contains(p.Detail, tc.detail) {
				t.Errorf("detail %q, want it to say %q", p.Detail, tc.detail)
			}
			if other, dup := details[p.Detail]; dup {
				t.Errorf("detail %q also given for %q", p.Detail, other)
			}
			details[p.Detail] = tc.name
			www := resp.Header.Get("WWW-Authenticate")
			invalid := strings.Contains(www, `error="invalid_token"`)
			if !strings.HasPrefix(www, "Bearer") || invalid == (tc.name == "no token") {
				t.Errorf("WWW-Authenticate %q", www)
			}
			if strings.Contains(p.Detail, noKari) {
				t.Errorf("the detail holds the number: %s", p.Detail)
			}
		})
	}

	// Within the minute of skew, a token just expired, or issued a moment
	// ahead of the gateway's clock, still counts.
	for _, edit := range []func(map[string]any){
		func(c map[string]any) {
			c["iat"], c["exp"] = now.Add(-10*time.Minute).Unix(), now.Add(-50*time.Second).Unix()
		},
		func(c map[string]any) {
			c["iat"], c["nbf"] = now.Add(50*time.Second).Unix(), now.Add(50*time.Second).Unix()
		},
	} {
		if _, code, raw := f.accesses(t, rs.token(t, claims(edit)), ""); code != 200 {
			t.Errorf("a token within the skew = %d %s", code, raw)
		}
	}
}

// A provider that rotates its keys: a token under a kid not yet fetched
// makes the gateway fetch the key set again, but no more than once in a
// while, whatever tokens come.
func TestCitizenKeyRotation(t *testing.T) {
	f := newCitizenFixture(t)
	now := f.now()
	if _, code, raw := f.accesses(t, f.idporten.token(t, idClaims(idportenIssuer, "pid", noKari, now, nil)), ""); code != 200 {
		t.Fatalf("first token = %d %s", code, raw)
	}
	if n := f.fetches.Load(); n != 1 {
		t.Fatalf("%d fetches of the key set after the first token, want 1", n)
	}
	rotated := newRSASigner(t, 1, "rsa-2")
	set := jwks(t, f.idporten, rotated)
	f.served.Store(&set)
	if _, code, raw := f.accesses(t, rotated.token(t, idClaims(idportenIssuer, "pid", noKari, now, nil)), ""); code != 200 {
		t.Fatalf("token under the new key = %d %s", code, raw)
	}
	if n := f.fetches.Load(); n != 2 {
		t.Errorf("%d fetches after a new kid, want 2", n)
	}
	for _, kid := range []string{"rsa-3", "rsa-4", "rsa-5"} {
		stranger := newRSASigner(t, 2, kid)
		if _, code, _ := f.accesses(t, stranger.token(t, idClaims(idportenIssuer, "pid", noKari, now, nil)), ""); code != 401 {
			t.Errorf("token under unknown kid %s = %d, want 401", kid, code)
		}
	}
	if n := f.fetches.Load(); n != 2 {
		t.Errorf("%d fetches after unknown kids, want still 2 (one fetch a while at most)", n)
	}
}

// The key set client connects to loopback only when the provider allows
// private addresses, and follows no redirect.
func TestJWKSClientGuard(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/jwks", http.StatusFound)
			return
		}
		w.Write([]byte(`{"keys":[]}`))
	}))
	defer srv.Close()
	if _, err := jwksClient(false).Get(srv.URL + "/jwks"); !errors.Is(err, netguard.ErrForbiddenAddress) {
		t.Errorf("fetch from loopback without allow_private = %v, want ErrForbiddenAddress", err)
	}
	resp, err := jwksClient(true).Get(srv.URL + "/jwks")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("fetch from loopback with allow_private = %v, %v", resp, err)
	}
	resp.Body.Close()
	if _, err := jwksClient(true).Get(srv.URL + "/moved"); err == nil || !strings.Contains(err.Error(), "redirects are not followed") {
		t.Errorf("fetch of a redirect = %v, want refusal", err)
	}
	if _, err := jwksClient(true).Get("http://169.254.169.254/latest/meta-data/"); !errors.Is(err, netguard.ErrForbiddenAddress) {
		t.Errorf("fetch from the metadata address = %v, want ErrForbiddenAddress even with allow_private", err)
	}
}

// FuzzIDToken: whatever a client sends as its token, the gateway answers
// with a refusal or with the one person the valid seed token names, and
// never panics.
func FuzzIDToken(f *testing.F) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	rs := newRSASigner(f, 0, "rsa-1")
	file := filepath.Join(f.TempDir(), "jwks.json")
	if err := os.WriteFile(file, jwks(f, rs), 0o600); err != nil {
		f.Fatal(err)
	}
	cfg := CitizenConfig{Providers: []OIDCProvider{{Name: "idporten", Issuer: idportenIssuer, Audience: clientID, JWKSFile: file, Country: "NO"}}}
	if problems := cfg.check(); len(problems) > 0 {
		f.Fatal(problems)
	}
	auth, err := newCitizenAuth(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		f.Fatal(err)
	}
	want, err := personArg{Country: "NO", NationalID: noKari}.subject(apiTestKey, "test", now)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(rs.token(f, idClaims(idportenIssuer, "pid", noKari, now, nil)))
	f.Add(rawToken(f, map[string]any{"alg": "none", "kid": "rsa-1"}, idClaims(idportenIssuer, "pid", noKari, now, nil), nil))
	f.Add(rawToken(f, map[string]any{"alg": "RS256", "kid": "rsa-1", "crit": []string{"b64"}, "b64": false}, idClaims(idportenIssuer, "pid", noKari, now, nil), nil))
	f.Add("e30.e30.")
	f.Add("a.b.c.d.e")
	f.Fuzz(func(t *testing.T, token string) {
		req := httptest.NewRequest("GET", "/api/v1/me/accesses", nil)
		req.Header["Authorization"] = []string{"Bearer " + token}
		c, err := auth.authenticate(req, apiTestKey, now)
		var te *tokenError
		switch {
		case err == nil:
			if c.subject != want {
				t.Fatalf("token %q accepted for another person", token)
			}
		case !errors.As(err, &te):
			t.Fatalf("token %q: error %v is not a refusal", token, err)
		}
	})
}

func TestAuditAndCitizenConfig(t *testing.T) {
	none := func(string) string { return "" }
	cfg, err := parseConfig([]byte("db: /var/lib/samband/catalog.db\n"), "test.yaml", none)
	if err != nil {
		t.Fatal(err)
	}
	if time.Duration(cfg.Audit.CheckpointEvery) != time.Second || cfg.auditDB() != "/var/lib/samband/catalog.db.audit" ||
		cfg.Audit.KeyFile != "" || cfg.Audit.demoKey || len(cfg.Citizen.Providers) != 0 {
		t.Fatalf("defaults: audit %+v (db %s), citizen %+v", cfg.Audit, cfg.auditDB(), cfg.Citizen)
	}
	yml := `audit:
  db: /var/lib/samband/audit.db
  key_file: /etc/samband/audit.key
  embargo:
    - {purpose: criminal-investigation, for: 2160h}
citizen:
  providers:
    - name: idporten
      issuer: https://idporten.no
      audience: samband
      jwks_url: https://idporten.no/jwks.json
      country: "NO"
    - name: suomi-fi
      issuer: https://tunnistus.suomi.fi
      audience: samband
      jwks_file: /etc/samband/suomi-fi.jwks
      country: FI
      id_claim: urn:oid:1.2.246.21
      algorithms: [PS256, ES384]
`
	env := map[string]string{"GATEWAY_CITIZEN_PROVIDERS_IDPORTEN_AUDIENCE": "samband-prod", "GATEWAY_AUDIT_CHECKPOINT_EVERY": "250ms",
		"GATEWAY_AUDIT_KEY_FILE": "/run/secrets/audit.key", "GATEWAY_AUDIT_COMMIT_DELAY": "2ms"}
	if cfg, err = parseConfig([]byte(yml), "test.yaml", func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	idp, fi := cfg.Citizen.Providers[0], cfg.Citizen.Providers[1]
	if cfg.auditDB() != "/var/lib/samband/audit.db" || cfg.Audit.KeyFile != "/run/secrets/audit.key" ||
		time.Duration(cfg.Audit.CheckpointEvery) != 250*time.Millisecond || time.Duration(cfg.Audit.Embargo[0].For) != 90*24*time.Hour ||
		time.Duration(cfg.Audit.CommitDelay) != 2*time.Millisecond {
		t.Errorf("audit = %+v", cfg.Audit)
	}
	if idp.Audience != "samband-prod" || idp.idClaim() != "pid" || !slices.Equal(idp.algorithms(), []string{"RS256", "ES256", "EdDSA"}) {
		t.Errorf("idporten = %+v; want the audience from the environment and the defaults", idp)
	}
	if fi.idClaim() != "urn:oid:1.2.246.21" || !slices.Equal(fi.algorithms(), []string{"PS256", "ES384"}) {
		t.Errorf("suomi-fi = %+v", fi)
	}
	keys := strings.Join(envKeys(cfg), " ")
	for _, k := range []string{"GATEWAY_AUDIT_KEY_FILE", "GATEWAY_AUDIT_DB", "GATEWAY_AUDIT_CHECKPOINT_EVERY", "GATEWAY_CITIZEN_PROVIDERS_<NAME>_..."} {
		if !strings.Contains(keys, k) {
			t.Errorf("envKeys lacks %s", k)
		}
	}
	if strings.Contains(keys, "EMBARGO") {
		t.Errorf("envKeys lists the embargo rules, which have no name to override them by: %s", keys)
	}

	provider := func(extra string) string {
		return "citizen:\n  providers:\n    - {name: idporten, issuer: 'https://idporten.no', audience: samband, country: 'NO', " + extra + "}\n"
	}
	for _, tc := range []struct {
		yml, want string
	}{
		{"audit:\n  checkpoint_every: 0s\n", "audit.checkpoint_every: must be more than 0"},
		{"audit:\n  commit_delay: -1ms\n", "audit.commit_delay: must be from 0 to 1s"},
		{"audit:\n  commit_delay: 2s\n", "audit.commit_delay: must be from 0 to 1s"},
		{"audit:\n  embargo:\n    - {for: 24h}\n", "audit.embargo[0]: give a purpose, a legal_basis or both"},
		{"audit:\n  embargo:\n    - {purpose: x}\n", "audit.embargo[0].for: must be more than 0"},
		{"audit:\n  demoKey: true\n", "demoKey"},
		{provider("jwks_url: 'https://idporten.no/jwks', algorithms: [HS256]"), "citizen.providers[0].algorithms[0]: HS256 is refused"},
		{provider("jwks_url: 'https://idporten.no/jwks', algorithms: [RS256, none]"), "citizen.providers[0].algorithms[1]: none is refused"},
		{provider("jwks_url: 'https://idporten.no/jwks', algorithms: [RSA-OAEP]"), `"RSA-OAEP" is not a signature algorithm`},
		{provider("jwks_url: 'http://idporten.no/jwks'"), "citizen.providers[0].jwks_url: http is refused"},
		{provider("jwks_url: 'file:///etc/jwks'"), `jwks_url: scheme "file"`},
		{provider("jwks_url: '/jwks'"), "is not an absolute URL"},
		{provider(""), "citizen.providers[0]: give jwks_url or jwks_file"},
		{provider("jwks_url: 'https://idporten.no/jwks', jwks_file: /etc/jwks"), "not both"},
		{"citizen:\n  providers:\n    - {name: x, issuer: i, audience: a, jwks_file: f, country: NL}\n", `citizen.providers[0].country: "NL" is not one of NO, SE`},
		{"citizen:\n  providers:\n    - {name: x, jwks_file: f, country: SE}\n", "citizen.providers[0].issuer: empty"},
		{"citizen:\n  providers:\n    - {name: x, issuer: i, jwks_file: f, country: SE}\n", "citizen.providers[0].audience: empty"},
		{"citizen:\n  providers:\n    - {issuer: i, audience: a, jwks_file: f, country: SE}\n", "citizen.providers[0].name: empty"},
		{"citizen:\n  providers:\n    - {name: x, issuer: i, audience: a, jwks_file: f, country: SE}\n    - {name: x, issuer: i, audience: a, jwks_file: f, country: SE}\n",
			"citizen.providers[1].name: x named twice"},
	} {
		_, err := parseConfig([]byte(tc.yml), "test.yaml", none)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseConfig(%q) = %v, want an error saying %q", tc.yml, err, tc.want)
		}
	}
}
