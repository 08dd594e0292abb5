package exchange_test

// The attacks on the exchange broker, and where each is covered. Most are
// rows of TestAttacks, named by their number in the issue:
//
//	1-2       no signature, a forged one                    rows 01, 02
//	3-9       altered after signing                         rows 03-09
//	10-13     alg none, HS256 key confusion, ES256 header
//	          over an Ed25519 key, RS256                    rows 10-13
//	14-17     unknown kid, revoked, expired, not yet valid  rows 14-17
//	18-20     stale, future, replayed                       rows 18-20
//	21-25     audience, peer gateway for another country
//	          or a third country's service, an authority
//	          as another requester, an unknown requester    rows 21-25
//	26-33     unknown service, method, path not offered,
//	          /../, %2F, %2e%2e, //, backslash              rows 26-33
//	34-36     oversized body, duplicated and conflicting
//	          headers                                       rows 34-36
//	37-38     a redirecting service, a service on loopback  rows 37, 38
//	39-42     consent rescinded, mandate expired, mandate
//	          revoked, no mandate                           rows 39-42
//
// Two rows give this gateway an outbound policy (testdata/outbound.ttl)
// and ask for what it does not allow: a purpose, a country; both are
// refused here, by the rule, and the peer gateway hears nothing.
// TestOutboundRelay (outbound_test.go) is their control.
//
// The rows without a number are further attacks of the same kinds (a
// replay under X-Road-Id, a representative stripped after signing, a key
// the signature brings along, ..;, %00, a chunked oversized body, a
// service answering over the bound), and attacks on the answer of the
// Finnish peer gateway this gateway relays: stripped, swapped or replayed
// receipts, receipts signed by another key or issuer, a redirect.
// TestAttackConcurrentReplay sends one request eight times at once;
// TestAttackHangUp hangs up after the service was asked.
//
// The embargo in the citizen's view is covered in cmd/gateway:
// TestCitizenView (cmd/gateway/citizen_test.go) asserts that an entry under
// embargo is absent from /api/v1/me/accesses a minute before its embargo
// ends and present once it has ended, for two embargo rules (by legal
// basis and by purpose).
//
// TestAttackControls and TestAttackControlRelay send the requests the
// attacks are made of, as they are, and show them permitted, so that no
// refusal is an accident of setup.

import (
	"bytes"
	"cmp"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"samband/exchange"
	"samband/exchange/audit"
	"samband/exchange/trust"
	"samband/policies"
	pstore "samband/policies/sqlite"
)

// The parties, services and people of the attacks. The people's numbers
// are synthetic, with valid check digits.
const (
	noGateway   = "NO/991825827"   // this gateway, Norway's
	fiGateway   = "FI/0245437-2"   // the Finnish peer gateway
	fiAuthority = "FI/0246246-0"   // a Finnish authority settling an estate
	noAuthority = "NO/974760673"   // a Norwegian authority
	dkStranger  = "DK/25052943"    // an authority this gateway does not know
	seGateway   = "SE/202100-5489" // a gateway this gateway is not

	deathRecord    = "https://register.example.no/service/death-records"
	pensionRecord  = "https://etuudet.example.fi/service/pensions"
	pensionPolicy  = "https://etuudet.example.fi/policy/pensions"
	taxRecord      = "https://register.example.no/service/tax-statements"
	estatePolicy   = "https://register.example.no/policy/estate"
	consentPolicy  = "https://register.example.no/policy/tax-statements"
	estatePurpose  = "urn:samband:purpose:inheritance-settlement"
	benefitPurpose = "urn:samband:purpose:benefit-assessment"
	publicTask     = "http://data.europa.eu/eli/reg/2016/679/art_6/par_1/pnt_e/oj"
	lifeEvent      = "death-and-inheritance"

	deceased = "31124590062" // NO, whose estate is settled
	heir     = "170852-234C" // FI, holds the heir certificate
	taxpayer = "15038510190" // NO, consents to the benefit assessment
	stranger = "750623-1237" // SE, holds no mandate

	deathsPath  = "/exchange/v1/NO/974760673/death-records/v1/deaths/"
	maxBody     = 64 << 10
	maxResponse = 256 << 10
)

// keyring holds the private keys of the attacks, made once per test.
type keyring struct {
	kela        jwk.Key // the Finnish authority's current key
	kelaRevoked jwk.Key // in its set, and revoked by the configuration
	kelaExpired jwk.Key // in its set, exp a day ago
	kelaNext    jwk.Key // in its set, nbf a day ahead
	kelaUnknown jwk.Key // not in its set
	forger      jwk.Key // not in its set, with the kid of kela
	skatt       jwk.Key // the Norwegian authority's, P-256
	fiGateway   jwk.Key // the Finnish peer gateway's
	noGateway   jwk.Key // this gateway's
	stranger    jwk.Key // the unknown Danish authority's
	attackerEC  *ecdsa.PrivateKey
	attackerRSA *rsa.PrivateKey
}

func newKeyring(t *testing.T) *keyring {
	t.Helper()
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &keyring{
		kela: edKey(t, "kela-2026"), kelaRevoked: edKey(t, "kela-2025"), kelaExpired: edKey(t, "kela-2024"),
		kelaNext: edKey(t, "kela-2027"), kelaUnknown: edKey(t, "kela-2099"), forger: edKey(t, "kela-2026"),
		skatt: ecKey(t, "skatt-1"), fiGateway: edKey(t, "fi-gw-1"), noGateway: edKey(t, "no-gw-1"),
		stranger: edKey(t, "dk-1"), attackerEC: ek, attackerRSA: rk,
	}
}

func edKey(t *testing.T, kid string) jwk.Key {
	t.Helper()
	_, raw, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return importKey(t, raw, kid)
}

func ecKey(t *testing.T, kid string) jwk.Key {
	t.Helper()
	raw, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return importKey(t, raw, kid)
}

func importKey(t *testing.T, raw any, kid string) jwk.Key {
	t.Helper()
	k, err := jwk.Import(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Set(jwk.KeyIDKey, kid); err != nil {
		t.Fatal(err)
	}
	return k
}

// publicKey returns the public JWK of k with the members given (nbf, exp).
func publicKey(t *testing.T, k jwk.Key, members map[string]any) jwk.Key {
	t.Helper()
	pub, err := jwk.PublicKeyOf(k)
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range members {
		if err := pub.Set(name, v); err != nil {
			t.Fatal(err)
		}
	}
	return pub
}

// jwks returns the JWK set of keys as JSON text, as a configuration holds it.
func jwks(t *testing.T, keys ...jwk.Key) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// syncBuffer is the slog output of the broker, read by the test while the
// server's goroutines write it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records returns the JSON records written so far.
func (b *syncBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(b.buf.Bytes()), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, rec)
	}
	return out
}

// find returns the first record whose every attribute in want has that value.
func (b *syncBuffer) find(t *testing.T, want map[string]any) (map[string]any, bool) {
	t.Helper()
	for _, rec := range b.records(t) {
		ok := true
		for k, v := range want {
			if rec[k] != v {
				ok = false
				break
			}
		}
		if ok {
			return rec, true
		}
	}
	return nil, false
}

// counter is an HTTP server that counts the requests it answers.
type counter struct {
	*httptest.Server
	hits atomic.Int64
	mu   sync.Mutex
	last http.Header // the headers of the last request
}

func newCounter(t *testing.T, h http.HandlerFunc) *counter {
	t.Helper()
	c := &counter{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.hits.Add(1)
		c.mu.Lock()
		c.last = r.Header.Clone()
		c.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(c.Close)
	return c
}

func (c *counter) lastHeader() http.Header {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// countingBody counts the bytes the broker reads of a request's body.
type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// libraryDecider decides by a policy library and the consent and mandate
// registry, for the services whose catalogue records it knows, by the
// policies each record names (odrl:hasPolicy), as the gateway's catalogue
// decider does.
type libraryDecider struct {
	lib     *policies.Library
	facts   policies.Facts
	records map[string][]string // record IRI -> the policies it names
}

func (d *libraryDecider) Decide(ctx context.Context, svc *exchange.Service, req *policies.Request) (policies.Decision, error) {
	named, ok := d.records[svc.Record]
	if !ok {
		return policies.Decision{}, fmt.Errorf("%w: the catalogue holds no record %s", exchange.ErrUnknownService, svc.Record)
	}
	return d.lib.For(svc.Record, named...).Decide(ctx, req, d.facts), nil
}

var _ exchange.Decider = (*libraryDecider)(nil)

// fixture is Norway's gateway: its broker served over HTTP, with the
// trust registry, audit log, policies and registry behind it, and the
// services it forwards to.
type fixture struct {
	keys       *keyring
	base       time.Time // the real time the fixture was made, to the second
	clock      atomic.Pointer[time.Time]
	srv        *httptest.Server
	log        *audit.Log
	registry   *pstore.Registry
	subjectKey policies.SubjectKey
	logs       *syncBuffer
	provider   *counter // the register behind death-records and tax-statements
	// slow gets a value when the register is asked for a record under
	// /slow/, which it answers only once the gateway gives up.
	slow       chan struct{}
	redirector *counter // the service behind death-records-mirror, which redirects
	metadata   *counter // where the redirector points
	// peer is the Finnish gateway as this gateway reaches it: the real
	// broker startPeer makes, behind what an attack puts between.
	peer        *counter
	peerHandler atomic.Pointer[http.Handler]
	pensions    *counter // the Finnish service behind the peer
	bodyRead    atomic.Int64
	mandate     policies.Mandate
	consent     policies.Consent
}

// newFixture makes Norway's gateway; opts change its broker's options
// before it is made (an outbound policy, metrics).
func newFixture(t *testing.T, keys *keyring, opts ...func(*exchange.Options)) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	f := &fixture{keys: keys, base: time.Now().UTC().Truncate(time.Second), logs: &syncBuffer{}, slow: make(chan struct{}, 1)}
	f.setClock(f.base)

	f.provider = newCounter(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/big/") {
			w.Header().Set("Content-Type", "application/json")
			w.Write(bytes.Repeat([]byte(" "), 4*maxResponse))
			return
		}
		if strings.Contains(r.URL.Path, "/slow/") {
			f.slow <- struct{}{}
			<-r.Context().Done()
			return
		}
		if !strings.HasPrefix(r.URL.Path, "/api/v1/deaths/") && !strings.HasPrefix(r.URL.Path, "/api/v1/statements/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{
			"record": r.URL.Path, "asked_by": r.Header.Get(exchange.HeaderRequester), "request_id": r.Header.Get(exchange.HeaderRequestID),
		})
	})
	f.metadata = newCounter(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "iam/security-credentials/role\n")
	})
	f.redirector = newCounter(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/status0/") {
			// An answer with status 000, which the gateway could not
			// answer with in turn.
			c, rw, err := http.NewResponseController(w).Hijack()
			if err == nil {
				rw.WriteString("HTTP/1.1 000 None\r\nContent-Length: 2\r\n\r\nok")
				rw.Flush()
				c.Close()
			}
			return
		}
		to := f.metadata.URL + "/latest/meta-data/"
		if strings.Contains(r.URL.Path, "/imds/") {
			to = "http://169.254.169.254/latest/meta-data/"
		}
		http.Redirect(w, r, to, http.StatusFound)
	})

	f.pensions = newCounter(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"pension": "granted", "request_id": r.Header.Get(exchange.HeaderRequestID)})
	})
	f.peer = newCounter(t, func(w http.ResponseWriter, r *http.Request) {
		h := f.peerHandler.Load()
		if h == nil {
			http.Error(w, "the Finnish gateway is not running", http.StatusServiceUnavailable)
			return
		}
		(*h).ServeHTTP(w, r)
	})

	pub := func(k jwk.Key) jwk.Key { return publicKey(t, k, nil) }
	tr, err := trust.Open(ctx, trust.Config{Parties: []trust.PartyConfig{
		{ID: fiAuthority, Kind: trust.Authority, Scheme: "FI:YTUNNUS", Name: "Kela", Revoked: []string{"kela-2025"},
			JWKS: jwks(t, pub(keys.kela), pub(keys.kelaRevoked),
				publicKey(t, keys.kelaExpired, map[string]any{"nbf": f.base.Add(-400 * 24 * time.Hour).Unix(), "exp": f.base.Add(-24 * time.Hour).Unix()}),
				publicKey(t, keys.kelaNext, map[string]any{"nbf": f.base.Add(24 * time.Hour).Unix()}))},
		{ID: noAuthority, Kind: trust.Authority, Scheme: "NO:ORGNR", Name: "Skatteetaten", JWKS: jwks(t, pub(keys.skatt))},
		{ID: fiGateway, Kind: trust.Gateway, Scheme: "FI:YTUNNUS", Name: "Samband Finland", BaseURL: f.peer.URL,
			JWKS: jwks(t, pub(keys.fiGateway))},
	}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })

	f.log = exchange.OpenTestLog(t, filepath.Join(dir, "audit.db"), "samband.test.no")

	if f.registry, err = pstore.Open(ctx, filepath.Join(dir, "registry.db")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.registry.Close() })
	if f.subjectKey, err = policies.NewSubjectKey(); err != nil {
		t.Fatal(err)
	}
	f.mandate, err = f.registry.GrantMandate(ctx, policies.Mandate{
		Grantor: f.subject(t, "NO", deceased), GrantorDeceased: true, Representative: f.subject(t, "FI", heir),
		Targets: []string{deathRecord}, Purposes: []string{estatePurpose}, LifeEvents: []string{lifeEvent},
		From: f.base.Add(-time.Hour), Until: f.base.Add(24 * time.Hour),
		Basis: policies.BasisHeirCertificate, Evidence: "skifteattest 21-123456TVA-OTIR/06", Issuer: "NO",
	}, policies.Note{Via: "test"})
	if err != nil {
		t.Fatal(err)
	}
	f.consent, err = f.registry.GrantConsent(ctx, policies.Consent{
		Subject: f.subject(t, "NO", taxpayer), Recipient: "0246246-0", Purposes: []string{benefitPurpose},
		Targets: []string{taxRecord}, From: f.base.Add(-time.Hour), Until: f.base.Add(24 * time.Hour),
	}, policies.Note{Via: "test"})
	if err != nil {
		t.Fatal(err)
	}

	lib := library(t, "estate.ttl", "consent.ttl")
	u, _ := url.Parse(f.provider.URL)
	var services []*exchange.Service
	for _, c := range []exchange.ServiceConfig{
		{Name: "death-records", Record: deathRecord, Endpoint: f.provider.URL + "/api", Paths: []string{"/v1/deaths/*"}, AllowPrivate: true},
		{Name: "tax-statements", Record: taxRecord, Endpoint: f.provider.URL + "/api", Paths: []string{"/v1/statements/*"}, AllowPrivate: true},
		{Name: "death-records-mirror", Record: deathRecord, Endpoint: f.redirector.URL + "/api", AllowPrivate: true},
		// The register again, by a name that resolves to loopback, which
		// this service is not allowed to reach.
		{Name: "death-records-local", Record: deathRecord, Endpoint: "http://localhost:" + u.Port() + "/api"},
	} {
		c.Country, c.Organisation, c.Methods = "NO", "974760673", []string{http.MethodGet}
		s, err := exchange.NewService(c)
		if err != nil {
			t.Fatal(err)
		}
		services = append(services, s)
	}
	o := exchange.Options{
		Self:        trust.Party{ID: noGateway, Country: "NO", Organisation: "991825827", Name: "Samband Norge", Kind: trust.Gateway},
		Key:         keys.noGateway,
		Trust:       tr,
		Services:    services,
		Decider:     &libraryDecider{lib: lib, facts: f.registry, records: map[string][]string{deathRecord: {estatePolicy}, taxRecord: {consentPolicy}}},
		SubjectKey:  f.subjectKey,
		Log:         f.log,
		Limits:      exchange.Limits{MaxBody: maxBody},
		MaxResponse: maxResponse,
		// The Finnish gateway of the tests listens on loopback.
		PeersAllowPrivate: true,
		Logger:            slog.New(slog.NewJSONHandler(f.logs, nil)),
		Now:               f.now,
	}
	for _, opt := range opts {
		opt(&o)
	}
	b, err := exchange.NewBroker(o)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = countingBody{r.Body, &f.bodyRead}
		b.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// library loads the policies of the files in testdata.
func library(t *testing.T, names ...string) *policies.Library {
	t.Helper()
	var ps []*policies.Policy
	for _, name := range names {
		fh, err := os.Open(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		p, err := policies.Load(fh, name, policies.LoadOptions{})
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p...)
	}
	lib, err := policies.NewLibrary(nil, ps)
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

// withOutbound gives the gateway the outbound policy of testdata/outbound.ttl.
func withOutbound(t *testing.T) func(*exchange.Options) {
	t.Helper()
	fh, err := os.Open(filepath.Join("testdata", "outbound.ttl"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	p, err := exchange.LoadOutboundPolicy(fh, "outbound.ttl")
	if err != nil {
		t.Fatal(err)
	}
	return func(o *exchange.Options) { o.Outbound = p }
}

// startPeer runs the Finnish gateway, a real broker with its own trust
// registry (which knows this gateway), audit log and policies, providing
// the pensions service. Its answers go through edit, when not nil, before
// they reach this gateway: what a compromised peer or someone between the
// gateways does to them.
func (f *fixture) startPeer(t *testing.T, edit func(answer *httptest.ResponseRecorder)) {
	t.Helper()
	ctx := context.Background()
	tr, err := trust.Open(ctx, trust.Config{Parties: []trust.PartyConfig{
		{ID: noGateway, Kind: trust.Gateway, Scheme: "NO:ORGNR", Name: "Samband Norge", BaseURL: f.srv.URL,
			JWKS: jwks(t, publicKey(t, f.keys.noGateway, nil))},
	}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	svc, err := exchange.NewService(exchange.ServiceConfig{Country: "FI", Organisation: "0246246-0", Name: "pensions",
		Record: pensionRecord, Endpoint: f.pensions.URL + "/api", AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := exchange.NewBroker(exchange.Options{
		Self:       trust.Party{ID: fiGateway, Country: "FI", Organisation: "0245437-2", Name: "Samband Finland", Kind: trust.Gateway},
		Key:        f.keys.fiGateway,
		Trust:      tr,
		Services:   []*exchange.Service{svc},
		Decider:    &libraryDecider{lib: library(t, "pensions.ttl"), facts: f.registry, records: map[string][]string{pensionRecord: {pensionPolicy}}},
		SubjectKey: f.subjectKey,
		Log:        exchange.OpenTestLog(t, filepath.Join(t.TempDir(), "audit.db"), "samband.test.fi"),
		Now:        f.now,
	})
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answer := httptest.NewRecorder()
		b.ServeHTTP(answer, r)
		if edit != nil {
			edit(answer)
		}
		for k, vs := range answer.Header() {
			w.Header()[k] = vs
		}
		w.WriteHeader(answer.Code)
		w.Write(answer.Body.Bytes())
	})
	f.peerHandler.Store(&h)
}

// pension is a request for the Finnish peer's service: the Norwegian
// authority asks, through this gateway, for the heir's pension decision.
func (f *fixture) pension() *exchange.Request {
	return &exchange.Request{
		Method: http.MethodGet, Country: "FI", Organisation: "0246246-0", Service: "pensions",
		Path: "/v1/decisions/FI" + heir, Audience: noGateway, ID: uuid.NewString(), Requester: noAuthority,
		Purpose: benefitPurpose, LegalBasis: publicTask, Subject: "FI" + heir, Time: f.now(),
	}
}

func (f *fixture) setClock(t time.Time) { f.clock.Store(&t) }

func (f *fixture) now() time.Time { return *f.clock.Load() }

// subject is the keyed hash of a person, as the broker computes it.
func (f *fixture) subject(t *testing.T, country, number string) policies.Subject {
	t.Helper()
	id, err := policies.ParseNationalID(country, number, f.base)
	if err != nil {
		t.Fatalf("ParseNationalID(%s, %s): %v", country, number, err)
	}
	s, err := id.Subject(f.subjectKey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// estate is the request the attacks are made of: the Finnish authority
// asks for the death record of the deceased, for the heir, who holds a
// mandate; permitted as it is.
func (f *fixture) estate() *exchange.Request {
	return &exchange.Request{
		Method: http.MethodGet, Country: "NO", Organisation: "974760673", Service: "death-records",
		Path: "/v1/deaths/NO" + deceased, Audience: noGateway, ID: uuid.NewString(), Requester: fiAuthority,
		Purpose: estatePurpose, LegalBasis: publicTask, Subject: "NO" + deceased, Representative: "FI" + heir,
		LifeEvent: lifeEvent, Time: f.now(),
	}
}

// benefit is a request for the consent-governed service: the Finnish
// authority asks for the taxpayer's statement, who consents.
func (f *fixture) benefit() *exchange.Request {
	return &exchange.Request{
		Method: http.MethodGet, Country: "NO", Organisation: "974760673", Service: "tax-statements",
		Path: "/v1/statements/NO" + taxpayer, Audience: noGateway, ID: uuid.NewString(), Requester: fiAuthority,
		Purpose: benefitPurpose, LegalBasis: publicTask, Subject: "NO" + taxpayer, Time: f.now(),
	}
}

// build is the HTTP request of r with body, unsigned. It sets r's Target
// and ContentDigest.
func (f *fixture) build(t *testing.T, r *exchange.Request, body []byte) *http.Request {
	t.Helper()
	hr, err := exchange.NewRequest(context.Background(), f.srv.URL, r, body)
	if err != nil {
		t.Fatal(err)
	}
	return hr
}

// signed is the HTTP request of r with body, signed as signer with key.
func (f *fixture) signed(t *testing.T, r *exchange.Request, body []byte, signer string, key jwk.Key) *http.Request {
	t.Helper()
	hr := f.build(t, r, body)
	sig, err := exchange.Sign(r, signer, key)
	if err != nil {
		t.Fatal(err)
	}
	hr.Header.Set(exchange.HeaderSignature, sig)
	return hr
}

// retarget sends hr to target (an escaped path and query) as it is, and
// signs the request with that target as signer with key: an attacker who
// holds a registered key signs whatever it sends.
func (f *fixture) retarget(t *testing.T, hr *http.Request, r *exchange.Request, target, signer string, key jwk.Key) {
	t.Helper()
	path, query, _ := strings.Cut(target, "?")
	hr.URL.Opaque, hr.URL.RawQuery = path, query
	r.Target = target
	hr.Header.Set(exchange.HeaderSignature, forge(t, header("EdDSA", key, signer), r, edSigner(t, key)))
}

func (f *fixture) do(t *testing.T, hr *http.Request) *http.Response {
	t.Helper()
	resp, err := f.srv.Client().Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// header is a protected header of a request signature.
func header(alg string, key jwk.Key, signer string) map[string]any {
	kid, _ := key.KeyID()
	return map[string]any{"alg": alg, "kid": kid, "typ": exchange.TypeRequest, "iss": signer}
}

// forge returns a compact JWS with detached payload over r's canonical
// form, with the protected header hdr, signed by sign.
func forge(t *testing.T, hdr map[string]any, r *exchange.Request, sign func(input []byte) []byte) string {
	t.Helper()
	h, err := json.Marshal(hdr)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(r.Canonical())
	return enc.EncodeToString(h) + ".." + enc.EncodeToString(sign([]byte(input)))
}

func edSigner(t *testing.T, key jwk.Key) func([]byte) []byte {
	t.Helper()
	var raw ed25519.PrivateKey
	if err := jwk.Export(key, &raw); err != nil {
		t.Fatal(err)
	}
	return func(input []byte) []byte { return ed25519.Sign(raw, input) }
}

func es256Signer(t *testing.T, key *ecdsa.PrivateKey) func([]byte) []byte {
	return func(input []byte) []byte {
		sum := sha256.Sum256(input)
		r, s, err := ecdsa.Sign(rand.Reader, key, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		sig := make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
		return sig
	}
}

// rawBody replaces hr's body with body, of a known length.
func rawBody(hr *http.Request, body []byte) {
	hr.Body, hr.GetBody, hr.ContentLength = io.NopCloser(bytes.NewReader(body)), nil, int64(len(body))
}

// problem is a problem+json answer.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
}

// outcome is how the broker answers an attack.
type outcome int

const (
	// refused: a check before the decision refuses; logged as "exchange
	// refused", and appended to the audit log as a deny by the problem's
	// type when the signature verified.
	refused outcome = iota
	// denied: the policies deny; the answer carries a receipt and the
	// audit entry names the policy's rule.
	denied
	// upstreamFailed: the policies permit and the service is not reached
	// or not followed; the receipt and the audit entry say permit, and the
	// status the requester got.
	upstreamFailed
)

// attack is one row of TestAttacks.
type attack struct {
	name string
	// send makes the attack and returns the broker's answer to it; it may
	// send permitted requests first (prior of them).
	send    func(t *testing.T, f *fixture) *http.Response
	status  int
	problem string
	outcome outcome
	// authed: the signature verified, so a refusal is appended to the
	// audit log.
	authed bool
	// outbound: the gateway has the outbound policy of
	// testdata/outbound.ttl. rule: the refusal's audit entry names this
	// rule (a prefix of it) in place of the problem's type.
	outbound bool
	rule     string
	// prior counts the requests send had permitted first: the audit log
	// holds that many entries before the attack's.
	prior int
	// served counts the requests the Norwegian register got (those send
	// had permitted first), relayed those the Finnish peer's service got.
	served, relayed int64
	// detail is a phrase the problem's detail must hold, if any.
	detail string
	// redirected counts the requests the redirecting service got.
	redirected int64
	// check holds further assertions.
	check func(t *testing.T, f *fixture, resp *http.Response)
}

// permitted sends hr and fails the test unless it is answered 200.
func permitted(t *testing.T, f *fixture, hr *http.Request) {
	t.Helper()
	resp := f.do(t, hr)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the request before the attack: %d %s", resp.StatusCode, body)
	}
}

// stdSigned is the estate request, edited, signed by the Finnish authority.
func stdSigned(t *testing.T, f *fixture, edit func(r *exchange.Request)) (*http.Request, *exchange.Request) {
	t.Helper()
	r := f.estate()
	if edit != nil {
		edit(r)
	}
	return f.signed(t, r, nil, fiAuthority, f.keys.kela), r
}

func TestAttacks(t *testing.T) {
	keys := newKeyring(t)
	const (
		pSignature = "urn:samband:problem:signature"
		pAlgorithm = "urn:samband:problem:algorithm"
		pPath      = "urn:samband:problem:path"
		pDup       = "urn:samband:problem:duplicate-header"
		pDenied    = "urn:samband:problem:denied"
		pOutbound  = "urn:samband:problem:outbound-denied"
		pCountry   = "urn:samband:problem:wrong-country"
		pRequester = "urn:samband:problem:unknown-requester"
		pService   = "urn:samband:problem:unknown-service"
		pUpstream  = "urn:samband:problem:upstream"
	)
	// tampered signs the estate request and then changes what is sent.
	tampered := func(tamper func(hr *http.Request)) func(t *testing.T, f *fixture) *http.Response {
		return func(t *testing.T, f *fixture) *http.Response {
			hr, _ := stdSigned(t, f, nil)
			tamper(hr)
			return f.do(t, hr)
		}
	}
	// edited signs the estate request, edited, as signer with the key
	// keyOf picks.
	edited := func(signer string, keyOf func(*keyring) jwk.Key, edit func(r *exchange.Request)) func(t *testing.T, f *fixture) *http.Response {
		return func(t *testing.T, f *fixture) *http.Response {
			r := f.estate()
			if edit != nil {
				edit(r)
			}
			return f.do(t, f.signed(t, r, nil, signer, keyOf(f.keys)))
		}
	}
	kela := func(k *keyring) jwk.Key { return k.kela }
	// forged sends the estate request with a signature forge makes.
	forged := func(hdr func(t *testing.T, k *keyring) map[string]any, sign func(t *testing.T, k *keyring) func([]byte) []byte) func(t *testing.T, f *fixture) *http.Response {
		return func(t *testing.T, f *fixture) *http.Response {
			r := f.estate()
			hr := f.build(t, r, nil)
			hr.Header.Set(exchange.HeaderSignature, forge(t, hdr(t, f.keys), r, sign(t, f.keys)))
			return f.do(t, hr)
		}
	}
	// traversal sends the estate request to target, signed for it.
	traversal := func(target string) func(t *testing.T, f *fixture) *http.Response {
		return func(t *testing.T, f *fixture) *http.Response {
			r := f.estate()
			hr := f.build(t, r, nil)
			f.retarget(t, hr, r, target, fiAuthority, f.keys.kela)
			return f.do(t, hr)
		}
	}
	// relay sends the pension request through this gateway to the
	// Finnish peer, whose answer edit changes on its way back.
	relay := func(edit func(answer *httptest.ResponseRecorder)) func(t *testing.T, f *fixture) *http.Response {
		return func(t *testing.T, f *fixture) *http.Response {
			f.startPeer(t, edit)
			return f.do(t, f.signed(t, f.pension(), nil, noAuthority, f.keys.skatt))
		}
	}
	// resigned signs the claims of the peer's receipt again with key,
	// edited.
	resigned := func(t *testing.T, f *fixture, edit func(rc *exchange.Receipt), key jwk.Key) func(answer *httptest.ResponseRecorder) {
		return func(answer *httptest.ResponseRecorder) {
			pub := publicKey(t, f.keys.fiGateway, nil)
			rc, err := exchange.ReadReceipt(context.Background(), answer.Header().Get(exchange.HeaderReceipt),
				func(context.Context, string, string) (jwk.Key, error) { return pub, nil })
			if err != nil {
				t.Errorf("the peer's own receipt: %v", err)
				return
			}
			edit(rc)
			compact, err := exchange.SignReceipt(rc, key)
			if err != nil {
				t.Errorf("sign receipt: %v", err)
				return
			}
			answer.Header().Set(exchange.HeaderReceipt, compact)
		}
	}
	posted := func(f *fixture) *exchange.Request {
		r := f.estate()
		r.Method = http.MethodPost
		return r
	}

	attacks := []attack{
		{name: "01 no signature", status: 401, problem: "urn:samband:problem:missing-signature",
			send: func(t *testing.T, f *fixture) *http.Response { return f.do(t, f.build(t, f.estate(), nil)) }},
		{name: "02 forged signature: a key not in the set with the registered kid", status: 401, problem: pSignature,
			send: edited(fiAuthority, func(k *keyring) jwk.Key { return k.forger }, nil)},
		{name: "03 method altered after signing", status: 401, problem: pSignature,
			send: tampered(func(hr *http.Request) { hr.Method = http.MethodDelete })},
		{name: "04 target path altered after signing", status: 401, problem: pSignature,
			send: tampered(func(hr *http.Request) { hr.URL.Opaque = deathsPath + "NO" + taxpayer })},
		{name: "05 query altered after signing", status: 401, problem: pSignature,
			send: func(t *testing.T, f *fixture) *http.Response {
				hr, _ := stdSigned(t, f, func(r *exchange.Request) { r.RawQuery = "fields=date_of_death" })
				hr.URL.RawQuery = "fields=date_of_death,estate,heirs"
				return f.do(t, hr)
			}},
		{name: "06 purpose altered after signing", status: 401, problem: pSignature,
			send: tampered(func(hr *http.Request) { hr.Header.Set(exchange.HeaderPurpose, "urn:samband:purpose:debt-collection") })},
		{name: "07 subject altered after signing", status: 401, problem: pSignature,
			send: tampered(func(hr *http.Request) { hr.Header.Set(exchange.HeaderSubject, "NO"+taxpayer) })},
		{name: "08 body altered after signing, the digest kept", status: 400, problem: "urn:samband:problem:digest",
			send: func(t *testing.T, f *fixture) *http.Response {
				hr := f.signed(t, posted(f), []byte(`{"fields":["date_of_death"]}`), fiAuthority, f.keys.kela)
				rawBody(hr, []byte(`{"fields":["date_of_death","estate","heirs"]}`))
				return f.do(t, hr)
			}},
		{name: "09 body altered after signing, the digest recomputed", status: 401, problem: pSignature,
			send: func(t *testing.T, f *fixture) *http.Response {
				hr := f.signed(t, posted(f), []byte(`{"fields":["date_of_death"]}`), fiAuthority, f.keys.kela)
				body := []byte(`{"fields":["date_of_death","estate","heirs"]}`)
				rawBody(hr, body)
				hr.Header.Set(exchange.HeaderContentDigest, exchange.ContentDigest(body))
				return f.do(t, hr)
			}},
		{name: "10 alg none", status: 401, problem: pAlgorithm,
			send: forged(func(_ *testing.T, k *keyring) map[string]any { return header("none", k.kela, fiAuthority) },
				func(*testing.T, *keyring) func([]byte) []byte { return func([]byte) []byte { return nil } })},
		{name: "11 HS256 keyed with the public key's bytes", status: 401, problem: pAlgorithm,
			send: forged(func(_ *testing.T, k *keyring) map[string]any { return header("HS256", k.kela, fiAuthority) },
				func(t *testing.T, k *keyring) func([]byte) []byte {
					var raw ed25519.PublicKey
					if err := jwk.Export(publicKey(t, k.kela, nil), &raw); err != nil {
						t.Fatal(err)
					}
					return func(input []byte) []byte {
						m := hmac.New(sha256.New, raw)
						m.Write(input)
						return m.Sum(nil)
					}
				})},
		{name: "12 ES256 header over the authority's Ed25519 key", status: 401, problem: pAlgorithm,
			send: forged(func(_ *testing.T, k *keyring) map[string]any { return header("ES256", k.kela, fiAuthority) },
				func(t *testing.T, k *keyring) func([]byte) []byte { return es256Signer(t, k.attackerEC) })},
		{name: "13 RS256", status: 401, problem: pAlgorithm,
			send: forged(func(_ *testing.T, k *keyring) map[string]any { return header("RS256", k.kela, fiAuthority) },
				func(t *testing.T, k *keyring) func([]byte) []byte {
					return func(input []byte) []byte {
						sum := sha256.Sum256(input)
						sig, err := rsa.SignPKCS1v15(rand.Reader, k.attackerRSA, crypto.SHA256, sum[:])
						if err != nil {
							t.Fatal(err)
						}
						return sig
					}
				})},
		{name: "14 unknown kid", status: 401, problem: "urn:samband:problem:unknown-key",
			send: edited(fiAuthority, func(k *keyring) jwk.Key { return k.kelaUnknown }, nil)},
		{name: "15 revoked key", status: 401, problem: "urn:samband:problem:key-revoked",
			send: edited(fiAuthority, func(k *keyring) jwk.Key { return k.kelaRevoked }, nil)},
		{name: "16 expired key", status: 401, problem: "urn:samband:problem:key-expired",
			send: edited(fiAuthority, func(k *keyring) jwk.Key { return k.kelaExpired }, nil)},
		{name: "17 key not yet valid", status: 401, problem: "urn:samband:problem:key-not-yet-valid", detail: "valid from",
			send: edited(fiAuthority, func(k *keyring) jwk.Key { return k.kelaNext }, nil)},
		{name: "18 stale time", status: 401, problem: "urn:samband:problem:stale", authed: true,
			send: func(t *testing.T, f *fixture) *http.Response {
				return edited(fiAuthority, kela, func(r *exchange.Request) { r.Time = f.now().Add(-5*time.Minute - time.Second) })(t, f)
			}},
		{name: "19 future time", status: 401, problem: "urn:samband:problem:future", authed: true,
			send: func(t *testing.T, f *fixture) *http.Response {
				return edited(fiAuthority, kela, func(r *exchange.Request) { r.Time = f.now().Add(31 * time.Second) })(t, f)
			}},
		{name: "20 replay of an accepted request", status: 409, problem: "urn:samband:problem:replay", authed: true, prior: 1, served: 1,
			send: func(t *testing.T, f *fixture) *http.Response {
				hr, _ := stdSigned(t, f, nil)
				again := hr.Clone(context.Background())
				permitted(t, f, hr)
				return f.do(t, again)
			}},
		{name: "replay under the X-Road-Id header", status: 409, problem: "urn:samband:problem:replay", authed: true, prior: 1, served: 1,
			send: func(t *testing.T, f *fixture) *http.Response {
				hr, r := stdSigned(t, f, nil)
				again := hr.Clone(context.Background())
				again.Header.Del(exchange.HeaderRequestID)
				again.Header.Set(exchange.HeaderXRoadID, r.ID)
				permitted(t, f, hr)
				return f.do(t, again)
			}},
		{name: "21 addressed to another gateway", status: 403, problem: "urn:samband:problem:wrong-audience", authed: true,
			send: edited(fiAuthority, kela, func(r *exchange.Request) { r.Audience = seGateway })},
		{name: "22 a peer gateway signing for an authority of another country", status: 403, problem: pCountry, authed: true,
			send: edited(fiGateway, func(k *keyring) jwk.Key { return k.fiGateway }, func(r *exchange.Request) { r.Requester = noAuthority })},
		{name: "23 a peer gateway relaying for a third country's service", status: 403, problem: pCountry, authed: true,
			send: edited(fiGateway, func(k *keyring) jwk.Key { return k.fiGateway }, func(r *exchange.Request) {
				r.Country, r.Organisation, r.Service, r.Path = "SE", "202100-5489", "population", "/v1/persons/SE"+stranger
			})},
		{name: "24 an authority signing as another requester", status: 403, problem: pRequester, authed: true,
			send: edited(fiAuthority, kela, func(r *exchange.Request) { r.Requester = noAuthority })},
		{name: "25 an unregistered requester with a key pair of its own", status: 403, problem: pRequester,
			send: edited(dkStranger, func(k *keyring) jwk.Key { return k.stranger }, func(r *exchange.Request) { r.Requester = dkStranger })},
		{name: "26 an unregistered service", status: 404, problem: pService, authed: true,
			send: edited(fiAuthority, kela, func(r *exchange.Request) { r.Service = "adoption-records" })},
		{name: "27 a method the service does not answer", status: 405, problem: "urn:samband:problem:method", authed: true,
			send: edited(fiAuthority, kela, func(r *exchange.Request) { r.Method = http.MethodDelete })},
		{name: "28 a path the service does not offer", status: 404, problem: pService, authed: true,
			send: edited(fiAuthority, kela, func(r *exchange.Request) { r.Path = "/v1/births/NO" + deceased })},
		{name: "29 path traversal /../", status: 400, problem: pPath,
			send: traversal(deathsPath + "../../admin/users")},
		{name: "30 encoded slash %2F", status: 400, problem: pPath,
			send: traversal(deathsPath + "..%2F..%2Fadmin%2Fusers")},
		{name: "31 encoded dot segment %2e%2e", status: 400, problem: pPath,
			send: traversal(deathsPath + "%2e%2e/%2e%2e/admin/users")},
		{name: "32 double slash", status: 400, problem: pPath,
			send: traversal(deathsPath + "/NO" + deceased)},
		{name: "33 backslash", status: 400, problem: pPath,
			send: traversal(deathsPath + `..\..\admin\users`)},
		{name: "dot segment with a parameter ..;", status: 400, problem: pPath,
			send: traversal(deathsPath + "..;x/..;x/admin/users")},
		{name: "escaped NUL in the query", status: 400, problem: pPath,
			send: traversal(deathsPath + "NO" + deceased + "?fields=name%00.json")},
		{name: "a target over the limit", status: 400, problem: pPath,
			send: traversal(deathsPath + "NO" + deceased + "/" + strings.Repeat("a", exchange.DefaultMaxTarget))},
		{name: "a header value over the limit", status: 400, problem: "urn:samband:problem:malformed",
			send: edited(fiAuthority, kela, func(r *exchange.Request) { r.Issue = strings.Repeat("x", exchange.DefaultMaxHeaderValue+1) })},
		{name: "34 body over the limit, with its length", status: 413, problem: "urn:samband:problem:body-too-large",
			send: func(t *testing.T, f *fixture) *http.Response {
				return f.do(t, f.signed(t, posted(f), bytes.Repeat([]byte("x"), 4*maxBody), fiAuthority, f.keys.kela))
			},
			check: func(t *testing.T, f *fixture, _ *http.Response) {
				if n := f.bodyRead.Load(); n != 0 {
					t.Errorf("the broker read %d bytes of a body whose length is over the limit; want none", n)
				}
			}},
		{name: "body over the limit, chunked", status: 413, problem: "urn:samband:problem:body-too-large",
			send: func(t *testing.T, f *fixture) *http.Response {
				hr := f.signed(t, posted(f), bytes.Repeat([]byte("x"), 4*maxBody), fiAuthority, f.keys.kela)
				hr.Body, hr.GetBody, hr.ContentLength = io.NopCloser(io.MultiReader(hr.Body)), nil, -1
				return f.do(t, hr)
			},
			check: func(t *testing.T, f *fixture, _ *http.Response) {
				if n := f.bodyRead.Load(); n > maxBody+1 {
					t.Errorf("the broker read %d bytes of a chunked body; want at most %d", n, maxBody+1)
				}
			}},
		{name: "35 Samband-Purpose given twice", status: 400, problem: pDup,
			send: tampered(func(hr *http.Request) { hr.Header.Add(exchange.HeaderPurpose, "urn:samband:purpose:debt-collection") })},
		{name: "Samband-Purpose given twice, in another case", status: 400, problem: pDup,
			send: tampered(func(hr *http.Request) {
				hr.Header["samband-purpose"] = []string{"urn:samband:purpose:debt-collection"}
			})},
		{name: "36 X-Road-Id conflicting with Samband-Request-Id", status: 400, problem: pDup,
			send: tampered(func(hr *http.Request) { hr.Header.Set(exchange.HeaderXRoadID, uuid.NewString()) })},
		{name: "X-Road-Client conflicting with Samband-Requester", status: 400, problem: pDup,
			send: tampered(func(hr *http.Request) { hr.Header.Set(exchange.HeaderXRoadClient, "NO/GOV/974760673") })},
		{name: "37 the service redirects to another server", status: 502, problem: "urn:samband:problem:upstream-redirect",
			outcome: upstreamFailed, redirected: 1,
			send: edited(fiAuthority, kela, func(r *exchange.Request) { r.Service = "death-records-mirror" })},
		{name: "the service answers with status 000", status: 502, problem: "urn:samband:problem:upstream",
			outcome: upstreamFailed, redirected: 1,
			send: edited(fiAuthority, kela, func(r *exchange.Request) {
				r.Service, r.Path = "death-records-mirror", "/status0/NO"+deceased
			})},
		{name: "the service redirects to the metadata address", status: 502, problem: "urn:samband:problem:upstream-redirect",
			outcome: upstreamFailed, redirected: 1,
			send: edited(fiAuthority, kela, func(r *exchange.Request) {
				r.Service, r.Path = "death-records-mirror", "/imds/NO"+deceased
			})},
		{name: "a service answering more than the bound", status: 502, problem: pUpstream, outcome: upstreamFailed, served: 1,
			send: edited(fiAuthority, kela, func(r *exchange.Request) { r.Path = "/v1/deaths/big/NO" + deceased })},
		{name: "38 a service whose host name resolves to loopback", status: 502, problem: "urn:samband:problem:upstream-address",
			outcome: upstreamFailed,
			send:    edited(fiAuthority, kela, func(r *exchange.Request) { r.Service = "death-records-local" })},
		{name: "39 consent rescinded", status: 403, problem: pDenied, outcome: denied, prior: 1, served: 1, detail: "consent",
			send: func(t *testing.T, f *fixture) *http.Response {
				permitted(t, f, f.signed(t, f.benefit(), nil, fiAuthority, f.keys.kela))
				if _, err := f.registry.RescindConsent(context.Background(), f.consent.ID, policies.Note{Via: "test", Reason: "withdrawn by the taxpayer"}); err != nil {
					t.Fatal(err)
				}
				return f.do(t, f.signed(t, f.benefit(), nil, fiAuthority, f.keys.kela))
			},
			check: wantRule(consentPolicy + " permission[0]")},
		{name: "40 mandate expired", status: 403, problem: pDenied, outcome: denied, detail: "mandate",
			send: func(t *testing.T, f *fixture) *http.Response {
				f.setClock(f.mandate.Until.Add(time.Minute))
				hr, _ := stdSigned(t, f, nil)
				return f.do(t, hr)
			},
			check: wantRule(estatePolicy + " permission[0]")},
		{name: "41 mandate revoked", status: 403, problem: pDenied, outcome: denied, prior: 1, served: 1, detail: "mandate",
			send: func(t *testing.T, f *fixture) *http.Response {
				hr, _ := stdSigned(t, f, nil)
				permitted(t, f, hr)
				if _, err := f.registry.RevokeMandate(context.Background(), f.mandate.ID, policies.Note{Via: "test", Reason: "certificate annulled"}); err != nil {
					t.Fatal(err)
				}
				hr, _ = stdSigned(t, f, nil)
				return f.do(t, hr)
			},
			check: wantRule(estatePolicy + " permission[0]")},
		{name: "42 a representative with no mandate", status: 403, problem: pDenied, outcome: denied, detail: "mandate",
			send:  edited(fiAuthority, kela, func(r *exchange.Request) { r.Representative = "SE" + stranger }),
			check: wantRule(estatePolicy + " permission[0]")},

		// Further attacks.
		{name: "representative removed after signing", status: 401, problem: pSignature,
			send: tampered(func(hr *http.Request) { hr.Header.Del(exchange.HeaderRepresentative) })},
		{name: "explicit request flipped after signing", status: 401, problem: pSignature,
			send: tampered(func(hr *http.Request) { hr.Header.Set(exchange.HeaderExplicitRequest, "true") })},
		{name: "time moved after signing", status: 401, problem: pSignature,
			send: tampered(func(hr *http.Request) {
				at, _ := time.Parse(time.RFC3339, hr.Header.Get(exchange.HeaderTime))
				hr.Header.Set(exchange.HeaderTime, at.Add(time.Second).Format(time.RFC3339))
			})},
		{name: "a key the signature brings in its header", status: 401, problem: pSignature,
			send: forged(func(t *testing.T, k *keyring) map[string]any {
				h := header("EdDSA", k.kela, fiAuthority)
				h["jwk"] = publicKey(t, k.forger, nil)
				return h
			}, func(t *testing.T, k *keyring) func([]byte) []byte { return edSigner(t, k.forger) })},
		{name: "EdDSA header over the authority's P-256 key", status: 401, problem: pAlgorithm,
			send: forged(func(_ *testing.T, k *keyring) map[string]any { return header("EdDSA", k.skatt, noAuthority) },
				func(t *testing.T, k *keyring) func([]byte) []byte { return edSigner(t, k.forger) })},
		{name: "another party's kid", status: 401, problem: "urn:samband:problem:unknown-key",
			send: edited(fiAuthority, func(k *keyring) jwk.Key { return k.skatt }, nil)},
		{name: "the JSON serialization", status: 401, problem: pSignature,
			send: tampered(func(hr *http.Request) {
				sig := hr.Header.Get(exchange.HeaderSignature)
				h, _, _ := strings.Cut(sig, ".")
				_, s, _ := strings.Cut(strings.TrimPrefix(sig, h+"."), ".")
				hr.Header.Set(exchange.HeaderSignature, `{"protected":"`+h+`","signature":"`+s+`"}`)
			})},
		{name: "a subject number with a wrong check digit", status: 400, problem: "urn:samband:problem:malformed", authed: true,
			send: edited(fiAuthority, kela, func(r *exchange.Request) { r.Subject = "NO31124590063" })},
		{name: "a foreign authority asking to be relayed abroad", status: 403, problem: pCountry, authed: true,
			send: edited(fiAuthority, kela, func(r *exchange.Request) {
				r.Country, r.Organisation, r.Service, r.Path = "SE", "202100-5489", "population", "/v1/persons/SE"+stranger
			})},
		{name: "relaying to a country without a gateway", status: 404, problem: pService, authed: true,
			send: edited(noAuthority, func(k *keyring) jwk.Key { return k.skatt }, func(r *exchange.Request) {
				r.Requester = noAuthority
				r.Country, r.Organisation, r.Service, r.Path = "SE", "202100-5489", "population", "/v1/persons/SE"+stranger
			})},
		// This gateway's outbound policy (testdata/outbound.ttl) refuses
		// before the request leaves: the peer gateway hears nothing.
		{name: "a purpose this gateway's outbound policy does not allow", status: 403, problem: pOutbound, authed: true,
			outbound: true, rule: "outbound urn:samband:outbound:no permission[0] permission[0].constraint[", detail: "purpose",
			send: func(t *testing.T, f *fixture) *http.Response {
				f.startPeer(t, nil)
				r := f.pension()
				r.Purpose = estatePurpose
				return f.do(t, f.signed(t, r, nil, noAuthority, f.keys.skatt))
			},
			check: peerUntouched},
		// Sweden has no gateway here: the outbound rule in the audit entry
		// (not unknown-service) shows the policy decided before the lookup.
		{name: "a country this gateway's outbound policy prohibits", status: 403, problem: pOutbound, authed: true,
			outbound: true, rule: "outbound urn:samband:outbound:no prohibition[0]",
			send: edited(noAuthority, func(k *keyring) jwk.Key { return k.skatt }, func(r *exchange.Request) {
				r.Requester = noAuthority
				r.Country, r.Organisation, r.Service, r.Path = "SE", "202100-5489", "population", "/v1/persons/SE"+stranger
			})},
		// Finland is permitted but this one service of it is prohibited,
		// and Finland's gateway is there to be reached: it hears nothing.
		{name: "a service this gateway's outbound policy prohibits in a permitted country", status: 403, problem: pOutbound, authed: true,
			outbound: true, rule: "outbound urn:samband:outbound:no prohibition[1]",
			send: func(t *testing.T, f *fixture) *http.Response {
				f.startPeer(t, nil)
				r := f.pension()
				r.Service, r.Path = "rehabilitation", "/v1/records/FI"+heir
				return f.do(t, f.signed(t, r, nil, noAuthority, f.keys.skatt))
			},
			check: peerUntouched},
		{name: "this gateway's own id as the signer", status: 403, problem: pRequester,
			send: edited(noGateway, func(k *keyring) jwk.Key { return k.noGateway }, nil)},

		// Attacks on the answer of the Finnish peer gateway, which this
		// gateway relays to the Norwegian authority: the peer's service
		// was reached, and nothing of its answer may reach the requester.
		{name: "the peer's answer without its receipt", status: 502, problem: pUpstream, authed: true, relayed: 1,
			send: relay(func(answer *httptest.ResponseRecorder) { answer.Header().Del(exchange.HeaderReceipt) })},
		{name: "the peer's answer swapped under its receipt", status: 502, problem: pUpstream, authed: true, relayed: 1,
			detail: "digest",
			send: relay(func(answer *httptest.ResponseRecorder) {
				body := []byte(`{"pension":"refused"}` + "\n")
				answer.Body.Reset()
				answer.Body.Write(body)
				answer.Header().Set(exchange.HeaderContentDigest, exchange.ContentDigest(body))
			})},
		{name: "an earlier receipt on the peer's answer", status: 502, problem: pUpstream, authed: true, prior: 1, relayed: 2,
			detail: "another request",
			send: func(t *testing.T, f *fixture) *http.Response {
				var first string
				f.startPeer(t, func(answer *httptest.ResponseRecorder) {
					if first == "" {
						first = answer.Header().Get(exchange.HeaderReceipt)
						return
					}
					answer.Header().Set(exchange.HeaderReceipt, first)
				})
				permitted(t, f, f.signed(t, f.pension(), nil, noAuthority, f.keys.skatt))
				return f.do(t, f.signed(t, f.pension(), nil, noAuthority, f.keys.skatt))
			}},
		{name: "the peer's receipt signed by a key not the peer's", status: 502, problem: pUpstream, authed: true, relayed: 1,
			send: func(t *testing.T, f *fixture) *http.Response {
				return relay(resigned(t, f, func(*exchange.Receipt) {}, f.keys.forger))(t, f)
			}},
		{name: "a receipt issued by another party than the peer", status: 502, problem: pUpstream, authed: true, relayed: 1,
			send: func(t *testing.T, f *fixture) *http.Response {
				return relay(resigned(t, f, func(rc *exchange.Receipt) { rc.Issuer = fiAuthority }, f.keys.kela))(t, f)
			}},
		{name: "the peer's receipt edited without the peer's key", status: 502, problem: pUpstream, authed: true, relayed: 1,
			send: func(t *testing.T, f *fixture) *http.Response {
				return relay(func(answer *httptest.ResponseRecorder) {
					// Only the peer's key could sign the change; without
					// it the signature no longer verifies.
					compact := answer.Header().Get(exchange.HeaderReceipt)
					h, rest, _ := strings.Cut(compact, ".")
					payload, sig, _ := strings.Cut(rest, ".")
					raw, _ := base64.RawURLEncoding.DecodeString(payload)
					raw = bytes.Replace(raw, []byte(`"status":200`), []byte(`"status":201`), 1)
					answer.Header().Set(exchange.HeaderReceipt, h+"."+base64.RawURLEncoding.EncodeToString(raw)+"."+sig)
				})(t, f)
			}},
		{name: "the peer redirects", status: 502, problem: "urn:samband:problem:upstream-redirect", authed: true, relayed: 1,
			send: relay(func(answer *httptest.ResponseRecorder) {
				answer.Code = http.StatusTemporaryRedirect
				answer.Header().Set("Location", "http://169.254.169.254/latest/meta-data/")
			})},
	}

	for _, tc := range attacks {
		t.Run(tc.name, func(t *testing.T) {
			var opts []func(*exchange.Options)
			if tc.outbound {
				opts = append(opts, withOutbound(t))
			}
			f := newFixture(t, keys, opts...)
			resp := tc.send(t, f)
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			checkAttack(t, f, tc, resp, body)
			if tc.check != nil {
				tc.check(t, f, resp)
			}
		})
	}
}

// peerUntouched checks that the Finnish peer gateway got no request.
func peerUntouched(t *testing.T, f *fixture, _ *http.Response) {
	t.Helper()
	if n := f.peer.hits.Load(); n != 0 {
		t.Errorf("the Finnish peer gateway was reached %d times, want never", n)
	}
}

// wantRule checks that the last audit entry's rule starts with prefix.
func wantRule(prefix string) func(t *testing.T, f *fixture, resp *http.Response) {
	return func(t *testing.T, f *fixture, _ *http.Response) {
		t.Helper()
		e := lastEntry(t, f)
		if !strings.HasPrefix(e.Rule, prefix) {
			t.Errorf("audit entry rule %q, want it to start with %q", e.Rule, prefix)
		}
	}
}

func lastEntry(t *testing.T, f *fixture) audit.Entry {
	t.Helper()
	n := f.log.Size()
	if n == 0 {
		t.Fatal("the audit log is empty")
	}
	e, err := f.log.Entry(context.Background(), n-1)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// checkAttack asserts what every refusal shares: the status, the
// problem's type, that the service was not reached, that the refusal was
// logged, and what the audit log holds of it.
func checkAttack(t *testing.T, f *fixture, tc attack, resp *http.Response, body []byte) {
	t.Helper()
	var p problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("answer %d %q is not problem+json: %v", resp.StatusCode, body, err)
	}
	if resp.StatusCode != tc.status || p.Type != tc.problem || p.Status != tc.status {
		t.Fatalf("answer %d %s (status %d), want %d %s; detail: %s", resp.StatusCode, p.Type, p.Status, tc.status, tc.problem, p.Detail)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	if tc.detail != "" && !strings.Contains(p.Detail, tc.detail) {
		t.Errorf("detail %q does not mention %q", p.Detail, tc.detail)
	}
	if n := f.provider.hits.Load(); n != tc.served {
		t.Errorf("the service was reached %d times, want %d (the permitted requests before the attack)", n, tc.served)
	}
	if n := f.pensions.hits.Load(); n != tc.relayed {
		t.Errorf("the Finnish peer's service was reached %d times, want %d", n, tc.relayed)
	}
	if n := f.redirector.hits.Load(); n != tc.redirected {
		t.Errorf("the redirecting service was reached %d times, want %d", n, tc.redirected)
	}
	if n := f.metadata.hits.Load(); n != 0 {
		t.Errorf("the redirect was followed: its target was reached %d times", n)
	}

	size := f.log.Size()
	switch tc.outcome {
	case refused:
		rec, ok := f.logs.find(t, map[string]any{"msg": "exchange refused", "problem": tc.problem})
		if !ok {
			t.Fatalf("no record \"exchange refused\" with problem %s; records: %v", tc.problem, f.logs.records(t))
		}
		if rec["status"] != float64(tc.status) || rec["level"] != "WARN" {
			t.Errorf("the refusal's record = %v", rec)
		}
		if resp.Header.Get(exchange.HeaderReceipt) != "" {
			t.Errorf("a refusal before the decision carries a receipt")
		}
		want := int64(tc.prior)
		if tc.authed {
			want++
		}
		if size != want {
			t.Fatalf("the audit log holds %d entries, want %d (authenticated: %v)", size, want, tc.authed)
		}
		if !tc.authed {
			return
		}
		e := lastEntry(t, f)
		id := resp.Header.Get(exchange.HeaderRequestID)
		byRule := e.Rule == tc.problem
		if tc.rule != "" {
			byRule = strings.HasPrefix(e.Rule, tc.rule)
		}
		if e.Decision != "deny" || !byRule || e.Status != tc.status || e.RequestID != id || id == "" {
			t.Errorf("audit entry %+v, want deny by %s with status %d for request %s", e, cmp.Or(tc.rule, tc.problem), tc.status, id)
		}
		if rec["log_index"] != float64(size-1) {
			t.Errorf("the refusal's record gives log_index %v, want %d", rec["log_index"], size-1)
		}
	case denied, upstreamFailed:
		effect, decision := "deny", "deny"
		if tc.outcome == upstreamFailed {
			effect, decision = "permit", "permit"
			sentinel := map[string]error{
				"urn:samband:problem:upstream-redirect": exchange.ErrUpstreamRedirect,
				"urn:samband:problem:upstream-address":  exchange.ErrUpstreamAddress,
				"urn:samband:problem:upstream":          exchange.ErrUpstream,
			}[tc.problem]
			found := false
			for _, rec := range f.logs.records(t) {
				if rec["msg"] == "service failed" && strings.Contains(fmt.Sprint(rec["err"]), sentinel.Error()) {
					found = true
				}
			}
			if !found {
				t.Errorf("no record \"service failed\" with %q; records: %v", sentinel, f.logs.records(t))
			}
		}
		if _, ok := f.logs.find(t, map[string]any{"msg": "exchange", "effect": effect, "status": float64(tc.status)}); !ok {
			t.Errorf("no record \"exchange\" with effect %s and status %d; records: %v", effect, tc.status, f.logs.records(t))
		}
		if size != int64(tc.prior)+1 {
			t.Fatalf("the audit log holds %d entries, want %d", size, tc.prior+1)
		}
		rc := checkReceipt(t, f, resp, body)
		e := lastEntry(t, f)
		if rc.Decision != decision || rc.Status != tc.status || e.Decision != decision || e.Status != tc.status || e.Rule != rc.Rule {
			t.Errorf("receipt %+v and audit entry %+v, want %s with status %d", rc, e, decision, tc.status)
		}
	}
}

// checkReceipt verifies the receipt of an answer with the gateway's
// public key and checks it against the answer and the audit log: the
// response digest, the status, the entry at its index (whose receipt hash
// binds the receipt) and the inclusion of that entry in the tree of the
// receipt's checkpoint.
func checkReceipt(t *testing.T, f *fixture, resp *http.Response, body []byte) *exchange.Receipt {
	t.Helper()
	ctx := context.Background()
	compact := resp.Header.Get(exchange.HeaderReceipt)
	if compact == "" {
		t.Fatal("the answer carries no receipt")
	}
	pub := publicKey(t, f.keys.noGateway, nil)
	rc, err := exchange.ReadReceipt(ctx, compact, func(_ context.Context, iss, kid string) (jwk.Key, error) {
		if want, _ := pub.KeyID(); iss != noGateway || kid != want {
			return nil, fmt.Errorf("receipt by %s with key %s", iss, kid)
		}
		return pub, nil
	})
	if err != nil {
		t.Fatalf("the receipt does not verify: %v", err)
	}
	if rc.Issuer != noGateway || rc.RequestID != resp.Header.Get(exchange.HeaderRequestID) || rc.Status != resp.StatusCode {
		t.Errorf("receipt %+v for an answer %d to %s", rc, resp.StatusCode, resp.Header.Get(exchange.HeaderRequestID))
	}
	if rc.ResponseDigest != exchange.ContentDigest(body) || resp.Header.Get(exchange.HeaderContentDigest) != rc.ResponseDigest {
		t.Errorf("receipt's response digest %s, the body's is %s, the answer says %s",
			rc.ResponseDigest, exchange.ContentDigest(body), resp.Header.Get(exchange.HeaderContentDigest))
	}
	e, err := f.log.Entry(ctx, rc.LogIndex)
	if err != nil {
		t.Fatalf("audit entry %d: %v", rc.LogIndex, err)
	}
	if e.ReceiptHash != tlog.Hash(rc.Binding()) || e.RequestID != rc.RequestID || e.Decision != rc.Decision || e.Status != rc.Status {
		t.Errorf("audit entry %d = %+v, the receipt is %+v", rc.LogIndex, e, rc)
	}
	checkIncluded(t, f.log, rc.LogIndex, rc.Checkpoint)
	return rc
}

// checkIncluded verifies the signed checkpoint with the log's verifier and
// checks the inclusion proof of the log's entry at index against its tree.
func checkIncluded(t *testing.T, l *audit.Log, index int64, checkpoint string) {
	t.Helper()
	ctx := context.Background()
	msg, err := note.Open([]byte(checkpoint), note.VerifierList(l.Verifier()))
	if err != nil {
		t.Fatalf("the checkpoint does not verify: %v", err)
	}
	tree, err := tlog.ParseTree([]byte(msg.Text))
	if err != nil {
		t.Fatal(err)
	}
	if tree.N <= index {
		t.Fatalf("the checkpoint's tree of %d entries does not hold index %d", tree.N, index)
	}
	proof, err := l.InclusionProof(ctx, index, tree.N)
	if err != nil {
		t.Fatal(err)
	}
	e, err := l.Entry(ctx, index)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := e.Hash()
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.CheckRecord(proof, tree.N, tree.Hash, index, leaf); err != nil {
		t.Errorf("entry %d is not proved in the checkpoint's tree: %v", index, err)
	}
}

// TestAttackControls sends the requests the attacks are made of, as they
// are: the broker permits them, reaches the service once, and answers
// with a receipt that verifies and whose decision the audit log proves.
func TestAttackControls(t *testing.T) {
	keys := newKeyring(t)
	controls := []struct {
		name    string
		request func(f *fixture) *exchange.Request
		signer  string
		key     func(k *keyring) jwk.Key
		rule    string
	}{
		{"the Finnish authority, for the heir", (*fixture).estate, fiAuthority,
			func(k *keyring) jwk.Key { return k.kela }, estatePolicy + " permission[0]"},
		{"the Finnish peer gateway, for the Finnish authority", (*fixture).estate, fiGateway,
			func(k *keyring) jwk.Key { return k.fiGateway }, estatePolicy + " permission[0]"},
		{"the Finnish authority, with the taxpayer's consent", (*fixture).benefit, fiAuthority,
			func(k *keyring) jwk.Key { return k.kela }, consentPolicy + " permission[0]"},
	}
	for _, c := range controls {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, keys)
			r := c.request(f)
			resp := f.do(t, f.signed(t, r, nil, c.signer, c.key(keys)))
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("answer %d %s, want 200", resp.StatusCode, body)
			}
			var rec map[string]string
			if err := json.Unmarshal(body, &rec); err != nil || rec["request_id"] != r.ID || rec["asked_by"] != fiAuthority ||
				!strings.HasSuffix(rec["record"], r.Path) {
				t.Errorf("the service's answer %s (%v), want its record for request %s", body, err, r.ID)
			}
			if n := f.provider.hits.Load(); n != 1 {
				t.Errorf("the service was reached %d times, want once", n)
			}
			if h := f.provider.lastHeader(); h.Get(exchange.HeaderSignature) != "" || h.Get(exchange.HeaderAudience) != "" {
				t.Errorf("the service got the signature or the audience: %v", h)
			}
			rc := checkReceipt(t, f, resp, body)
			if rc.Decision != "permit" || rc.Status != 200 || rc.RequestHash != r.HashText() || rc.Requester != fiAuthority ||
				rc.LogIndex != 0 || !strings.HasPrefix(rc.Rule, c.rule) {
				t.Errorf("receipt %+v, want a permit of request hash %s by %s at index 0", rc, r.HashText(), c.rule)
			}
			if resp.Header.Get(exchange.HeaderXRoadRequestHash) != r.XRoadRequestHash() {
				t.Errorf("X-Road-Request-Hash %q, want %q", resp.Header.Get(exchange.HeaderXRoadRequestHash), r.XRoadRequestHash())
			}
			if _, ok := f.logs.find(t, map[string]any{"msg": "exchange", "effect": "permit", "request_id": r.ID, "signer": c.signer}); !ok {
				t.Errorf("no record of the permit; records: %v", f.logs.records(t))
			}
			if _, ok := f.logs.find(t, map[string]any{"msg": "exchange refused"}); ok {
				t.Errorf("a refusal was logged for a permitted request: %v", f.logs.records(t))
			}
		})
	}
}

// TestAttackControlRelay sends the request the attacks on the peer's
// answer are made of, as it is: the Norwegian authority's request for the
// Finnish peer's service goes through this gateway to the real Finnish
// broker and comes back with the peer's receipt and this gateway's
// countersignature, both verified, and the audit entry they bind proved.
func TestAttackControlRelay(t *testing.T) {
	ctx := context.Background()
	keys := newKeyring(t)
	f := newFixture(t, keys)
	f.startPeer(t, nil)
	r := f.pension()
	resp := f.do(t, f.signed(t, r, nil, noAuthority, keys.skatt))
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("answer %d %s, want 200", resp.StatusCode, body)
	}
	var rec map[string]string
	if err := json.Unmarshal(body, &rec); err != nil || rec["pension"] != "granted" || rec["request_id"] != r.ID {
		t.Errorf("the answer %s (%v), want the Finnish service's for request %s", body, err, r.ID)
	}
	if n := f.pensions.hits.Load(); n != 1 {
		t.Errorf("the Finnish service was reached %d times, want once", n)
	}
	receipt := resp.Header.Get(exchange.HeaderReceipt)
	fiPub, noPub := publicKey(t, keys.fiGateway, nil), publicKey(t, keys.noGateway, nil)
	rc, err := exchange.ReadReceipt(ctx, receipt, func(_ context.Context, iss, _ string) (jwk.Key, error) {
		if iss != fiGateway {
			return nil, fmt.Errorf("receipt by %s", iss)
		}
		return fiPub, nil
	})
	if err != nil {
		t.Fatalf("the peer's receipt does not verify: %v", err)
	}
	fwd := *r
	fwd.Audience = fiGateway // the request as this gateway forwarded it
	if rc.Decision != "permit" || rc.Status != 200 || rc.RequestID != r.ID || rc.RequestHash != fwd.HashText() ||
		rc.ResponseDigest != exchange.ContentDigest(body) || !strings.HasPrefix(rc.Rule, pensionPolicy+" permission[0]") {
		t.Errorf("the peer's receipt %+v, want a permit of the forwarded request %s", rc, fwd.HashText())
	}
	cs, err := exchange.ReadCountersignature(ctx, resp.Header.Get(exchange.HeaderCountersignature), receipt,
		func(_ context.Context, iss, _ string) (jwk.Key, error) {
			if iss != noGateway {
				return nil, fmt.Errorf("countersignature by %s", iss)
			}
			return noPub, nil
		})
	if err != nil {
		t.Fatalf("the countersignature does not verify: %v", err)
	}
	if cs.ReceiptHash != exchange.ReceiptHash(receipt) || cs.RequestID != r.ID || cs.LogIndex != 0 {
		t.Errorf("countersignature %+v for receipt hash %s", cs, exchange.ReceiptHash(receipt))
	}
	e, err := f.log.Entry(ctx, cs.LogIndex)
	if err != nil {
		t.Fatal(err)
	}
	if e.Decision != "permit" || e.Rule != rc.Rule || e.Status != 200 || e.ReceiptHash != tlog.Hash(sha256.Sum256([]byte(receipt))) ||
		e.Requester != noAuthority || e.Service != "FI/0246246-0/pensions" {
		t.Errorf("audit entry %+v, want the permit the receipt says", e)
	}
	checkIncluded(t, f.log, cs.LogIndex, cs.Checkpoint)
	if _, ok := f.logs.find(t, map[string]any{"msg": "exchange", "role": "consumer", "effect": "permit", "request_id": r.ID}); !ok {
		t.Errorf("no record of the relayed permit; records: %v", f.logs.records(t))
	}
}

// TestAttackHangUp: a requester whose permitted request reached the
// service hangs up before the answer. The service was asked about the
// person, so the decision must be in the audit log all the same: the
// permit, with the status the requester was left with. Eight times, each
// on a gateway of its own, since the log used to drop the entry only when
// its writer lost the race with the requester's cancellation.
func TestAttackHangUp(t *testing.T) {
	keys := newKeyring(t)
	for i := range 8 {
		f := newFixture(t, keys)
		r := f.estate()
		r.Path = "/v1/deaths/slow/NO" + deceased
		ctx, cancel := context.WithCancel(context.Background())
		hr := f.signed(t, r, nil, fiAuthority, keys.kela).WithContext(ctx)
		done := make(chan error, 1)
		go func() {
			resp, err := f.srv.Client().Do(hr)
			if err == nil {
				resp.Body.Close()
			}
			done <- err
		}()
		<-f.slow // the service has the request
		cancel()
		if err := <-done; err == nil {
			t.Fatalf("%d: the request was answered after it was cancelled", i)
		}
		f.srv.Close() // waits for the broker to finish with the request
		if n := f.provider.hits.Load(); n != 1 {
			t.Fatalf("%d: the service was reached %d times, want once", i, n)
		}
		if n := f.log.Size(); n != 1 {
			t.Fatalf("%d: the audit log holds %d entries after the service was asked; want the decision; records: %v", i, n, f.logs.records(t))
		}
		e := lastEntry(t, f)
		if e.RequestID != r.ID || e.Decision != "permit" || e.Status != http.StatusBadGateway || e.ReceiptHash == (tlog.Hash{}) {
			t.Errorf("%d: audit entry %+v, want the permit of %s with status 502 and its receipt", i, e, r.ID)
		}
	}
}

// TestAttackConcurrentReplay sends one signed request eight times at once:
// exactly one is permitted and reaches the service, the others are
// refused as replays and audited as such.
func TestAttackConcurrentReplay(t *testing.T) {
	f := newFixture(t, newKeyring(t))
	hr, r := stdSigned(t, f, nil)
	const n = 8
	type answer struct {
		status int
		err    error
	}
	answers := make(chan answer, n)
	var wg sync.WaitGroup
	for range n {
		again := hr.Clone(context.Background())
		wg.Go(func() {
			resp, err := f.srv.Client().Do(again)
			if err != nil {
				answers <- answer{err: err}
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			answers <- answer{status: resp.StatusCode}
		})
	}
	wg.Wait()
	close(answers)
	statuses := map[int]int{}
	for a := range answers {
		if a.err != nil {
			t.Fatal(a.err)
		}
		statuses[a.status]++
	}
	if statuses[http.StatusOK] != 1 || statuses[http.StatusConflict] != n-1 {
		t.Errorf("answers by status %v, want one 200 and %d 409", statuses, n-1)
	}
	if hits := f.provider.hits.Load(); hits != 1 {
		t.Errorf("the service was reached %d times, want once", hits)
	}
	if size := f.log.Size(); size != n {
		t.Fatalf("the audit log holds %d entries, want %d", size, n)
	}
	decisions := map[string]int{}
	for i := range int64(n) {
		e, err := f.log.Entry(context.Background(), i)
		if err != nil {
			t.Fatal(err)
		}
		if e.RequestID != r.ID {
			t.Errorf("entry %d is of request %s, want %s", i, e.RequestID, r.ID)
		}
		decisions[e.Decision+" "+e.Rule]++
	}
	if decisions["deny urn:samband:problem:replay"] != n-1 {
		t.Errorf("audit decisions %v, want %d replays denied", decisions, n-1)
	}
}
